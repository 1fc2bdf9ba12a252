/**
 * Palu: cache a rank-r latent of the keys/values instead of the keys/values themselves, and
 * quantize the latent (optionally after a Walsh–Hadamard transform).
 *
 * Reference: Chi-Chih Chang et al., "Palu: Compressing KV-Cache with Low-Rank Projection",
 * ICLR 2025 (arXiv:2407.21118), §3: low-rank decomposition of the K/V
 * projection W ≈ A·B by truncated SVD, caching the latent h = x·A and rebuilding K = h·B on the
 * fly, at per-head, group-head or joint granularity; low-rank-aware quantization, where a
 * Walsh–Hadamard transform of the latents (fused into A and B) removes their outliers before
 * per-token group quantization. Seeds CATALOGUE §1.F.7.
 *
 * Here the data X (rows = tokens, d = channels) are the keys or values themselves, so the
 * projection comes from the exact truncated SVD of X (src/core/linalg/svd.ts; beyond
 * min(rows, d) = 512 a 12-iteration subspace iteration seeded from
 * ctx.rng.stream('sketch', 'palu', rows, width, r, block), src/core/methods/matrix/best-rank.ts): X ≈ X·V_r·V_rᵀ with
 * V_r the top-r right singular vectors, the Eckart–Young optimum of the paper's factorization for
 * this cache. B = V_rᵀ (r × d) is stored in fp16 (or fp32) and used, rounded, for both encoding
 * (H = X·Bᵀ) and decoding (X̂ = Ĥ·B). With `hadamard` the latent row is zero-padded to
 * r₂ = nextPow2(r) and rotated by the orthonormal FWHT (H_{r₂}/√r₂, its own inverse) before the
 * `int` quantizer (asymmetric min–max, fp16 scale + b-bit zero-point per group of `group` latent
 * coordinates per token), so the padded coordinates are charged.
 *
 * G-LRD (group-head low-rank decomposition): with `groups` = G the channels split into G
 * contiguous blocks (the heads of a group side by side), each decomposed on its own with rank
 * r_g (the total r shared as evenly as possible, each at least 1 and at most min(rows, width));
 * G = 1 is the joint decomposition over all channels (J-LRD), G = heads the per-head one (M-LRD).
 * Each block's latent is rotated and quantized on its own.
 *
 * Invariant (tested): at full rank with an fp32 basis, X·Bᵀ·B = X to float32 round-off, so only
 * the latent quantization remains.
 *
 * Bits per coordinate, summed over blocks g of width w_g and rank r_g (L_g = nextPow2(r_g) with
 * `hadamard`, else r_g), f = 16 or 32:
 *   Σ_g [rows·L_g·b + rows·⌈L_g/group⌉·(16 + b) + f·r_g·w_g] / (rows·d)
 * (latent codes, their scales and zero-points, the bases B_g shared by every token).
 */
import { roundToFp16 } from '../../formats/fp16';
import { fwhtOrthonormalInPlace, nextPowerOfTwo } from '../../linalg/fwht';
import { bestRankSvd } from '../matrix/best-rank';
import { defineParams, typedParams, withDefaults, type ParamsOf } from '../params';
import type { QuantizerContext, QuantizerDef } from '../types';
import { intQuantizer } from './int';

export const PALU_PARAMS = defineParams({
  rank: {
    kind: 'int',
    default: 32,
    min: 1,
    max: 4096,
    step: 1,
    doc: 'Rank r of the latent (capped at min(rows, dim)).',
  },
  bits: { kind: 'int', default: 4, min: 2, max: 8, step: 1, doc: 'Bits per latent code (Palu: 3 or 2).' },
  group: {
    kind: 'int',
    default: 32,
    min: 8,
    max: 4096,
    step: 1,
    doc: 'Latent coordinates per quantization group within a token (fp16 scale + b-bit zero-point).',
  },
  hadamard: {
    kind: 'bool',
    default: true,
    doc: 'Walsh–Hadamard on the latent (padded to a power of two, charged) before quantizing.',
  },
  groups: {
    kind: 'int',
    default: 1,
    min: 1,
    max: 4096,
    step: 1,
    doc: 'Channel groups decomposed separately (Palu G-LRD: heads per group); 1 = one joint decomposition (J-LRD).',
  },
  basisFormat: {
    kind: 'enum',
    default: 'fp16',
    options: ['fp16', 'fp32'],
    doc: 'Storage of the projection basis B (counted in the bits).',
  },
  rounding: {
    kind: 'enum',
    default: 'nearest',
    options: ['nearest', 'stochastic'],
    doc: 'Round latents to nearest (ties to even) or stochastically (unbiased, seeded).',
  },
});

type PaluParams = ParamsOf<typeof PALU_PARAMS>;

/** One group of channels [from, from + width) with its rank r and latent width L. */
interface PaluBlock {
  readonly from: number;
  readonly width: number;
  readonly r: number;
  readonly latent: number;
}

/**
 * Channel groups (G-LRD): `groups` contiguous blocks, block g = [⌊g·d/G⌋, ⌊(g+1)·d/G⌋); the
 * total rank r splits as evenly as possible (the first r mod G blocks get one more), each block's
 * rank capped at min(rows, width) and at least 1.
 */
export function paluBlocks(p: PaluParams, rows: number, d: number): PaluBlock[] {
  const g = Math.min(p.groups, d);
  const total = p.rank;
  const hadamard = p.hadamard;
  const out: PaluBlock[] = [];
  for (let b = 0; b < g; b++) {
    const from = Math.floor((b * d) / g);
    const width = Math.floor(((b + 1) * d) / g) - from;
    const share = Math.floor(total / g) + (b < total % g ? 1 : 0);
    const r = Math.max(1, Math.min(share, rows, width));
    out.push({ from, width, r, latent: hadamard ? nextPowerOfTwo(r) : r });
  }
  return out;
}

/** Columns [from, from + width) of the rows × d matrix x. */
function columns(x: Float32Array, rows: number, d: number, from: number, width: number): Float32Array {
  const out = new Float32Array(rows * width);
  for (let i = 0; i < rows; i++) out.set(x.subarray(i * d + from, i * d + from + width), i * width);
  return out;
}

export interface PaluProjection {
  /** Per block, B = V_rᵀ as stored (rounded), r × width row-major. */
  readonly bases: readonly Float64Array[];
  /** X·Bᵀ·B per block without quantization, rows × d. */
  readonly projected: Float64Array;
}

/** B = V_rᵀ of one block, rounded to the stored format, r × w. */
function paluBasis(
  x: Float32Array,
  rows: number,
  w: number,
  r: number,
  block: number,
  p: PaluParams,
  ctx: QuantizerContext,
): Float64Array {
  const store = p.basisFormat === 'fp32' ? Math.fround : roundToFp16;
  const svd = bestRankSvd(x, rows, w, r, () => ctx.rng.stream('sketch', 'palu', rows, w, r, block));
  const basis = new Float64Array(r * w);
  // Directions beyond the numerical rank stay 0 (their latents would be 0 anyway).
  for (let c = 0; c < svd.v.length; c++) for (let t = 0; t < w; t++) basis[c * w + t] = store(svd.v[c][t]);
  return basis;
}

/** The stored bases and the unquantized projection, for tests and views. */
export function paluProjection(
  input: Float32Array,
  rows: number,
  d: number,
  p: PaluParams,
  ctx: QuantizerContext,
): PaluProjection {
  const projected = new Float64Array(rows * d);
  const bases = paluBlocks(p, rows, d).map((blk, b) => {
    const x = columns(input, rows, d, blk.from, blk.width);
    const basis = paluBasis(x, rows, blk.width, blk.r, b, p, ctx);
    const back = decode(encode(x, rows, blk.width, basis, blk.r), rows, blk.width, basis, blk.r);
    for (let i = 0; i < rows; i++)
      for (let t = 0; t < blk.width; t++) projected[i * d + blk.from + t] = back[i * blk.width + t];
    return basis;
  });
  return { bases, projected };
}

function encode(x: Float32Array, rows: number, d: number, basis: Float64Array, r: number): Float64Array {
  const h = new Float64Array(rows * r);
  for (let i = 0; i < rows; i++)
    for (let c = 0; c < r; c++) {
      let s = 0;
      for (let t = 0; t < d; t++) s += x[i * d + t] * basis[c * d + t];
      h[i * r + c] = s;
    }
  return h;
}

function decode(h: ArrayLike<number>, rows: number, d: number, basis: Float64Array, r: number): Float64Array {
  const out = new Float64Array(rows * d);
  for (let i = 0; i < rows; i++)
    for (let c = 0; c < r; c++) {
      const hc = h[i * r + c];
      if (hc === 0) continue;
      for (let t = 0; t < d; t++) out[i * d + t] += hc * basis[c * d + t];
    }
  return out;
}

export const paluQuantizer: QuantizerDef = {
  id: 'palu',
  label: 'Palu',
  description:
    'KV cache as a rank-r latent (exact SVD projection), latents int-b per group, optionally after a Hadamard.',
  reference:
    'Chang et al., Palu: Compressing KV-Cache with Low-Rank Projection, ICLR 2025 (arXiv:2407.21118), §3.',
  params: PALU_PARAMS,
  quantize(input, rows, d, params, ctx, out) {
    const p = typedParams(PALU_PARAMS, params);
    const rotate = p.hadamard;
    const intParams = withDefaults(intQuantizer.params, {
      bits: p.bits,
      granularity: 'group',
      group: p.group,
      symmetric: false,
      rounding: p.rounding,
    });
    paluBlocks(p, rows, d).forEach((blk, b) => {
      const { width: w, r, latent: L } = blk;
      const x = columns(input, rows, d, blk.from, w);
      const basis = paluBasis(x, rows, w, r, b, p, ctx);
      const h = encode(x, rows, w, basis, r);
      // The latent is rotated in float64 and rounded to float32 once, for the int quantizer.
      const wide = new Float64Array(rows * L);
      for (let i = 0; i < rows; i++) for (let c = 0; c < r; c++) wide[i * L + c] = h[i * r + c];
      if (rotate) for (let i = 0; i < rows; i++) fwhtOrthonormalInPlace(wide, i * L, L);
      const lat = Float32Array.from(wide);
      const q = new Float32Array(rows * L);
      intQuantizer.quantize(lat, rows, L, intParams, ctx, q);
      const back = Float64Array.from(q);
      if (rotate) for (let i = 0; i < rows; i++) fwhtOrthonormalInPlace(back, i * L, L);
      const hq = new Float64Array(rows * r);
      for (let i = 0; i < rows; i++) for (let c = 0; c < r; c++) hq[i * r + c] = back[i * L + c];
      const y = decode(hq, rows, w, basis, r);
      for (let i = 0; i < rows; i++) for (let t = 0; t < w; t++) out[i * d + blk.from + t] = y[i * w + t];
    });
  },
  bitsPerCoord(params, rows, d) {
    const p = typedParams(PALU_PARAMS, params);
    const b = p.bits;
    const f = p.basisFormat === 'fp32' ? 32 : 16;
    const g = p.group;
    let total = 0;
    for (const blk of paluBlocks(p, rows, d))
      total += rows * blk.latent * b + rows * Math.ceil(blk.latent / g) * (16 + b) + f * blk.r * blk.width;
    return total / (rows * d);
  },
  describe(params) {
    const p = typedParams(PALU_PARAMS, params);
    const h = p.hadamard ? ' +H' : '';
    const sr = p.rounding === 'stochastic' ? ' sr' : '';
    const groups = p.groups > 1 ? ` G${p.groups}` : '';
    return `r=${p.rank}${groups} b=${p.bits} g${p.group}${h}${sr}`;
  },
};
