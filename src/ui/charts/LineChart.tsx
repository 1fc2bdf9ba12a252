/**
 * Line chart of the analysis views (estimator, scale rule, rotation quality, channel entropy), on
 * the same primitives as every other chart (common.tsx: ChartRoot, axes, legend, tooltip, the one
 * number formatter; DESIGN.md "Charts": d3 computes scales, ticks and paths, React owns the DOM).
 * Optional error bars (lo/hi), dashed series, horizontal reference lines, an interactive legend
 * (legend.ts: toggle, highlight, "same as …") and, when a baseline series is named for a series, a
 * Δ against it in the tooltip.
 */
import { useMemo, useState } from 'react';
import { extent, line, scaleLinear, scaleLog, type ScaleLinear, type ScaleLogarithmic } from 'd3';
import { formatDelta, formatRatio } from '../../core/format-number';
import {
  AxisBottom,
  AxisLeft,
  ChartRoot,
  ClipRect,
  Legend,
  TipBody,
  decades,
  fmt,
  logTick,
  safeLinearDomain,
  safeLogDomain,
  type LegendItem,
  type TooltipState,
} from './common';
import { digestOf, sameAsLabel, sameAsOf, useLegend, legendAttrs } from './legend';

export interface ChartPoint {
  readonly x: number;
  readonly y: number;
  readonly lo?: number;
  readonly hi?: number;
}

export interface ChartSeries {
  readonly key: string;
  readonly label: string;
  readonly color: string;
  readonly dash?: string;
  readonly points: readonly ChartPoint[];
}

export interface RefLine {
  readonly y: number;
  readonly label: string;
}

export interface LineChartProps {
  /** data-chart id (embed / export / tests). */
  readonly id: string;
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly series: readonly ChartSeries[];
  readonly width: number;
  readonly height?: number;
  readonly xLog?: boolean;
  readonly yLog?: boolean;
  readonly xTicks?: readonly number[];
  readonly xFormat?: (v: number) => string;
  readonly yFormat?: (v: number) => string;
  readonly refLines?: readonly RefLine[];
  /** Values the y axis must include (e.g. 0). */
  readonly yInclude?: readonly number[];
  /** The baseline series to compare a series with (by key), e.g. the pinned pipeline's. */
  readonly baselineOf?: (key: string) => string | undefined;
}

/** Plot margins; the legend sits right of the plot when the chart is at least this wide. */
export const LINE_MARGIN = { top: 14, bottom: 46, left: 64, right: 16 } as const;
export const LEGEND_RIGHT_MIN_WIDTH = 640;

/**
 * Legend width beside the plot: the longest label (≈ 6.3 px a character) after the 24 px swatch
 * and 8 px of padding, 200…320 px (longer labels are cut with an ellipsis and a <title>).
 */
export function lineLegendWidth(labels: readonly string[]): number {
  const longest = Math.max(0, ...labels.map((l) => l.length));
  return Math.min(320, Math.max(200, 40 + longest * 6.3));
}

type Scale = ScaleLinear<number, number> | ScaleLogarithmic<number, number>;

export function LineChart(props: LineChartProps) {
  const { id, title, xLabel, yLabel, series, xLog, yLog, refLines = [], width, height = 320 } = props;
  const xFormat = props.xFormat ?? fmt;
  const yFormat = props.yFormat ?? (yLog ? logTick : fmt);
  const [tip, setTip] = useState<TooltipState | null>(null);
  const legend = useLegend(series.map((s) => `${s.key}\u0001${s.label}`).join('\u0000'));

  const legendRight = width >= LEGEND_RIGHT_MIN_WIDTH;
  const legendW = legendRight ? lineLegendWidth(series.map((s) => s.label)) : 0;
  const m = { ...LINE_MARGIN, right: LINE_MARGIN.right + legendW };
  const plotW = Math.max(40, width - m.left - m.right);
  const plotH = height - m.top - m.bottom;
  const totalH = legendRight ? height : height + 8 + series.length * 15 + 6;

  const ok = (v: number, log: boolean | undefined) => Number.isFinite(v) && (!log || v > 0);
  const { x, y } = useMemo(() => {
    // The domain covers every series, shown or not: hiding one never moves the axes.
    const pts = series.flatMap((s) => s.points);
    const xs = pts.map((p) => p.x).filter((v) => ok(v, xLog));
    const ys = [
      ...pts.flatMap((p) => [p.y, p.lo ?? p.y, p.hi ?? p.y]),
      ...refLines.map((r) => r.y),
      ...(props.yInclude ?? []),
    ].filter((v) => ok(v, yLog));
    const [x0, x1] = extent(xs) as [number, number] | [undefined, undefined];
    const [y0, y1] = extent(ys) as [number, number] | [undefined, undefined];
    const xd: [number, number] = x0 === undefined ? [1, 2] : [x0, x1 ?? x0];
    const xScale: Scale = (xLog ? scaleLog() : scaleLinear())
      .domain(xLog ? safeLogDomain(xd[0], xd[1]) : safeLinearDomain(xd[0], xd[1]))
      .range([m.left, m.left + plotW]);
    if (yLog) {
      // No .nice() on log axes: it widens to whole decades and squashes close curves together.
      const yd = y0 === undefined ? safeLogDomain(0.1, 1) : safeLogDomain(y0 / 1.15, (y1 ?? y0) * 1.15);
      return {
        x: xScale,
        y: scaleLog()
          .domain(yd)
          .range([m.top + plotH, m.top]) as Scale,
      };
    }
    const [a, b] = y0 === undefined ? [0, 1] : safeLinearDomain(y0, y1 ?? y0);
    const pad = (b - a) * 0.05;
    // Non-negative data (entropies, errors) never gets a negative axis from the padding.
    return {
      x: xScale,
      y: scaleLinear()
        .domain([a >= 0 ? Math.max(0, a - pad) : a - pad, b + pad])
        .range([m.top + plotH, m.top])
        .nice() as Scale,
    };
  }, [series, refLines, xLog, yLog, m.left, m.top, plotW, plotH, props.yInclude]);

  const sameAs = useMemo(
    () =>
      sameAsOf(
        series.map((s) =>
          digestOf(
            s.points.map((p) => p.x),
            s.points.map((p) => p.y),
            s.points.map((p) => p.lo ?? NaN),
            s.points.map((p) => p.hi ?? NaN),
          ),
        ),
      ),
    [series],
  );
  const labels = series.map((s) => s.label);
  const shown = series.filter((s) => legend.shown(s.key));

  const xTicks = props.xTicks ?? (xLog ? decades(x.domain()[0], x.domain()[1]) : x.ticks(6));
  const yTicks = yLog ? decades(y.domain()[0], y.domain()[1]) : y.ticks(6);
  const path = line<ChartPoint>()
    .defined((p) => ok(p.x, xLog) && ok(p.y, yLog))
    .x((p) => x(p.x))
    .y((p) => y(p.y));

  const onMove = (mx: number, my: number) => {
    let best: { s: ChartSeries; p: ChartPoint } | null = null;
    let bestD = 30 * 30;
    for (const s of shown)
      for (const p of s.points) {
        if (!ok(p.x, xLog) || !ok(p.y, yLog)) continue;
        const dd = (x(p.x) - mx) ** 2 + (y(p.y) - my) ** 2;
        if (dd < bestD) {
          bestD = dd;
          best = { s, p };
        }
      }
    if (!best) return setTip(null);
    const { s, p } = best;
    const baseKey = props.baselineOf?.(s.key);
    const base =
      baseKey !== undefined && baseKey !== s.key ? series.find((t) => t.key === baseKey) : undefined;
    const bp = base?.points.find((q) => q.x === p.x);
    setTip({
      x: mx,
      y: my,
      fx: x(p.x),
      fy: y(p.y),
      content: (
        <TipBody
          title={s.label}
          color={s.color}
          rows={[
            [xLabel.split(' (')[0], xFormat(p.x)],
            [yLabel.split(' (')[0], fmt(p.y, 6)],
            ...(p.lo !== undefined && p.hi !== undefined
              ? [['95% CI', `[${fmt(p.lo)}, ${fmt(p.hi)}]`] as [string, string]]
              : []),
            ...(base && bp && Number.isFinite(bp.y)
              ? [
                  [
                    `Δ vs ${base.label}`,
                    `${formatDelta(p.y - bp.y, 4)} ${formatRatio(p.y, bp.y)}`.trim(),
                  ] as [string, string],
                ]
              : []),
          ]}
        />
      ),
    });
  };

  const legendItems: LegendItem[] = series.map((s, i) => ({
    key: s.key,
    label: sameAsLabel(labels, sameAs, i),
    color: s.color,
    dash: s.dash ?? '',
    hidden: !legend.shown(s.key),
  }));
  const clip = `qs-${id}-clip`;

  return (
    <ChartRoot
      id={id}
      size={{ width, height: totalH }}
      title={title}
      description={`${yLabel} against ${xLabel}: ${series.length} series.`}
      tooltip={tip}
      dense="svg"
      dataAttrs={{
        series: shown.length,
        ...legendAttrs(legend.state),
        testid: `chart-${id}`,
      }}
      onMove={onMove}
      onLeave={() => setTip(null)}
    >
      <ClipRect id={clip} x={m.left} y={m.top - 4} width={plotW} height={plotH + 8} />
      <AxisLeft scale={y} x={m.left} label={yLabel} values={yTicks} format={yFormat} grid={plotW} />
      <AxisBottom scale={x} y={m.top + plotH} label={xLabel} values={xTicks} format={xFormat} grid={plotH} />
      <g className="qs-refs">
        {refLines.map((r, i) =>
          ok(r.y, yLog) ? (
            <g key={r.label} transform={`translate(0,${y(r.y)})`} data-ref={r.label}>
              <line x1={m.left} x2={m.left + plotW} className="qs-ref-muted" strokeDasharray="4 3" />
              {/* Alternate ends so labels of close reference lines do not overprint. */}
              <text
                x={i % 2 === 0 ? m.left + plotW - 4 : m.left + 4}
                dy="-0.35em"
                textAnchor={i % 2 === 0 ? 'end' : 'start'}
                className="qs-muted"
              >
                {r.label}
              </text>
            </g>
          ) : null,
        )}
      </g>
      <g className="qs-series" clipPath={`url(#${clip})`}>
        {shown.map((s) => (
          <g key={s.key} data-series={s.key} opacity={legend.opacity(s.key)}>
            {s.points.map((p) =>
              p.lo !== undefined &&
              p.hi !== undefined &&
              ok(p.x, xLog) &&
              ok(p.lo, yLog) &&
              ok(p.hi, yLog) ? (
                <line
                  key={`e${p.x}`}
                  x1={x(p.x)}
                  x2={x(p.x)}
                  y1={y(p.lo)}
                  y2={y(p.hi)}
                  stroke={s.color}
                  strokeWidth={1.5}
                />
              ) : null,
            )}
            <path
              d={path(s.points as ChartPoint[]) ?? ''}
              fill="none"
              stroke={s.color}
              strokeWidth={2}
              strokeDasharray={s.dash}
            />
            {s.points.map((p) =>
              ok(p.x, xLog) && ok(p.y, yLog) ? (
                <circle key={`c${p.x}`} cx={x(p.x)} cy={y(p.y)} r={2.8} fill={s.color} />
              ) : null,
            )}
          </g>
        ))}
      </g>
      <Legend
        items={legendItems}
        x={legendRight ? width - legendW + 4 : m.left}
        y={legendRight ? m.top + 6 : height + 8}
        maxWidth={legendRight ? legendW - 8 : width - m.left - m.right}
        onToggle={legend.toggle}
        onHover={legend.hover}
      />
    </ChartRoot>
  );
}
