/**
 * SVDQuant: a high-precision rank-r branch absorbs the dominant (outlier) directions of a weight,
 * and only the residual is quantized to 4 bits.
 *
 * Reference: Li, Lin, et al., "SVDQuant: Absorbing Outliers by Low-Rank Components for 4-Bit
 * Diffusion Models", ICLR 2025 (arXiv:2411.05007), §4.2–4.3: Ŵ = L₁L₂ + R with L₁L₂ the rank-r
 * truncated SVD of the (smoothed) weight, kept in 16 bits, and R = Ŵ − L₁L₂ quantized to INT4 with
 * groups of 64 (or NVFP4); default rank 32 (§5.1). Seeds CATALOGUE §1.E.2.
 *
 * Here: rows × d input (rows = output channels); L₁L₂ = Σ_{i<r} σ_i u_i v_iᵀ, the truncated SVD
 * by `svd` (src/core/methods/matrix/lowrank.ts): 'exact' (dense, the default for new configs) or
 * 'randomized-2' (subspace iteration, 2 power steps: 0.4–6 % worse on Gaussian and real weights,
 * seed-dependent; what configs without the param mean, so old links keep their numbers), split
 * as L₁ = U√Σ, L₂ = √ΣVᵀ so both factors share the dynamic range, each entry rounded to the stored
 * format (fp16 by default, fp32 optional); the residual is W − L₁L₂ with the rounded factors (so
 * the 4-bit part corrects the factors' own rounding), then x̂ = L₁L₂ + Q₄(R).
 *
 * Smoothing (§4.1: X·diag(λ)⁻¹, diag(λ)·W with SmoothQuant's λ) needs the activations, which a
 * weight quantizer never sees; it is the layer analysis's `smoothing`/`alpha` (src/core/analyses/
 * layer.ts), which runs before every pipeline. SVDQuant's full recipe is that analysis with
 * smoothing on and this quantizer.
 *
 * Randomness ('randomized-2' only): the sketch comes from ctx.rng.stream('sketch', 'svdquant',
 * rows, d, rank).
 * Bits per coordinate (k = min(rank, rows, d), f = 16 or 32):
 *   inner(rows, d) + f·k·(rows + d) / (rows·d),
 * where inner is the 4-bit format's own closed form (int4: 4 + 16/group).
 *
 * Beyond the fp16 range: every value stored in fp16 here saturates at ±65504
 * (formats/fp16.ts saturateToFp16, the policy of int's scales), so an input above 65504 gives a
 * finite, clipped reconstruction instead of ±Inf and NaN metrics.
 */
import { saturateToFp16 } from '../../formats/fp16';
import { SVD_PARAM, lowRankSvd, matrixOperator, type SvdMethod } from '../matrix/lowrank';
import {
  INNER_FORMAT_PARAM,
  INNER_GROUP_PARAM,
  ROUNDING_PARAM,
  innerBits,
  innerDescribe,
  innerQuantize,
} from '../matrix/inner';
import { defineParams, typedParams, type ParamsOf } from '../params';
import type { QuantizerContext, QuantizerDef } from '../types';

export interface LowRankSplit {
  /** L₁L₂ with the stored (rounded) factors, rows × d. */
  readonly branch: Float64Array;
  /** W − L₁L₂, rows × d: what the 4-bit format quantizes. */
  readonly residual: Float32Array;
  /** Numerical rank found (≤ rank). */
  readonly rank: number;
}

export function storedFactor(format: 'fp16' | 'fp32'): (x: number) => number {
  return format === 'fp32' ? Math.fround : saturateToFp16;
}

/** Rank-r branch with factors rounded by `store`, and the residual. */
export function lowRankSplit(
  input: Float32Array,
  rows: number,
  d: number,
  rank: number,
  store: (x: number) => number,
  ctx: QuantizerContext,
  streamKey: string,
  method: SvdMethod = 'randomized-2',
): LowRankSplit {
  const k = Math.min(rank, rows, d);
  const svd = lowRankSvd(
    method,
    matrixOperator(input, rows, d),
    k,
    ctx.rng.stream('sketch', streamKey, rows, d, rank),
  );
  const branch = new Float64Array(rows * d);
  const left = new Float64Array(rows);
  const right = new Float64Array(d);
  for (let c = 0; c < svd.sigma.length; c++) {
    const root = Math.sqrt(svd.sigma[c]);
    const u = svd.u[c];
    const v = svd.v[c];
    for (let i = 0; i < rows; i++) left[i] = store(u[i] * root);
    for (let t = 0; t < d; t++) right[t] = store(v[t] * root);
    for (let i = 0; i < rows; i++) {
      const li = left[i];
      if (li === 0) continue;
      const base = i * d;
      for (let t = 0; t < d; t++) branch[base + t] += li * right[t];
    }
  }
  const residual = new Float32Array(rows * d);
  for (let i = 0; i < rows * d; i++) residual[i] = input[i] - branch[i];
  return { branch, residual, rank: svd.sigma.length };
}

export const SVDQUANT_PARAMS = defineParams({
  rank: {
    kind: 'int',
    default: 32,
    min: 0,
    max: 1024,
    step: 1,
    doc: 'Rank r of the high-precision branch (paper default 32).',
  },
  format: INNER_FORMAT_PARAM,
  group: INNER_GROUP_PARAM,
  lowRankFormat: {
    kind: 'enum',
    default: 'fp16',
    options: ['fp16', 'fp32'],
    doc: 'Storage of the factors L₁, L₂: fp16 (paper) or fp32; counted in the bits either way.',
  },
  rounding: ROUNDING_PARAM,
  svd: SVD_PARAM,
});

/** SVDQuant's decomposition for tests and views: the branch and the residual before quantization. */
export function svdquantDecompose(
  input: Float32Array,
  rows: number,
  d: number,
  p: ParamsOf<typeof SVDQUANT_PARAMS>,
  ctx: QuantizerContext,
): LowRankSplit {
  return lowRankSplit(input, rows, d, p.rank, storedFactor(p.lowRankFormat), ctx, 'svdquant', p.svd);
}

export const svdquantQuantizer: QuantizerDef = {
  id: 'svdquant',
  label: 'SVDQuant',
  description: 'Rank-r SVD branch kept in 16 bits absorbs outliers; the residual is quantized to 4 bits.',
  reference:
    'Li et al., SVDQuant: Absorbing Outliers by Low-Rank Components for 4-Bit Diffusion Models, ICLR 2025, §4.2–4.3.',
  params: SVDQUANT_PARAMS,
  quantize(input, rows, d, params, ctx, out) {
    const p = typedParams(SVDQUANT_PARAMS, params);
    const split = svdquantDecompose(input, rows, d, p, ctx);
    innerQuantize(p.format, p.group, p.rounding, split.residual, rows, d, ctx, out);
    for (let i = 0; i < rows * d; i++) out[i] += split.branch[i];
  },
  bitsPerCoord(params, rows, d) {
    const p = typedParams(SVDQUANT_PARAMS, params);
    const k = Math.min(p.rank, rows, d);
    const f = p.lowRankFormat === 'fp32' ? 32 : 16;
    return innerBits(p.format, p.group, rows, d) + (f * k * (rows + d)) / (rows * d);
  },
  describe(params) {
    const p = typedParams(SVDQUANT_PARAMS, params);
    const sr = p.rounding === 'stochastic' ? ' sr' : '';
    const exact = p.svd === 'exact' ? ' exact' : '';
    return `r=${p.rank} ${innerDescribe(p.format, p.group)}${sr}${exact}`;
  },
};
