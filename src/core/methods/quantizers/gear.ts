/**
 * GEAR: KV-cache compression as quantized bulk + low-rank residual + sparse outliers.
 *
 * Reference: Kang, Zhang, Kundu, Jeong, Liu, Krishna & Zhao, "GEAR: An Efficient KV Cache
 * Compression Recipe for Near-Lossless Generative Inference of LLM", arXiv:2403.05527 (2024),
 * §3 and Algorithm 1: for a cache matrix X,
 *   S = Filter_s(X)              the s % entries of largest magnitude, kept exactly (sparse);
 *   D̂ = Quant_b(X − S)           ultra-low-bit quantization of the remaining bulk;
 *   L = SVD_r(X − D̂ − S)         a rank-r approximation of the quantization residual;
 *   X̂ = D̂ + L + S.
 * Seeds CATALOGUE §1.E.4.
 *
 * Here (rows = tokens, d = channels): S holds the k = ⌊s·rows·d/100⌋ entries of largest |x|
 * (ties to the lower flat index), stored as fp16 values with their flat index. The bulk X − S (those
 * entries set to 0) is quantized by the `int` quantizer, asymmetric min–max per group of `group`
 * channels within each token (fp16 scale + b-bit zero-point; 0 is exact, so D̂ is 0 at the outlier
 * positions). L is the exact truncated SVD of the residual (src/core/linalg/svd.ts: Eckart–Young
 * optimal, not the paper's few power iterations, so L is the best rank-r correction; beyond
 * min(rows, d) = 512 a 12-iteration subspace iteration, see src/core/methods/matrix/best-rank.ts,
 * seeded from ctx.rng.stream('sketch', 'gear', rows, d, rank)), stored as
 * factors L₁ = U√Σ (rows × r) and L₂ = √ΣVᵀ (r × d) rounded to fp16 (or fp32).
 *
 * Bits per coordinate, N = rows·d, k = ⌊s·N/100⌋, r' = min(r, rows, d), f = 16 or 32:
 *   [N·b + rows·⌈d/group⌉·(16 + b)  +  k·(16 + ⌈log2 N⌉)  +  f·r'·(rows + d)] / N
 *    (quantized bulk: codes, scales, zero-points) (sparse: fp16 value + flat index) (low rank)
 */
import { roundToFp16 } from '../../formats/fp16';
import { bestRankSvd } from '../matrix/best-rank';
import { defineParams, typedParams, withDefaults, type ParamsOf } from '../params';
import type { Params, QuantizerContext, QuantizerDef } from '../types';
import { intQuantizer } from './int';

/** fp16 rounding that saturates at ±65504 (a stored outlier is never Inf). */
function fp16Saturating(x: number): number {
  const r = roundToFp16(x);
  return r === Infinity ? 65504 : r === -Infinity ? -65504 : r;
}

/** Number of sparse outliers for s percent of n entries. */
export function gearOutlierCount(percent: number, n: number): number {
  return Math.min(n, Math.floor((percent * n) / 100 + 1e-9));
}

/** Flat indices of the k entries of largest |x|, ties to the lower index, ascending. */
export function largestMagnitudeIndices(x: Float32Array, k: number): Int32Array {
  const n = x.length;
  if (k <= 0) return new Int32Array(0);
  if (k >= n) return Int32Array.from({ length: n }, (_, i) => i);
  const mags = new Float32Array(n);
  for (let i = 0; i < n; i++) mags[i] = Math.abs(x[i]);
  const sorted = mags.slice().sort();
  const threshold = sorted[n - k];
  let above = 0;
  for (let i = 0; i < n; i++) if (mags[i] > threshold) above++;
  let ties = k - above;
  const out = new Int32Array(k);
  let m = 0;
  for (let i = 0; i < n; i++) {
    if (mags[i] > threshold) out[m++] = i;
    else if (mags[i] === threshold && ties > 0) {
      out[m++] = i;
      ties--;
    }
  }
  return out;
}

export interface GearParts {
  /** Flat indices of the sparse outliers (ascending) and their stored fp16 values. */
  readonly outlierIndex: Int32Array;
  readonly outlierValue: Float32Array;
  /** D̂: the dequantized bulk, rows × d (0 at the outlier positions). */
  readonly bulk: Float32Array;
  /** L = L₁L₂ with the stored factors, rows × d. */
  readonly lowRank: Float64Array;
  /** Rank found (≤ r'; smaller when the residual has lower numerical rank). */
  readonly rank: number;
}

export const GEAR_PARAMS = defineParams({
  bits: {
    kind: 'int',
    default: 4,
    min: 2,
    max: 8,
    step: 1,
    doc: 'Bits b of the quantized bulk (GEAR: 4 or 2).',
  },
  group: {
    kind: 'int',
    default: 64,
    min: 8,
    max: 4096,
    step: 1,
    doc: 'Channels per quantization group within a token (fp16 scale + b-bit zero-point each).',
  },
  rank: {
    kind: 'int',
    default: 4,
    min: 0,
    max: 1024,
    step: 1,
    doc: 'Rank r of the residual correction (GEAR: 2–4% of the dimension).',
  },
  outliers: {
    kind: 'number',
    default: 2,
    min: 0,
    max: 50,
    step: 0.5,
    doc: 'Percentage s of entries (largest |x|) kept exactly as fp16 value + index (GEAR: 2%).',
  },
  lowRankFormat: {
    kind: 'enum',
    default: 'fp16',
    options: ['fp16', 'fp32'],
    doc: 'Storage of the low-rank factors; counted in the bits either way.',
  },
  rounding: {
    kind: 'enum',
    default: 'nearest',
    options: ['nearest', 'stochastic'],
    doc: 'Round the bulk to nearest (ties to even) or stochastically (unbiased, seeded).',
  },
});

type GearParams = ParamsOf<typeof GEAR_PARAMS>;

function bulkParams(p: GearParams): Params {
  return withDefaults(intQuantizer.params, {
    bits: p.bits,
    granularity: 'group',
    group: p.group,
    symmetric: false,
    rounding: p.rounding,
  });
}

/** GEAR's three parts for tests and views (X̂ = bulk + lowRank + sparse). */
export function gearDecompose(
  input: Float32Array,
  rows: number,
  d: number,
  p: GearParams,
  ctx: QuantizerContext,
): GearParts {
  const n = rows * d;
  const outlierIndex = largestMagnitudeIndices(input, gearOutlierCount(p.outliers, n));
  const outlierValue = new Float32Array(outlierIndex.length);
  const dense = input.slice(0, n);
  for (let j = 0; j < outlierIndex.length; j++) {
    outlierValue[j] = fp16Saturating(input[outlierIndex[j]]);
    dense[outlierIndex[j]] = 0;
  }
  const bulk = new Float32Array(n);
  intQuantizer.quantize(dense, rows, d, bulkParams(p), ctx, bulk);
  const residual = new Float64Array(n);
  for (let i = 0; i < n; i++) residual[i] = input[i] - bulk[i];
  for (let j = 0; j < outlierIndex.length; j++) residual[outlierIndex[j]] -= outlierValue[j];
  const store = p.lowRankFormat === 'fp32' ? Math.fround : roundToFp16;
  const svd = bestRankSvd(residual, rows, d, p.rank, () => ctx.rng.stream('sketch', 'gear', rows, d, p.rank));
  const lowRank = new Float64Array(n);
  const left = new Float64Array(rows);
  const right = new Float64Array(d);
  for (let c = 0; c < svd.sigma.length; c++) {
    const root = Math.sqrt(svd.sigma[c]);
    for (let i = 0; i < rows; i++) left[i] = store(svd.u[c][i] * root);
    for (let t = 0; t < d; t++) right[t] = store(svd.v[c][t] * root);
    for (let i = 0; i < rows; i++) {
      const li = left[i];
      if (li === 0) continue;
      for (let t = 0; t < d; t++) lowRank[i * d + t] += li * right[t];
    }
  }
  return { outlierIndex, outlierValue, bulk, lowRank, rank: svd.sigma.length };
}

export const gearQuantizer: QuantizerDef = {
  id: 'gear',
  label: 'GEAR',
  description:
    'KV cache: b-bit asymmetric bulk + exact rank-r SVD of the quantization residual + s % largest entries kept in fp16.',
  reference:
    'Kang et al., GEAR: An Efficient KV Cache Compression Recipe for Near-Lossless Generative Inference of LLM, arXiv:2403.05527, §3, Alg. 1.',
  params: GEAR_PARAMS,
  quantize(input, rows, d, params, ctx, out) {
    const parts = gearDecompose(input, rows, d, typedParams(GEAR_PARAMS, params), ctx);
    for (let i = 0; i < rows * d; i++) out[i] = parts.bulk[i] + parts.lowRank[i];
    for (let j = 0; j < parts.outlierIndex.length; j++) {
      const i = parts.outlierIndex[j];
      out[i] = parts.outlierValue[j] + parts.lowRank[i];
    }
  },
  bitsPerCoord(params, rows, d) {
    const p = typedParams(GEAR_PARAMS, params);
    const n = rows * d;
    const b = p.bits;
    const k = gearOutlierCount(p.outliers, n);
    const r = Math.min(p.rank, rows, d);
    const f = p.lowRankFormat === 'fp32' ? 32 : 16;
    const indexBits = n > 1 ? Math.ceil(Math.log2(n)) : 1;
    const bulk = n * b + rows * Math.ceil(d / p.group) * (16 + b);
    return (bulk + k * (16 + indexBits) + f * r * (rows + d)) / n;
  },
  describe(params) {
    const p = typedParams(GEAR_PARAMS, params);
    const sr = p.rounding === 'stochastic' ? ' sr' : '';
    return `b=${p.bits} g${p.group} r=${p.rank} s=${p.outliers}%${sr}`;
  },
};
