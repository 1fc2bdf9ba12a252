/**
 * Results table: every metric and bits/coordinate per pipeline. Best values are ranked at equal
 * cost: "best at ≤ B bits/coord" marks, per metric column, the best pipeline among those within
 * the budget B (lower / higher / closest to 1, per the metric's definition), every one of them on
 * a tie; pipelines over the budget are dimmed and not ranked. B is editable and starts at the
 * median bits/coord of the pipelines, so a 4.25-bit format never "wins" against 2-bit methods.
 */
import { useState } from 'react';
import { bestWithinBudget, defaultBudget } from '../../core/artifacts/rateDistortion';
import { METRICS } from '../../core/methods';
import { formatMetric } from '../../core/format-number';
import type { ExperimentOutput } from '../../engine/experiment';
import { pipelineColor } from './colors';
import { ResultsExport } from './ResultsExport';

/** A metric value as a score where lower is better. */
function score(v: number, better: 'lower' | 'higher' | 'closer-to-1'): number {
  return better === 'lower' ? v : better === 'higher' ? -v : Math.abs(v - 1);
}

/** Bits/coord as shown in the budget field (enough digits that the median pipeline fits). */
function budgetText(b: number): string {
  return String(Number(b.toFixed(4)));
}

/** "T gpu 12 ms": a stage's backend and time (the transform's time is shared by its group). */
function stageLabel(stage: string, backend: string, ms: number): string {
  return `${stage} ${backend} ${ms < 10 ? ms.toFixed(1) : ms.toFixed(0)} ms`;
}

export function ResultsTable({ output }: { output: ExperimentOutput }) {
  const { results } = output;
  // null: follow the default (median bits/coord) as the pipelines change.
  const [typed, setTyped] = useState<string | null>(null);
  const auto = defaultBudget(results.map((r) => r.bitsPerCoord));
  const parsed = typed === null ? auto : Number(typed);
  const valid = typed === null || (typed.trim() !== '' && Number.isFinite(parsed) && parsed >= 0);
  const budget = valid ? (typed === null ? auto : parsed) : auto;
  // Ulp-level slack: the field shows 4 decimals of a bits/coord like 2.03125.
  const limit = budget + 5e-5;
  const within = results.map((r) => r.bitsPerCoord <= limit);
  const best = Object.fromEntries(
    METRICS.map((m) => [
      m.id,
      new Set(
        bestWithinBudget(
          results.map((r) => ({ bitsPerCoord: r.bitsPerCoord, value: score(r.metrics[m.id], m.better) })),
          limit,
          false,
        ),
      ),
    ]),
  );
  const vnmseBest = [...(best.vnmse ?? [])];
  return (
    <div className="table-wrap">
      <ResultsExport output={output} />
      <div className="budget-bar" data-testid="budget-bar">
        <label className="param">
          <span className="param-name">best at ≤</span>
          <input
            type="number"
            min={0}
            step={0.25}
            value={typed ?? budgetText(auto)}
            onChange={(e) => setTyped(e.target.value)}
            aria-invalid={!valid}
            aria-describedby="budget-help"
            data-testid="budget-input"
          />
          <span className="param-name">bits/coord</span>
        </label>
        {typed !== null && (
          <button type="button" onClick={() => setTyped(null)} data-testid="budget-auto">
            median ({budgetText(auto)})
          </button>
        )}
        <span id="budget-help" className={valid ? 'muted' : 'flag'} data-testid="budget-summary">
          {!valid
            ? 'the budget must be a number of bits/coordinate ≥ 0'
            : vnmseBest.length === 0
              ? `no pipeline fits in ${budgetText(budget)} bits/coord`
              : `lowest vNMSE at ≤ ${budgetText(budget)} bits/coord: ${vnmseBest
                  .map((i) => results[i].label)
                  .join(' = ')}${vnmseBest.length > 1 ? ' (tie)' : ''}`}
        </span>
      </div>
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
          ★ marks the best value in each column among the pipelines at ≤ {budgetText(budget)} bits/coord (ties
          all marked); dimmed rows are over that budget.
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
            <tr
              key={i}
              data-testid={`result-row-${i}`}
              className={within[i] ? undefined : 'over-budget'}
              data-within-budget={within[i]}
            >
              <th scope="row">
                <span className="swatch" style={{ background: pipelineColor(i) }} aria-hidden="true" />
                {r.label}
              </th>
              <td data-metric="bitsPerCoord" data-value={r.bitsPerCoord}>
                {r.bitsPerCoord.toFixed(3)}
                {!within[i] && <span className="over-note"> over budget</span>}
              </td>
              {METRICS.map((m) => (
                <td
                  key={m.id}
                  data-metric={m.id}
                  data-value={r.metrics[m.id]}
                  className={best[m.id].has(i) ? 'best' : undefined}
                >
                  {formatMetric(m.id, r.metrics[m.id])}
                  {best[m.id].has(i) && (
                    <span className="star" aria-label={best[m.id].size > 1 ? 'best (tie)' : 'best'}>
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
