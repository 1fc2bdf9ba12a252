/**
 * Confidence intervals shared by the analyses: Student-t quantiles and the mean ± t·s/√n interval.
 *
 * Student-t CDF for t ≥ 0: F_ν(t) = 1 − ½·I_{ν/(ν+t²)}(ν/2, ½) (Abramowitz & Stegun 26.7.1 with
 * 26.5.27); the quantile is found by bisection on that monotone CDF (60 halvings of [0, 1e6]
 * reach double precision for every ν ≥ 1).
 */
import { incompleteBeta } from '../linalg/special';

export function studentTCdf(t: number, nu: number): number {
  if (t === 0) return 0.5;
  const x = nu / (nu + t * t);
  const tail = 0.5 * incompleteBeta(nu / 2, 0.5, x, (t * t) / (nu + t * t));
  return t > 0 ? 1 - tail : tail;
}

/** t with F_ν(t) = p, for p ∈ (½, 1). */
export function studentTQuantile(p: number, nu: number): number {
  if (!(p > 0.5 && p < 1)) throw new RangeError(`studentTQuantile: p must be in (0.5, 1), got ${p}`);
  let lo = 0;
  let hi = 1e6;
  for (let i = 0; i < 200 && hi - lo > 1e-12 * Math.max(1, lo); i++) {
    const mid = (lo + hi) / 2;
    if (studentTCdf(mid, nu) < p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

export interface MeanCi {
  readonly mean: number;
  readonly sd: number;
  readonly lo: number;
  readonly hi: number;
}

/** Mean and two-sided `level` t-interval of the mean (a point interval when n < 2). */
export function meanCi(values: readonly number[], level = 0.95): MeanCi {
  const n = values.length;
  const mean = values.reduce((a, v) => a + v, 0) / Math.max(1, n);
  if (n < 2) return { mean, sd: 0, lo: mean, hi: mean };
  const sd = Math.sqrt(values.reduce((a, v) => a + (v - mean) * (v - mean), 0) / (n - 1));
  const h = (studentTQuantile(0.5 + level / 2, n - 1) * sd) / Math.sqrt(n);
  return { mean, sd, lo: mean - h, hi: mean + h };
}
