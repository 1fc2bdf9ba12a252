/**
 * Student-t data: i.i.d. t_ν entries, a heavy-tailed stand-in for LLM weights (CATALOGUE.md §3.1
 * item 3: "heavy-tailed weight distributions", ITQ3_S; "Gaussian-like with long tails", LRQ-DiT).
 *
 * t = Z / √(V/ν) with Z ~ N(0,1) and V ~ χ²_ν = Gamma(ν/2, scale 2); Gamma drawn by Marsaglia &
 * Tsang, "A simple method for generating gamma variables", ACM TOMS 26(3), 2000 (with the
 * U^(1/a) boost for shape a < 1). Variance ν/(ν−2) for ν > 2; kurtosis infinite for ν ≤ 4.
 * Stream: rng('data', 'student-t').
 */
import { DIM_PARAM, ROWS_PARAM } from './common';
import { defineParams, typedParams } from '../params';
import type { DataSourceDef } from '../types';
import type { Rng } from '../../rng';

/** Gamma(shape, 1) by Marsaglia–Tsang. */
export function sampleGamma(rng: Rng, shape: number): number {
  if (shape < 1) {
    const u = 1 - rng.uniform(); // (0, 1]
    return sampleGamma(rng, shape + 1) * Math.pow(u, 1 / shape);
  }
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = rng.normal();
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = 1 - rng.uniform();
    if (u < 1 - 0.0331 * x * x * x * x) return d * v;
    if (Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
  }
}

const STUDENT_T_PARAMS = defineParams({
  rows: ROWS_PARAM,
  dim: DIM_PARAM,
  nu: {
    kind: 'number',
    default: 3,
    min: 0.5,
    max: 1000,
    step: 0.5,
    doc: 'Degrees of freedom ν (smaller = heavier tails).',
  },
});

export const studentTSource: DataSourceDef = {
  id: 'student-t',
  label: 'Student-t',
  description: 'i.i.d. Student-t entries with ν degrees of freedom (heavy tails)',
  reference: 'Heavy-tailed weights: ITQ3_S (seed 003), LRQ-DiT (seed 000); sampler: Marsaglia & Tsang 2000.',
  params: STUDENT_T_PARAMS,
  generate(params, { rng }) {
    const p = typedParams(STUDENT_T_PARAMS, params);
    const rows = p.rows;
    const cols = p.dim;
    const nu = p.nu;
    const r = rng.stream('data', 'student-t');
    const data = new Float32Array(rows * cols);
    for (let i = 0; i < data.length; i++) {
      const z = r.normal();
      const chi2 = 2 * sampleGamma(r, nu / 2);
      data[i] = z / Math.sqrt(chi2 / nu);
    }
    return { rows, cols, data };
  },
};
