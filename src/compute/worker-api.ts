/**
 * What the worker exposes through Comlink. Kept out of workers/ so it can run in-process too
 * (fallback when Workers are unavailable, and unit tests).
 */
import { restoreConfig, type ExperimentConfig } from '../config/schema';
import { runConfig, type ExperimentOutput } from './experiment';
import { loadFileForBrowser, registerFiles, type OpenFileSummary } from './browser-files';

export type ProgressCallback = (done: number, total: number, stage: string) => void;

export interface WorkerApi {
  /** Run one experiment. The config is re-validated here: the worker trusts nobody. */
  run(config: ExperimentConfig, onProgress?: ProgressCallback): Promise<ExperimentOutput>;
  /** Make files the user opened available to `data.source = "file"` configs. */
  openFiles(files: readonly File[]): Promise<OpenFileSummary>;
  /** Health check and test hook. */
  ping(): Promise<string>;
}

export const workerApi: WorkerApi = {
  async run(config, onProgress) {
    const valid = restoreConfig(config);
    return runConfig(valid, {
      loadFile: loadFileForBrowser,
      onProgress: onProgress ? (d, t, s) => void onProgress(d, t, s) : undefined,
    });
  },
  async openFiles(files) {
    return registerFiles(files);
  },
  async ping() {
    return 'pong';
  },
};
