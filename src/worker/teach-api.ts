/**
 * The teaching views' worker API (src/ui/views/teach): a pipeline run once over the config's data
 * (the same loadData and orchestration order as the lab, so the numbers match), then any row traced
 * from the kept result. Runs in its own worker (workers/teach.worker.ts) so the lab's run pool is
 * never blocked by a teaching page, and in-process in tests.
 */
import { canonicalKey, restoreConfig, type ExperimentConfig } from '../core/config/schema';
import { prepareTrace, traceRow, type PreparedTrace, type VectorTrace } from '../core/teaching/trace';
import { loadData } from '../engine/experiment';
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
}

let kept: { key: string; prepared: PreparedTrace } | null = null;

export const teachApi = {
  /** Row `row` of pipeline `pipeline` of `config`, stage by stage. */
  async trace(input: ExperimentConfig, pipeline: number, row: number): Promise<TraceReply> {
    const config = restoreConfig(input);
    const key = `${canonicalKey(config)}|${pipeline}`;
    if (kept?.key !== key) {
      kept = null; // release the previous matrices before loading new ones
      const { matrix } = await loadData(config);
      kept = { key, prepared: prepareTrace(config, matrix, pipeline) };
    }
    const p = kept.prepared;
    const clamped = Math.min(Math.max(0, Math.floor(row)), p.rows - 1);
    return { trace: traceRow(p, clamped), rows: p.rows, dim: p.forward[0].cols };
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
