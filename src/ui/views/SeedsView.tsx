/** Seed spread (src/core/analyses/seeds.ts): mean ± 95% CI per metric, paired P(A beats B). */
import { useState } from 'react';
import type { SeedsResult } from '../../core/analyses/seeds';
import type { PipelineConfig } from '../../core/config/schema';
import { formatMetric, formatNumber as fmt } from '../../core/format-number';
import { colorOf } from '../panels/colors';
import { CiChart } from '../charts/CiChart';
import { useWidth } from '../charts/common';

export function SeedsView({
  result,
  pipelines = [],
  baseline,
}: {
  result: SeedsResult;
  pipelines?: readonly PipelineConfig[];
  baseline?: number;
}) {
  const [ref, width] = useWidth<HTMLDivElement>();
  const color = colorOf(pipelines);
  const [metric, setMetric] = useState(result.metrics[0]?.id ?? 'vnmse');
  const pairs = result.pairs.filter((p) => p.metric === metric);
  const label = result.metrics.find((m) => m.id === metric)?.label ?? metric;
  return (
    <div className="analysis-view" data-testid="view-seeds" ref={ref}>
      <p className="muted">
        {result.seeds.length} rotation/sketch seeds derived from the experiment seed (data fixed). Intervals
        are 95% Student-t intervals of the mean over seeds.
      </p>
      <label className="param">
        <span className="param-name">metric</span>
        <select value={metric} onChange={(e) => setMetric(e.target.value)} data-testid="seeds-metric">
          {result.metrics.map((m) => (
            <option key={m.id} value={m.id}>
              {m.label}
            </option>
          ))}
        </select>
      </label>
      <CiChart
        id="seed-spread"
        title={`${label}: mean and 95% CI over ${result.seeds.length} seeds`}
        label={label}
        rows={result.pipelines.map((p, i) => ({ label: p.label, color: color(i), ...p.stats[metric] }))}
        width={Math.max(320, width - 2)}
        baseline={baseline}
      />
      <table className="analysis-table">
        <thead>
          <tr>
            <th>pipeline</th>
            <th>bits/coord</th>
            {result.metrics.map((m) => (
              <th key={m.id}>{m.label} mean [95% CI]</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {result.pipelines.map((p) => (
            <tr key={p.label}>
              <td>{p.label}</td>
              <td>{formatMetric('bitsPerCoord', p.bitsPerCoord)}</td>
              {result.metrics.map((m) => (
                <td key={m.id}>
                  {fmt(p.stats[m.id].mean)} [{fmt(p.stats[m.id].lo)}, {fmt(p.stats[m.id].hi)}]
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      {pairs.length > 0 && (
        <table className="analysis-table" data-testid="seeds-pairs">
          <thead>
            <tr>
              <th>A</th>
              <th>B</th>
              <th>P(A beats B) on {result.metrics.find((m) => m.id === metric)?.label}</th>
              <th>mean A − B [95% CI]</th>
            </tr>
          </thead>
          <tbody>
            {pairs.map((p) => {
              const sig = p.diff.lo > 0 || p.diff.hi < 0;
              return (
                <tr key={`${p.a}-${p.b}`}>
                  <td>{result.pipelines[p.a].label}</td>
                  <td>{result.pipelines[p.b].label}</td>
                  <td>{fmt(100 * p.pWin, 3)}%</td>
                  <td className={sig ? 'flag' : undefined}>
                    {fmt(p.diff.mean)} [{fmt(p.diff.lo)}, {fmt(p.diff.hi)}]
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </div>
  );
}
