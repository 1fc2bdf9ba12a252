/**
 * DuQuant / DuQuant++: outlier-aware block rotations built greedily from the data.
 *
 * References: Lin et al., "DuQuant: Distributing Outliers via Dual Transformation Makes Stronger
 * Quantized LLMs", NeurIPS 2024, §3.1–3.2 (rotation: greedily pick the channel with the largest
 * magnitude and apply an orthogonal map that spreads it evenly over its block, repeated for N
 * steps; then a zigzag permutation that deals channels, sorted by magnitude, to blocks in the
 * order 0,1,…,K−1,K−1,…,0,0,1,… so block maxima even out; then a second block rotation) and
 * "DuQuant++: Fine-grained Rotation Enhances Microscaling FP4 Quantization" (2026), abstract: one
 * outlier-aware rotation whose block equals the MXFP4 group, B = 32, replaces the dual rotation
 * and the permutation, since each MXFP4 group has its own scale. Seeds CATALOGUE §1.B.2.
 *
 * Greedy step (per block of B channels, on the block's current data Y = X_b·M_b): j* = the channel
 * with the largest max_i |Y_ij|; H = I − 2ννᵀ/νᵀν with ν = e_{j*} − s/√B (s seeded ±1 signs) is an
 * orthogonal reflection mapping e_{j*} to s/√B, so channel j*'s mass is spread evenly over the
 * block (DuQuant's "first row uniform" rotation); M_b ← M_b·H. A step that does not lower the
 * block's max is undone and the block stops (DuQuant keeps the best rotation found).
 *
 * variant = duquant++: y = x·M (block-diagonal M, one greedy rotation per block of `block`).
 * variant = duquant: y = ((x·M₁)·P)·M₂ with P the zigzag permutation of the channels by their
 * max magnitude after M₁, M₂ fitted on the permuted data.
 * The transform is data-dependent (fitted on ctx.data, like `pca`): in the layer analysis that is
 * the activations, where DuQuant calibrates it. Padding: dim is zero-padded to a multiple of B
 * (the quantizer stores all outDim coordinates). Randomness: ctx.rng.stream('rotation', 'duquant',
 * outDim, block, stage). Cost: fitting steps·rows·outDim·B; applying 2·outDim·B per row per rotation.
 * Orthogonal (products of reflections and a permutation), so inverse ∘ forward = identity.
 * Bits: free with basis = 'fused' (DuQuant folds its rotations into the weights); basis = 'stored'
 * charges each block-diagonal rotation as (D/B)·B² fp16 entries (1 rotation for duquant++, 2 for
 * duquant) plus, for duquant, the zigzag permutation D·⌈log2 D⌉ bits, D = padded dim.
 */
import { defineParams, typedParams, type ParamValueOf } from '../params';
import { BASIS_PARAM } from './pca';
import { ceilLog2 } from './permute';
import type { Matrix, PreparedTransform, TransformDef } from '../types';
import type { Rng } from '../../rng';

function paddedDim(dim: number, block: number): number {
  return Math.ceil(dim / block) * block;
}

/** rows × D data (float64) times block-diagonal M (nb blocks of B×B, row-major per block). */
function applyBlocks(
  x: Float64Array,
  rows: number,
  D: number,
  B: number,
  M: Float64Array,
  transpose: boolean,
): Float64Array {
  const out = new Float64Array(rows * D);
  for (let r = 0; r < rows; r++) {
    for (let b0 = 0; b0 < D; b0 += B) {
      const m = (b0 / B) * B * B;
      for (let j = 0; j < B; j++) {
        let s = 0;
        for (let i = 0; i < B; i++)
          s += x[r * D + b0 + i] * (transpose ? M[m + j * B + i] : M[m + i * B + j]);
        out[r * D + b0 + j] = s;
      }
    }
  }
  return out;
}

function blockMaxima(y: Float64Array, rows: number, D: number, b0: number, B: number): Float64Array {
  const mx = new Float64Array(B);
  for (let r = 0; r < rows; r++)
    for (let j = 0; j < B; j++) {
      const a = Math.abs(y[r * D + b0 + j]);
      if (a > mx[j]) mx[j] = a;
    }
  return mx;
}

/** Greedy outlier-aware rotation of every block of `x` (rows × D); returns block-diagonal M. */
function fitRotation(
  x: Float64Array,
  rows: number,
  D: number,
  B: number,
  steps: number,
  rng: Rng,
): Float64Array {
  const M = new Float64Array((D / B) * B * B);
  const y = new Float64Array(rows * B);
  const yNew = new Float64Array(rows * B);
  const nu = new Float64Array(B);
  for (let b0 = 0; b0 < D; b0 += B) {
    const m = (b0 / B) * B * B;
    for (let i = 0; i < B; i++) M[m + i * B + i] = 1;
    for (let r = 0; r < rows; r++) for (let j = 0; j < B; j++) y[r * B + j] = x[r * D + b0 + j];
    const signs = Array.from({ length: B }, () => rng.sign());
    let current = Math.max(0, ...blockMaxima(x, rows, D, b0, B));
    for (let s = 0; s < steps && current > 0; s++) {
      const mx = new Float64Array(B);
      for (let r = 0; r < rows; r++)
        for (let j = 0; j < B; j++) mx[j] = Math.max(mx[j], Math.abs(y[r * B + j]));
      let jStar = 0;
      for (let j = 1; j < B; j++) if (mx[j] > mx[jStar]) jStar = j;
      for (let j = 0; j < B; j++) nu[j] = -signs[j] / Math.sqrt(B);
      nu[jStar] += 1;
      let nn = 0;
      for (let j = 0; j < B; j++) nn += nu[j] * nu[j];
      if (nn < 1e-12) break; // e_{j*} already equals s/√B (B = 1)
      const beta = 2 / nn;
      let best = 0;
      for (let r = 0; r < rows; r++) {
        let dot = 0;
        for (let j = 0; j < B; j++) dot += y[r * B + j] * nu[j];
        dot *= beta;
        for (let j = 0; j < B; j++) {
          const v = y[r * B + j] - dot * nu[j];
          yNew[r * B + j] = v;
          best = Math.max(best, Math.abs(v));
        }
      }
      if (!(best < current)) break;
      current = best;
      y.set(yNew);
      // M ← M·H: row i of M minus β(M_i·ν)νᵀ.
      for (let i = 0; i < B; i++) {
        let dot = 0;
        for (let j = 0; j < B; j++) dot += M[m + i * B + j] * nu[j];
        dot *= beta;
        for (let j = 0; j < B; j++) M[m + i * B + j] -= dot * nu[j];
      }
    }
  }
  return M;
}

/** Zigzag deal of channels sorted by descending magnitude to D/B blocks (DuQuant §3.2). */
export function zigzagPermutation(magnitudes: Float64Array, B: number): Int32Array {
  const D = magnitudes.length;
  const K = D / B;
  const order = Array.from({ length: D }, (_, i) => i).sort((a, b) => magnitudes[b] - magnitudes[a] || a - b);
  const fill = new Int32Array(K);
  const perm = new Int32Array(D); // perm[newPosition] = old channel
  order.forEach((channel, rank) => {
    const round = Math.floor(rank / K);
    const pos = rank % K;
    const blockIndex = round % 2 === 0 ? pos : K - 1 - pos;
    perm[blockIndex * B + fill[blockIndex]++] = channel;
  });
  return perm;
}

function toPadded(input: Float32Array, rows: number, dim: number, D: number): Float64Array {
  const x = new Float64Array(rows * D);
  for (let r = 0; r < rows; r++) for (let i = 0; i < dim; i++) x[r * D + i] = input[r * dim + i];
  return x;
}

function prepare(
  data: Matrix,
  dim: number,
  B: number,
  steps: number,
  variant: ParamValueOf<(typeof DUQUANT_PARAMS)['variant']>,
  rngFor: (stage: number) => Rng,
): PreparedTransform {
  const D = paddedDim(dim, B);
  const x = toPadded(data.data, data.rows, dim, D);
  const M1 = fitRotation(x, data.rows, D, B, steps, rngFor(1));
  let perm: Int32Array | null = null;
  let M2: Float64Array | null = null;
  if (variant === 'duquant') {
    const y1 = applyBlocks(x, data.rows, D, B, M1, false);
    const mags = new Float64Array(D);
    for (let r = 0; r < data.rows; r++)
      for (let j = 0; j < D; j++) mags[j] = Math.max(mags[j], Math.abs(y1[r * D + j]));
    perm = zigzagPermutation(mags, B);
    const p = perm;
    const y2 = new Float64Array(data.rows * D);
    for (let r = 0; r < data.rows; r++) for (let j = 0; j < D; j++) y2[r * D + j] = y1[r * D + p[j]];
    M2 = fitRotation(y2, data.rows, D, B, steps, rngFor(2));
  }
  return {
    outDim: D,
    forward(input, rows, out) {
      let y = applyBlocks(toPadded(input, rows, dim, D), rows, D, B, M1, false);
      if (perm && M2) {
        const p = perm;
        const z = new Float64Array(rows * D);
        for (let r = 0; r < rows; r++) for (let j = 0; j < D; j++) z[r * D + j] = y[r * D + p[j]];
        y = applyBlocks(z, rows, D, B, M2, false);
      }
      for (let i = 0; i < rows * D; i++) out[i] = y[i];
    },
    inverse(input, rows, out) {
      let y = Float64Array.from(input.subarray(0, rows * D));
      if (perm && M2) {
        const p = perm;
        const z = applyBlocks(y, rows, D, B, M2, true);
        y = new Float64Array(rows * D);
        for (let r = 0; r < rows; r++) for (let j = 0; j < D; j++) y[r * D + p[j]] = z[r * D + j];
      }
      const x0 = applyBlocks(y, rows, D, B, M1, true);
      for (let r = 0; r < rows; r++) for (let i = 0; i < dim; i++) out[r * dim + i] = x0[r * D + i];
    },
  };
}

const DUQUANT_PARAMS = defineParams({
  block: {
    kind: 'int',
    default: 32,
    min: 2,
    max: 256,
    step: 1,
    doc: 'Rotation block B (DuQuant++: 32, the MXFP4 group); dim is zero-padded to a multiple of it.',
  },
  steps: {
    kind: 'int',
    default: 16,
    min: 0,
    max: 256,
    step: 1,
    doc: 'Greedy steps per block rotation (DuQuant’s N).',
  },
  variant: {
    kind: 'enum',
    default: 'duquant++',
    options: ['duquant++', 'duquant'],
    doc: 'duquant++: one rotation; duquant: rotation, zigzag permutation, rotation.',
  },
  basis: BASIS_PARAM,
});

export const duquantTransform: TransformDef = {
  id: 'duquant',
  label: 'DuQuant(++)',
  description:
    'Greedy outlier-aware block rotation (B = 32, the MXFP4 group); optional DuQuant zigzag permutation + second rotation.',
  reference:
    'Lin et al., DuQuant, NeurIPS 2024, §3.1–3.2; DuQuant++: Fine-grained Rotation Enhances Microscaling FP4 Quantization (2026).',
  params: DUQUANT_PARAMS,
  // Block-diagonal products of Householder reflections and a permutation: orthogonal.
  orthogonal: true,
  outDim: (params, dim) => paddedDim(dim, typedParams(DUQUANT_PARAMS, params).block),
  sideInfoBits(params, _rows, dim) {
    const p = typedParams(DUQUANT_PARAMS, params);
    if (p.basis !== 'stored') return 0;
    const B = p.block;
    const D = paddedDim(dim, B);
    const dual = p.variant === 'duquant';
    return (dual ? 2 : 1) * (D / B) * B * B * 16 + (dual ? D * ceilLog2(D) : 0);
  },
  prepare(params, ctx) {
    const p = typedParams(DUQUANT_PARAMS, params);
    const B = p.block;
    const D = paddedDim(ctx.dim, B);
    if (ctx.data.cols !== ctx.dim)
      throw new RangeError(`duquant: data has ${ctx.data.cols} columns, expected dim ${ctx.dim}`);
    return prepare(ctx.data, ctx.dim, B, p.steps, p.variant, (stage) =>
      ctx.rng.stream('rotation', 'duquant', D, B, stage),
    );
  },
};
