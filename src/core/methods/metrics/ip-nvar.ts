/**
 * Inner-product normalised error: d · mean over rows i and Q = 64 seeded unit queries q of
 * ⟨q, x̂ᵢ − xᵢ⟩² / ‖xᵢ‖² (CONTRACT.md §5).
 *
 * For a random unit query, E⟨q,e⟩² = ‖e‖²/d, so for errors isotropic in law this tends to the
 * vNMSE; it differs when the error concentrates in directions (structured formats, outlier
 * channels). TurboQuant (Zandieh et al. 2025, Thm 2) bounds the inner-product error of
 * TurboQuant_prod by ≈ (π/2)·D_{b−1}/d·‖x‖²‖q‖², which this metric reports as (π/2)·D_{b−1}.
 *
 * Queries: Q i.i.d. N(0, I_d) vectors normalised to unit length, from rng('queries', d), shared by
 * every pipeline of an experiment (paired comparison). Rows with ‖x‖ = 0 are skipped.
 */
import type { MetricDef } from '../types';
import type { RngFactory } from '../../rng';

export const IP_QUERY_COUNT = 64;

const queryCache = new Map<string, Float64Array>();

/** The Q unit queries for (seed, d), row-major Q×d; cached (they are reused by every pipeline). */
export function unitQueries(rng: RngFactory, d: number, count = IP_QUERY_COUNT): Float64Array {
  const key = `${rng.seed}|${d}|${count}`;
  const hit = queryCache.get(key);
  if (hit) return hit;
  const q = new Float64Array(count * d);
  const r = rng.stream('queries', d, count);
  r.fillNormal(q);
  for (let k = 0; k < count; k++) {
    let n = 0;
    for (let j = k * d; j < (k + 1) * d; j++) n += q[j] * q[j];
    const s = 1 / Math.sqrt(n);
    for (let j = k * d; j < (k + 1) * d; j++) q[j] *= s;
  }
  if (queryCache.size > 8) queryCache.clear();
  queryCache.set(key, q);
  return q;
}

export const ipNvarMetric: MetricDef = {
  id: 'ipNvar',
  label: 'ip nvar',
  description: 'd · mean over rows and 64 unit queries of ⟨q,x̂−x⟩²/‖x‖²',
  better: 'lower',
  compute(x, xHat, { rng }) {
    const { rows, cols: d, data } = x;
    const queries = unitQueries(rng, d);
    const err = new Float64Array(d);
    let sum = 0;
    let counted = 0;
    for (let i = 0; i < rows; i++) {
      const base = i * d;
      let norm = 0;
      for (let j = 0; j < d; j++) {
        const v = data[base + j];
        err[j] = xHat[base + j] - v;
        norm += v * v;
      }
      if (!(norm > 0)) continue;
      let acc = 0;
      for (let k = 0; k < IP_QUERY_COUNT; k++) {
        const qb = k * d;
        let dot = 0;
        for (let j = 0; j < d; j++) dot += queries[qb + j] * err[j];
        acc += dot * dot;
      }
      sum += acc / IP_QUERY_COUNT / norm;
      counted++;
    }
    return counted > 0 ? (d * sum) / counted : NaN;
  },
};
