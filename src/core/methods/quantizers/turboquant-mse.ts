/**
 * TurboQuant_mse.
 * Zandieh, Daliri, Hadian, Mirrokni, "TurboQuant: Online Vector Quantization with Near-optimal
 * Distortion Rate", arXiv 2504.19874, §3.1 (Algorithm 1): after a uniform random rotation each
 * coordinate of a unit vector follows the law f(t) ∝ (1−t²)^((d−3)/2) on [−1, 1]; quantize every
 * coordinate with the Lloyd–Max codebook of exactly that law for this d, store ‖y‖ separately.
 *
 * The pipeline has already rotated the rows; this file only quantizes y:
 *   c = Q_{b,d}(y/‖y‖),  ŷ = ‖y‖·c   (S = 1: no per-vector rescaling, unlike EDEN).
 * For a Haar-rotated (or i.i.d. Gaussian) row, E‖ŷ − y‖²/‖y‖² equals the codebook's distortion
 * exactly (lloydMaxSphere(b, d).distortion); it tends to D_b as d grows and, per the EDEN note
 * (arXiv 2604.18555), stays slightly above EDEN with the MSE-optimal scale at small d.
 * d = 1 has no sphere law (the coordinate is ±1): y is reproduced exactly (sign plus norm).
 * Rows with ‖y‖ = 0 reconstruct to exactly 0.
 *
 * Cost: O(d·b) per row; the codebook is computed once per (b, d) and cached.
 * Bits per coordinate: b + 32/d (fp32 norm per row).
 */
import { lloydMaxSphere, nearestLevelIndex } from '../../linalg/lloydmax';
import { defineParams, typedParams } from '../params';
import type { Params, QuantizerDef } from '../types';

/**
 * out[rows×d] ← TurboQuant_mse reconstruction with a b-bit codebook (shared with turboquant-prod,
 * which runs it with b − 1 bits before the QJL residual stage).
 */
export function turboquantMseRows(
  input: Float32Array,
  rows: number,
  d: number,
  bits: number,
  out: Float32Array,
): void {
  if (d === 1) {
    for (let r = 0; r < rows; r++) out[r] = input[r];
    return;
  }
  const cb = lloydMaxSphere(bits, d);
  const levels = cb.levels;
  const thr = cb.thresholds;
  for (let r = 0; r < rows; r++) {
    const off = r * d;
    let n2 = 0;
    for (let j = 0; j < d; j++) n2 += input[off + j] * input[off + j];
    if (n2 === 0) {
      out.fill(0, off, off + d);
      continue;
    }
    const norm = Math.sqrt(n2);
    const inv = 1 / norm;
    for (let j = 0; j < d; j++) out[off + j] = norm * levels[nearestLevelIndex(thr, input[off + j] * inv)];
  }
}

export const TQ_MSE_PARAMS = defineParams({
  bits: { kind: 'int', default: 2, min: 1, max: 8, step: 1, doc: 'bits per coordinate b (2^b levels)' },
});

export const turboquantMseQuantizer: QuantizerDef = {
  id: 'turboquant-mse',
  label: 'TurboQuant_mse',
  description:
    'Lloyd–Max codebook of the exact coordinate law of a uniform unit vector in ℝ^d on y/‖y‖, norm stored',
  reference:
    'Zandieh, Daliri, Hadian, Mirrokni, "TurboQuant: Online Vector Quantization with Near-optimal Distortion Rate", arXiv 2504.19874, §3.1 (Alg. 1)',
  params: TQ_MSE_PARAMS,
  quantize(input, rows, d, params, _ctx, out) {
    const p = typedParams(TQ_MSE_PARAMS, params);
    turboquantMseRows(input, rows, d, p.bits, out);
  },
  // One norm per vector, deterministic codebook (the rotation is the pipeline's transform).
  rowLocal: () => true,
  bitsPerCoord(params: Params, _rows: number, d: number): number {
    const p = typedParams(TQ_MSE_PARAMS, params);
    return p.bits + 32 / d;
  },
  describe(params) {
    const p = typedParams(TQ_MSE_PARAMS, params);
    return `b=${p.bits}`;
  },
};
