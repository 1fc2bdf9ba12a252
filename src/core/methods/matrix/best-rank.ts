/**
 * The best rank-r SVD factors for GEAR's residual and Palu's projection: exact where affordable,
 * near-exact beyond.
 *
 * Up to min(rows, cols) = EXACT_SVD_MAX the dense Gram eigendecomposition of
 * src/core/linalg/svd.ts gives the Eckart–Young optimum to float64 round-off (O(n³): ≈ 2 s at
 * n = 512 and 10–20 s at 1024 in a 2-core VM). Beyond it, randomized subspace iteration
 * (src/core/methods/matrix/lowrank.ts; Halko, Martinsson & Tropp 2011, Alg. 4.4) with
 * oversampling p = 10 and q = 12 power iterations, not SVDQuant's q = 2: its expected excess error
 * over the optimum shrinks like (σ_{r+p+1}/σ_r)^(2q+1) (HMT §10.4), so it is converged wherever
 * the top r singular values are separated from the rest, and the result says which path ran. Both
 * paths use the same sign convention (largest-|·| entry of each v_i positive).
 */
import { exactTruncatedSvd, type ExactSvd } from '../../linalg/svd';
import type { Rng } from '../../rng';
import { matrixOperator, truncatedSvd } from './lowrank';

export const EXACT_SVD_MAX = 512;

export interface BestRankSvd extends ExactSvd {
  readonly exact: boolean;
}

export function bestRankSvd(
  a: ArrayLike<number>,
  rows: number,
  cols: number,
  k: number,
  sketch: () => Rng,
): BestRankSvd {
  if (Math.min(rows, cols) <= EXACT_SVD_MAX) return { ...exactTruncatedSvd(a, rows, cols, k), exact: true };
  const svd = truncatedSvd(matrixOperator(a, rows, cols), k, sketch(), {
    oversample: 10,
    powerIterations: 12,
  });
  const u = svd.u.map((x) => Float64Array.from(x));
  const v = svd.v.map((x) => Float64Array.from(x));
  for (let i = 0; i < v.length; i++) {
    let arg = 0;
    for (let t = 1; t < cols; t++) if (Math.abs(v[i][t]) > Math.abs(v[i][arg])) arg = t;
    if (v[i][arg] < 0) {
      for (let t = 0; t < cols; t++) v[i][t] = -v[i][t];
      for (let r = 0; r < rows; r++) u[i][r] = -u[i][r];
    }
  }
  return { sigma: Float64Array.from(svd.sigma), u, v, exact: false };
}
