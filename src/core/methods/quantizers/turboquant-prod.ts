/**
 * TurboQuant_prod: unbiased inner products at b bits per coordinate.
 * Zandieh, Daliri, Hadian, Mirrokni, "TurboQuant: Online Vector Quantization with Near-optimal
 * Distortion Rate", arXiv 2504.19874, §3.2 (Alg. 2): run TurboQuant_mse with b − 1 bits, then
 * quantize the residual r = y − ŷ_mse with 1-bit QJL (sketch m = d, S i.i.d. N(0,1)):
 *   r̂ = √(π/2)/m · ‖r‖ · Sᵀ sign(S·r),   ŷ = ŷ_mse + r̂.
 *
 * Invariants: E_S ŷ = y, so E⟨z,ŷ⟩ = ⟨z,y⟩ for any query z (QJL is unbiased for any fixed r). By the
 * exact QJL moment (see qjl.ts), E_S‖ŷ − y‖² = (π/2 − 1/d)·‖r‖², so for a Haar-rotated row
 * vNMSE = (π/2 − 1/d)·D_{b−1}(d) with D_{b−1}(d) the (b−1)-bit sphere-law distortion, ≈ (π/2)·D_{b−1};
 * ipNvar (d·E⟨q,ŷ−y⟩²/‖y‖², q a uniform unit query) has the same value.
 * The sketch is ctx.rng.stream('sketch', d, d): the same S as standalone `qjl` with m = d.
 * Rows with ‖y‖ = 0 reconstruct to exactly 0 (then r = 0 too).
 *
 * Cost: O(d·b) for the mse stage plus 2·d² multiply-adds per row for the QJL stage; one d×d fp32
 * sketch per call.
 * Bits per coordinate: (b − 1) + 1 + 64/d = b + 64/d (codebook indices, residual signs, and two fp32
 * norms ‖y‖ and ‖r‖ per row).
 */
import { defineParams, typedParams } from '../params';
import type { Params, QuantizerDef } from '../types';
import { makeSketch, QJL_BLOCK_ROWS, qjlEstimateBlock } from './qjl';
import { turboquantMseRows } from './turboquant-mse';

const TQ_PROD_PARAMS = defineParams({
  bits: {
    kind: 'int',
    default: 3,
    min: 2,
    max: 8,
    step: 1,
    doc: 'total bits per coordinate b: (b−1)-bit TurboQuant_mse + 1-bit QJL residual',
  },
});

export const turboquantProdQuantizer: QuantizerDef = {
  id: 'turboquant-prod',
  label: 'TurboQuant_prod',
  description: '(b−1)-bit TurboQuant_mse plus 1-bit QJL of the residual (m = d): unbiased inner products',
  reference:
    'Zandieh, Daliri, Hadian, Mirrokni, "TurboQuant: Online Vector Quantization with Near-optimal Distortion Rate", arXiv 2504.19874, §3.2 (Alg. 2)',
  params: TQ_PROD_PARAMS,
  quantize(input, rows, d, params, ctx, out) {
    const p = typedParams(TQ_PROD_PARAMS, params);
    const bits = p.bits;
    turboquantMseRows(input, rows, d, bits - 1, out);
    const sketch = makeSketch(ctx, d, d);
    const resid = new Float64Array(QJL_BLOCK_ROWS * d);
    const acc = new Float64Array(QJL_BLOCK_ROWS * d);
    for (let r0 = 0; r0 < rows; r0 += QJL_BLOCK_ROWS) {
      const count = Math.min(QJL_BLOCK_ROWS, rows - r0);
      const off = r0 * d;
      // Residual in float64: y − ŷ_mse with ŷ_mse as stored (fp32), so ŷ_mse + r̂ is consistent.
      for (let j = 0; j < count * d; j++) resid[j] = input[off + j] - out[off + j];
      // Sketch products in the config's arithmetic (numerics.denseProducts, CONTRACT.md §5.2).
      qjlEstimateBlock(sketch, d, d, resid, count, acc, ctx.denseProducts);
      for (let j = 0; j < count * d; j++) out[off + j] += acc[j];
    }
  },
  // One norm per row and a sketch drawn from its own stream ('sketch', m, d), the same for every
  // row: no statistic across rows and no stream consumed by them (memoised, so blocks reuse it).
  rowLocal: () => true,
  bitsPerCoord(params: Params, _rows: number, d: number): number {
    const p = typedParams(TQ_PROD_PARAMS, params);
    return p.bits + 64 / d;
  },
  describe(params) {
    const p = typedParams(TQ_PROD_PARAMS, params);
    return `b=${p.bits}`;
  },
};
