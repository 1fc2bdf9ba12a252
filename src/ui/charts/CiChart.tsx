/**
 * Interval chart of the seed-spread analysis (src/core/analyses/seeds.ts): one row per pipeline,
 * its per-seed values as dots, the mean as a disc and the 95% Student-t interval of the mean as a
 * bar (Student 1908; any statistics text, e.g. Wasserman, All of Statistics §6.3). Same primitives
 * as every chart (common.tsx); the row labels are the legend: click / Enter / Space hides a row's
 * marks, pointing or focus highlights it, identical rows say "same as …", and with a pinned
 * baseline each tooltip gives the Δ of the means.
 */
import { useState } from 'react';
import { scaleLinear } from 'd3';
import { formatDelta, formatRatio } from '../../core/format-number';
import {
  AxisBottom,
  ChartRoot,
  TipBody,
  clipLabel,
  fmt,
  legendEntryProps,
  type TooltipState,
} from './common';
import { digestOf, sameAsLabel, sameAsOf, useLegend, legendAttrs } from './legend';

export interface CiRow {
  readonly label: string;
  readonly color: string;
  readonly mean: number;
  readonly lo: number;
  readonly hi: number;
  readonly sd: number;
  readonly values: readonly number[];
}

export interface CiChartProps {
  readonly id: string;
  readonly title: string;
  /** Axis label (the metric). */
  readonly label: string;
  readonly rows: readonly CiRow[];
  readonly width: number;
  /** Index of the pinned baseline row (Δ of the means in tooltips; its row is marked). */
  readonly baseline?: number;
}

export const CI_ROW_H = 26;
export const CI_MARGIN = { top: 12, right: 24, bottom: 46 } as const;

/** Left margin: room for the row labels (≈ 6.3 px a character), 120…260 px, ≤ 40% of the width. */
export function ciLabelWidth(labels: readonly string[], width: number): number {
  const longest = Math.max(0, ...labels.map((l) => l.length + 14));
  return Math.min(Math.max(120, 30 + longest * 6.3), 260, Math.max(120, width * 0.4));
}

/** The x domain: every value and interval end, padded by 8% of the span (±1 for a constant). */
export function ciDomain(rows: readonly CiRow[]): [number, number] {
  const all = rows.flatMap((r) => [r.lo, r.hi, ...r.values]).filter(Number.isFinite);
  if (all.length === 0) return [0, 1];
  const lo = Math.min(...all);
  const hi = Math.max(...all);
  const pad = (hi - lo) * 0.08 || Math.abs(hi) * 0.05 || 1;
  return [lo - pad, hi + pad];
}

export function CiChart({ id, title, label, rows, width, baseline }: CiChartProps) {
  const [tip, setTip] = useState<TooltipState | null>(null);
  const legend = useLegend(rows.map((r) => r.label).join('\u0000'));
  const left = ciLabelWidth(
    rows.map((r) => r.label),
    width,
  );
  const h = CI_MARGIN.top + rows.length * CI_ROW_H + CI_MARGIN.bottom;
  const plotBottom = h - CI_MARGIN.bottom;
  const x = scaleLinear()
    .domain(ciDomain(rows))
    .range([left, width - CI_MARGIN.right]);
  const labels = rows.map((r) => r.label);
  const sameAs = sameAsOf(rows.map((r) => digestOf([r.mean, r.lo, r.hi, r.sd], r.values)));
  const base = baseline !== undefined && baseline >= 0 && baseline < rows.length ? rows[baseline] : undefined;
  const key = (i: number) => `r${i}`;

  const show = (i: number, mx: number, my: number) => {
    const r = rows[i];
    setTip({
      x: mx,
      y: my,
      fx: x(r.mean),
      fy: CI_MARGIN.top + CI_ROW_H / 2 + i * CI_ROW_H,
      content: (
        <TipBody
          title={r.label}
          color={r.color}
          rows={[
            ['mean', fmt(r.mean, 6)],
            ['95% CI', `[${fmt(r.lo, 5)}, ${fmt(r.hi, 5)}]`],
            ['sd over seeds', fmt(r.sd, 4)],
            ['seeds', String(r.values.length)],
            ...(base && i !== baseline
              ? [
                  [
                    `Δ mean vs ${base.label}`,
                    `${formatDelta(r.mean - base.mean, 4)} ${formatRatio(r.mean, base.mean)}`.trim(),
                  ] as [string, string],
                ]
              : []),
          ]}
        />
      ),
    });
  };

  return (
    <ChartRoot
      id={id}
      size={{ width, height: h }}
      title={title}
      description={`${label}: mean, per-seed values and 95% interval of the mean for ${rows.length} pipelines.`}
      tooltip={tip}
      dense="svg"
      dataAttrs={{
        series: rows.filter((_, i) => legend.shown(key(i))).length,
        ...legendAttrs(legend.state),
        testid: `chart-${id}`,
      }}
      onMove={(mx, my) => {
        const i = Math.floor((my - CI_MARGIN.top) / CI_ROW_H);
        if (i >= 0 && i < rows.length && mx >= left && legend.shown(key(i))) show(i, mx, my);
        else setTip(null);
      }}
      onLeave={() => setTip(null)}
    >
      <AxisBottom
        scale={x}
        y={plotBottom}
        label={`${label} (dots: one seed each; bar: 95% t-interval of the mean)`}
        ticks={5}
        grid={plotBottom - CI_MARGIN.top}
      />
      {rows.map((r, i) => {
        const cy = CI_MARGIN.top + CI_ROW_H / 2 + i * CI_ROW_H;
        const shown = legend.shown(key(i));
        const text = (i === baseline ? '⚑ ' : '') + sameAsLabel(labels, sameAs, i, (j) => String(j + 1));
        return (
          <g key={key(i)} data-row={i}>
            <g
              transform={`translate(${left - 8},${cy})`}
              data-legend={key(i)}
              {...legendEntryProps(key(i), text, !shown, legend.toggle, legend.hover)}
            >
              <text dy="0.32em" textAnchor="end">
                {clipLabel(text, left - 16)}
                <title>{text}</title>
              </text>
            </g>
            {shown && (
              <g opacity={legend.opacity(key(i))} data-series={key(i)}>
                {r.values.map((v, k) => (
                  <circle key={k} cx={x(v)} cy={cy} r={2.5} fill={r.color} fillOpacity={0.35} />
                ))}
                <line
                  x1={x(r.lo)}
                  x2={x(r.hi)}
                  y1={cy}
                  y2={cy}
                  stroke={r.color}
                  strokeWidth={3}
                  strokeDasharray={i === baseline ? '6 3' : undefined}
                />
                <circle cx={x(r.mean)} cy={cy} r={5} fill={r.color} />
              </g>
            )}
          </g>
        );
      })}
    </ChartRoot>
  );
}
