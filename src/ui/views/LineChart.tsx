/**
 * A small presentational line chart for the analysis views: d3 computes scales, ticks and paths,
 * React owns the DOM (DESIGN.md "Charts"). Optional error bars (lo/hi), dashed series, horizontal
 * reference lines, a legend inside the SVG (so an embedded or exported chart keeps it) and a
 * nearest-point tooltip. Colours come from the caller; text and grid use the CSS variables of
 * src/ui/app/styles.css so light and dark themes both work.
 */
import { useMemo, useState, type MouseEvent } from 'react';
import { extent, line, scaleLinear, scaleLog, type ScaleLinear, type ScaleLogarithmic } from 'd3';
import { safeLinearDomain, safeLogDomain } from '../charts/common';

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
  /** data-chart id (embed / export). */
  readonly id: string;
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly series: readonly ChartSeries[];
  readonly xLog?: boolean;
  readonly yLog?: boolean;
  readonly xTicks?: readonly number[];
  readonly xFormat?: (v: number) => string;
  readonly yFormat?: (v: number) => string;
  readonly refLines?: readonly RefLine[];
  /** Values the y axis must include (e.g. 0). */
  readonly yInclude?: readonly number[];
  readonly height?: number;
}

const W = 760;
const M = { top: 14, right: 200, bottom: 46, left: 64 };

type Scale = ScaleLinear<number, number> | ScaleLogarithmic<number, number>;

export const fmt = (v: number): string => {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e4 || a < 1e-3) return v.toExponential(2);
  return Number(v.toPrecision(4)).toString();
};

export function LineChart(props: LineChartProps) {
  const { id, title, xLabel, yLabel, series, xLog, yLog, refLines = [], height = 320 } = props;
  const xFormat = props.xFormat ?? fmt;
  const yFormat = props.yFormat ?? fmt;
  const [hover, setHover] = useState<{ s: ChartSeries; p: ChartPoint } | null>(null);
  const iw = W - M.left - M.right;
  const ih = height - M.top - M.bottom;

  const { x, y } = useMemo(() => {
    const pts = series.flatMap((s) => s.points);
    const xs = pts.map((p) => p.x).filter((v) => Number.isFinite(v) && (!xLog || v > 0));
    const ys = [
      ...pts.flatMap((p) => [p.y, p.lo ?? p.y, p.hi ?? p.y]),
      ...refLines.map((r) => r.y),
      ...(props.yInclude ?? []),
    ].filter((v) => Number.isFinite(v) && (!yLog || v > 0));
    const [x0, x1] = extent(xs) as [number, number] | [undefined, undefined];
    const [y0, y1] = extent(ys) as [number, number] | [undefined, undefined];
    const xd: [number, number] = x0 === undefined ? [1, 2] : x0 === x1 ? [x0 * 0.9, x1 * 1.1 || 1] : [x0, x1];
    let yd: [number, number] = y0 === undefined ? [0, 1] : y0 === y1 ? [y0 - 1, y1 + 1] : [y0, y1];
    const xs_: Scale = (xLog ? scaleLog() : scaleLinear())
      .domain(xLog ? safeLogDomain(xd[0], xd[1]) : safeLinearDomain(xd[0], xd[1]))
      .range([0, iw]);
    if (yLog) {
      // No .nice() on log axes: it widens to whole decades and squashes close curves together.
      yd = safeLogDomain(yd[0] / 1.15, yd[1] * 1.15);
      return { x: xs_, y: scaleLog().domain(yd).range([ih, 0]) as Scale };
    }
    const pad = (yd[1] - yd[0]) * 0.05;
    return {
      x: xs_,
      y: scaleLinear()
        .domain([yd[0] - pad, yd[1] + pad])
        .range([ih, 0])
        .nice() as Scale,
    };
  }, [series, refLines, xLog, yLog, iw, ih, props.yInclude]);

  const xTicks = props.xTicks ?? (xLog ? x.ticks(6) : x.ticks(6));
  const yTicks = yLog
    ? y.ticks(5).filter((_, i, a) => a.length <= 8 || i % Math.ceil(a.length / 8) === 0)
    : y.ticks(6);
  const path = line<ChartPoint>()
    .defined((p) => Number.isFinite(p.y) && (!yLog || p.y > 0))
    .x((p) => x(p.x))
    .y((p) => y(p.y));

  const onMove = (e: MouseEvent<SVGRectElement>) => {
    const box = e.currentTarget.getBoundingClientRect();
    const px = ((e.clientX - box.left) / box.width) * iw;
    const py = ((e.clientY - box.top) / box.height) * ih;
    let best: { s: ChartSeries; p: ChartPoint } | null = null;
    let bestD = Infinity;
    for (const s of series) {
      for (const p of s.points) {
        if (!Number.isFinite(p.y) || (yLog && p.y <= 0)) continue;
        const dd = (x(p.x) - px) ** 2 + (y(p.y) - py) ** 2;
        if (dd < bestD) {
          bestD = dd;
          best = { s, p };
        }
      }
    }
    setHover(bestD < 900 ? best : null);
  };

  return (
    <svg
      className="analysis-chart"
      viewBox={`0 0 ${W} ${height}`}
      role="img"
      aria-label={title}
      data-chart={id}
      data-testid={`chart-${id}`}
    >
      <title>{title}</title>
      <g transform={`translate(${M.left},${M.top})`}>
        {yTicks.map((t) => (
          <g key={`y${t}`} transform={`translate(0,${y(t)})`}>
            <line x2={iw} className="grid" />
            <text x={-6} dy="0.32em" textAnchor="end" className="tick">
              {yFormat(t)}
            </text>
          </g>
        ))}
        {xTicks.map((t) => (
          <g key={`x${t}`} transform={`translate(${x(t)},0)`}>
            <line y2={ih} className="grid" />
            <text y={ih + 16} textAnchor="middle" className="tick">
              {xFormat(t)}
            </text>
          </g>
        ))}
        <line y1={ih} y2={ih} x2={iw} className="axis" />
        <line y2={ih} className="axis" />
        <text x={iw / 2} y={ih + 36} textAnchor="middle" className="axis-label">
          {xLabel}
        </text>
        <text
          transform={`translate(${-50},${ih / 2}) rotate(-90)`}
          textAnchor="middle"
          className="axis-label"
        >
          {yLabel}
        </text>
        {refLines.map((r, i) =>
          Number.isFinite(r.y) && (!yLog || r.y > 0) ? (
            <g key={r.label} transform={`translate(0,${y(r.y)})`}>
              <line x2={iw} className="ref-line" />
              {/* Alternate ends so labels of close reference lines do not overprint. */}
              <text
                x={i % 2 === 0 ? iw - 4 : 4}
                dy="-0.35em"
                textAnchor={i % 2 === 0 ? 'end' : 'start'}
                className="ref-label"
              >
                {r.label}
              </text>
            </g>
          ) : null,
        )}
        {series.map((s) => (
          <g key={s.key}>
            {s.points.map((p) =>
              p.lo !== undefined && p.hi !== undefined && Number.isFinite(p.lo) && (!yLog || p.lo > 0) ? (
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
              Number.isFinite(p.y) && (!yLog || p.y > 0) ? (
                <circle key={`c${p.x}`} cx={x(p.x)} cy={y(p.y)} r={2.8} fill={s.color} />
              ) : null,
            )}
          </g>
        ))}
        <rect
          width={iw}
          height={ih}
          fill="transparent"
          onMouseMove={onMove}
          onMouseLeave={() => setHover(null)}
        />
        {hover && (
          <g
            transform={`translate(${Math.min(x(hover.p.x) + 8, iw - 190)},${Math.max(y(hover.p.y) - 44, 0)})`}
            pointerEvents="none"
          >
            <rect width={190} height={hover.p.lo !== undefined ? 52 : 40} rx={4} className="tooltip-box" />
            <text x={6} y={14} className="tooltip-text">
              {hover.s.label.length > 30 ? `${hover.s.label.slice(0, 29)}…` : hover.s.label}
            </text>
            <text x={6} y={30} className="tooltip-text">
              {`${xLabel.split(' (')[0]}: ${xFormat(hover.p.x)}  →  ${yFormat(hover.p.y)}`}
            </text>
            {hover.p.lo !== undefined && hover.p.hi !== undefined && (
              <text
                x={6}
                y={45}
                className="tooltip-text"
              >{`95% CI [${fmt(hover.p.lo)}, ${fmt(hover.p.hi)}]`}</text>
            )}
          </g>
        )}
      </g>
      <g transform={`translate(${W - M.right + 12},${M.top})`} className="legend">
        {series.map((s, i) => (
          <g key={s.key} transform={`translate(0,${i * 16})`}>
            <line x2={18} y1={6} y2={6} stroke={s.color} strokeWidth={2.5} strokeDasharray={s.dash} />
            <text x={24} y={10} className="legend-text">
              {s.label.length > 28 ? `${s.label.slice(0, 27)}…` : s.label}
            </text>
          </g>
        ))}
      </g>
    </svg>
  );
}
