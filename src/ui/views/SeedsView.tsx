/** Seed spread (src/core/analyses/seeds.ts): mean ± 95% CI per metric, paired P(A beats B). */
import { useState } from 'react';
import type { SeedsResult } from '../../core/analyses/seeds';
import { pipelineColor } from '../panels/colors';
import { fmt } from './LineChart';

function CiPlot({ result, metric }: { result: SeedsResult; metric: string }) {
  const W = 760;
  const rowH = 26;
  const left = 260;
  const right = 24;
  const h = result.pipelines.length * rowH + 46;
  const stats = result.pipelines.map((p) => p.stats[metric]);
  const lo = Math.min(...stats.flatMap((s) => [s.lo, ...s.values]));
  const hi = Math.max(...stats.flatMap((s) => [s.hi, ...s.values]));
  const pad = (hi - lo) * 0.08 || Math.abs(hi) * 0.05 || 1;
  const x = (v: number) => left + ((v - (lo - pad)) / (hi - lo + 2 * pad)) * (W - left - right);
  const ticks = Array.from({ length: 5 }, (_, i) => lo - pad + ((hi - lo + 2 * pad) * i) / 4);
  const label = result.metrics.find((m) => m.id === metric)?.label ?? metric;
  return (
    <svg
      className="analysis-chart"
      viewBox={`0 0 ${W} ${h}`}
      role="img"
      aria-label={`${label}: mean and 95% CI over seeds`}
      data-chart="seed-spread"
      data-testid="chart-seed-spread"
    >
      <title>{`${label}: mean and 95% CI over ${result.seeds.length} seeds`}</title>
      {ticks.map((t) => (
        <g key={t}>
          <line x1={x(t)} x2={x(t)} y1={8} y2={h - 30} className="grid" />
          <text x={x(t)} y={h - 16} textAnchor="middle" className="tick">
            {fmt(t)}
          </text>
        </g>
      ))}
      <text x={(left + W - right) / 2} y={h - 2} textAnchor="middle" className="axis-label">
        {label} (dots: one seed each; bar: 95% t-interval of the mean)
      </text>
      {result.pipelines.map((p, i) => {
        const s = p.stats[metric];
        const cy = 20 + i * rowH;
        return (
          <g key={p.label}>
            <text x={left - 8} y={cy + 4} textAnchor="end" className="tick">
              {p.label.length > 38 ? `${p.label.slice(0, 37)}…` : p.label}
            </text>
            {s.values.map((v, k) => (
              <circle key={k} cx={x(v)} cy={cy} r={2.5} fill={pipelineColor(i)} opacity={0.35} />
            ))}
            <line x1={x(s.lo)} x2={x(s.hi)} y1={cy} y2={cy} stroke={pipelineColor(i)} strokeWidth={3} />
            <circle cx={x(s.mean)} cy={cy} r={5} fill={pipelineColor(i)}>
              <title>{`${p.label}: mean ${fmt(s.mean)}, 95% CI [${fmt(s.lo)}, ${fmt(s.hi)}], sd ${fmt(s.sd)}`}</title>
            </circle>
          </g>
        );
      })}
    </svg>
  );
}

export function SeedsView({ result }: { result: SeedsResult }) {
  const [metric, setMetric] = useState(result.metrics[0]?.id ?? 'vnmse');
  const pairs = result.pairs.filter((p) => p.metric === metric);
  return (
    <div className="analysis-view" data-testid="view-seeds">
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
      <CiPlot result={result} metric={metric} />
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
              <td>{p.bitsPerCoord.toFixed(3)}</td>
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
                  <td>{(100 * p.pWin).toFixed(0)}%</td>
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
