/**
 * Before a long run: the estimate on this device in words, what dominates it, and Run / Don't run
 * (src/ui/bridge/useRunGate.ts decides when to ask; src/core/run-estimate.ts and
 * src/engine/calibrate.ts compute the numbers).
 */
import type { ExperimentConfig } from '../../core/config/schema';
import { pipelineLabel } from '../../core/pipeline';
import { secondsInWords } from '../../core/run-estimate';
import type { RunGate } from '../bridge/useRunGate';
import './progress.css';

/** `pipelines[2].transform (haar d×d rotation)` → `pipeline 3 (Haar → EDEN): transform (haar d×d rotation)`. */
export function componentInWords(what: string, config: ExperimentConfig): string {
  const m = /^pipelines\[(\d+)\]\.(.*)$/.exec(what);
  if (!m) return what;
  const i = Number(m[1]);
  const p = config.pipelines[i];
  return `pipeline ${i + 1}${p ? ` (${p.label ?? pipelineLabel(p)})` : ''}: ${m[2]}`;
}

function flopsInWords(flops: number): string {
  return flops >= 1e9 ? `${(flops / 1e9).toFixed(1)}·10⁹` : `${(flops / 1e6).toFixed(0)}·10⁶`;
}

export interface RunEstimateProps {
  readonly gate: RunGate;
  readonly config: ExperimentConfig;
  readonly onRun: () => void;
  readonly onDecline: () => void;
}

export function RunEstimate({ gate, config, onRun, onDecline }: RunEstimateProps) {
  if (gate.phase === 'checking' || !gate.estimate)
    return (
      <div className="status" data-testid="run-estimating">
        estimating the run time on this device…
      </div>
    );
  const e = gate.estimate;
  const dominant = e.dominant;
  const declined = gate.phase === 'declined';
  return (
    <div
      className="status run-estimate"
      role="group"
      aria-label="run estimate"
      data-testid="run-estimate"
      data-seconds={e.seconds}
      data-phase={gate.phase}
    >
      <p>
        {declined ? 'Not run. ' : ''}This run would take{' '}
        <strong data-testid="run-estimate-time">{secondsInWords(e.seconds)}</strong> on this device
        <span className="muted">
          {' '}
          (an estimate: {flopsInWords(e.flops)} modelled operations for {e.pipelines} pipeline
          {e.pipelines === 1 ? '' : 's'}
          {e.parts > 1 ? ` on ${e.parts} workers` : ''}, at the {flopsInWords(e.rate)} per second this device
          measured)
        </span>
        .
        {dominant && (
          <>
            {' '}
            Most of it is{' '}
            <span data-testid="run-estimate-dominant">{componentInWords(dominant.what, config)}</span> (
            {Math.round(dominant.share * 100)}%).
          </>
        )}
      </p>
      <span className="run-estimate-actions">
        <button type="button" className="primary" onClick={onRun} data-testid="run-confirm">
          Run
        </button>
        {!declined && (
          <button type="button" onClick={onDecline} data-testid="run-decline">
            Don&apos;t run
          </button>
        )}
      </span>
    </div>
  );
}
