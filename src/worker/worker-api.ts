/**
 * What the worker exposes through Comlink. Kept out of workers/ (a thin Comlink shell) so unit
 * tests can call it in-process.
 */
import { readsBytes } from '../core/methods';
import { restoreConfig, type ExperimentConfig } from '../core/config/schema';
import { declaredShape } from '../core/config/data-params';
import { runConfig, type ExperimentOutput } from '../engine/experiment';
import { transfer } from 'comlink';
import { GPU_MIN_COORDS } from './gpu/kernels';
import { spectraConfig, sweepConfig } from '../engine/artifacts';
import { artifactBuffers } from '../core/artifacts/artifacts';
import type { RateDistortion, Spectra } from '../core/artifacts/types';
import {
  loadFileForBrowser,
  registerFiles,
  registeredTensorSet,
  type OpenFileSummary,
} from './browser-files';
import {
  planSweep,
  summarizeSweep,
  sweepTensor,
  type SweepSummary,
  type SweepTensorResult,
} from '../engine/checkpoint';
import { GpuKernels } from './gpu/kernels';
import { runProbe, type ProbeResult } from '../engine/calibrate';
import { navigatorGpu } from './gpu/webgpu';
import { gpuStageRunner } from './gpu/stages';

/**
 * This worker's WebGPU kernels, created on the first run that could use them (null without
 * navigator.gpu or an adapter, or when the kernels fail to compile: every stage then runs on the CPU).
 */
let gpuKernels: Promise<GpuKernels | null> | null = null;

function workerGpu(): Promise<GpuKernels | null> {
  if (!navigatorGpu()) return Promise.resolve(null);
  gpuKernels ??= GpuKernels.create().catch(() => null);
  return gpuKernels;
}

/** Whether any stage of the config is large enough for the GPU (GPU_MIN_COORDS), before asking for a device. */
function mayUseGpu(config: ExperimentConfig): boolean {
  const shape = declaredShape(config.data);
  return readsBytes(config.data.source) || (shape ? shape.rows * shape.dim : 0) >= GPU_MIN_COORDS;
}

export type ProgressCallback = (done: number, total: number, stage: string) => void;

/**
 * Progress travels over a MessagePort the caller transfers with each call (not a Comlink proxy):
 * the caller closes its end when the call settles, even when the worker was terminated mid-run,
 * so 1000 cancelled runs leave no listeners or ports behind (memory check).
 */
export interface ProgressMessage {
  readonly done: number;
  readonly total: number;
  readonly stage: string;
}

/**
 * What a checkpoint sweep posts on its port: first the plan (every tensor it will run, so the page
 * can list them and estimate the time left by parameter count), then each tensor's result as soon
 * as it is computed.
 */
export type CheckpointMessage =
  | {
      readonly kind: 'plan';
      readonly tensors: readonly {
        readonly name: string;
        readonly shape: readonly number[];
        readonly parameters: number;
      }[];
    }
  | {
      readonly kind: 'tensor';
      readonly tensor: SweepTensorResult;
      readonly done: number;
      readonly total: number;
    };

function progressTo(port: MessagePort | undefined): ProgressCallback | undefined {
  if (!port) return undefined;
  return (done, total, stage) => port.postMessage({ done, total, stage } satisfies ProgressMessage);
}

export interface RunCallOptions {
  /** Collect chart artifacts (ExperimentOutput.artifacts). Default true: the page always shows charts. */
  readonly artifacts?: boolean;
  /**
   * This worker's share of a pooled run (src/ui/bridge/client.ts): only these pipeline indices;
   * `results` and the artifacts' pipelines then hold just those, in pipeline order.
   */
  readonly pipelines?: readonly number[];
  /** Run config.analysis in this call (default true; a pool runs it in its first part only). */
  readonly analysis?: boolean;
}

/**
 * Hand the typed arrays of a chart result to the main thread instead of copying them (DESIGN.md
 * "Workers"). Only `part` is walked: its buffers are freshly allocated for this result and never
 * reused in the worker (other fields, e.g. a config analysis, may hold cached arrays and are copied).
 */
function transferred<T>(value: T, part: unknown = value): T {
  return transfer(value, artifactBuffers(part));
}

export interface WorkerApi {
  /** Run one experiment. The config is re-validated here: the worker trusts nobody. */
  run(
    config: ExperimentConfig,
    onProgress?: MessagePort,
    options?: RunCallOptions,
  ): Promise<ExperimentOutput>;
  /** Rate–distortion sweep of every pipeline over its `bits` range (chart 1; on demand). */
  sweep(config: ExperimentConfig, onProgress?: MessagePort): Promise<RateDistortion>;
  /** Singular-value spectra, MP fits and sequency/frequency energy (chart 4; on demand). */
  spectra(config: ExperimentConfig, onProgress?: MessagePort): Promise<Spectra>;
  /**
   * Whole-checkpoint sweep (config.sweep) over the opened files, one tensor at a time (bounded
   * memory: only the current tensor is decoded); the plan and each result go out on `port`
   * (CheckpointMessage) as they are ready. Resolves with every result and the parameter-weighted
   * summary.
   */
  checkpoint(
    config: ExperimentConfig,
    port?: MessagePort,
  ): Promise<{ tensors: SweepTensorResult[]; summary: SweepSummary }>;
  /**
   * Time the device probe (src/engine/calibrate.ts): the page turns its two timings into flops per
   * second (rateFromProbes) to estimate a run before starting it. A fraction of a second, once
   * per session.
   */
  calibrate(): Promise<ProbeResult>;
  /** Make files the user opened available to `data.source = "file"` configs. */
  openFiles(files: readonly File[]): Promise<OpenFileSummary>;
  /** Health check. */
  ping(): Promise<string>;
  /**
   * Liveness without polling: the worker takes the Web Lock `name` (W3C Web Locks API) and holds
   * it for its whole life; the page then queues for the same lock, which is granted exactly when
   * the worker is gone — terminated, crashed or closed, with or without an error event, and even
   * while a busy worker could not answer a ping. Resolves true once held (false: no Web Locks).
   */
  holdLifeLock(name: string): Promise<boolean>;
  /**
   * Fault injection for the e2e suite ("worker faults"): 'throw' makes the next run's
   * kernel throw; 'die' makes the next run crash the worker (an uncaught error, no reply). Only
   * reachable through window.__quantscope, which the page installs when loaded with ?testhooks;
   * the worst a link can do with it is crash its own tab's worker, which the app recovers from.
   */
  injectFault(kind: FaultKind): Promise<void>;
}

export type FaultKind = 'throw' | 'die' | 'vanish';

let pendingFault: FaultKind | null = null;

function takeFault(): Promise<never> | void {
  const fault = pendingFault;
  pendingFault = null;
  if (fault === 'throw') throw new Error('kernel failed (injected test fault)');
  if (fault === 'vanish') {
    // The worker ends without an error event (as when the browser kills it for memory).
    (globalThis as unknown as { close(): void }).close();
    return new Promise<never>(() => undefined);
  }
  if (fault === 'die') {
    return new Promise<never>(() => {
      setTimeout(() => {
        throw new Error('worker crashed (injected test fault)');
      }, 0);
    });
  }
}

export const workerApi: WorkerApi = {
  async run(config, onProgress, options) {
    const valid = restoreConfig(config);
    const crash = takeFault();
    if (crash) return crash;
    const gpu = mayUseGpu(valid) ? await workerGpu() : null;
    const out = await runConfig(valid, {
      loadFile: loadFileForBrowser,
      onProgress: progressTo(onProgress),
      artifacts: options?.artifacts ?? true,
      only: options?.pipelines,
      analysis: options?.analysis ?? true,
      ...(gpu ? { runStage: gpuStageRunner(gpu), gpuAdapter: gpu.adapterLabel } : {}),
    });
    return transferred(out, out.artifacts);
  },
  async sweep(config, onProgress) {
    const valid = restoreConfig(config);
    const out = await sweepConfig(valid, {
      loadFile: loadFileForBrowser,
      onProgress: progressTo(onProgress),
    });
    return transferred(out);
  },
  async spectra(config, onProgress) {
    const valid = restoreConfig(config);
    const out = await spectraConfig(valid, {
      loadFile: loadFileForBrowser,
      onProgress: progressTo(onProgress),
    });
    return transferred(out);
  },
  async checkpoint(config, port) {
    const valid = restoreConfig(config);
    const set = await registeredTensorSet();
    const plan = planSweep(valid, set.tensors);
    const post = (m: CheckpointMessage) => port?.postMessage(m);
    post({
      kind: 'plan',
      tensors: plan.map(({ info }) => ({
        name: info.name,
        shape: info.shape,
        parameters: info.shape.reduce((a, b) => a * b, 1),
      })),
    });
    const results: SweepTensorResult[] = [];
    for (const entry of plan) {
      const r = await sweepTensor(valid, set, entry);
      results.push(r);
      post({ kind: 'tensor', tensor: r, done: results.length, total: plan.length });
    }
    // Every result again in the reply: messages on `port` and the reply travel on different
    // channels, so the last ones may arrive after it; the reply is the complete record.
    return { tensors: results, summary: summarizeSweep(valid, results) };
  },
  async calibrate() {
    return runProbe(() => performance.now());
  },
  async openFiles(files) {
    return registerFiles(files);
  },
  async ping() {
    return 'pong';
  },
  holdLifeLock(name) {
    const locks = (globalThis.navigator as { locks?: LockManager } | undefined)?.locks;
    if (!locks) return Promise.resolve(false);
    return new Promise<boolean>((resolve) => {
      void locks.request(name, () => {
        resolve(true);
        return new Promise<never>(() => undefined); // held until the worker is gone
      });
    });
  },
  async injectFault(kind) {
    pendingFault = kind;
  },
};
