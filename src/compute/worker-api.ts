/**
 * What the worker exposes through Comlink. Kept out of workers/ so it can run in-process too
 * (fallback when Workers are unavailable, and unit tests).
 */
import { restoreConfig, type ExperimentConfig } from '../config/schema';
import { runConfig, type ExperimentOutput } from './experiment';
import { transfer } from 'comlink';
import { spectraConfig, sweepConfig } from './analysis';
import { artifactBuffers } from '../core/analysis/artifacts';
import type { RateDistortion, Spectra } from '../core/analysis/types';
import { loadFileForBrowser, registerFiles, type OpenFileSummary } from './browser-files';

export type ProgressCallback = (done: number, total: number, stage: string) => void;

export interface RunCallOptions {
  /** Collect chart artifacts (ExperimentOutput.artifacts). Default true: the page always shows charts. */
  readonly artifacts?: boolean;
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
    onProgress?: ProgressCallback,
    options?: RunCallOptions,
  ): Promise<ExperimentOutput>;
  /** Rate–distortion sweep of every pipeline over its `bits` range (chart 1; on demand). */
  sweep(config: ExperimentConfig, onProgress?: ProgressCallback): Promise<RateDistortion>;
  /** Singular-value spectra, MP fits and sequency/frequency energy (chart 4; on demand). */
  spectra(config: ExperimentConfig, onProgress?: ProgressCallback): Promise<Spectra>;
  /** Make files the user opened available to `data.source = "file"` configs. */
  openFiles(files: readonly File[]): Promise<OpenFileSummary>;
  /** Health check and test hook. */
  ping(): Promise<string>;
}

export const workerApi: WorkerApi = {
  async run(config, onProgress, options) {
    const valid = restoreConfig(config);
    const out = await runConfig(valid, {
      loadFile: loadFileForBrowser,
      onProgress: onProgress ? (d, t, s) => void onProgress(d, t, s) : undefined,
      artifacts: options?.artifacts ?? true,
    });
    return transferred(out, out.artifacts);
  },
  async sweep(config, onProgress) {
    const valid = restoreConfig(config);
    const out = await sweepConfig(valid, {
      loadFile: loadFileForBrowser,
      onProgress: onProgress ? (d, t, s) => void onProgress(d, t, s) : undefined,
    });
    return transferred(out);
  },
  async spectra(config, onProgress) {
    const valid = restoreConfig(config);
    const out = await spectraConfig(valid, {
      loadFile: loadFileForBrowser,
      onProgress: onProgress ? (d, t, s) => void onProgress(d, t, s) : undefined,
    });
    return transferred(out);
  },
  async openFiles(files) {
    return registerFiles(files);
  },
  async ping() {
    return 'pong';
  },
};
