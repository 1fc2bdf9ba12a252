/**
 * The teaching views' worker API (src/ui/views/teach): a pipeline run once over the config's data
 * (the same loadData and orchestration order as the lab, so the numbers match), then any row traced
 * from the kept result. Runs in its own worker (workers/teach.worker.ts) so the lab's run pool is
 * never blocked by a teaching page, and in-process in tests.
 */
import { canonicalKey, restoreConfig, type ExperimentConfig } from '../core/config/schema';
import { prepareTrace, traceRow, type PreparedTrace, type VectorTrace } from '../core/teaching/trace';
import { loadData } from '../engine/experiment';

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
};

export type TeachApi = typeof teachApi;
