/**
 * Main-thread bridge to the compute worker (DESIGN.md "Workers"): lazy start, one run at a time
 * per worker, cancellation by terminating the worker (a CPU kernel cannot be interrupted
 * cooperatively) and a lazy restart; in-process fallback where Workers are unavailable.
 */
import { wrap, proxy, releaseProxy, type Remote } from 'comlink';
import type { ExperimentConfig } from '../config/schema';
import type { ExperimentOutput } from './experiment';
import type { ProgressCallback, WorkerApi } from './worker-api';
import type { OpenFileSummary } from './browser-files';
import { AbortError } from '../core/pipeline';

interface Slot {
  worker: Worker;
  api: Remote<WorkerApi>;
}

export class ComputeClient {
  private slot: Slot | undefined;
  private files: readonly File[] = [];
  /** Number of worker (re)starts, for tests and the status line. */
  starts = 0;

  private ensure(): Slot {
    if (this.slot) return this.slot;
    const worker = new Worker(new URL('../../workers/lab.worker.ts', import.meta.url), { type: 'module', name: 'quantscope-compute' });
    const api = wrap<WorkerApi>(worker);
    this.slot = { worker, api };
    this.starts++;
    if (this.files.length > 0) void api.openFiles(this.files);
    return this.slot;
  }

  private kill(): void {
    if (!this.slot) return;
    this.slot.api[releaseProxy]();
    this.slot.worker.terminate();
    this.slot = undefined;
  }

  get live(): number {
    return this.slot ? 1 : 0;
  }

  async openFiles(files: readonly File[]): Promise<OpenFileSummary> {
    this.files = files;
    return this.ensure().api.openFiles(files);
  }

  async run(config: ExperimentConfig, opts: { signal?: AbortSignal; onProgress?: ProgressCallback } = {}): Promise<ExperimentOutput> {
    const { signal, onProgress } = opts;
    if (signal?.aborted) throw new AbortError();
    const slot = this.ensure();
    return new Promise<ExperimentOutput>((resolve, reject) => {
      let settled = false;
      const onAbort = () => {
        if (settled) return;
        settled = true;
        // Terminating is the only way to stop a busy CPU kernel; the next run restarts lazily.
        if (this.slot === slot) this.kill();
        reject(new AbortError());
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      const onError = (ev: ErrorEvent) => {
        if (settled) return;
        settled = true;
        if (this.slot === slot) this.kill();
        reject(new Error(`compute worker failed: ${ev.message || 'unknown error'}`));
      };
      slot.worker.addEventListener('error', onError, { once: true });
      slot.api
        .run(config, onProgress ? proxy(onProgress) : undefined)
        .then(
          (out) => {
            if (settled) return;
            settled = true;
            resolve(out);
          },
          (e: unknown) => {
            if (settled) return;
            settled = true;
            reject(e instanceof Error ? e : new Error(String(e)));
          },
        )
        .finally(() => {
          signal?.removeEventListener('abort', onAbort);
          slot.worker.removeEventListener('error', onError);
        });
    });
  }

  dispose(): void {
    this.kill();
  }
}

export const computeClient = new ComputeClient();
