/**
 * One pass over (x, x̂) for the five sum-based metrics (vnmse, mse, sqnrDb, cosine, ipRatio).
 *
 * Each metric file keeps its own loop as the readable reference; this pass carries every one of
 * their accumulators side by side, each updated with the same operands in the same order, so the
 * values derived from it (each metric's `fromSums`) are bit-identical to `compute`
 * (metrics.test.ts checks equality). Why: five separate passes re-read 2 × 4 MiB per million
 * coordinates five times and each runs one long serial float64 addition chain; interleaving the
 * seven chains lets them overlap, so the fused pass costs about one of the separate ones
 * (the 1M-coordinate pipeline's metrics were half of its 106 ms).
 *
 * No WASM path: the seven float64 chains are latency-bound in both engines (splitting them into
 * lanes would change the sums), and a WASM kernel must first copy x and x̂ into its memory; a
 * bit-identical kernel measured 1.1–2.5× slower than this loop (1M–4M coordinates).
 */
import type { Matrix } from '../types';
import { liveThreshold } from './dead-rows';

export interface ReconstructionSums {
  /** Number of entries (rows × cols). */
  readonly entries: number;
  /**
   * Σ over live rows (dead-rows.ts: ‖x‖ > 1e-12·max‖x_j‖, so ‖x‖ > 0) of ‖x−x̂‖²/‖x‖² (vnmse's
   * sum), and the count of those rows.
   */
  readonly relErrSum: number;
  readonly nonzeroRows: number;
  /** Rows left out of relErrSum and cosineSum (dead or zero rows). */
  readonly deadRows: number;
  /** Σ over live rows of ⟨x,x̂⟩/(‖x‖‖x̂‖) (0 when x̂ = 0) (cosine's sum). */
  readonly cosineSum: number;
  /** Σ(x−x̂)², Σx² and Σx·x̂ over all entries in storage order (mse, sqnrDb, ipRatio). */
  readonly err: number;
  readonly signal: number;
  readonly dot: number;
}

/** The one-pass sums fed a block of rows at a time (the pipeline's row-streamed path). */
export interface SumsAccumulator {
  /** Rows rowStart … rowStart + rows − 1 of x̂, as `xHatRows` (rows × cols). Rows in order. */
  add(rowStart: number, rows: number, xHatRows: Float32Array): void;
  finish(): ReconstructionSums;
}

/**
 * The accumulators of vnmse, mse, sqnrDb, cosine and ipRatio in one pass (see the header). The
 * per-row sums are kept so that the dead-row threshold (which needs the largest row norm) applies
 * afterwards; the row ratios are then added in row order, as the metrics' own loops do. Fed in row
 * blocks (in order), every accumulator sees the same operands in the same order as one whole pass,
 * so the sums are bit-identical whatever the block size.
 */
export function createSumsAccumulator(x: Matrix): SumsAccumulator {
  const { rows, cols, data } = x;
  const rowErrs = new Float64Array(rows);
  const rowNorms = new Float64Array(rows);
  const rowDots = new Float64Array(rows);
  const rowHats = new Float64Array(rows);
  let err = 0;
  let signal = 0;
  let dot = 0;
  let next = 0;
  return {
    add(rowStart, count, xHat) {
      if (rowStart !== next)
        throw new RangeError(`rows must come in order: expected ${next}, got ${rowStart}`);
      next = rowStart + count;
      // The running totals live in locals for the loop: as closure variables every update is a
      // store to and load from the closure's context object, which V8 does not keep in registers
      // (16M coordinates: 362 → 137 ms for the five metrics). Same operands, same order.
      let blockErr = err;
      let blockSignal = signal;
      let blockDot = dot;
      for (let r = 0; r < count; r++) {
        const i = rowStart + r;
        let rowErr = 0;
        let rowNorm = 0;
        let rowDot = 0;
        let rowHat = 0;
        for (let j = i * cols, h0 = r * cols - j, end = j + cols; j < end; j++) {
          const v = data[j];
          const h = xHat[j + h0];
          const e = v - h;
          const ee = e * e;
          const vv = v * v;
          const vh = v * h;
          rowErr += ee;
          rowNorm += vv;
          rowDot += vh;
          rowHat += h * h;
          blockErr += ee;
          blockSignal += vv;
          blockDot += vh;
        }
        rowErrs[i] = rowErr;
        rowNorms[i] = rowNorm;
        rowDots[i] = rowDot;
        rowHats[i] = rowHat;
      }
      err = blockErr;
      signal = blockSignal;
      dot = blockDot;
    },
    finish() {
      if (next !== rows) throw new RangeError(`sums fed ${next} of ${rows} rows`);
      return sumsFromRows(cols, { rowErrs, rowNorms, rowDots, rowHats }, { err, signal, dot });
    },
  };
}

/** The four per-row sums of the one-pass accumulator, indexed by row (the rows' own chains). */
export interface RowSums {
  readonly rowErrs: Float64Array;
  readonly rowNorms: Float64Array;
  readonly rowDots: Float64Array;
  readonly rowHats: Float64Array;
}

/** The three sums over all entries in storage order (one float64 chain each). */
export interface EntrySums {
  err: number;
  signal: number;
  dot: number;
}

/**
 * The one pass split in two, for a run that computes rows in several threads: `addRowSums` runs
 * the four per-row chains of rows rowStart … rowStart + count − 1 (any thread, any block order:
 * each row's sums need that row alone), `addEntrySums` the three storage-order chains (one thread,
 * rows in order), and `sumsFromRows` finishes as the accumulator does. Every chain sees the same
 * operands in the same order as in the fused loop above, so the sums are bit-identical
 * (metrics.test.ts); only the loop that carries them differs.
 */
export function addRowSums(
  x: Matrix,
  rowStart: number,
  count: number,
  xHat: Float32Array,
  into: RowSums,
): void {
  const { cols, data } = x;
  const { rowErrs, rowNorms, rowDots, rowHats } = into;
  for (let r = 0; r < count; r++) {
    const i = rowStart + r;
    let rowErr = 0;
    let rowNorm = 0;
    let rowDot = 0;
    let rowHat = 0;
    for (let j = i * cols, h0 = r * cols - j, end = j + cols; j < end; j++) {
      const v = data[j];
      const h = xHat[j + h0];
      const e = v - h;
      rowErr += e * e;
      rowNorm += v * v;
      rowDot += v * h;
      rowHat += h * h;
    }
    rowErrs[i] = rowErr;
    rowNorms[i] = rowNorm;
    rowDots[i] = rowDot;
    rowHats[i] = rowHat;
  }
}

/** The storage-order chains over rows rowStart … rowStart + count − 1 (see addRowSums). */
export function addEntrySums(
  x: Matrix,
  rowStart: number,
  count: number,
  xHat: Float32Array,
  totals: EntrySums,
): void {
  const { cols, data } = x;
  // Locals for the loop, as in the accumulator (closure or object fields are not kept in registers).
  let err = totals.err;
  let signal = totals.signal;
  let dot = totals.dot;
  for (let j = rowStart * cols, h0 = -j, end = j + count * cols; j < end; j++) {
    const v = data[j];
    const h = xHat[j + h0];
    const e = v - h;
    err += e * e;
    signal += v * v;
    dot += v * h;
  }
  totals.err = err;
  totals.signal = signal;
  totals.dot = dot;
}

/** The sums from every row's four sums and the three storage-order totals (rows = rowNorms.length). */
export function sumsFromRows(
  cols: number,
  rowSums: RowSums,
  totals: Readonly<EntrySums>,
): ReconstructionSums {
  const { rowErrs, rowNorms, rowDots, rowHats } = rowSums;
  const rows = rowNorms.length;
  let relErrSum = 0;
  let cosineSum = 0;
  let nonzeroRows = 0;
  const thr = liveThreshold(rowNorms);
  for (let i = 0; i < rows; i++) {
    const rowNorm = rowNorms[i];
    if (rowNorm > thr) {
      const rowHat = rowHats[i];
      relErrSum += rowErrs[i] / rowNorm;
      cosineSum += rowHat > 0 ? rowDots[i] / Math.sqrt(rowNorm * rowHat) : 0;
      nonzeroRows++;
    }
  }
  return {
    entries: rows * cols,
    relErrSum,
    nonzeroRows,
    deadRows: rows - nonzeroRows,
    cosineSum,
    err: totals.err,
    signal: totals.signal,
    dot: totals.dot,
  };
}

/** The sums over the whole matrix at once (one block of every row). */
export function reconstructionSums(x: Matrix, xHat: Float32Array): ReconstructionSums {
  const acc = createSumsAccumulator(x);
  acc.add(0, x.rows, xHat);
  return acc.finish();
}
