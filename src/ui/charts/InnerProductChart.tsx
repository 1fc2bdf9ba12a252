/**
 * Inner products (chart 5): ⟨q,x̂⟩ against ⟨q,x⟩ for seeded unit queries q, one colour per
 * pipeline, with each pipeline's least-squares line through the origin and the line y = x. A slope
 * below 1 is the multiplicative bias of an MSE-optimal (shrinking) quantizer: EDEN-mse and
 * TurboQuant_mse tend to 1 − D_b; unbiased estimators (EDEN-unbiased, QJL, TurboQuant_prod) to 1
 * (ALGORITHMS.md). Points on the canvas; with dense="svg" they are SVG circles.
 */
import { useCallback, useMemo, useState } from 'react';
import { scaleLinear } from 'd3';
import type { InnerProducts } from '../../core/artifacts/types';
import { formatDelta } from '../../core/format-number';
import { digestOf, sameAsLabel, sameAsOf, useLegend, legendAttrs } from './legend';
import {
  AxisBottom,
  AxisLeft,
  ChartRoot,
  ClipRect,
  ReadoutTable,
  SvgPoints,
  TipBody,
  drawPoints,
  fmt,
  nearestPoint,
  useCanvas,
  type DenseMode,
  type PointGroup,
  type TooltipState,
  safeLinearDomain,
} from './common';

export interface InnerProductSeries {
  readonly label: string;
  readonly ip: InnerProducts;
}

export interface InnerProductChartProps {
  readonly series: readonly InnerProductSeries[];
  readonly color: (index: number) => string;
  /** The pinned baseline pipeline: its slope line dashed, Δ slope against it in tooltips. */
  readonly baseline?: number;
  readonly width: number;
  readonly height?: number;
  readonly dense?: DenseMode;
}

export function InnerProductChart({
  series,
  color,
  baseline,
  width,
  height = 380,
  dense = 'canvas',
}: InnerProductChartProps) {
  const [tip, setTip] = useState<TooltipState | null>(null);
  const legend = useLegend(series.map((s) => s.label).join('\u0000'));
  const key = (i: number) => `p${i}`;
  const sameAs = useMemo(
    () => sameAsOf(series.map((s) => digestOf(s.ip.exact, s.ip.estimate, [s.ip.slope]))),
    [series],
  );
  const base = baseline !== undefined && baseline >= 0 && baseline < series.length ? baseline : undefined;
  const m = { top: 14, right: 20, bottom: 46, left: 64 };
  // A square plot reads slopes honestly; centre it when the chart is wide.
  const plot = Math.min(height - m.top - m.bottom, width - m.left - m.right);
  // Wide charts put the read-out table beside the square plot instead of under it.
  const beside = width - m.left - m.right - plot >= 380;
  const x0 = m.left;
  const tableX = beside ? x0 + plot + 40 : m.left;
  const tableY = beside ? m.top + 20 : height + 8;
  const tableW = beside ? width - tableX - m.right : width - m.left - m.right;
  const totalH = beside
    ? Math.max(height, tableY + (series.length + 1) * 15 + 6)
    : height + 8 + (series.length + 1) * 15 + 6;

  const scales = useMemo(() => {
    let r = 0;
    for (const s of series)
      for (let i = 0; i < s.ip.exact.length; i++)
        for (const v of [s.ip.exact[i], s.ip.estimate[i]])
          if (Number.isFinite(v)) r = Math.max(r, Math.abs(v));
    const dom = safeLinearDomain(-r, r);
    return {
      x: scaleLinear()
        .domain(dom)
        .range([x0, x0 + plot])
        .nice(),
      y: scaleLinear()
        .domain(dom)
        .range([m.top + plot, m.top])
        .nice(),
    };
  }, [series, x0, plot, m.top]);

  // Hidden series draw nothing (an empty group keeps indices aligned with `series`); a
  // highlighted one keeps its alpha while the others fade.
  const hidden = legend.state.hidden;
  const hover = legend.state.hover;
  const groups: PointGroup[] = useMemo(
    () =>
      series.map((s, i) => {
        const off = hidden.has(key(i));
        const a = series.length > 1 ? 0.45 : 0.7;
        return {
          key: `ip${i}`,
          xs: off ? [] : Array.from(s.ip.exact, (v) => scales.x(v)),
          ys: off ? [] : Array.from(s.ip.estimate, (v) => scales.y(v)),
          color: color(i),
          radius: 1.8,
          alpha: hover !== null && hover !== key(i) ? a * 0.2 : a,
        };
      }),
    [series, scales, color, hidden, hover],
  );
  const draw = useCallback((ctx: CanvasRenderingContext2D) => drawPoints(ctx, groups), [groups]);
  const canvasRef = useCanvas(draw, { width, height: totalH }, dense === 'canvas');

  const onMove = (mx: number, my: number) => {
    const hit = nearestPoint(groups, mx, my, 8);
    if (!hit) return setTip(null);
    const s = series[hit.group];
    const a = s.ip.exact[hit.index];
    const b = s.ip.estimate[hit.index];
    setTip({
      x: mx,
      y: my,
      fx: groups[hit.group].xs[hit.index],
      fy: groups[hit.group].ys[hit.index],
      content: (
        <TipBody
          title={s.label}
          color={color(hit.group)}
          rows={[
            ['⟨q,x⟩', fmt(a, 6)],
            ['⟨q,x̂⟩', fmt(b, 6)],
            ['ratio', fmt(b / a, 5)],
            ['fitted slope', fmt(s.ip.slope, 5)],
            ...(base !== undefined && hit.group !== base
              ? [
                  [
                    `Δ slope vs ${series[base].label}`,
                    formatDelta(s.ip.slope - series[base].ip.slope, 4),
                  ] as [string, string],
                ]
              : []),
          ]}
        />
      ),
    });
  };

  const [d0, d1] = scales.x.domain();
  const q = series[0]?.ip;
  return (
    <ChartRoot
      id="ip"
      size={{ width, height: totalH }}
      title="Inner products"
      description="Estimated inner products ⟨q,x̂⟩ against exact ⟨q,x⟩ for seeded unit queries, with each pipeline's fitted slope and the line y = x."
      tooltip={tip}
      canvasRef={canvasRef}
      dense={dense}
      dataAttrs={{
        series: series.length - hidden.size,
        ...legendAttrs(legend.state),
        digest: series.map((s) => fmt(s.ip.slope, 5)).join(' '),
      }}
      onMove={onMove}
      onLeave={() => setTip(null)}
    >
      <ClipRect id="qs-ip-clip" x={x0} y={m.top} width={plot} height={plot} />
      <AxisLeft scale={scales.y} x={x0} label="⟨q, x̂⟩ (estimate)" grid={plot} />
      <AxisBottom scale={scales.x} y={m.top + plot} label="⟨q, x⟩ (exact, unit query q)" ticks={8} />
      {dense === 'svg' && <SvgPoints groups={groups} />}
      <g clipPath="url(#qs-ip-clip)">
        <line
          x1={scales.x(d0)}
          y1={scales.y(d0)}
          x2={scales.x(d1)}
          y2={scales.y(d1)}
          className="qs-ref-muted"
          strokeDasharray="4 3"
          strokeWidth={1.5}
          data-ref="identity"
        />
        {series.map((s, i) =>
          Number.isFinite(s.ip.slope) && legend.shown(key(i)) ? (
            <line
              key={i}
              x1={scales.x(d0)}
              y1={scales.y(s.ip.slope * d0)}
              x2={scales.x(d1)}
              y2={scales.y(s.ip.slope * d1)}
              stroke={color(i)}
              strokeWidth={i === base ? 2.5 : 2}
              strokeDasharray={i === base ? '7 3' : undefined}
              opacity={legend.opacity(key(i))}
              data-series-index={i}
            />
          ) : null,
        )}
      </g>
      <text x={x0 + 8} y={m.top + 14} className="qs-muted">
        {q ? `${q.queries} queries × ${q.rowsUsed} rows per pipeline` : ''}
      </text>
      <ReadoutTable
        x={tableX}
        y={tableY}
        width={tableW}
        header={['slope', 'R²']}
        rows={series.map((s, i) => ({
          key: key(i),
          label:
            (i === base ? '⚑ ' : '') +
            sameAsLabel(
              series.map((t) => t.label),
              sameAs,
              i,
              (j) => String(j + 1),
            ),
          color: color(i),
          values: [fmt(s.ip.slope, 4), fmt(s.ip.r2, 4)],
          hidden: !legend.shown(key(i)),
        }))}
        onToggle={legend.toggle}
        onHover={legend.hover}
      />
    </ChartRoot>
  );
}
