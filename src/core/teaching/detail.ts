/**
 * The quantizer's own steps for one row, for the step-through view: normalisation, codebook
 * assignment and scale, in the order the kernels run them (eden.ts: EDEN ICML 2022 §3;
 * turboquant-mse.ts: TurboQuant arXiv 2504.19874 Alg. 1). The last step's values are the
 * quantizer's output row (detail.test.ts compares them with the kernels).
 * Block formats are decomposed by block.ts instead; other quantizers have no sub-steps here.
 */
import { lloydMaxGaussian, lloydMaxSphere, nearestLevelIndex } from '../linalg/lloydmax';
import { paramReader } from '../methods/param-reader';
import { edenQuantizer } from '../methods/quantizers/eden';
import { turboquantMseQuantizer } from '../methods/quantizers/turboquant-mse';
import type { Params } from '../methods/types';

const readEden = paramReader(edenQuantizer, { bits: 'number', scale: ['mse', 'unbiased'] });
const readTqMse = paramReader(turboquantMseQuantizer, { bits: 'number' });

export interface DetailStep {
  readonly label: string;
  /** A formula for the step, one line. */
  readonly formula: string;
  readonly values: Float32Array | Float64Array;
  /** Codebook indices for an assignment step. */
  readonly codes?: Int32Array;
  /** A scalar the step produces (norm, scale). */
  readonly scalar?: { readonly name: string; readonly value: number };
}

/** Sub-steps of quantizer `id` on one row y, or [] when the quantizer has none to show. */
export function quantizerDetail(id: string, params: Params, y: Float32Array): DetailStep[] {
  const d = y.length;
  let n2 = 0;
  for (let j = 0; j < d; j++) n2 += y[j] * y[j];
  if (n2 === 0 || d < 2) return [];
  if (id === 'eden') {
    const p = readEden(params);
    const cb = lloydMaxGaussian(p.bits);
    const levels = Float32Array.from(cb.levels);
    const k = Math.sqrt(d / n2);
    const z = new Float64Array(d);
    const codes = new Int32Array(d);
    const q = new Float32Array(d);
    let yq = 0;
    let qq = 0;
    for (let j = 0; j < d; j++) {
      z[j] = y[j] * k;
      codes[j] = nearestLevelIndex(cb.thresholds, z[j]);
      q[j] = levels[codes[j]];
      yq += y[j] * q[j];
      qq += q[j] * q[j];
    }
    const unbiased = p.scale === 'unbiased';
    const s = unbiased ? n2 / yq : yq / qq;
    const out = new Float32Array(d);
    for (let j = 0; j < d; j++) out[j] = q[j] * s;
    return [
      {
        label: 'normalise',
        formula: 'z = √d · y / ‖y‖',
        values: z,
        scalar: { name: '‖y‖', value: Math.sqrt(n2) },
      },
      { label: 'codebook assignment', formula: 'q_j = nearest Lloyd–Max level of N(0,1)', values: q, codes },
      {
        label: 'scale',
        formula: unbiased ? 'ŷ = S·q,  S = ‖y‖² / ⟨y,q⟩ (unbiased)' : 'ŷ = S·q,  S = ⟨y,q⟩ / ‖q‖² (MSE)',
        values: out,
        scalar: { name: 'S', value: s },
      },
    ];
  }
  if (id === 'turboquant-mse') {
    const cb = lloydMaxSphere(readTqMse(params).bits, d);
    const norm = Math.sqrt(n2);
    const inv = 1 / norm;
    const u = new Float64Array(d);
    const codes = new Int32Array(d);
    const c = new Float64Array(d);
    const out = new Float32Array(d);
    for (let j = 0; j < d; j++) {
      u[j] = y[j] * inv;
      codes[j] = nearestLevelIndex(cb.thresholds, u[j]);
      c[j] = cb.levels[codes[j]];
      out[j] = norm * c[j];
    }
    return [
      { label: 'normalise', formula: 'u = y / ‖y‖', values: u, scalar: { name: '‖y‖', value: norm } },
      {
        label: 'codebook assignment',
        formula: `c_j = nearest Lloyd–Max level of the sphere law (d = ${d})`,
        values: c,
        codes,
      },
      { label: 'scale', formula: 'ŷ = ‖y‖ · c', values: out, scalar: { name: '‖y‖', value: norm } },
    ];
  }
  return [];
}
