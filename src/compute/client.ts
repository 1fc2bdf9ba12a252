/**
 * Main-thread bridge to the compute workers (DESIGN.md "Workers"): lazy start, one worker per kind
 * of call (run, sweep, spectra), cancellation by terminating the worker (a CPU kernel cannot be interrupted
 * cooperatively) and a lazy restart; in-process fallback where Workers are unavailable.
 */
import { wrap, transfer, releaseProxy, type Remote } from 'comlink';
import type { ExperimentConfig } from '../config/schema';
import type { ExperimentOutput } from './experiment';
import type { FaultKind, ProgressCallback, ProgressMessage, WorkerApi } from './worker-api';
import type { RateDistortion, Spectra } from '../core/analysis/types';
import type { OpenFileSummary } from './browser-files';
import { AbortError } from '../core/pipeline';

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
export type WorkerKind = 'run' | 'sweep' | 'spectra';

export interface CallOptions {
  signal?: AbortSignal;
  onProgress?: ProgressCallback;
}

export class ComputeClient {
  private slots = new Map<WorkerKind, Slot>();
  private files: readonly File[] = [];
  /** Number of worker (re)starts, for tests and the status line. */
  starts = 0;

  private ensure(kind: WorkerKind = 'run'): Slot {
    const existing = this.slots.get(kind);
    if (existing) return existing;
    const worker = new Worker(new URL('../../workers/lab.worker.ts', import.meta.url), {
      type: 'module',
      name: kind === 'run' ? 'quantscope-compute' : `quantscope-${kind}`,
    });
    const api = wrap<WorkerApi>(worker);
    const slot: Slot = { worker, api, pending: new Set() };
    this.slots.set(kind, slot);
    this.starts++;
    if (this.files.length > 0) void api.openFiles(this.files);
    return slot;
  }

  private kill(kind: WorkerKind = 'run'): void {
    const slot = this.slots.get(kind);
    if (!slot) return;
    this.slots.delete(kind);
    slot.api[releaseProxy]();
    slot.worker.terminate();
    // Calls that shared the terminated worker would otherwise never settle.
    for (const reject of [...slot.pending]) reject(new AbortError());
    slot.pending.clear();
  }

  /** Number of live workers (0 until the first call; at most one per kind). */
  get live(): number {
    return this.slots.size;
  }

  async openFiles(files: readonly File[]): Promise<OpenFileSummary> {
    this.files = files;
    // Analysis workers started earlier need the files too; new ones get them in ensure().
    for (const [kind, slot] of this.slots) if (kind !== 'run') void slot.api.openFiles(files);
    return this.ensure('run').api.openFiles(files);
  }

  async run(config: ExperimentConfig, opts: CallOptions = {}): Promise<ExperimentOutput> {
    return this.call('run', (api, progress) => api.run(config, progress), opts);
  }

  /** Rate–distortion sweep in its own worker (cancelling it leaves the main run alone). */
  async sweep(config: ExperimentConfig, opts: CallOptions = {}): Promise<RateDistortion> {
    return this.call('sweep', (api, progress) => api.sweep(config, progress), opts);
  }

  /** Spectra in their own worker. */
  async spectra(config: ExperimentConfig, opts: CallOptions = {}): Promise<Spectra> {
    return this.call('spectra', (api, progress) => api.spectra(config, progress), opts);
  }

  private async call<T>(
    kind: WorkerKind,
    invoke: (api: Remote<WorkerApi>, progressPort: MessagePort | undefined) => Promise<T>,
    opts: CallOptions,
  ): Promise<T> {
    const { signal, onProgress } = opts;
    if (signal?.aborted) throw new AbortError();
    const slot = this.ensure(kind);
    return new Promise<T>((resolve, reject) => {
      let settled = false;
      // Progress over a port we own and close when the call settles (see ProgressMessage).
      const channel = onProgress ? new MessageChannel() : undefined;
      if (channel && onProgress) {
        channel.port1.onmessage = (ev: MessageEvent<ProgressMessage>) => {
          if (!settled) onProgress(ev.data.done, ev.data.total, ev.data.stage);
        };
      }
      // Everything this call registered is released once it settles, whichever way: a terminated
      // worker never answers, so release cannot wait for the Comlink promise.
      const release = () => {
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
