/** Plain-text results table for `lab run` without --json. */
import type { ExperimentOutput } from '../engine/experiment';
import { METRICS } from '../core/methods';
import { formatMetric } from '../core/format-number';
import type { RateDistortionResult } from '../core/analyses/rate-distortion';

/** The rate-distortion analysis as text: the Pareto frontier and the winners at the budget. */
function formatRateDistortion(rd: RateDistortionResult, labels: readonly string[]): string[] {
  const at = (v: number | string | null, param: string | null) =>
    v === null ? '' : typeof v === 'string' ? ` [${v}]` : ` [${param ?? ''}=${v}]`;
  const param = (i: number) => rd.series[i]?.param ?? null;
  return [
    'Pareto frontier (bits/coord → vNMSE):',
    ...rd.frontier.map(
      (f) =>
        `  ${f.bitsPerCoord.toFixed(4).padStart(9)}  ${formatMetric('vnmse', f.vnmse).padStart(9)}  ${labels[f.index]}${at(f.value, param(f.index))}`,
    ),
    `best at ≤ ${rd.budget} bits/coord: ${
      rd.bestAtBudget.length === 0
        ? 'no pipeline fits'
        : rd.bestAtBudget.map((i) => `${labels[i]}${at(rd.atBudget[i]?.value ?? null, param(i))}`).join(' = ')
    }`,
  ];
}

export function formatResultsTable(out: ExperimentOutput): string {
  const header = ['pipeline', 'bits/coord', ...METRICS.map((m) => m.id)];
  const rows = out.results.map((r) => [
    r.label,
    r.bitsPerCoord.toFixed(4),
    ...METRICS.map((m) => formatMetric(m.id, r.metrics[m.id])),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const fmt = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  const lines = [
    `data: ${out.data.source} ${out.data.rows}×${out.data.dim}, seed ${out.config.seed}`,
    fmt(header),
    fmt(header.map((_, i) => '-'.repeat(widths[i]))),
    ...rows.map(fmt),
    ...out.results.flatMap((r) => (r.note ? [`note (${r.label}): ${r.note}`] : [])),
    ...(out.config.numerics?.metricDomain === 'transformed'
      ? [
          `metric domain: transformed (after the last transform) for ${out.results.filter((r) => r.metricDomain === 'transformed').length} of ${out.results.length} pipelines`,
        ]
      : []),
    ...(out.config.numerics?.denseProducts === 'float32'
      ? ['dense products: float32 arithmetic (Householder rotations, QJL sketches; CONTRACT.md §5.2)']
      : []),
    ...(out.analysis?.kind === 'rate-distortion'
      ? formatRateDistortion(
          out.analysis,
          out.results.map((r) => r.label),
        )
      : []),
    `permalink: ${out.permalink}`,
  ];
  return `${lines.join('\n')}\n`;
}
