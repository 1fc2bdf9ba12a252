/**
 * What the main thread and the worker threads of a threaded `lab run` share (threads.ts,
 * thread-worker.ts): the plan of the run, the shared buffers and the layout of the control words.
 *
 * Work is claimed in units c = phase · blocks + block, a phase being one pipeline and a block a
 * range of whole rows. Workers claim units in increasing order from one shared counter; the main
 * thread consumes them in the same order (the storage-order metric sums), so unit c may be written
 * only once unit c − blocks (the previous phase's same rows) is consumed: the shared y and x̂ rows
 * and the per-row sums of phase p − 2 are then no longer read (see threads.ts).
 */
import type { MethodRef, PipelineResult, PipelineSpec } from '../core/pipeline';
import type { ExperimentConfig } from '../core/config/schema';
import type { SweepOutput, SweepShard } from '../engine/checkpoint';

/** Control words (Int32Array over `ctrl`): rows drawn so far, next unit to claim, units consumed, stop. */
export const GENERATED = 0;
export const CLAIM = 1;
export const CONSUMED = 2;
export const STOP = 3;
/** done[c] at DONE + c: 0 pending, 1 done, 2 skipped (its group's chain reads the data). */
export const DONE = 4;
export const UNIT_DONE = 1;
export const UNIT_SKIPPED = 2;

/** Per-unit timings a worker adds up (Float64Array over `times`, [worker][phase][stage]). */
export const TIMED_STAGES = 4; // transform, quantize, inverse, metrics

export interface ThreadGroup {
  readonly transforms: readonly MethodRef[];
  /** Metrics on (y, ŷ) without the inverse (RunOptions.metricDomain 'transformed' applies). */
  readonly transformed: boolean;
  /** Columns after the chain. */
  readonly outDim: number;
}

export interface ThreadPhase {
  /** Index into the config's pipelines. */
  readonly pipeline: number;
  readonly group: number;
  /** The group's first phase computes y for the rows; the later ones read it. */
  readonly first: boolean;
}

export interface ThreadPlan {
  readonly seed: number;
  readonly rows: number;
  readonly dim: number;
  readonly blockRows: number;
  readonly blocks: number;
  readonly pipelines: readonly PipelineSpec[];
  readonly groups: readonly ThreadGroup[];
  readonly phases: readonly ThreadPhase[];
  /** The workers compute the per-row sums (metrics/sums.ts) when a wanted metric has fromSums. */
  readonly sums: boolean;
  /** Wanted metrics with rowTerms, computed in the workers: id and values per row. */
  readonly split: readonly { readonly id: string; readonly width: number }[];
  readonly threads: number;
  /**
   * Pipelines the units cannot take (not row-local, a data-dependent bit count, a metric without a
   * split): worker 0 runs them whole on the serial path (runExperiment with `only`; a pipeline's
   * numbers do not depend on which others run beside it) once the data is drawn, then takes units.
   */
  readonly task: readonly number[];
  /** RunOptions.rowBlock for the task (the row-streamed path; the numbers do not depend on it). */
  readonly rowBlock: number;
  /** The config's numerics.metricDomain, for the task. */
  readonly metricDomain?: 'data' | 'transformed';
  /**
   * The config's numerics.denseProducts: every unit's transform preparation and quantizer, and the
   * task, compute in this arithmetic as the serial path does (CONTRACT.md §5.2).
   */
  readonly denseProducts?: 'float64' | 'float32';
  /** RunOptions.metrics, when not every metric is wanted. */
  readonly metrics?: readonly string[];
}

export interface ThreadBuffers {
  /** x, rows × dim float32. */
  readonly x: SharedArrayBuffer;
  /** y of the current group, rows × max outDim (empty when every chain is empty). */
  readonly y: SharedArrayBuffer;
  /** x̂ (or ŷ in the transformed domain), rows × dim. */
  readonly hat: SharedArrayBuffer;
  readonly ctrl: SharedArrayBuffer;
  /** Per-row values of phases p with p mod 2 = 0 and 1 (layout: termsLayout). */
  readonly terms: readonly [SharedArrayBuffer, SharedArrayBuffer];
  readonly times: SharedArrayBuffer;
}

export interface WorkerInit {
  readonly plan: ThreadPlan;
  readonly buffers: ThreadBuffers;
  readonly index: number;
}

/** A worker of a threaded `lab sweep`: one shard of the sweep (threads.ts sweepThreaded). */
export interface SweepWorkerInit {
  readonly sweep: { readonly config: ExperimentConfig; readonly shard: SweepShard; readonly hash: boolean };
}

/** What kind of error a worker hit, so the main thread exits with the same code (main.ts). */
export type WorkerErrorKind = 'config' | 'data' | 'other';

/** Messages a worker posts. */
export type WorkerMessage =
  | { readonly kind: 'group'; readonly group: number; readonly notes: readonly string[] }
  | { readonly kind: 'finished' }
  | { readonly kind: 'task'; readonly results: readonly PipelineResult[] }
  | { readonly kind: 'sweep'; readonly output: SweepOutput }
  | { readonly kind: 'error'; readonly message: string; readonly error: WorkerErrorKind };

/** Offsets (in float64 values) of one terms buffer: four row-sum arrays, then each split metric. */
export function termsLayout(plan: Pick<ThreadPlan, 'rows' | 'sums' | 'split'>): {
  readonly sums: number;
  readonly split: readonly number[];
  readonly length: number;
} {
  let at = plan.sums ? 4 * plan.rows : 0;
  const split = plan.split.map((m) => {
    const start = at;
    at += plan.rows * m.width;
    return start;
  });
  return { sums: 0, split, length: at };
}

/** Rows of block b: [start, end). */
export function blockRange(plan: Pick<ThreadPlan, 'rows' | 'blockRows'>, b: number): [number, number] {
  const start = b * plan.blockRows;
  return [start, Math.min(plan.rows, start + plan.blockRows)];
}
