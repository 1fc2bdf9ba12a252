/**
 * Dead rows: rows of the data whose norm is negligible next to the tensor's largest row.
 *
 * Real checkpoints hold rows that are numerically dead but not exactly zero (pruned or never-
 * trained output channels stored as fp32 denormals, ≈1e-39). A per-row relative metric divides by
 * ‖x_i‖², so one such row counts as a total loss (‖x−x̂‖²/‖x‖² ≈ 1 or far above) and can flip a
 * ranking that every live row agrees on. Definition used by vnmse, cosine and ipNvar:
 *
 *   row i is dead  ⇔  ‖x_i‖ ≤ DEAD_ROW_RELATIVE · max_j ‖x_j‖,   DEAD_ROW_RELATIVE = 1e-12
 *
 * (so exactly-zero rows, which those metrics always skipped, are dead too). 1e-12 is five orders
 * of magnitude below fp32's relative precision (2^-24 ≈ 6e-8): no row that a float32 matmul with
 * the other rows can tell from zero is kept, and no row with any measurable weight is dropped.
 * mse, sqnrDb and ipRatio are sums over every entry and keep every row.
 */
import type { Matrix } from '../types';

export const DEAD_ROW_RELATIVE = 1e-12;
const DEAD_ROW_RELATIVE_SQ = DEAD_ROW_RELATIVE * DEAD_ROW_RELATIVE;

/** ‖x_i‖² per row, each summed in storage order (the metrics' own order). */
export function rowNormsSq(x: Matrix): Float64Array {
  const { rows, cols, data } = x;
  const out = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    let n = 0;
    for (let j = i * cols, end = j + cols; j < end; j++) n += data[j] * data[j];
    out[i] = n;
  }
  return out;
}

/** Squared-norm threshold: a row is live iff ‖x_i‖² > liveThreshold(norms). */
export function liveThreshold(normsSq: ArrayLike<number>): number {
  let max = 0;
  for (let i = 0; i < normsSq.length; i++) if (normsSq[i] > max) max = normsSq[i];
  // An infinite row (data.nonFinite lets none through; a caller's own matrix might) would make
  // every row dead; fall back to skipping only zero rows, as these metrics always did.
  return Number.isFinite(max) ? DEAD_ROW_RELATIVE_SQ * max : 0;
}

/** Number of dead rows of x (module comment), zero rows included. */
export function countDeadRows(x: Matrix): number {
  const norms = rowNormsSq(x);
  const thr = liveThreshold(norms);
  let dead = 0;
  for (let i = 0; i < norms.length; i++) if (!(norms[i] > thr)) dead++;
  return dead;
}
