/**
 * Palu: cache a rank-r latent of the keys/values instead of the keys/values themselves, and
 * quantize the latent (optionally after a Walsh–Hadamard transform).
 *
 * Reference: Chang, Lin, Lin, Chen, Lin, Wu, Chen & Wu (Kai-Chiang), "Palu: Compressing KV-Cache
 * with Low-Rank Projection", ICLR 2025 (arXiv:2407.21118): §3.1 low-rank decomposition of the
 * K/V projection W ≈ A·B by truncated SVD, caching the latent h = x·A and rebuilding K = h·B on
 * the fly; §3.4 low-rank-aware quantization: a Walsh–Hadamard transform of the latents (fused into
 * A and B) removes their outliers before per-token group quantization. Seeds CATALOGUE §1.F.7.
 *
 * Here the data X (rows = tokens, d = channels) are the keys or values themselves, so the
 * projection comes from the exact truncated SVD of X (src/core/linalg/svd.ts; beyond
 * min(rows, d) = 512 a 12-iteration subspace iteration seeded from
 * ctx.rng.stream('sketch', 'palu', rows, d, r), src/core/methods/matrix/best-rank.ts): X ≈ X·V_r·V_rᵀ with
 * V_r the top-r right singular vectors, the Eckart–Young optimum of the paper's factorization for
 * this cache. B = V_rᵀ (r × d) is stored in fp16 (or fp32) and used, rounded, for both encoding
 * (H = X·Bᵀ) and decoding (X̂ = Ĥ·B). With `hadamard` the latent row is zero-padded to
 * r₂ = nextPow2(r) and rotated by the orthonormal FWHT (H_{r₂}/√r₂, its own inverse) before the
 * `int` quantizer (asymmetric min–max, fp16 scale + b-bit zero-point per group of `group` latent
 * coordinates per token), so the padded coordinates are charged.
 *
 * Invariant (tested): at full rank r = min(rows, d) with an fp32 basis, X·Bᵀ·B = X to float32
 * round-off, so only the latent quantization remains.
 *
 * Bits per coordinate, r' = min(r, rows, d), L = nextPow2(r') with `hadamard` else r', f = 16 or 32:
 *   [rows·L·b + rows·⌈L/group⌉·(16 + b) + f·r'·d] / (rows·d)
 * (latent codes, their scales and zero-points, the basis B shared by every token).
 */
import { roundToFp16 } from '../../formats/fp16';
import { fwhtOrthonormalInPlace, nextPowerOfTwo } from '../../linalg/fwht';
import { bestRankSvd } from '../matrix/best-rank';
import { bool, num, str, withDefaults } from '../params';
import type { Params, QuantizerContext, QuantizerDef } from '../types';
import { intQuantizer } from './int';

function latentWidth(params: Params, rows: number, d: number): { r: number; width: number } {
  const r = Math.max(1, Math.min(num(params, 'rank'), rows, d));
  return { r, width: bool(params, 'hadamard') ? nextPowerOfTwo(r) : r };
}

export interface PaluProjection {
  /** B = V_rᵀ as stored (rounded), r × d row-major. */
  readonly basis: Float64Array;
  readonly rank: number;
  /** X·Bᵀ·B without quantization, rows × d. */
  readonly projected: Float64Array;
}

/** B = V_rᵀ rounded to the stored format, r × d. */
function paluBasis(
  input: Float32Array,
  rows: number,
  d: number,
  params: Params,
  r: number,
  ctx: QuantizerContext,
): Float64Array {
  const store = str(params, 'basisFormat') === 'fp32' ? Math.fround : roundToFp16;
  const svd = bestRankSvd(input, rows, d, r, () => ctx.rng.stream('sketch', 'palu', rows, d, r));
  const basis = new Float64Array(r * d);
  // Directions beyond the numerical rank stay 0 (their latents would be 0 anyway).
  for (let c = 0; c < svd.v.length; c++) for (let t = 0; t < d; t++) basis[c * d + t] = store(svd.v[c][t]);
  return basis;
}

/** The stored basis and the unquantized projection, for tests and views. */
export function paluProjection(
  input: Float32Array,
  rows: number,
  d: number,
  params: Params,
  ctx: QuantizerContext,
): PaluProjection {
  const { r } = latentWidth(params, rows, d);
  const basis = paluBasis(input, rows, d, params, r, ctx);
  const latents = encode(input, rows, d, basis, r);
  return { basis, rank: r, projected: decode(latents, rows, d, basis, r) };
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
    'Chang et al., Palu: Compressing KV-Cache with Low-Rank Projection, ICLR 2025 (arXiv:2407.21118), §3.1, §3.4.',
  params: {
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
  },
  quantize(input, rows, d, params, ctx, out) {
    const { r, width } = latentWidth(params, rows, d);
    const basis = paluBasis(input, rows, d, params, r, ctx);
    const h = encode(input, rows, d, basis, r);
    // The latent is rotated in float64 and rounded to float32 once, for the int quantizer.
    const wide = new Float64Array(rows * width);
    for (let i = 0; i < rows; i++) for (let c = 0; c < r; c++) wide[i * width + c] = h[i * r + c];
    const rotate = bool(params, 'hadamard');
    if (rotate) for (let i = 0; i < rows; i++) fwhtOrthonormalInPlace(wide, i * width, width);
    const lat = Float32Array.from(wide);
    const q = new Float32Array(rows * width);
    const intParams = withDefaults(intQuantizer.params, {
      bits: num(params, 'bits'),
      granularity: 'group',
      group: num(params, 'group'),
      symmetric: false,
      rounding: str(params, 'rounding'),
    });
    intQuantizer.quantize(lat, rows, width, intParams, ctx, q);
    const back = new Float64Array(rows * width);
    back.set(q);
    if (rotate) for (let i = 0; i < rows; i++) fwhtOrthonormalInPlace(back, i * width, width);
    const hq = new Float64Array(rows * r);
    for (let i = 0; i < rows; i++) for (let c = 0; c < r; c++) hq[i * r + c] = back[i * width + c];
    const x = decode(hq, rows, d, basis, r);
    for (let i = 0; i < rows * d; i++) out[i] = x[i];
  },
  bitsPerCoord(params, rows, d) {
    const { r, width } = latentWidth(params, rows, d);
    const b = num(params, 'bits');
    const f = str(params, 'basisFormat') === 'fp32' ? 32 : 16;
    const latent = rows * width * b + rows * Math.ceil(width / num(params, 'group')) * (16 + b);
    return (latent + f * r * d) / (rows * d);
  },
  describe(params) {
    const h = bool(params, 'hadamard') ? ' +H' : '';
    const sr = str(params, 'rounding') === 'stochastic' ? ' sr' : '';
    return `r=${num(params, 'rank')} b=${num(params, 'bits')} g${num(params, 'group')}${h}${sr}`;
  },
};
