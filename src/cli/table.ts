/** Plain-text results table for `lab run` without --json. */
import type { ExperimentOutput } from '../engine/experiment';
import { METRICS } from '../core/methods';
import { formatMetric } from '../core/format-number';

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
    `permalink: ${out.permalink}`,
  ];
  return `${lines.join('\n')}\n`;
}
