/**
 * One worker thread of a threaded `lab run` or `lab sweep` (threads.ts has the design). A run's
 * worker claims units (a pipeline × a block of rows) in order and runs the row-local stages on
 * them (UnitRunner, which the main thread uses too), as the serial row-streamed path does
 * (pipeline.ts): the chain's forward map (once per group), the row-local quantizer, the inverse
 * (data domain), then the per-row metric values (metrics/sums.ts addRowSums, MetricDef.rowTerms).
 * Results go to shared memory; the main thread consumes the units in order. Worker 0 also runs
 * the pipelines the units cannot take, whole, once the data is drawn (ThreadPlan.task). A sweep's
 * worker runs one shard of the sweep.
 *
 * Each worker prepares its own copy of a chain: a transform that does not read the data is a
 * function of (seed, purpose, keys) and its params (CONTRACT.md §1), so every copy is the same map.
 * A stage that does read the data (PCA, SmoothQuant with calibration, permute) is caught when it
 * touches it, and its group is left to the serial path (units marked skipped).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { METRICS, quantizersById, transformsById } from '../core/methods';
import type { Matrix, MetricDef, PreparedTransform } from '../core/methods/types';
import { addRowSums, type RowSums } from '../core/methods/metrics/sums';
import { chainRng, composeStages, probeMap, runExperiment } from '../core/pipeline';
import { createRngFactory, type RngFactory } from '../core/rng';
import {
  blockRange,
  CLAIM,
  CONSUMED,
  DONE,
  GENERATED,
  STOP,
  termsLayout,
  TIMED_STAGES,
  UNIT_DONE,
  UNIT_SKIPPED,
  type SweepWorkerInit,
  type ThreadPlan,
  type WorkerErrorKind,
  type WorkerInit,
  type WorkerMessage,
} from './thread-plan';
import { ConfigError } from '../core/config/errors';
import { DataError } from '../core/data-loader';
import { DataFileError } from '../core/io/errors';

/**
 * Thrown by the trap matrix when a transform reads the data. In `prepare` it marks the group for
 * the serial path; anywhere later (a stage that kept the matrix to read it in forward) it fails
 * the run with this message rather than compute from rows that are not there.
 */
class ReadsData extends Error {
  constructor() {
    super('a transform read the data outside its prepare step: run it with --threads 1');
  }
}

/** Raised when the main thread asked every worker to stop. */
class Stopped extends Error {}

function post(message: WorkerMessage): void {
  parentPort?.postMessage(message);
}

function now(): number {
  return performance.now();
}

/** Blocks until ctrl[index] ≥ target (or the run is stopped). */
function waitFor(ctrl: Int32Array, index: number, target: number): void {
  for (;;) {
    const v = Atomics.load(ctrl, index);
    if (v >= target) return;
    if (Atomics.load(ctrl, STOP) !== 0) throw new Stopped();
    Atomics.wait(ctrl, index, v, 1000);
  }
}

interface PreparedGroup {
  readonly chain: PreparedTransform | null;
  readonly stages: readonly PreparedTransform[];
}

/** The chain prepared as the serial path prepares it, or null when a stage reads the data. */
function prepareGroup(
  transforms: ThreadPlan['groups'][number]['transforms'],
  rng: RngFactory,
  rows: number,
  dim: number,
  denseProducts: ThreadPlan['denseProducts'],
): PreparedGroup {
  const stages: PreparedTransform[] = [];
  let cols = dim;
  for (let k = 0; k < transforms.length; k++) {
    const ref = transforms[k];
    const def = transformsById.get(ref.id);
    if (!def) throw new Error(`unknown transform "${ref.id}"`);
    const input = cols;
    const trap: Matrix = {
      rows,
      cols: input,
      get data(): Float32Array {
        throw new ReadsData();
      },
    };
    try {
      stages.push(
        def.prepare(ref.params, {
          rng: chainRng(rng, k),
          dim: input,
          data: trap,
          ...(denseProducts ? { denseProducts } : {}),
        }),
      );
    } catch (e) {
      if (e instanceof ReadsData) return { chain: null, stages: [] };
      throw e;
    }
    cols = stages[k].outDim;
  }
  return { chain: composeStages(stages, dim), stages };
}

/**
 * Runs units of work (threads.ts): each worker has one, and so has the main thread, which takes
 * units between its in-order reductions once the data is drawn. The caller has checked that the
 * unit's rows are drawn and that the previous phase's same rows are consumed.
 */
export class UnitRunner {
  private readonly rng: RngFactory;
  private readonly ctrl: Int32Array;
  private readonly x: Float32Array;
  private readonly y: Float32Array;
  private readonly hat: Float32Array;
  private readonly times: Float64Array;
  private readonly terms: Float64Array[];
  private readonly layout: ReturnType<typeof termsLayout>;
  private readonly splitDefs: MetricDef[];
  private groupIndex = -1;
  private group: PreparedGroup | null = null;
  private phaseIndex = -1;
  private rowFns: ((rowStart: number, count: number, xHat: Float32Array, out: Float64Array) => void)[] = [];
  private rowSums: RowSums | null = null;
  private qBuf = new Float32Array(0);

  constructor(
    private readonly plan: ThreadPlan,
    buffers: WorkerInit['buffers'],
    private readonly index: number,
    /** Called once per group this runner prepares, with its stages' notes. */
    private readonly onGroup: (group: number, notes: readonly string[]) => void,
  ) {
    this.rng = createRngFactory(plan.seed);
    this.ctrl = new Int32Array(buffers.ctrl);
    this.x = new Float32Array(buffers.x);
    this.y = new Float32Array(buffers.y);
    this.hat = new Float32Array(buffers.hat);
    this.times = new Float64Array(buffers.times);
    this.terms = buffers.terms.map((b) => new Float64Array(b));
    this.layout = termsLayout(plan);
    this.splitDefs = plan.split.map((s) => METRICS.find((m) => m.id === s.id) as MetricDef);
  }

  /** Unit c: marks it done (or skipped, when its chain reads the data) and wakes the consumer. */
  process(c: number): void {
    const { plan, rng, x, y, hat } = this;
    const { rows, dim, blocks } = plan;
    const p = Math.floor(c / blocks);
    const b = c - p * blocks;
    const phase = plan.phases[p];
    const g = plan.groups[phase.group];
    const [r0, r1] = blockRange(plan, b);
    const n = r1 - r0;
    if (phase.group !== this.groupIndex) {
      this.groupIndex = phase.group;
      this.group = null; // release the previous group's state before preparing the next
      this.group = prepareGroup(g.transforms, rng, rows, dim, plan.denseProducts);
      if (this.group.chain)
        this.onGroup(
          phase.group,
          this.group.stages.map((st) => st.note ?? ''),
        );
    }
    const group = this.group;
    if (!group?.chain) {
      Atomics.store(this.ctrl, DONE + c, UNIT_SKIPPED);
      Atomics.notify(this.ctrl, DONE + c);
      return;
    }
    const chain = group.chain;
    const outDim = g.outDim;
    const metricX: Matrix = {
      rows,
      cols: dim,
      data: g.transformed && g.transforms.length ? y : x,
    };
    if (p !== this.phaseIndex) {
      this.phaseIndex = p;
      const ctx =
        g.transformed && group.stages.length ? { rng, mapProbes: probeMap(group.stages, dim) } : { rng };
      this.rowFns = this.splitDefs.map((m) =>
        (m.rowTerms as NonNullable<MetricDef['rowTerms']>).rows(metricX, ctx),
      );
      const t = this.terms[p % 2];
      this.rowSums = plan.sums
        ? {
            rowErrs: t.subarray(0, rows),
            rowNorms: t.subarray(rows, 2 * rows),
            rowDots: t.subarray(2 * rows, 3 * rows),
            rowHats: t.subarray(3 * rows, 4 * rows),
          }
        : null;
    }
    const t0 = now();
    const xRows = x.subarray(r0 * dim, r1 * dim);
    let yRows = xRows;
    if (g.transforms.length) {
      yRows = y.subarray(r0 * outDim, r1 * outDim);
      if (phase.first) chain.forward(xRows, n, yRows);
    }
    const t1 = now();
    const pipeline = plan.pipelines[phase.pipeline];
    const qDef = quantizersById.get(pipeline.quantizer.id);
    if (!qDef) throw new Error(`unknown quantizer "${pipeline.quantizer.id}"`);
    const hatRows = hat.subarray(r0 * dim, r1 * dim);
    let qOut: Float32Array = hatRows;
    if (!g.transformed) {
      if (this.qBuf.length < n * outDim) this.qBuf = new Float32Array(n * outDim);
      qOut = this.qBuf.subarray(0, n * outDim);
    }
    qDef.quantize(
      yRows,
      n,
      outDim,
      pipeline.quantizer.params,
      { rng, ...(plan.denseProducts ? { denseProducts: plan.denseProducts } : {}) },
      qOut,
    );
    const t2 = now();
    if (!g.transformed) chain.inverse(qOut, n, hatRows);
    const t3 = now();
    if (this.rowSums) addRowSums(metricX, r0, n, hatRows, this.rowSums);
    this.rowFns.forEach((fn, k) => {
      const w = plan.split[k].width;
      const start = this.layout.split[k] + r0 * w;
      fn(r0, n, hatRows, this.terms[p % 2].subarray(start, start + n * w));
    });
    const t4 = now();
    const slot = (this.index * plan.phases.length + p) * TIMED_STAGES;
    this.times[slot] += t1 - t0;
    this.times[slot + 1] += t2 - t1;
    this.times[slot + 2] += t3 - t2;
    this.times[slot + 3] += t4 - t3;
    Atomics.store(this.ctrl, DONE + c, UNIT_DONE);
    Atomics.notify(this.ctrl, DONE + c);
  }
}

function run(init: WorkerInit): void {
  const { plan, buffers, index } = init;
  const ctrl = new Int32Array(buffers.ctrl);
  const runner = new UnitRunner(plan, buffers, index, (group, notes) =>
    post({ kind: 'group', group, notes }),
  );
  const total = plan.phases.length * plan.blocks;
  let task = index === 0 && plan.task.length > 0;
  for (;;) {
    // Worker 0's whole pipelines, as soon as the data is drawn (units before that).
    if (task && Atomics.load(ctrl, GENERATED) >= plan.rows) {
      task = false;
      const results = runExperiment(
        { seed: plan.seed, pipelines: plan.pipelines },
        { rows: plan.rows, cols: plan.dim, data: new Float32Array(buffers.x) },
        {
          only: plan.task,
          rowBlock: plan.rowBlock,
          ...(plan.metrics ? { metrics: plan.metrics } : {}),
          ...(plan.metricDomain ? { metricDomain: plan.metricDomain } : {}),
          ...(plan.denseProducts ? { denseProducts: plan.denseProducts } : {}),
        },
      );
      post({ kind: 'task', results });
    }
    if (Atomics.load(ctrl, CLAIM) >= total) {
      if (!task) break;
      waitFor(ctrl, GENERATED, plan.rows);
      continue;
    }
    const c = Atomics.add(ctrl, CLAIM, 1);
    if (c >= total) continue; // the loop ends above, after the task
    const p = Math.floor(c / plan.blocks);
    // The previous phase's same rows must be consumed before they are overwritten (thread-plan.ts).
    if (p > 0) waitFor(ctrl, CONSUMED, c - plan.blocks + 1);
    waitFor(ctrl, GENERATED, blockRange(plan, c - p * plan.blocks)[1]);
    runner.process(c);
  }
  post({ kind: 'finished' });
}

function errorKind(e: unknown): WorkerErrorKind {
  if (e instanceof ConfigError) return 'config';
  if (e instanceof DataError || e instanceof DataFileError) return 'data';
  return 'other';
}

/** A threaded sweep's worker: its shard of the sweep, posted whole (plain data). */
async function sweepWorker({ sweep }: SweepWorkerInit): Promise<void> {
  const { sweepForCli } = await import('./sweep');
  const output = await sweepForCli(sweep.config, sweep.shard, sweep.hash);
  post({ kind: 'sweep', output });
}

/** The worker's entry: run the plan in workerData, report a failure as one message. */
export async function threadWorker(): Promise<void> {
  const init = workerData as WorkerInit | SweepWorkerInit;
  try {
    if ('sweep' in init) await sweepWorker(init);
    else run(init);
  } catch (e) {
    if (e instanceof Stopped) return;
    if (!('sweep' in init)) {
      // Stop the others too: they may be waiting for units this one will never finish.
      const ctrl = new Int32Array(init.buffers.ctrl);
      Atomics.store(ctrl, STOP, 1);
      Atomics.notify(ctrl, GENERATED);
      Atomics.notify(ctrl, CONSUMED);
    }
    post({ kind: 'error', message: e instanceof Error ? e.message : String(e), error: errorKind(e) });
  }
}
