/**
 * EoRA: training-free compensation of a compressed weight by a rank-r correction of its error,
 * chosen in the eigenspace of the input-activation covariance.
 *
 * Reference: Liu et al. (NVIDIA), "EoRA: Training-free Compensation for Compressed LLM with
 * Eigenspace Low-Rank Approximation", arXiv:2410.21271, §3 (Eq. 3–6): ΔW = W − W_c;
 * X̃X̃ᵀ = QΛQᵀ, Q' = QΛ^{1/2}; ΔW' = ΔW·Q' truncated by SVD to U_rΣ_rV_rᵀ; B = U_rΣ_r,
 * A = V_rᵀQ'^{−1}; W ≈ W_c + BA. Seeds CATALOGUE §1.E.3.
 *
 * Equivalent form used here (no d × d eigendecomposition): BA = U_rΣ_rV_rᵀQ'^{−1} = U_rU_rᵀΔW·Q'·
 * Q'^{−1} = U_rU_rᵀ·ΔW, with U_r the top-r left singular vectors of ΔW·Q'. With the calibration
 * rows X̃ (tokens × d, so the paper's covariance is X̃ᵀX̃ = QΛQᵀ) these are the left singular
 * vectors of ΔW·X̃ᵀ, because (ΔW·X̃ᵀ)(ΔW·X̃ᵀ)ᵀ = ΔW·QΛQᵀ·ΔWᵀ = (ΔWQ')(ΔWQ')ᵀ.
 * So EoRA projects the error onto the r output directions that carry the most error energy as seen
 * by the inputs, minimising ‖(ΔW − BA)X̃ᵀ‖_F; `space = plain` takes the plain SVD of ΔW instead
 * (the paper's baseline), minimising ‖ΔW − BA‖_F. U_r comes from the truncated SVD of the operator
 * ΔW·X̃ᵀ by `svd` (matrix/lowrank.ts): 'exact' (default for new configs) or 'randomized-2'
 * (subspace iteration, 2 power steps; what configs without the param mean). When X̃ is rank-deficient Q'^{−1} does not exist but the
 * projection form is still the minimiser.
 *
 * Calibration activations X̃: the layer analysis passes its activations (ctx.calibration, tokens ×
 * d in the quantizer's domain). Standalone, the data's own rows play that role (X̃ = W, i.e. the
 * covariance is the data's own Gram WᵀW): the correction then favours the directions in which the
 * rows themselves have energy.
 *
 * Storage: W_c in the chosen 4-bit format, B = U_r (rows × r) and A = U_rᵀΔW (r × d) in fp16.
 * Bits per coordinate (k = min(rank, rows, d)): inner(rows, d) + 16·k·(rows + d)/(rows·d).
 * Randomness ('randomized-2' only): ctx.rng.stream('sketch', 'eora', rows, d, rank).
 *
 * Beyond the fp16 range: every value stored in fp16 here saturates at ±65504
 * (formats/fp16.ts saturateToFp16, the policy of int's scales), so an input above 65504 gives a
 * finite, clipped reconstruction instead of ±Inf and NaN metrics.
 */
import { saturateToFp16 } from '../../formats/fp16';
import { SVD_PARAM, lowRankSvd, matrixOperator, productOperator, transposeOperator } from '../matrix/lowrank';
import {
  INNER_FORMAT_PARAM,
  INNER_GROUP_PARAM,
  ROUNDING_PARAM,
  innerBits,
  innerDescribe,
  innerQuantize,
} from '../matrix/inner';
import { defineParams, typedParams } from '../params';
import type { QuantizerDef } from '../types';

const EORA_PARAMS = defineParams({
  rank: { kind: 'int', default: 32, min: 0, max: 1024, step: 1, doc: 'Rank r of the compensation B·A.' },
  space: {
    kind: 'enum',
    default: 'eigen',
    options: ['eigen', 'plain'],
    doc: 'eigen: EoRA (error weighted by the input covariance); plain: SVD of ΔW itself (baseline).',
  },
  format: INNER_FORMAT_PARAM,
  group: INNER_GROUP_PARAM,
  rounding: ROUNDING_PARAM,
  svd: SVD_PARAM,
});

export const eoraQuantizer: QuantizerDef = {
  id: 'eora',
  label: 'EoRA',
  description:
    'Quantize to 4 bits, then add a rank-r fp16 correction of the error in the input-covariance eigenspace.',
  reference:
    'Liu et al., EoRA: Training-free Compensation for Compressed LLM with Eigenspace Low-Rank Approximation, arXiv:2410.21271, §3.',
  params: EORA_PARAMS,
  quantize(input, rows, d, params, ctx, out) {
    const p = typedParams(EORA_PARAMS, params);
    innerQuantize(p.format, p.group, p.rounding, input, rows, d, ctx, out);
    const rank = Math.min(p.rank, rows, d);
    if (rank === 0) return;
    const delta = new Float32Array(rows * d);
    for (let i = 0; i < rows * d; i++) delta[i] = input[i] - out[i];
    const dW = matrixOperator(delta, rows, d);
    const calib = ctx.calibration ?? { rows, cols: d, data: input };
    const op =
      p.space === 'plain' ? dW : productOperator(dW, transposeOperator(calib.data, calib.rows, calib.cols));
    const { u } = lowRankSvd(p.svd, op, rank, ctx.rng.stream('sketch', 'eora', rows, d, rank));
    const left = new Float64Array(rows);
    const right = new Float64Array(d);
    for (const uc of u) {
      dW.applyT(uc, right); // A row = u_cᵀ ΔW
      for (let t = 0; t < d; t++) right[t] = saturateToFp16(right[t]);
      for (let i = 0; i < rows; i++) left[i] = saturateToFp16(uc[i]);
      for (let i = 0; i < rows; i++) {
        const li = left[i];
        if (li === 0) continue;
        const base = i * d;
        for (let t = 0; t < d; t++) out[base + t] += li * right[t];
      }
    }
  },
  bitsPerCoord(params, rows, d) {
    const p = typedParams(EORA_PARAMS, params);
    const k = Math.min(p.rank, rows, d);
    return innerBits(p.format, p.group, rows, d) + (16 * k * (rows + d)) / (rows * d);
  },
  describe(params) {
    const p = typedParams(EORA_PARAMS, params);
    const exact = p.svd === 'exact' ? ' exact' : '';
    return `r=${p.rank} ${p.space} ${innerDescribe(p.format, p.group)}${exact}`;
  },
};
