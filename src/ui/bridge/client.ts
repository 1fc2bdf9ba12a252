/**
 * Main-thread bridge to the compute workers (DESIGN.md "Workers"): lazy start, one worker per kind
 * of call (run, sweep, spectra), cancellation by terminating the worker (a CPU kernel cannot be interrupted
 * cooperatively) and a lazy restart. There is no in-process fallback: kernels never run on the
 * main thread, and a browser without module workers gets the worker's error message.
 *
 * Runs use a pool of up to navigator.hardwareConcurrency workers ("work split across
 * cores"): a run's pipelines are split by transform group (so no rotation is built twice) into at
 * most pool-size parts, each part computes its pipelines on the same data (generated from the seed
 * in each worker, or read from the files registered in each), and the parts are merged in pipeline
 * order. The streams depend on (seed, purpose, keys) only, never on which pipelines share a worker,
 * so the numbers are bit-identical to one worker's (src/engine/pool.test.ts).
 */
import { readsBytes } from '../../core/methods';
import { wrap, transfer, releaseProxy, type Remote } from 'comlink';
import { canonicalKey, type ExperimentConfig } from '../../core/config/schema';
import { loadPersisted, loadPersistedValue, savePersisted, savePersistedValue } from './persisted';
import type { ExperimentOutput } from '../../engine/experiment';
import type {
  CheckpointMessage,
  FaultKind,
  ProgressCallback,
  ProgressMessage,
  WorkerApi,
} from '../../worker/worker-api';
import type { SweepSummary, SweepTensorResult } from '../../engine/checkpoint';
import type { RateDistortion, Spectra } from '../../core/artifacts/types';
import type { OpenFileSummary } from '../../worker/browser-files';
import { AbortError } from '../../core/pipeline';
import { mergeParts, planParts } from '../../engine/pool';
import { configCost, WORK_RATE, workersWithinBudget } from '../../core/cost';
import { CONFIRM_SECONDS, rateFromProbes } from '../../core/run-estimate';
import { estimateRun, type RunEstimate } from '../../engine/calibrate';
import {
  assembleOutput,
  createResultCaches,
  planFromCache,
  storeInCache,
  type ResultCaches,
} from '../../engine/result-cache';

interface Slot {
  worker: Worker;
  api: Remote<WorkerApi>;
  /** Rejecters of the calls in flight on this worker (settled with AbortError if it is killed). */
  pending: Set<(e: Error) => void>;
}

/**
 * Which worker a call runs in. The main run and each on-demand analysis get their own worker, so
 * cancelling a long sweep (which terminates its worker) never kills the run behind the table,
 * and a slow spectrum never queues the next run behind it.
 */
export type WorkerKind = 'run' | 'sweep' | 'spectra' | 'checkpoint' | 'probe';

/** A worker slot: a kind, or `run-<k>` for pool worker k ≥ 1 ('run' is pool worker 0). */
type SlotKey = WorkerKind | `run-${number}`;

function poolSlot(k: number): SlotKey {
  return k === 0 ? 'run' : `run-${k}`;
}

/** Pool size: one run worker per logical core (the sweep and spectra workers come on top). */
export function defaultPoolSize(): number {
  const n = typeof navigator !== 'undefined' ? navigator.hardwareConcurrency : 1;
  return Math.max(1, Math.min(16, Number.isFinite(n) ? Math.floor(n) : 1));
}

export interface CallOptions {
  signal?: AbortSignal;
  onProgress?: ProgressCallback;
  /** Every message the worker posts on the call's port, raw (checkpoint sweeps stream results). */
  onMessage?: (message: unknown) => void;
}

/**
 * Each worker call as a User Timing measure ("quantscope <slot>"), so a profile (DevTools'
 * Performance panel, scripts/bench-page.ts) shows which worker ran when on the page's critical path.
 */
function timeline(kind: string, start: number): void {
  try {
    performance.measure(`quantscope ${kind}`, { start, end: performance.now() });
  } catch {
    // User Timing is a diagnostic: a runtime without it (old test environments) loses nothing.
  }
}

/** For fire-and-forget calls whose failure is reported elsewhere (never an unhandled rejection). */
const ignore = (): void => undefined;

export class ComputeClient {
  private slots = new Map<SlotKey, Slot>();
  /** Run workers (pool size); tests and benchmarks may lower it. */
  poolSize = defaultPoolSize();
  private files: readonly File[] = [];
  /** Number of worker (re)starts, for tests and the status line. */
  starts = 0;
  /** Per-(data, pipeline) results (src/engine/result-cache.ts), bounded. */
  readonly caches: ResultCaches = createResultCaches();
  /** Off: every run computes every pipeline (A/B timing, tests). */
  cacheEnabled = true;
  /** Pipelines sent to workers for computation, and pipelines served from the cache (tests read both). */
  pipelineComputations = 0;
  cacheHits = 0;
  /** Keep computed configs in IndexedDB for instant reloads (src/ui/bridge/persisted.ts). */
  persist = true;
  /** Runs served from IndexedDB (tests read it). */
  persistedHits = 0;
  /** The device probe's rate, once per session (deviceRate). */
  private rateProbe: Promise<number> | null = null;

  private ensure(kind: SlotKey = 'run'): Slot {
    const existing = this.slots.get(kind);
    if (existing) return existing;
    const worker = new Worker(new URL('../../../workers/lab.worker.ts', import.meta.url), {
      type: 'module',
      name: kind === 'run' ? 'quantscope-compute' : `quantscope-${kind}`,
    });
    const api = wrap<WorkerApi>(worker);
    const slot: Slot = { worker, api, pending: new Set() };
    this.slots.set(kind, slot);
    this.starts++;
    // Only files that opened successfully are kept (openFiles), so a restarted worker re-reads the
    // user's good file. A failure here surfaces in that worker's next run; never unhandled.
    if (this.files.length > 0) api.openFiles(this.files).catch(ignore);
    this.watchLife(kind, slot);
    return slot;
  }

  /**
   * Dead-worker detection (WorkerApi.holdLifeLock): a worker that ends without an error event
   * used to leave its calls pending forever (the page stuck at "starting"). When its life lock is
   * released while the slot is still ours, its calls fail with a message and the slot is dropped;
   * the next call (Retry) starts a fresh worker.
   */
  private watchLife(kind: SlotKey, slot: Slot): void {
    const locks = typeof navigator !== 'undefined' ? navigator.locks : undefined;
    if (!locks) return;
    const name = `quantscope-worker-${kind}-${this.starts}-${Math.random().toString(36).slice(2)}`;
    slot.api
      .holdLifeLock(name)
      .then((held) => {
        if (!held) return;
        return locks.request(name, () => {
          if (this.slots.get(kind) !== slot) return; // terminated by us: nothing to report
          const dead = new Error('compute worker failed: it stopped without an error (out of memory?)');
          for (const fail of [...slot.pending]) fail(dead);
          this.kill(kind);
        });
      })
      .catch(ignore);
  }

  private kill(kind: SlotKey = 'run'): void {
    const slot = this.slots.get(kind);
    if (!slot) return;
    this.slots.delete(kind);
    slot.api[releaseProxy]();
    slot.worker.terminate();
    // Calls that shared the terminated worker would otherwise never settle.
    for (const reject of [...slot.pending]) reject(new AbortError());
    slot.pending.clear();
  }

  /** Number of live workers (0 until the first call; at most the pool plus one per other kind). */
  get live(): number {
    return this.slots.size;
  }

  /**
   * Opens files in the run worker first and registers them everywhere only once that succeeded:
   * a bad file must not replace the good one, neither here (restarted workers re-register
   * `this.files`) nor in the other workers (browser-files.ts keeps its sources on failure too).
   */
  async openFiles(files: readonly File[]): Promise<OpenFileSummary> {
    // Through `call`, so a worker terminated meanwhile (a cancelled run takes its worker with it)
    // fails this call instead of leaving it pending forever ("Reading headers…"); the files were
    // then never read there, so a fresh worker reads them once more.
    const open = () => this.call('run', (api) => api.openFiles(files), {});
    let summary: OpenFileSummary;
    try {
      summary = await open();
    } catch (e) {
      if (!(e instanceof AbortError)) throw e;
      summary = await open();
    }
    this.files = files;
    // Pool and analysis workers started earlier need the files too; new ones get them in ensure().
    // A run waits for its worker's registration (browser-files.ts), so no part misses a file.
    for (const [kind, slot] of this.slots) if (kind !== 'run') slot.api.openFiles(files).catch(ignore);
    return summary;
  }

  /**
   * One experiment: pipelines whose (data, pipeline) result is cached are not recomputed
   * (src/engine/result-cache.ts); the rest run on the pool. A config entirely in the cache
   * resolves without any worker call.
   */
  async run(config: ExperimentConfig, opts: CallOptions = {}): Promise<ExperimentOutput> {
    if (opts.signal?.aborted) throw new AbortError();
    if (!this.cacheEnabled) {
      const all = config.pipelines.map((_, i) => i);
      return this.runPipelines(config, all, true, opts);
    }
    let plan = planFromCache(config, this.caches);
    if (plan.complete) {
      this.cacheHits += config.pipelines.length;
      return assembleOutput(config, plan);
    }
    // A config computed in an earlier visit (IndexedDB, this build only): seed the memory cache.
    const key = canonicalKey(config);
    if (this.persist && !readsBytes(config.data.source)) {
      const lookup = performance.now();
      const saved = await loadPersisted(key);
      timeline('idb run', lookup);
      if (opts.signal?.aborted) throw new AbortError();
      if (saved && saved.results.length === config.pipelines.length && saved.artifacts) {
        storeInCache(
          config,
          this.caches,
          config.pipelines.map((_, i) => i),
          saved,
        );
        plan = planFromCache(config, this.caches);
        if (plan.complete) {
          this.persistedHits += 1;
          this.cacheHits += config.pipelines.length;
          return assembleOutput(config, plan);
        }
      }
    }
    const needAnalysis = !!config.analysis && !plan.analysis;
    const out = await this.runPipelines(config, plan.missing, needAnalysis, opts);
    this.cacheHits += plan.hits.size;
    storeInCache(config, this.caches, plan.missing, out);
    const full = assembleOutput(config, plan, { indices: plan.missing, out });
    if (this.persist) void savePersisted(key, full);
    return full;
  }

  /**
   * The given pipelines (ascending indices; may be empty when only the data summary or the
   * analysis is needed) on the pool. Cancellation aborts every part (terminating their workers); a
   * part that fails aborts the others and the run reports that part's error. Progress is the sum of
   * the parts' stages. Results hold just `indices`, in that order.
   */
  private async runPipelines(
    config: ExperimentConfig,
    indices: readonly number[],
    analysis: boolean,
    opts: CallOptions,
  ): Promise<ExperimentOutput> {
    // Each pool worker holds its own sketches and rotations: the pool shrinks so that all of them
    // together stay within the memory budget (src/core/cost.ts; file shapes are checked in the worker).
    const { rows, dim } = config.data;
    const size =
      typeof rows === 'number' && typeof dim === 'number'
        ? workersWithinBudget(configCost(rows, dim, config.pipelines), this.poolSize)
        : this.poolSize;
    const planned = planParts(config, size, indices);
    const parts = planned.length > 0 ? planned : [[]];
    this.pipelineComputations += indices.length;
    const { signal, onProgress } = opts;
    if (signal?.aborted) throw new AbortError();
    if (parts.length === 1)
      return this.call(
        'run',
        (api, progress) => api.run(config, progress, { pipelines: parts[0], analysis }),
        opts,
      );
    const all = new AbortController();
    const forward = () => all.abort();
    signal?.addEventListener('abort', forward, { once: true });
    // Each part's units as it reports them (its stages, plus the analysis's units in part 0).
    const done = parts.map(() => 0);
    const total = parts.map((p) => 3 * p.length);
    let firstError: Error | undefined;
    try {
      const outs = await Promise.all(
        parts.map((pipelines, k) =>
          this.call(
            poolSlot(k),
            (api, progress) => api.run(config, progress, { pipelines, analysis: analysis && k === 0 }),
            {
              signal: all.signal,
              onProgress: onProgress
                ? (d, t, stage) => {
                    done[k] = d;
                    total[k] = t;
                    onProgress(
                      done.reduce((a, b) => a + b, 0),
                      total.reduce((a, b) => a + b, 0),
                      stage,
                    );
                  }
                : undefined,
            },
          ).catch((e: unknown) => {
            // The first failure wins; the others are the AbortErrors it causes.
            firstError ??= e instanceof Error ? e : new Error(String(e));
            all.abort();
            throw firstError;
          }),
        ),
      );
      return mergeParts(parts, outs);
    } catch (e) {
      throw firstError ?? e;
    } finally {
      signal?.removeEventListener('abort', forward);
    }
  }

  /**
   * This device's flops per second for the cost model (src/engine/calibrate.ts): the probe runs
   * once per page session in a worker of its own (a stale run terminating the run workers must
   * not take the probe with it), closed afterwards; a failed probe is retried next time.
   */
  deviceRate(): Promise<number> {
    this.rateProbe ??= this.call('probe', (api) => api.calibrate(), {}).then(
      (p) => {
        this.kill('probe');
        return rateFromProbes(p.small, p.large) ?? WORK_RATE;
      },
      (e: unknown) => {
        this.kill('probe');
        this.rateProbe = null;
        throw e;
      },
    );
    return this.rateProbe;
  }

  /**
   * How long `config` would take here: only the pipelines the result cache misses, split over
   * the pool as runPipelines splits them, at the probed rate. Null when nothing needs computing
   * or the data's shape is not declared (file data).
   */
  async estimate(config: ExperimentConfig): Promise<RunEstimate | null> {
    const plan = this.cacheEnabled ? planFromCache(config, this.caches) : null;
    if (plan?.complete) return null;
    const rate = await this.deviceRate();
    const e = estimateRun(config, rate, this.poolSize, plan?.missing);
    // A config computed in an earlier visit reloads from IndexedDB instantly (see run()).
    if (e && e.seconds > CONFIRM_SECONDS && this.persist && config.data.source !== 'file') {
      const saved = await loadPersisted(canonicalKey(config));
      if (saved && saved.results.length === config.pipelines.length && saved.artifacts) return null;
    }
    return e;
  }

  /** Rate–distortion sweep in its own worker (cancelling it leaves the main run alone). */
  /**
   * `persistKey`: the sweep's query key (engine/artifacts sweepKey, computed by the caller so the
   * sweep's code stays out of the main bundle); with it the result is kept in IndexedDB.
   */
  async sweep(
    config: ExperimentConfig,
    opts: CallOptions = {},
    persistKey?: string,
  ): Promise<RateDistortion> {
    const compute = () => this.call('sweep', (api, progress) => api.sweep(config, progress), opts);
    return persistKey === undefined ? compute() : this.persisted('sweep', persistKey, config, compute);
  }

  /** A chart analysis from IndexedDB when this build computed it before (never file data). */
  private async persisted<T>(
    kind: 'sweep' | 'spectra',
    key: string,
    config: ExperimentConfig,
    compute: () => Promise<T>,
  ): Promise<T> {
    const keep = this.persist && config.data.source !== 'file';
    const lookup = performance.now();
    const saved = keep ? await loadPersistedValue<T>(kind, key) : undefined;
    if (keep) timeline(`idb ${kind}`, lookup);
    if (saved !== undefined) return saved;
    const out = await compute();
    if (keep) void savePersistedValue(kind, key, out);
    return out;
  }

  /**
   * Whole-checkpoint sweep in its own worker (cancelling it terminates only that worker): the plan
   * and each tensor's result arrive through `onMessage` as CheckpointMessages.
   */
  async checkpoint(
    config: ExperimentConfig,
    opts: { signal?: AbortSignal; onMessage: (m: CheckpointMessage) => void },
  ): Promise<{ tensors: SweepTensorResult[]; summary: SweepSummary }> {
    return this.call('checkpoint', (api, port) => api.checkpoint(config, port), {
      signal: opts.signal,
      onMessage: (m) => opts.onMessage(m as CheckpointMessage),
    });
  }

  /** Spectra in their own worker. */
  async spectra(config: ExperimentConfig, opts: CallOptions = {}): Promise<Spectra> {
    return this.persisted('spectra', canonicalKey(config), config, () =>
      this.call('spectra', (api, progress) => api.spectra(config, progress), opts),
    );
  }

  private async call<T>(
    kind: SlotKey,
    invoke: (api: Remote<WorkerApi>, progressPort: MessagePort | undefined) => Promise<T>,
    opts: CallOptions,
  ): Promise<T> {
    const { signal, onProgress, onMessage } = opts;
    if (signal?.aborted) throw new AbortError();
    const slot = this.ensure(kind);
    const startedAt = performance.now();
    return new Promise<T>((resolve, reject) => {
      let settled = false;
      // Progress over a port we own and close when the call settles (see ProgressMessage).
      const channel = onProgress || onMessage ? new MessageChannel() : undefined;
      if (channel) {
        channel.port1.onmessage = (ev: MessageEvent<ProgressMessage>) => {
          if (settled) return;
          onMessage?.(ev.data);
          onProgress?.(ev.data.done, ev.data.total, ev.data.stage);
        };
      }
      // Everything this call registered is released once it settles, whichever way: a terminated
      // worker never answers, so release cannot wait for the Comlink promise.
      const release = () => {
        timeline(kind, startedAt);
        if (channel) {
          channel.port1.onmessage = null;
          channel.port1.close();
        }
        slot.pending.delete(fail);
        signal?.removeEventListener('abort', onAbort);
        slot.worker.removeEventListener('error', onError);
      };
      const fail = (e: Error) => {
        if (settled) return;
        settled = true;
        release();
        reject(e);
      };
      slot.pending.add(fail);
      const onAbort = () => {
        if (settled) return;
        // Terminating is the only way to stop a busy CPU kernel; the next call restarts lazily.
        fail(new AbortError());
        if (this.slots.get(kind) === slot) this.kill(kind);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      const onError = (ev: ErrorEvent) => {
        if (settled) return;
        fail(new Error(`compute worker failed: ${ev.message || 'unknown error'}`));
        if (this.slots.get(kind) === slot) this.kill(kind);
      };
      slot.worker.addEventListener('error', onError, { once: true });
      invoke(slot.api, channel ? transfer(channel.port2, [channel.port2]) : undefined).then(
        (out) => {
          if (settled) return;
          settled = true;
          release();
          resolve(out);
        },
        (e: unknown) => fail(e instanceof Error ? e : new Error(String(e))),
      );
    });
  }

  /** Test hook (see WorkerApi.injectFault). */
  async injectFault(kind: FaultKind): Promise<void> {
    await this.ensure('run').api.injectFault(kind);
  }

  dispose(): void {
    for (const kind of [...this.slots.keys()]) this.kill(kind);
  }
}

export const computeClient = new ComputeClient();
