/**
 * The teaching views' worker API (src/ui/views/teach): a pipeline run once over the config's data
 * (the same loadData and orchestration order as the lab, so the numbers match), then any row traced
 * from the kept result. Runs in its own worker (workers/teach.worker.ts) so the lab's run pool is
 * never blocked by a teaching page, and in-process in tests.
 *
 * File data (config.data.source "file": a real tensor, recorded in the link by file name, tensor
 * and SHA-256) is read from the files registered here, exactly as the lab worker reads them
 * (browser-files.ts: this worker holds its own registration); engine/file-data.ts refuses a file
 * whose tensor hashes differently from the link.
 */
import { canonicalKey, restoreConfig, type ExperimentConfig } from '../core/config/schema';
import { prepareTrace, traceRow, type PreparedTrace, type VectorTrace } from '../core/teaching/trace';
import { loadData, type DataSummary } from '../engine/experiment';
import { loadFileForBrowser, registerFiles, type OpenFileSummary } from './browser-files';
import {
  lloydMaxGaussian,
  lloydMaxSphere,
  lloydSweeps,
  type LloydMaxLaw,
  type LloydState,
} from '../core/linalg/lloydmax';

export interface LloydReply {
  readonly states: readonly LloydState[];
  /** The converged (Newton) codebook of the same law, bits and d. */
  readonly final: LloydState;
}

export interface TraceReply {
  readonly trace: VectorTrace;
  readonly rows: number;
  readonly dim: number;
  /** File data: the file's name, tensor, dtype and the tensor's SHA-256 (recorded in the link). */
  readonly file?: DataSummary['file'];
}

let kept: { key: string; prepared: PreparedTrace; file?: DataSummary['file'] } | null = null;
/** Bumped by openFiles, so a trace of file data re-reads after the user opens (another) file. */
let filesEpoch = 0;

export const teachApi = {
  /** Row `row` of pipeline `pipeline` of `config`, stage by stage. */
  async trace(input: ExperimentConfig, pipeline: number, row: number): Promise<TraceReply> {
    const config = restoreConfig(input);
    const fileData = config.data.source === 'file';
    const key = `${canonicalKey(config)}|${pipeline}|${fileData ? filesEpoch : 0}`;
    if (kept?.key !== key) {
      kept = null; // release the previous matrices before loading new ones
      const { matrix, summary } = await loadData(config, loadFileForBrowser);
      kept = { key, prepared: prepareTrace(config, matrix, pipeline), file: summary.file };
    }
    const p = kept.prepared;
    const clamped = Math.min(Math.max(0, Math.floor(row)), p.rows - 1);
    return { trace: traceRow(p, clamped), rows: p.rows, dim: p.forward[0].cols, file: kept.file };
  },
  /** Register the files the user opened (File objects, read by ranged slices); their tensors. */
  async openFiles(files: readonly File[]): Promise<OpenFileSummary> {
    const summary = await registerFiles(files);
    filesEpoch++;
    return summary;
  },
  /**
   * `sweeps` plain Lloyd sweeps and the converged codebook (up to ~0.1 s for b = 5 at d = 2, so
   * off the page's main thread).
   */
  lloyd(law: LloydMaxLaw, bits: number, d: number, sweeps: number): LloydReply {
    const cb = law === 'gaussian' ? lloydMaxGaussian(bits) : lloydMaxSphere(bits, d);
    return {
      states: lloydSweeps(law, bits, d, sweeps),
      final: { levels: cb.levels.slice(), thresholds: cb.thresholds.slice(), distortion: cb.distortion },
    };
  },
};

export type TeachApi = typeof teachApi;
