/**
 * Ternary quantizer: {−α, 0, +α} per group with the Ternary Weight Networks rule.
 *
 * Reference: Li & Liu, "Ternary Weight Networks", 2016 (arXiv:1605.04711), §2.2: for a given
 * threshold Δ the optimum of min ‖w − α·t‖² over α and t ∈ {−1,0,1}^n is t = sign(w)·[|w| > Δ] and
 * α* = mean of |w_i| over I_Δ = {i : |w_i| > Δ}; the optimal Δ* is a/3 ≈ 0.67·E|w| for U[−a, a]
 * and ≈ 0.6σ ≈ 0.75·E|w| for N(0, σ²), hence the rule of thumb Δ = 0.7·E|w|; CONTRACT.md §4
 * `ternary`.
 *
 * Per group of `group` consecutive coordinates of a row (the last may be shorter):
 *   Δ = 0.7·mean|w|,  α = fp16(mean_{|w|>Δ} |w|),  x̂ = α·sign(w)·[|w| > Δ].
 * α is stored as fp16 (saturating at 65504); a group with no coordinate above Δ (all zeros) gives
 * zeros; a NaN input makes its whole group NaN. 'stochastic' keeps α and rounds w/α onto
 * {−1, 0, 1} stochastically (|w/α| ≥ 1 clamps to ±1), seeded from ctx.rng.stream('rounding',
 * 'ternary'); unbiased for |w| ≤ α.
 *
 * Invariants: |x̂| ≤ α ≤ max|w|·(1 + 2^−11); nearest rounding is idempotent (on x̂ every nonzero
 * equals α > Δ' = 0.7·α·nnz/n, so the same support and the same α come back).
 *
 * Bits per coordinate: a trit carries log2 3 ≈ 1.585 bits; packing 5 trits per byte (3^5 = 243 ≤
 * 256) stores it in 8/5 = 1.6 bits. With the fp16 α: 1.6 + 16·⌈d/group⌉/d.
 */
import { roundScaleToFp16 } from '../../formats/fp16';
import type { Rng } from '../../rng';
import { defineParams, typedParams } from '../params';
import type { QuantizerDef } from '../types';

function quantizeGroup(x: Float32Array, out: Float32Array, from: number, to: number, rng: Rng | null): void {
  let total = 0;
  for (let i = from; i < to; i++) total += Math.abs(x[i]);
  if (total !== total) {
    out.fill(NaN, from, to); // a NaN input has no ternary code; make the group visibly NaN
    return;
  }
  const delta = 0.7 * (total / (to - from));
  let sum = 0;
  let count = 0;
  for (let i = from; i < to; i++) {
    const a = Math.abs(x[i]);
    if (a > delta) {
      sum += a;
      count++;
    }
  }
  const alpha = count > 0 ? roundScaleToFp16(sum / count) : 0;
  if (alpha === 0) {
    out.fill(0, from, to);
    return;
  }
  if (rng === null) {
    for (let i = from; i < to; i++) {
      const v = x[i];
      out[i] = Math.abs(v) > delta ? (v > 0 ? alpha : -alpha) : 0;
    }
    return;
  }
  for (let i = from; i < to; i++) {
    const v = x[i];
    const t = Math.abs(v) / alpha;
    const u = rng.uniform();
    const mag = t >= 1 || u < t ? alpha : 0;
    out[i] = v < 0 ? -mag : mag;
  }
}

const TERNARY_PARAMS = defineParams({
  group: {
    kind: 'int',
    default: 128,
    min: 8,
    max: 4096,
    step: 1,
    doc: 'Group size sharing one α; the last group of a row may be partial.',
  },
  rounding: {
    kind: 'enum',
    default: 'nearest',
    options: ['nearest', 'stochastic'],
    doc: 'TWN threshold (nearest) or stochastic rounding of w/α onto {−1, 0, 1} (seeded).',
  },
});

export const ternaryQuantizer: QuantizerDef = {
  id: 'ternary',
  label: 'Ternary',
  description: 'Ternary Weight Networks: {−α, 0, +α} per group, threshold 0.7·mean|w|, α fp16.',
  reference: 'Li & Liu, Ternary Weight Networks (arXiv:1605.04711, 2016) §2.2.',
  params: TERNARY_PARAMS,
  quantize(input, rows, d, params, ctx, out) {
    const p = typedParams(TERNARY_PARAMS, params);
    const group = p.group;
    const rng = p.rounding === 'stochastic' ? ctx.rng.stream('rounding', 'ternary') : null;
    for (let r = 0; r < rows; r++) {
      const base = r * d;
      for (let s = 0; s < d; s += group)
        quantizeGroup(input, out, base + s, base + Math.min(s + group, d), rng);
    }
  },
  rowLocal: (params) => typedParams(TERNARY_PARAMS, params).rounding === 'nearest',
  bitsPerCoord(params, _rows, d) {
    const p = typedParams(TERNARY_PARAMS, params);
    return 1.6 + (16 * Math.ceil(d / p.group)) / d;
  },
  describe(params) {
    const p = typedParams(TERNARY_PARAMS, params);
    return `g${p.group} twn${p.rounding === 'stochastic' ? ' sr' : ''}`;
  },
};
