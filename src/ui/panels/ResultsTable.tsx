/**
 * Results table: every metric and bits/coordinate per pipeline, best value per column marked
 * (lower / higher / closest to 1, per the metric's definition).
 */
import { METRICS } from '../../core/methods';
import { formatMetric } from '../../core/format-number';
import type { ExperimentOutput } from '../../engine/experiment';
import { pipelineColor } from './colors';
import { ResultsExport } from './ResultsExport';

function bestIndex(values: readonly number[], better: 'lower' | 'higher' | 'closer-to-1'): number {
  let best = -1;
  let bestScore = Infinity;
  values.forEach((v, i) => {
    if (Number.isNaN(v)) return;
    const score = better === 'lower' ? v : better === 'higher' ? -v : Math.abs(v - 1);
    if (score < bestScore) {
      bestScore = score;
      best = i;
    }
  });
  return best;
}

/** "T gpu 12 ms": a stage's backend and time (the transform's time is shared by its group). */
function stageLabel(stage: string, backend: string, ms: number): string {
  return `${stage} ${backend} ${ms < 10 ? ms.toFixed(1) : ms.toFixed(0)} ms`;
}

export function ResultsTable({ output }: { output: ExperimentOutput }) {
  const { results } = output;
  const best = Object.fromEntries(
    METRICS.map((m) => [
      m.id,
      bestIndex(
        results.map((r) => r.metrics[m.id]),
        m.better,
      ),
    ]),
  );
  const bestBits = bestIndex(
    results.map((r) => r.bitsPerCoord),
    'lower',
  );
  return (
    <div className="table-wrap">
      <ResultsExport output={output} />
      <table className="results" data-testid="results-table">
        <caption>
          {output.data.source} {output.data.rows}×{output.data.dim}, seed {output.config.seed}
          {output.data.file && (
            <span data-testid="results-file">
              {' '}
              · {output.data.file.name}: {output.data.file.tensor} ({output.data.file.dtype})
              {output.data.file.subsampled ? ', seeded random subsample of rows' : ''}
            </span>
          )}
          {output.data.replacedNonFinite ? ` · ${output.data.replacedNonFinite} NaN/Inf replaced by 0` : ''}.
          ★ marks the best value in each column.
        </caption>
        <thead>
          <tr>
            <th scope="col">pipeline</th>
            <th scope="col" title="bits per coordinate including scales, norms and padding">
              bits/coord
            </th>
            {METRICS.map((m) => (
              <th
                scope="col"
                key={m.id}
                title={`${m.description} (${m.better === 'closer-to-1' ? 'closer to 1' : m.better} is better)`}
              >
                {m.label}
              </th>
            ))}
            <th
              scope="col"
              title="backend and wall-clock time of the transform and quantize stages (inverse and metrics run on the CPU)"
            >
              backend
            </th>
          </tr>
        </thead>
        <tbody>
          {results.map((r, i) => (
            <tr key={i} data-testid={`result-row-${i}`}>
              <th scope="row">
                <span className="swatch" style={{ background: pipelineColor(i) }} aria-hidden="true" />
                {r.label}
                {r.note && (
                  <small className="result-note" data-testid={`result-note-${i}`}>
                    <br />
                    {r.note}
                  </small>
                )}
              </th>
              <td
                data-metric="bitsPerCoord"
                data-value={r.bitsPerCoord}
                className={i === bestBits ? 'best' : undefined}
              >
                {r.bitsPerCoord.toFixed(3)}
                {i === bestBits && (
                  <span className="star" aria-label="best">
                    ★
                  </span>
                )}
              </td>
              {METRICS.map((m) => (
                <td
                  key={m.id}
                  data-metric={m.id}
                  data-value={r.metrics[m.id]}
                  className={best[m.id] === i ? 'best' : undefined}
                >
                  {formatMetric(m.id, r.metrics[m.id])}
                  {best[m.id] === i && (
                    <span className="star" aria-label="best">
                      ★
                    </span>
                  )}
                </td>
              ))}
              <td
                className="backend"
                data-testid={`backend-${i}`}
                data-transform={r.timingsMs.backend.transform}
                data-quantize={r.timingsMs.backend.quantize}
              >
                {stageLabel('T', r.timingsMs.backend.transform, r.timingsMs.transform)} ·{' '}
                {stageLabel('Q', r.timingsMs.backend.quantize, r.timingsMs.quantize)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
