/**
 * SmoothQuant: migrate quantization difficulty from activations to weights with a per-input-channel
 * scaling that leaves the layer's product unchanged.
 *
 * Reference: Xiao, Lin, Seznec, Wu, Demouth & Han, "SmoothQuant: Accurate and Efficient
 * Post-Training Quantization for Large Language Models", ICML 2023, §4 Eq. 4:
 *   s_j = max|X_j|^α / max|W_j|^(1−α)   (α = migration strength, default 0.5),
 *   X ← X·diag(s)⁻¹,  W ← W·diag(s),  so (X·diag(s)⁻¹)(W·diag(s))ᵀ = X·Wᵀ.
 * A channel whose activation or weight maximum is 0 keeps s_j = 1 (nothing to migrate).
 * Note that α = 0 is not "no smoothing": it normalises every weight column to max|W_j| = 1.
 *
 * Calibration: the scales need the layer's input activations X (ctx.calibration, tokens × dim) and
 * the weights (ctx.data, rows × dim: what forward is applied to). The layer analysis supplies both.
 * Elsewhere (the pipeline table, which every config also runs) there are no activations: the
 * transform is then the identity (s = 1) and says so in its `note`, which the results show.
 * (Using the data's own rows as X would compute a meaningless s; refusing would make every config
 * that uses smoothquant in the layer view fail in its pipeline table.)
 *
 * Map: forward(w) = w·diag(s) (weights), inverse = ·diag(s)⁻¹, dual(x) = x·diag(s)⁻¹
 * (activations). outDim = dim, no randomness. Bits: none: the paper fuses diag(s)⁻¹ into the
 * preceding LayerNorm / linear layer offline (§4 "the smoothing factor … can be fused").
 */
import type { Matrix, PreparedTransform, TransformDef } from '../types';
import { defineParams, typedParams } from '../params';

/** SmoothQuant factors s_j = max|X_j|^α / max|W_j|^(1−α) (1 where a maximum is 0). */
export function smoothQuantScales(x: Matrix, w: Matrix, alpha: number): Float64Array {
  const d = x.cols;
  const mx = new Float64Array(d);
  const mw = new Float64Array(d);
  for (let i = 0; i < x.rows; i++)
    for (let j = 0; j < d; j++) mx[j] = Math.max(mx[j], Math.abs(x.data[i * d + j]));
  for (let i = 0; i < w.rows; i++)
    for (let j = 0; j < d; j++) mw[j] = Math.max(mw[j], Math.abs(w.data[i * d + j]));
  const s = new Float64Array(d);
  for (let j = 0; j < d; j++) s[j] = mx[j] > 0 && mw[j] > 0 ? mx[j] ** alpha / mw[j] ** (1 - alpha) : 1;
  return s;
}

/** rows × d → rows × d: multiply (sign +1) or divide (sign −1) column j by s_j. */
function scaleRows(
  s: Float64Array,
  sign: 1 | -1,
  input: Float32Array,
  rows: number,
  out: Float32Array,
): void {
  const d = s.length;
  for (let i = 0; i < rows; i++)
    for (let j = 0; j < d; j++) out[i * d + j] = sign > 0 ? input[i * d + j] * s[j] : input[i * d + j] / s[j];
}

/** The prepared map for given scales (forward = ·diag(s), dual and inverse = ·diag(s)⁻¹). */
export function diagonalScaling(s: Float64Array): PreparedTransform {
  return {
    outDim: s.length,
    forward: (input, rows, out) => scaleRows(s, 1, input, rows, out),
    inverse: (input, rows, out) => scaleRows(s, -1, input, rows, out),
    dual: (input, rows, out) => scaleRows(s, -1, input, rows, out),
  };
}

export const SMOOTHQUANT_NOTE =
  'smoothquant: no calibration activations here, so s = 1 (identity); the layer view computes the scales';

const SMOOTHQUANT_PARAMS = defineParams({
  alpha: {
    kind: 'number',
    default: 0.5,
    min: 0,
    max: 1,
    step: 0.05,
    doc: 'Migration strength α (0.5 in the paper for most models).',
  },
});

export const smoothquantTransform: TransformDef = {
  id: 'smoothquant',
  label: 'SmoothQuant',
  description:
    'Per-channel scaling s_j = max|X_j|^α / max|W_j|^(1−α): activations ÷ s, weights × s (needs calibration activations: layer view).',
  reference:
    'Xiao et al., SmoothQuant: Accurate and Efficient Post-Training Quantization for LLMs, ICML 2023, §4 Eq. 4.',
  params: SMOOTHQUANT_PARAMS,
  // ·diag(s) with fitted s ≠ ±1 scales norms: not orthogonal (the identity only without calibration).
  orthogonal: false,
  outDim: (_params, dim) => dim,
  prepare(params, ctx) {
    const x = ctx.calibration;
    if (!x) return { ...diagonalScaling(new Float64Array(ctx.dim).fill(1)), note: SMOOTHQUANT_NOTE };
    if (x.cols !== ctx.dim || ctx.data.cols !== ctx.dim)
      throw new RangeError(
        `smoothquant: activations have ${x.cols} columns and weights ${ctx.data.cols}, expected dim ${ctx.dim}`,
      );
    return diagonalScaling(smoothQuantScales(x, ctx.data, typedParams(SMOOTHQUANT_PARAMS, params).alpha));
  },
};
