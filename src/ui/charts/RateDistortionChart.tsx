/**
 * Rate–distortion chart: vNMSE (log) against bits per coordinate, one series per pipeline swept
 * along its cost axis (bits; the FP formats as unconnected points; rank; outlier threshold; block:
 * src/core/artifacts/rateDistortion.ts), the Pareto frontier over all points as a
 * translucent band, the pipelines' current operating points ringed, and
 * the theory curves of src/core/artifacts/theory.ts drawn against b (their side information is 0,
 * so a pipeline's sweep sits slightly right of the curve it tends to: EDEN charges 32/d bits).
 */
import { useCallback, useMemo, useState } from 'react';
import { formatDelta, formatRatio } from '../../core/format-number';
import { digestOf, sameAsLabel, sameAsOf, useLegend, legendAttrs } from './legend';
import { line, scaleLinear, scaleLog } from 'd3';
import type { RateDistortion, RdPoint } from '../../core/artifacts/types';
import type { TheoryCurve, TheoryId } from '../../core/artifacts/theory';
import {
  AxisBottom,
  AxisLeft,
  ChartRoot,
  Legend,
  TipBody,
  decades,
  logTick,
  fmt,
  nearestPoint,
  type DenseMode,
  type LegendItem,
  type PointGroup,
  type TooltipState,
  safeLogDomain,
} from './common';

export interface OperatingPoint {
  readonly label: string;
  readonly bitsPerCoord: number;
  readonly vnmse: number;
}

export interface RateDistortionChartProps {
  /** The sweep, or undefined while it computes (theory and current points are still drawn). */
  readonly sweep: RateDistortion | undefined;
  /** The main run's points, one per pipeline (config order). */
  readonly current: readonly OperatingPoint[];
  /** Theory curves, computed in the worker with the sweep (none until the first one arrives). */
  readonly theory: readonly TheoryCurve[];
  /** The pinned baseline pipeline (config.baseline): drawn dashed, and Δ against it in tooltips. */
  readonly baseline?: number;
  readonly color: (index: number) => string;
  readonly width: number;
  readonly height?: number;
  readonly dense?: DenseMode;
}

/** The pinned baseline's sweep is dashed (and its legend swatch a dashed line). */
const BASELINE_DASH = '7 3';

/** A translucent grey band under the series: visible on both themes, never mistaken for a curve. */
const FRONTIER_COLOR = 'rgba(127, 127, 127, 0.35)';

const THEORY_STYLE: Record<TheoryId, { dash: string; className: string }> = {
  'lloyd-max': { dash: '', className: 'qs-ref' },
  'lower-bound': { dash: '2 3', className: 'qs-ref-muted' },
  'tq-upper': { dash: '7 4', className: 'qs-ref-muted' },
  'eden-unbiased': { dash: '6 3 2 3', className: 'qs-ref' },
  'tq-prod': { dash: '12 4', className: 'qs-ref' },
};

/**
 * The baseline's vNMSE at `bits` bits/coordinate: exact at one of its points, else interpolated
 * linearly in log vNMSE between its two neighbours (the chart's own geometry: a straight segment
 * on the log axis); undefined outside its range, so a Δ is only shown at bits the baseline covers.
 */
export function baselineAt(
  points: readonly Pick<RdPoint, 'bitsPerCoord' | 'vnmse'>[],
  bits: number,
): number | undefined {
  const pts = points
    .filter((p) => Number.isFinite(p.bitsPerCoord) && p.vnmse > 0 && Number.isFinite(p.vnmse))
    .sort((a, b) => a.bitsPerCoord - b.bitsPerCoord);
  for (const p of pts) if (Math.abs(p.bitsPerCoord - bits) <= 1e-9) return p.vnmse;
  for (let i = 1; i < pts.length; i++) {
    const a = pts[i - 1];
    const b = pts[i];
    if (bits > a.bitsPerCoord && bits < b.bitsPerCoord) {
      const t = (bits - a.bitsPerCoord) / (b.bitsPerCoord - a.bitsPerCoord);
      return Math.exp(Math.log(a.vnmse) + t * (Math.log(b.vnmse) - Math.log(a.vnmse)));
    }
  }
  return undefined;
}

/** Tooltip rows "Δ vs baseline" and "ratio" (none when there is no baseline value to compare). */
function deltaRows(v: number, base: number | undefined, name: string): [string, string][] {
  if (base === undefined || !Number.isFinite(v)) return [];
  return [[`Δ vs ${name}`, `${formatDelta(v - base, 4)} ${formatRatio(v, base)}`.trim()]];
}

export function RateDistortionChart({
  sweep,
  current,
  theory,
  baseline,
  color,
  width,
  height = 360,
  dense = 'canvas',
}: RateDistortionChartProps) {
  const [tip, setTip] = useState<TooltipState | null>(null);
  // Legend interaction: click / Enter / Space hides or shows a pipeline's series, pointing at or
  // focusing an entry highlights it. Reset when the pipelines change (see useLegend).
  const legend = useLegend(current.map((p) => p.label).join('\u0000'));
  const shown = (i: number) => legend.shown(`p${i}`);
  const fade = (i: number) => legend.opacity(`p${i}`);
  const base = baseline !== undefined && baseline >= 0 && baseline < current.length ? baseline : undefined;
  const legendRight = width >= 640;
  // Wide enough for the longest label (≈ 6.3 px a character), within 250…340 px.
  const longest = Math.max(0, ...current.map((p) => p.label.length), ...theory.map((c) => c.label.length));
  const legendWidth = legendRight ? Math.min(340, Math.max(250, 30 + longest * 6.3)) : 0;
  const frontier = sweep?.frontier ?? [];
  const legendRows = current.length + theory.length + 2 + (frontier.length > 0 ? 1 : 0);
  const h = legendRight ? height : height + legendRows * 15 + 10;
  const m = { top: 14, right: 16 + legendWidth, bottom: 46, left: 64 };
  const plotH = height - m.top - m.bottom;

  const allSeries = useMemo(
    () => sweep?.series.filter((s) => s.index < current.length) ?? [],
    [sweep, current.length],
  );
  const hiddenKeys = legend.state.hidden;
  const series = useMemo(
    () => allSeries.filter((s) => !hiddenKeys.has(`p${s.index}`)),
    [allSeries, hiddenKeys],
  );
  // Identical series hide each other: name the first pipeline each one duplicates.
  const sameAs = useMemo(
    () =>
      sameAsOf(
        current.map((p, i) => {
          const s = allSeries.find((x) => x.index === i);
          return s
            ? digestOf(
                s.points.map((q) => q.bitsPerCoord),
                s.points.map((q) => q.vnmse),
              )
            : digestOf([p.bitsPerCoord, p.vnmse]);
        }),
      ),
    [allSeries, current],
  );
  const baseSeries = base === undefined ? undefined : allSeries.find((s) => s.index === base);
  const baseName = base === undefined ? '' : `baseline (${base + 1})`;
  /** The baseline's vNMSE at these bits: on its sweep, or its operating point at the same bits. */
  const baseValueAt = (bits: number): number | undefined => {
    if (base === undefined) return undefined;
    if (baseSeries) return baselineAt(baseSeries.points, bits);
    const c = current[base];
    return Math.abs(c.bitsPerCoord - bits) <= 1e-9 ? c.vnmse : undefined;
  };
  const { x, y } = useMemo(() => {
    const xs: number[] = [];
    const ys: number[] = [];
    for (const s of series)
      for (const p of s.points)
        if (p.vnmse > 0 && Number.isFinite(p.vnmse)) {
          xs.push(p.bitsPerCoord);
          ys.push(p.vnmse);
        }
    for (const p of current)
      if (p.vnmse > 0 && Number.isFinite(p.vnmse)) {
        xs.push(p.bitsPerCoord);
        ys.push(p.vnmse);
      }
    for (const c of theory) {
      xs.push(...c.bits);
      ys.push(...c.values);
    }
    const xMax = Math.max(8, ...xs);
    const yMin = Math.max(1e-9, Math.min(...ys));
    const yMax = Math.max(...ys, 1);
    return {
      x: scaleLinear()
        .domain([0, Math.ceil(xMax + 0.25)])
        .range([m.left, width - m.right]),
      y: scaleLog()
        .domain(safeLogDomain(yMin / 1.5, yMax * 1.5))
        .range([m.top + plotH, m.top]),
    };
  }, [series, current, theory, width, m.left, m.right, m.top, plotH]);

  const path = line<[number, number]>()
    .x((d) => x(d[0]))
    .y((d) => y(d[1]));

  // Hover targets: sweep points, current points, theory points (in that order of groups).
  const groups: PointGroup[] = useMemo(
    () => [
      ...series.map((s) => ({
        key: `s${s.index}`,
        xs: s.points.map((p) => x(p.bitsPerCoord)),
        ys: s.points.map((p) => y(Math.max(p.vnmse, 1e-12))),
        color: color(s.index),
        radius: 3,
        alpha: 1,
      })),
      ...theory.map((c) => ({
        key: c.id,
        xs: c.bits.map((b) => x(b)),
        ys: c.values.map((v) => y(v)),
        color: 'currentColor',
        radius: 0,
        alpha: 0,
      })),
    ],
    [series, theory, x, y, color],
  );
  const currentGroup: PointGroup = useMemo(
    () => ({
      key: 'current',
      xs: current.map((p) => x(p.bitsPerCoord)),
      ys: current.map((p) => y(Math.max(p.vnmse, 1e-12))),
      color: 'none',
      radius: 6,
      alpha: 1,
    }),
    [current, x, y],
  );

  const onMove = useCallback(
    (mx: number, my: number) => {
      const all = [currentGroup, ...groups];
      const hit = nearestPoint(all, mx, my, 14);
      if (!hit) return setTip(null);
      const g = all[hit.group];
      const fx = g.xs[hit.index];
      const fy = g.ys[hit.index];
      if (hit.group === 0) {
        const p = current[hit.index];
        return setTip({
          x: mx,
          y: my,
          fx,
          fy,
          content: (
            <TipBody
              title={`${p.label} (current)`}
              color={color(hit.index)}
              rows={[
                ['bits/coord', fmt(p.bitsPerCoord, 6)],
                ['vNMSE', fmt(p.vnmse, 6)],
                ...(base !== undefined && hit.index !== base
                  ? deltaRows(p.vnmse, current[base].vnmse, `${baseName} now`)
                  : []),
              ]}
            />
          ),
        });
      }
      if (hit.group <= series.length) {
        const s = series[hit.group - 1];
        const p = s.points[hit.index];
        return setTip({
          x: mx,
          y: my,
          fx,
          fy,
          content: (
            <TipBody
              title={current[s.index]?.label ?? s.label}
              color={color(s.index)}
              rows={[
                ...(p.value !== undefined && p.value !== null
                  ? [[s.param ?? 'bits', String(p.value)] as [string, string]]
                  : Number.isNaN(p.bits)
                    ? []
                    : [[s.param ?? 'bits', String(p.bits)] as [string, string]]),
                ['bits/coord', fmt(p.bitsPerCoord, 6)],
                ['vNMSE', fmt(p.vnmse, 6)],
                ...(s.index !== base
                  ? deltaRows(p.vnmse, baseValueAt(p.bitsPerCoord), `${baseName} at these bits`)
                  : []),
              ]}
            />
          ),
        });
      }
      const c = theory[hit.group - 1 - series.length];
      setTip({
        x: mx,
        y: my,
        fx,
        fy,
        content: (
          <TipBody
            title={c.label}
            rows={[
              ['b', String(c.bits[hit.index])],
              ['vNMSE', fmt(c.values[hit.index], 6)],
            ]}
          />
        ),
      });
    },
    // baseValueAt reads base, baseSeries and current, all listed.
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [groups, currentGroup, current, series, theory, color, base, baseSeries, baseName],
  );

  const legendItems: LegendItem[] = [
    ...current.map((_, i) => ({
      key: `p${i}`,
      // ⚑ marks the pinned baseline, as in the results table (a prefix: long labels are clipped).
      label:
        (i === base ? '⚑ ' : '') +
        sameAsLabel(
          current.map((c) => c.label),
          sameAs,
          i,
          (j) => String(j + 1),
        ),
      color: color(i),
      hidden: !shown(i),
      ...(i === base ? { dash: BASELINE_DASH } : {}),
    })),
    ...theory.map((c) => ({
      key: c.id,
      label: c.label,
      color: '',
      dash: THEORY_STYLE[c.id].dash,
      className: THEORY_STYLE[c.id].className,
    })),
    ...(frontier.length > 0
      ? [{ key: 'frontier', label: 'Pareto frontier (all points)', color: FRONTIER_COLOR }]
      : []),
  ];
  const yTicks = decades(y.domain()[0], y.domain()[1]);
  const digest = current.map((p) => `${fmt(p.bitsPerCoord, 4)}:${fmt(p.vnmse, 4)}`).join(' ');

  return (
    <ChartRoot
      id="rd"
      size={{ width, height: h }}
      title="Rate–distortion"
      description="vNMSE on a log scale against bits per coordinate for every pipeline swept over its bits parameter, with Lloyd–Max, lower-bound, TurboQuant and EDEN theory curves."
      tooltip={tip}
      dense={dense}
      dataAttrs={{
        series: series.length,
        frontier: frontier.length,
        pipelines: current.length,
        sweep: sweep ? 'ready' : 'loading',
        ...legendAttrs(legend.state),
        digest,
      }}
      onMove={onMove}
      onLeave={() => setTip(null)}
    >
      <AxisLeft
        scale={y}
        x={m.left}
        label="vNMSE (log scale)"
        values={yTicks}
        format={logTick}
        grid={width - m.left - m.right}
      />
      <AxisBottom
        scale={x}
        y={m.top + plotH}
        label="bits per coordinate (incl. side information)"
        ticks={10}
        format={(v) => String(v)}
      />
      <g className="qs-theory" clipPath={undefined}>
        {theory.map((c) => (
          <path
            key={c.id}
            d={path(c.bits.map((b, i) => [b, c.values[i]])) ?? ''}
            className={THEORY_STYLE[c.id].className}
            strokeDasharray={THEORY_STYLE[c.id].dash || undefined}
            strokeWidth={1.4}
            data-theory={c.id}
          />
        ))}
      </g>
      {frontier.length > 1 && (
        <path
          data-testid="rd-frontier"
          d={path(frontier.filter((p) => p.vnmse > 0).map((p) => [p.bitsPerCoord, p.vnmse])) ?? ''}
          fill="none"
          stroke={FRONTIER_COLOR}
          strokeWidth={9}
          strokeLinecap="round"
          strokeLinejoin="round"
        />
      )}
      <g className="qs-series">
        {series.map((s) => (
          <g key={s.index} data-series-index={s.index} data-param={s.param ?? ''} opacity={fade(s.index)}>
            {/* The FP formats are separate points on one family axis, not a curve. */}
            <path
              display={s.param === 'format' ? 'none' : undefined}
              d={path(s.points.filter((p) => p.vnmse > 0).map((p) => [p.bitsPerCoord, p.vnmse])) ?? ''}
              fill="none"
              stroke={color(s.index)}
              strokeWidth={s.index === base ? 2.5 : 2}
              strokeDasharray={s.index === base ? BASELINE_DASH : undefined}
              data-baseline={s.index === base ? 'true' : undefined}
            />
            {s.points
              .filter((p) => p.vnmse > 0)
              .map((p, i) => (
                <circle key={i} cx={x(p.bitsPerCoord)} cy={y(p.vnmse)} r={3} fill={color(s.index)} />
              ))}
          </g>
        ))}
      </g>
      <g className="qs-current">
        {current.map((p, i) =>
          p.vnmse > 0 && shown(i) ? (
            <circle
              key={i}
              cx={x(p.bitsPerCoord)}
              cy={y(p.vnmse)}
              r={6}
              fill="none"
              stroke={color(i)}
              strokeWidth={2}
              data-current={i}
              opacity={fade(i)}
            />
          ) : null,
        )}
      </g>
      <Legend
        items={legendItems}
        maxWidth={legendRight ? legendWidth - 8 : width - m.left}
        x={legendRight ? width - legendWidth + 4 : m.left}
        y={legendRight ? m.top + 6 : height + 4}
        onToggle={(key) => {
          if (/^p\d+$/.test(key)) legend.toggle(key);
        }}
        onHover={(key) => legend.hover(key !== null && /^p\d+$/.test(key) ? key : null)}
      />
      {!sweep && (
        <text x={width - m.right - 6} y={m.top + 12} textAnchor="end" className="qs-muted">
          sweeping bits…
        </text>
      )}
    </ChartRoot>
  );
}
