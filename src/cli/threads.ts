/**
 * `lab run --threads N`: the row-local work of a run spread over N threads (the main thread and
 * N − 1 workers, node:worker_threads, shared memory), with results bit-identical to the serial run
 * (`--threads 1`); and `lab sweep --threads N` (sweepThreaded, below).
 *
 * Why it can be bit-identical: every stage of a unit (a pipeline × a block of rows) is row-local
 * (a data-oblivious transform chain, a quantizer declaring QuantizerDef.rowLocal, the inverse), so
 * a row's values do not depend on which thread computes it or on the other rows. What is not
 * row-local stays in one thread, in the serial order:
 * - the data: the generator's stream (xoshiro + Marsaglia polar, core/rng.ts) is sequential, so
 *   the main thread draws it into shared memory block by block (DataSourceDef.generateRows gives
 *   the values of one fill), and the workers, started first, take a block as soon as it is drawn;
 * - the metrics' sums over all entries in storage order (mse, sqnrDb and ipRatio: one float64
 *   chain each, metrics/sums.ts addEntrySums): the main thread runs them over each unit of x̂ in
 *   row order as units complete, and takes units itself in between;
 * - the per-row metric values (the per-row sums, MetricDef.rowTerms) are computed with the unit
 *   and combined in row order by the main thread (sumsFromRows, rowTerms.combine), the order of
 *   the serial loops; a streamed metric without rowTerms runs on the main thread with the sums.
 * Every thread prepares its own copy of a chain (a function of seed, purpose and keys).
 *
 * The rest takes the serial path (pipeline.ts runExperiment, RunOptions.only: a pipeline's numbers
 * do not depend on which others run beside it), per pipeline: a quantizer that is not row-local
 * (gptq, lowrank, turboquant-prod's sketch, a per-tensor scale…), one whose bit count depends on
 * the data (bitsPerCoordOf) or a metric the units cannot split run whole in worker 0 beside the
 * units (ThreadPlan.task); a chain with a stage fitted on the data (pca, permute…: found when the
 * stage reads the data) runs on the main thread at the end. Per run (startThreads returns
 * undefined): fewer than two threads, data below `minCoordinates` (starting a worker costs tens of
 * ms), data whose shape is known only once read (files), or calibration activations.
 */
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { getDataSourceKind, METRICS, quantizersById, transformsById } from '../core/methods';
import type { LoadedData, Matrix, MetricDef } from '../core/methods/types';
import { addEntrySums, sumsFromRows, type EntrySums } from '../core/methods/metrics/sums';
import {
  AbortError,
  chainDims,
  chainSideInfoBits,
  orthogonalChain,
  pipelineLabel,
  runExperiment,
  selectedPipelines,
  transformGroups,
  type MetricValues,
  type PipelineResult,
  type RunOptions,
} from '../core/pipeline';
import { createRngFactory } from '../core/rng';
import type { CanonicalConfig, ExperimentConfig } from '../core/config/schema';
import { ConfigError } from '../core/config/errors';
import { DataError } from '../core/data-loader';
import type { SweepOutput } from '../engine/checkpoint';
import {
  loadData,
  numericsOptions,
  STREAM_BLOCK_COORDINATES,
  type RunConfigOptions,
} from '../engine/experiment';
import {
  blockRange,
  CLAIM,
  CONSUMED,
  DONE,
  GENERATED,
  STOP,
  termsLayout,
  TIMED_STAGES,
  UNIT_SKIPPED,
  type ThreadBuffers,
  type ThreadGroup,
  type ThreadPhase,
  type SweepWorkerInit,
  type ThreadPlan,
  type WorkerInit,
  type WorkerMessage,
} from './thread-plan';
import { UnitRunner } from './thread-worker';

/**
 * Below this many coordinates a run stays serial: a worker's start-up (tens of ms) eats the gain.
 * Measured on the 2-core VM (rht → int4 g128, every metric): 2M coordinates 0.27–0.29 s either
 * way, 4M 0.34–0.36 s threaded vs 0.38–0.41 s serial.
 */
export const THREADS_MIN_COORDINATES = 1 << 22;

/** Most threads `--threads` defaults to (more would mostly add start-up and prepared copies). */
export const THREADS_DEFAULT_MAX = 8;

/** The default thread count: the machine's parallelism, at most THREADS_DEFAULT_MAX. */
export function defaultThreads(): number {
  return Math.max(1, Math.min(THREADS_DEFAULT_MAX, availableParallelism()));
}

/** How a worker is started: the CLI bundle itself, a TypeScript entry (tests, tsx) or code. */
export type WorkerScript = { readonly bundle: string } | { readonly ts: string } | { readonly code: string };

/** The worker script of this process: the bundle `npm run lab` loaded, else the TypeScript entry. */
export function defaultWorkerScript(): WorkerScript | undefined {
  if (typeof __filename === 'string' && __filename.endsWith('.cjs')) return { bundle: __filename };
  const here =
    typeof __dirname === 'string'
      ? __dirname
      : process.argv[1] && /cli[/\\]main\.[cm]?ts$/.test(process.argv[1])
        ? dirname(process.argv[1])
        : undefined;
  return here ? { ts: join(here, 'thread-worker.ts') } : undefined;
}

/** Atomics.waitAsync (ES2024; node ≥ 16), typed here because the libraries are ES2022. */
const waitAsync = (
  Atomics as unknown as {
    waitAsync(
      a: Int32Array,
      index: number,
      value: number,
    ): { async: false; value: string } | { async: true; value: Promise<string> };
  }
).waitAsync;

function startWorker(script: WorkerScript, init: WorkerInit | SweepWorkerInit): Worker {
  if ('code' in script) return new Worker(script.code, { eval: true, workerData: init });
  if ('ts' in script) {
    // Through tsx's loader (a dev dependency): the TypeScript sources as they are.
    const code = `import('tsx/esm/api').then(({ tsImport }) => tsImport(${JSON.stringify(script.ts)}, ${JSON.stringify(`file://${process.cwd()}/`)})).then((m) => m.threadWorker())`;
    return new Worker(code, { eval: true, workerData: init });
  }
  // The bundle through vm.Script with V8's code cache beside it, as scripts/lab.mjs loads it.
  const code = `
    const fs = require('node:fs');
    const vm = require('node:vm');
    const Module = require('node:module');
    const path = require('node:path');
    const bundle = ${JSON.stringify(script.bundle)};
    let cachedData;
    try { cachedData = fs.readFileSync(bundle + '.v8'); } catch {}
    const script = new vm.Script(Module.wrap(fs.readFileSync(bundle, 'utf8')), { filename: bundle, cachedData });
    const mod = { exports: {} };
    script.runInThisContext()(mod.exports, Module.createRequire(bundle), mod, bundle, path.dirname(bundle));
    mod.exports.threadWorker();`;
  return new Worker(code, { eval: true, workerData: init });
}

export interface ThreadOptions {
  readonly threads: number;
  /** Runs below this many coordinates stay serial (default THREADS_MIN_COORDINATES). */
  readonly minCoordinates?: number;
  /** Coordinates per unit of work (whole rows; default the serial path's row block). */
  readonly blockCoordinates?: number;
  /** Metric ids to compute (all by default), as RunOptions.metrics. */
  readonly metrics?: readonly string[];
  readonly worker?: WorkerScript;
  /**
   * Whether the main thread takes units too once the data is drawn (default true). Tests turn it
   * off so that every unit runs in a worker.
   */
  readonly mainUnits?: boolean;
}

/** What runConfig takes from a started threaded run (RunConfigOptions.load, runPipelines). */
export interface ThreadedRun {
  readonly load: NonNullable<RunConfigOptions['load']>;
  readonly runPipelines: NonNullable<RunConfigOptions['runPipelines']>;
  /** Stops the workers (idempotent); call when the run ends, however it ends. */
  close(): Promise<void>;
  /** Milliseconds of unit work per thread (workers 0 … threads − 2, then the main thread). */
  threadMs(): number[];
}

/** Whether the workers can run pipeline i (the static checks; data-reading chains are found later). */
function eligible(
  config: CanonicalConfig,
  i: number,
  wanted: readonly MetricDef[],
  transformed: boolean,
): boolean {
  const p = config.pipelines[i];
  const q = quantizersById.get(p.quantizer.id);
  if (!q || q.bitsPerCoordOf || !(q.rowLocal?.(p.quantizer.params) ?? false)) return false;
  if (!p.transforms.every((t) => transformsById.has(t.id))) return false;
  return wanted.every(
    (m) =>
      m.fromSums ||
      m.rowTerms ||
      // A streamed metric runs on the main thread, which has no prepared chain to map probes with.
      (m.stream && !(transformed && p.transforms.length && m.orthogonalInvariance === 'probes')),
  );
}

/**
 * Starts the workers for `config` when a threaded run applies (see the header), else returns
 * undefined and the caller runs serially. Start them first: their start-up then overlaps drawing
 * the data.
 */
export function startThreads(config: CanonicalConfig, options: ThreadOptions): ThreadedRun | undefined {
  const threads = Math.floor(options.threads);
  if (!(threads > 1) || config.calibration) return undefined;
  const { source, ...params } = config.data;
  const kind = getDataSourceKind(source);
  const shape = kind?.shape(params);
  if (!kind || !shape) return undefined;
  const { rows, dim } = shape;
  if (rows * dim < (options.minCoordinates ?? THREADS_MIN_COORDINATES)) return undefined;
  const script = options.worker ?? defaultWorkerScript();
  if (!script) return undefined;

  const wanted = options.metrics ? METRICS.filter((m) => options.metrics?.includes(m.id)) : METRICS;
  const domain = config.numerics?.metricDomain ?? 'data';
  const all = config.pipelines.map((_, i) => i);
  const groups: ThreadGroup[] = [];
  const phases: ThreadPhase[] = [];
  const task: number[] = [];
  for (const indices of transformGroups(config, all)) {
    const transforms = config.pipelines[indices[0]].transforms;
    let dims: number[];
    try {
      dims = chainDims(transforms, dim);
    } catch {
      continue; // an unknown transform: the serial path reports it
    }
    const transformed =
      domain === 'transformed' &&
      orthogonalChain(transforms, dims) &&
      wanted.every((m) => m.orthogonalInvariance !== undefined);
    const mine = indices.filter((i) => eligible(config, i, wanted, transformed));
    task.push(...indices.filter((i) => !mine.includes(i)));
    if (!mine.length) continue;
    groups.push({ transforms, transformed, outDim: dims[dims.length - 1] });
    mine.forEach((i, k) => phases.push({ pipeline: i, group: groups.length - 1, first: k === 0 }));
  }
  if (!phases.length) return undefined;

  const blockCoordinates = options.blockCoordinates ?? STREAM_BLOCK_COORDINATES;
  const blockRows = Math.max(1, Math.floor(blockCoordinates / Math.max(1, dim)));
  const blocks = Math.ceil(rows / blockRows);
  const plan: ThreadPlan = {
    seed: config.seed,
    rows,
    dim,
    blockRows,
    blocks,
    pipelines: config.pipelines,
    groups,
    phases,
    sums: wanted.some((m) => m.fromSums),
    split: wanted
      .filter((m) => !m.fromSums && m.rowTerms)
      .map((m) => ({ id: m.id, width: m.rowTerms?.width ?? 0 })),
    // No more threads than blocks of one phase (more would only start and wait).
    threads: Math.min(threads, Math.max(2, blocks)),
    task: task.sort((a, b) => a - b),
    rowBlock: blockCoordinates,
    ...(options.metrics ? { metrics: options.metrics } : {}),
    ...numericsOptions(config),
  };
  const maxOut = Math.max(0, ...groups.filter((g) => g.transforms.length).map((g) => g.outDim));
  const termsBytes = termsLayout(plan).length * 8;
  const buffers: ThreadBuffers = {
    x: new SharedArrayBuffer(rows * dim * 4),
    y: new SharedArrayBuffer(rows * maxOut * 4),
    hat: new SharedArrayBuffer(rows * dim * 4),
    ctrl: new SharedArrayBuffer((DONE + phases.length * blocks) * 4),
    terms: [new SharedArrayBuffer(termsBytes), new SharedArrayBuffer(termsBytes)],
    times: new SharedArrayBuffer(plan.threads * phases.length * TIMED_STAGES * 8),
  };
  const ctrl = new Int32Array(buffers.ctrl);
  return new ThreadRun(config, plan, buffers, ctrl, wanted, script, kind, options.mainUnits ?? true);
}

/** The main thread's side of a threaded run. */
class ThreadRun implements ThreadedRun {
  private readonly workers: Worker[] = [];
  /** Rejected with the first failure of any worker (never resolved). */
  private readonly failure: Promise<never>;
  private fail: (e: Error) => void = () => undefined;
  private failed: Error | undefined;
  private closed = false;
  /** Each group's stage notes, from the first worker that prepared it. */
  private readonly notes = new Map<number, readonly string[]>();
  private notesArrived: () => void = () => undefined;
  /** The results of the whole pipelines worker 0 runs (ThreadPlan.task). */
  private readonly task: Promise<readonly PipelineResult[]>;
  private taskDone: (results: readonly PipelineResult[]) => void = () => undefined;

  constructor(
    private readonly config: CanonicalConfig,
    private readonly plan: ThreadPlan,
    private readonly buffers: ThreadBuffers,
    private readonly ctrl: Int32Array,
    private readonly wanted: readonly MetricDef[],
    script: WorkerScript,
    private readonly kind: NonNullable<ReturnType<typeof getDataSourceKind>>,
    private readonly mainUnits: boolean,
  ) {
    this.failure = new Promise<never>((_, reject) => {
      this.fail = (e) => {
        if (this.failed || this.closed) return;
        this.failed = e;
        this.stopWorkers();
        reject(e);
      };
    });
    this.failure.catch(() => undefined); // observed where it is awaited
    this.task = new Promise<readonly PipelineResult[]>((resolve) => (this.taskDone = resolve));
    // threads − 1 workers: the main thread draws the data, then takes units itself.
    for (let index = 0; index < plan.threads - 1; index++) {
      const w = startWorker(script, { plan, buffers, index });
      let done = false;
      w.on('message', (m: WorkerMessage) => {
        if (m.kind === 'group' && !this.notes.has(m.group)) {
          this.notes.set(m.group, m.notes);
          this.notesArrived();
        } else if (m.kind === 'task') this.taskDone(m.results);
        else if (m.kind === 'finished') done = true;
        else if (m.kind === 'error') this.fail(new Error(`worker thread ${index} failed: ${m.message}`));
      });
      w.on('error', (e) => this.fail(new Error(`worker thread ${index} failed: ${e.message}`)));
      w.on('exit', (code) => {
        if (!done)
          this.fail(
            new Error(`worker thread ${index} stopped (exit code ${code}) before finishing its rows`),
          );
      });
      this.workers.push(w);
    }
  }

  threadMs(): number[] {
    const times = new Float64Array(this.buffers.times);
    const per = this.plan.phases.length * TIMED_STAGES;
    return Array.from({ length: this.plan.threads }, (_, t) =>
      times.subarray(t * per, (t + 1) * per).reduce((a, b) => a + b, 0),
    );
  }

  private stopWorkers(): void {
    Atomics.store(this.ctrl, STOP, 1);
    Atomics.notify(this.ctrl, GENERATED);
    Atomics.notify(this.ctrl, CONSUMED);
    for (const w of this.workers) void w.terminate();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.stopWorkers();
    await Promise.all(this.workers.map((w) => w.terminate()));
  }

  private check(signal: AbortSignal | undefined): void {
    if (this.failed) throw this.failed;
    if (signal?.aborted) {
      void this.close();
      throw new AbortError();
    }
  }

  /** The data, drawn into shared memory block by block (the workers start on each as it lands). */
  load = async (config: CanonicalConfig): Promise<LoadedData> => {
    const { rows, dim, blockRows } = this.plan;
    const x = new Float32Array(this.buffers.x);
    const { source: _source, ...params } = config.data;
    let loaded: LoadedData;
    if (this.kind.generateInto) {
      const gen = this.kind.generateInto(params, config.seed, x, blockRows);
      let step = gen.next();
      while (!step.done) {
        Atomics.store(this.ctrl, GENERATED, step.value);
        Atomics.notify(this.ctrl, GENERATED);
        if (this.failed) throw this.failed;
        step = gen.next();
      }
      loaded = step.value;
    } else {
      const whole = await loadData(config);
      x.set(whole.matrix.data);
      loaded = { matrix: { rows, cols: dim, data: x }, summary: whole.summary };
    }
    Atomics.store(this.ctrl, GENERATED, rows);
    Atomics.notify(this.ctrl, GENERATED);
    return loaded;
  };

  /** Waits until unit c is done or skipped (or a worker failed). */
  private async unit(c: number): Promise<number> {
    for (;;) {
      const v = Atomics.load(this.ctrl, DONE + c);
      if (v !== 0) return v;
      if (this.failed) throw this.failed;
      const w = waitAsync(this.ctrl, DONE + c, 0);
      if (w.async) await Promise.race([w.value, this.failure]);
    }
  }

  runPipelines = async (x: Matrix, options: RunOptions): Promise<PipelineResult[]> => {
    try {
      return await this.consume(x, options);
    } finally {
      await this.close();
    }
  };

  private async consume(x: Matrix, options: RunOptions): Promise<PipelineResult[]> {
    const { config, plan, wanted } = this;
    const { rows, dim, blocks } = plan;
    const { signal, onProgress } = options;
    const rng = createRngFactory(config.seed);
    const selected = selectedPipelines(config.pipelines.length, options.only);
    const totalStages = selected.length * 3;
    let stagesDone = 0;
    const layout = termsLayout(plan);
    const y = new Float32Array(this.buffers.y);
    const hat = new Float32Array(this.buffers.hat);
    const terms = this.buffers.terms.map((b) => new Float64Array(b));
    const results = new Map<number, PipelineResult>();
    const computed: { phase: ThreadPhase; metrics: MetricValues; ms: number }[] = [];
    const chosen = new Set(selected);

    // The main thread's share of the units (threads − 1 workers run the rest).
    const runner = new UnitRunner(plan, this.buffers, plan.threads - 1, (group, notes) => {
      if (!this.notes.has(group)) this.notes.set(group, notes);
    });
    const total = plan.phases.length * blocks;
    let phaseState: {
      p: number;
      metricX: Matrix;
      totals: EntrySums;
      streams: (ReturnType<NonNullable<MetricDef['stream']>> | null)[];
      skip: boolean;
      ms: number;
    } | null = null;
    /** Unit c, in order: the storage-order sums and main-thread streams; the phase's metrics at its end. */
    const consumeUnit = (c: number, state: number) => {
      const p = Math.floor(c / blocks);
      const b = c - p * blocks;
      const phase = plan.phases[p];
      if (phaseState?.p !== p) {
        const g = plan.groups[phase.group];
        const metricX: Matrix = g.transformed && g.transforms.length ? { rows, cols: dim, data: y } : x;
        phaseState = {
          p,
          metricX,
          totals: { err: 0, signal: 0, dot: 0 },
          // Streams the workers cannot split run here, in row order.
          streams: wanted.map((m) =>
            m.fromSums || m.rowTerms ? null : (m.stream?.(metricX, { rng }) ?? null),
          ),
          skip: false,
          ms: 0,
        };
      }
      const st = phaseState;
      const t0 = performance.now();
      if (state === UNIT_SKIPPED) st.skip = true;
      if (!st.skip) {
        const [r0, r1] = blockRange(plan, b);
        const hatRows = hat.subarray(r0 * dim, r1 * dim);
        if (plan.sums) addEntrySums(st.metricX, r0, r1 - r0, hatRows, st.totals);
        for (const stream of st.streams) stream?.add(r0, r1 - r0, hatRows);
        if (b === blocks - 1) {
          const metrics = this.combine(terms[p % 2], layout, st.totals, st.streams);
          computed.push({ phase, metrics, ms: st.ms + performance.now() - t0 });
        }
      }
      st.ms += performance.now() - t0;
      // Unit c is read: its rows may now be overwritten by the next phase (thread-plan.ts).
      Atomics.store(this.ctrl, CONSUMED, c + 1);
      Atomics.notify(this.ctrl, CONSUMED);
      if (chosen.has(phase.pipeline) && !st.skip) {
        if (b === blocks - 1) stagesDone += 3;
        onProgress?.(stagesDone, totalStages, `${pipelineLabel(config.pipelines[phase.pipeline])}: metrics`);
      }
    };
    let next = 0;
    const consumeNext = async () => {
      const state = await this.unit(next);
      this.check(signal);
      consumeUnit(next, state);
      next++;
    };
    for (;;) {
      while (next < total && Atomics.load(this.ctrl, DONE + next) !== 0) await consumeNext();
      if (next >= total) break;
      this.check(signal);
      const c =
        this.mainUnits && Atomics.load(this.ctrl, CLAIM) < total ? Atomics.add(this.ctrl, CLAIM, 1) : total;
      if (c < total) {
        // As a worker would: the previous phase's same rows consumed first (by this thread).
        while (next < c - blocks + 1) await consumeNext();
        runner.process(c);
      } else await consumeNext();
    }
    // Every unit is consumed. A group's notes come in the message its worker posted before its
    // first unit was marked done; wait for those in flight (never for a worker's end: one that
    // claimed nothing may still be starting).
    while (computed.some(({ phase }) => !this.notes.has(phase.group))) {
      await Promise.race([new Promise<void>((resolve) => (this.notesArrived = resolve)), this.failure]);
    }
    for (const { phase, metrics, ms } of computed)
      results.set(phase.pipeline, this.result(phase, metrics, ms));

    // The whole pipelines worker 0 ran on the serial path (ThreadPlan.task), next to the units.
    if (plan.task.length) {
      const aborted = new Promise<never>((_, reject) =>
        signal?.addEventListener('abort', () => reject(new AbortError()), { once: true }),
      );
      aborted.catch(() => undefined);
      const taskResults = await Promise.race([this.task, this.failure, aborted]);
      plan.task.forEach((i, k) => {
        if (chosen.has(i)) results.set(i, taskResults[k]);
      });
    }
    this.check(signal);
    await this.close();

    // Everything else (chains found to read the data), here on the serial path: same numbers.
    const rest = selected.filter((i) => !results.has(i));
    if (rest.length) {
      const base = stagesDone;
      const serial = runExperiment(config, x, {
        ...options,
        only: rest,
        ...(onProgress
          ? { onProgress: (d: number, _t: number, s: string) => onProgress(base + d, totalStages, s) }
          : {}),
      });
      rest.forEach((i, k) => results.set(i, serial[k]));
    }
    return selected.map((i) => {
      const r = results.get(i);
      if (!r) throw new Error(`pipeline ${i} produced no result`);
      return r;
    });
  }

  /** Every wanted metric of one phase, in the registry's order (the serial path's key order). */
  private combine(
    terms: Float64Array,
    layout: ReturnType<typeof termsLayout>,
    totals: EntrySums,
    streams: readonly (ReturnType<NonNullable<MetricDef['stream']>> | null)[],
  ): MetricValues {
    const { rows, dim, split } = this.plan;
    const sums = this.plan.sums
      ? sumsFromRows(
          dim,
          {
            rowErrs: terms.subarray(0, rows),
            rowNorms: terms.subarray(rows, 2 * rows),
            rowDots: terms.subarray(2 * rows, 3 * rows),
            rowHats: terms.subarray(3 * rows, 4 * rows),
          },
          totals,
        )
      : null;
    const metrics: MetricValues = {};
    this.wanted.forEach((m, k) => {
      const s = split.findIndex((e) => e.id === m.id);
      if (m.fromSums && sums) metrics[m.id] = m.fromSums(sums);
      else if (s >= 0 && m.rowTerms) {
        const start = layout.split[s];
        metrics[m.id] = m.rowTerms.combine(terms.subarray(start, start + rows * split[s].width), rows, dim);
      } else {
        const st = streams[k];
        if (!st) throw new Error(`metric ${m.id} has no threaded path`);
        metrics[m.id] = st.finish();
      }
    });
    return metrics;
  }

  /** One pipeline's result, built as the serial path builds it (pipeline.ts experimentSteps). */
  private result(phase: ThreadPhase, metrics: MetricValues, metricsMs: number): PipelineResult {
    const { config, plan } = this;
    const { rows, dim } = plan;
    const p = config.pipelines[phase.pipeline];
    const g = plan.groups[phase.group];
    const qDef = quantizersById.get(p.quantizer.id);
    if (!qDef) throw new Error(`unknown quantizer "${p.quantizer.id}"`);
    const dims = chainDims(p.transforms, dim);
    const outDim = dims[dims.length - 1];
    const rng = createRngFactory(config.seed);
    const note = [...(this.notes.get(phase.group) ?? []), qDef.note?.(p.quantizer.params, { rng })]
      .filter(Boolean)
      .join('; ');
    // Thread time summed over the workers (the stages overlap in wall time).
    const times = new Float64Array(this.buffers.times);
    const stage = (s: number) => {
      let t = 0;
      const p0 = plan.phases.indexOf(phase);
      for (let w = 0; w < plan.threads; w++) t += times[(w * plan.phases.length + p0) * TIMED_STAGES + s];
      return t;
    };
    return {
      ...(note ? { note } : {}),
      ...(g.transformed ? { metricDomain: 'transformed' as const } : {}),
      transform: p.transforms.length ? p.transforms.map((t) => t.id).join('+') : 'identity',
      quantizer: p.quantizer.id,
      label: pipelineLabel(p),
      bitsPerCoord:
        (qDef.bitsPerCoord(p.quantizer.params, rows, outDim) * outDim) / dim +
        chainSideInfoBits(p.transforms, rows, dims) / (rows * dim),
      metrics,
      timingsMs: {
        transform: stage(0),
        quantize: stage(1),
        inverse: stage(2),
        metrics: stage(3) + metricsMs,
        backend: { transform: 'cpu', quantize: 'cpu' },
      },
    };
  }
}

/**
 * `lab sweep --threads N`: tensors are independent, so N workers each run one shard of the sweep
 * (`--shard k/N`, tensors k, k + N, …) and the shards are merged as `lab merge` merges them, which
 * gives exactly the unsharded output (src/cli/merge.test.ts). Undefined (run it serially) for one
 * thread, a sweep that is itself a shard, fewer than two tensors or under `minCoordinates` in all.
 */
export async function sweepThreaded(
  config: ExperimentConfig,
  options: {
    readonly threads: number;
    readonly hash: boolean;
    readonly minCoordinates?: number;
    readonly worker?: WorkerScript;
  },
): Promise<SweepOutput | undefined> {
  const threads = Math.floor(options.threads);
  const script = options.worker ?? defaultWorkerScript();
  if (!(threads > 1) || !script || !config.sweep) return undefined;
  // File readers and the sweep engine load on first use (start-up of `lab run`, main.ts).
  const [{ fileParams }, { openTensorSet }, { mergeSweepShards, planSweep }, { sourcesForPath }] =
    await Promise.all([
      import('../core/config/data-params'),
      import('../core/io'),
      import('../engine/checkpoint'),
      import('./file-data'),
    ]);
  const { path } = fileParams(config.data);
  if (path === '') return undefined; // sweepForCli names the field
  // Headers only, to count the work (each worker opens the files again).
  const set = await openTensorSet(await sourcesForPath(path));
  const plan = planSweep(config, set.tensors);
  const coordinates = plan.reduce((sum, e) => sum + e.info.shape.reduce((a, b) => a * b, 1), 0);
  if (plan.length < 2 || coordinates < (options.minCoordinates ?? THREADS_MIN_COORDINATES)) return undefined;
  const count = Math.min(threads, plan.length);
  const workers: Worker[] = [];
  try {
    const parts = await Promise.all(
      Array.from({ length: count }, (_, index) => {
        const init: SweepWorkerInit = { sweep: { config, shard: { index, count }, hash: options.hash } };
        const w = startWorker(script, init);
        workers.push(w);
        return new Promise<SweepOutput>((resolve, reject) => {
          let done = false;
          w.on('message', (m: WorkerMessage) => {
            if (m.kind === 'sweep') {
              done = true;
              resolve(m.output);
            } else if (m.kind === 'error') {
              done = true;
              // The worker's error as the CLI would have raised it (same exit code, same line).
              reject(
                m.error === 'config'
                  ? new ConfigError('', m.message)
                  : m.error === 'data'
                    ? new DataError(m.message)
                    : new Error(`worker thread ${index} failed: ${m.message}`),
              );
            }
          });
          w.on('error', (e) => reject(new Error(`worker thread ${index} failed: ${e.message}`)));
          w.on('exit', (code) => {
            if (!done)
              reject(new Error(`worker thread ${index} stopped (exit code ${code}) before its tensors`));
          });
        });
      }),
    );
    return mergeSweepShards(parts);
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}
