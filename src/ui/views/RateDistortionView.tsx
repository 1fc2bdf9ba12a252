/**
 * Rate-distortion analysis (src/core/analyses/rate-distortion.ts): every pipeline along its cost
 * axis with the Pareto frontier, each pipeline's best point at ≤ B bits/coord and the winners there.
 */
import type { RateDistortionResult } from '../../core/analyses/rate-distortion';
import type { PipelineConfig } from '../../core/config/schema';
import { formatMetric } from '../../core/format-number';
import { RateDistortionChart } from '../charts/RateDistortionChart';
import { useWidth } from '../charts/common';
import { colorOf } from '../panels/colors';

function setting(value: number | string | null, param: string | null): string {
  if (value === null) return 'its only setting';
  return typeof value === 'string' ? value : `${param ?? 'bits'} = ${value}`;
}

export function RateDistortionView({
  result,
  pipelines,
  baseline,
}: {
  result: RateDistortionResult;
  pipelines: readonly PipelineConfig[];
  baseline?: number;
}) {
  const [ref, width] = useWidth<HTMLDivElement>();
  const sweep = {
    series: result.series.map(({ index, label, param, points }) => ({
      index,
      label,
      param,
      points: points.map(({ bits, value, bitsPerCoord, vnmse }) => ({ bits, value, bitsPerCoord, vnmse })),
    })),
    frontier: result.frontier,
  };
  // No operating points here (the table has them): the legend lists the pipelines.
  const current = result.series.map((s) => ({ label: s.label, bitsPerCoord: NaN, vnmse: NaN }));
  const best = new Set(result.bestAtBudget);
  const pipelineColor = colorOf(pipelines);
  return (
    <div className="analysis-view" data-testid="view-rate-distortion" ref={ref}>
      <RateDistortionChart
        sweep={sweep}
        current={current}
        theory={result.theory ?? []}
        baseline={baseline}
        color={pipelineColor}
        width={Math.max(320, width - 2)}
      />
      <table className="analysis-table" data-testid="rd-budget-table">
        <caption>
          Each pipeline&apos;s lowest vNMSE at ≤ {result.budget} bits/coord (★: lowest of all, ties all
          marked).
        </caption>
        <thead>
          <tr>
            <th scope="col">pipeline</th>
            <th scope="col">setting</th>
            <th scope="col">bits/coord</th>
            <th scope="col">vNMSE</th>
          </tr>
        </thead>
        <tbody>
          {result.atBudget.map((a, i) => (
            <tr key={i} data-testid={`rd-budget-${i}`} data-best={best.has(i)}>
              <th scope="row">
                <span className="swatch" style={{ background: pipelineColor(i) }} aria-hidden="true" />
                {result.series[i].label}
              </th>
              {a ? (
                <>
                  <td>{setting(a.value, result.series[i].param)}</td>
                  <td>{formatMetric('bitsPerCoord', a.bitsPerCoord)}</td>
                  <td>
                    {formatMetric('vnmse', a.vnmse)}
                    {best.has(i) && <span aria-label="best"> ★</span>}
                  </td>
                </>
              ) : (
                <td colSpan={3} className="muted">
                  no setting fits in {result.budget} bits/coord
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
      <details open>
        <summary>Pareto frontier ({result.frontier.length} points)</summary>
        <ol data-testid="rd-analysis-frontier">
          {result.frontier.map((f, k) => (
            <li key={k}>
              {result.series[f.index].label} at {setting(f.value, result.series[f.index].param)}:{' '}
              {formatMetric('bitsPerCoord', f.bitsPerCoord)} bits/coord, vNMSE{' '}
              {formatMetric('vnmse', f.vnmse)}
            </li>
          ))}
        </ol>
      </details>
    </div>
  );
}
