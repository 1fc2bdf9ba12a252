/**
 * Error view (chart 3): left, the histogram of x̂ − x per pipeline (density); right, a
 * seeded sample of (x, x̂) coordinate pairs per pipeline (the same positions for every pipeline)
 * against y = x. The scatter goes on the canvas; with dense="svg" it is SVG circles.
 * The histogram's x range is ±5 error RMS of the widest pipeline (or its largest error, if
 * smaller), so one pipeline's rare large error does not squash the others into a spike.
 */
import { useCallback, useMemo, useState } from 'react';
import { scaleLinear } from 'd3';
import type { Distribution } from '../../core/artifacts/types';
import { digestOf, sameAsLabel, sameAsOf, useLegend, legendAttrs } from './legend';
import {
  AxisBottom,
  AxisLeft,
  ChartRoot,
  ClipRect,
  clipLabel,
  ReadoutTable,
  SvgPoints,
  TipBody,
  densities,
  drawPoints,
  fmt,
  nearestPoint,
  stepPath,
  useCanvas,
  type DenseMode,
  type PointGroup,
  type TooltipState,
  safeLinearDomain,
} from './common';

export interface ErrorSeries {
  readonly label: string;
  readonly error: Distribution;
  readonly sampleX: Float32Array;
  readonly sampleXHat: Float32Array;
}

export interface ErrorViewProps {
  readonly series: readonly ErrorSeries[];
  readonly color: (index: number) => string;
  readonly width: number;
  readonly height?: number;
  readonly dense?: DenseMode;
}

export function ErrorView({ series, color, width, height = 320, dense = 'canvas' }: ErrorViewProps) {
  const [tip, setTip] = useState<TooltipState | null>(null);
  const legend = useLegend(series.map((s) => s.label).join('\u0000'));
  const key = (i: number) => `p${i}`;
  const hidden = legend.state.hidden;
  const hover = legend.state.hover;
  const sameAs = useMemo(
    () =>
      sameAsOf(series.map((s) => digestOf(s.error.histogram.edges, s.error.histogram.counts, s.sampleXHat))),
    [series],
  );
  // Side by side from 640 px: a 720 px embed frame (its chart is ~716 px) gets the short layout.
  const side = width >= 640;
  const gap = 70;
  const m = { top: 24, bottom: 46, left: 64, right: 16 };
  const panelW = side ? (width - m.left - m.right - gap) / 2 : width - m.left - m.right;
  const panelH = height - m.top - m.bottom;
  // Panel origins: histogram (hx, top), scatter (sx, sy).
  const hx = m.left;
  const sx = side ? m.left + panelW + gap : m.left;
  const sy = side ? m.top : height + m.top;
  const totalPlotH = side ? height : 2 * height;
  const totalH = totalPlotH + 8 + (series.length + 1) * 15 + 6;

  const dens = useMemo(
    () =>
      series.map((s) =>
        densities(s.error.histogram.edges, s.error.histogram.counts, s.error.histogram.total),
      ),
    [series],
  );
  const hxScale = useMemo(() => {
    let r = 0;
    for (const s of series) {
      const e = s.error.histogram.edges;
      const rms = Math.hypot(s.error.summary.std, s.error.summary.mean);
      r = Math.max(r, Math.min(Math.max(Math.abs(e[0]), Math.abs(e[e.length - 1])), 5 * rms));
    }
    return scaleLinear()
      .domain([-(r || 1), r || 1])
      .range([hx, hx + panelW])
      .nice();
  }, [series, hx, panelW]);
  const hyScale = useMemo(() => {
    let hi = 0;
    const [a, b] = hxScale.domain();
    series.forEach((s, i) => {
      const e = s.error.histogram.edges;
      for (let k = 0; k < dens[i].length; k++) if (e[k + 1] > a && e[k] < b) hi = Math.max(hi, dens[i][k]);
    });
    return scaleLinear()
      .domain([0, hi * 1.05 || 1])
      .range([m.top + panelH, m.top])
      .nice();
  }, [series, dens, hxScale, m.top, panelH]);

  const sScale = useMemo(() => {
    let r = 0;
    for (const s of series)
      for (let i = 0; i < s.sampleX.length; i++)
        for (const v of [s.sampleX[i], s.sampleXHat[i]]) if (Number.isFinite(v)) r = Math.max(r, Math.abs(v));
    const dom = safeLinearDomain(-r, r);
    return {
      x: scaleLinear()
        .domain(dom)
        .range([sx, sx + panelW])
        .nice(),
      y: scaleLinear()
        .domain(dom)
        .range([sy + panelH, sy])
        .nice(),
    };
  }, [series, sx, sy, panelW, panelH]);

  const groups: PointGroup[] = useMemo(
    () =>
      series.map((s, i) => {
        const off = hidden.has(key(i));
        const a = series.length > 1 ? 0.45 : 0.7;
        return {
          key: `e${i}`,
          xs: off ? [] : Array.from(s.sampleX, (v) => sScale.x(v)),
          ys: off ? [] : Array.from(s.sampleXHat, (v) => sScale.y(v)),
          color: color(i),
          radius: 1.6,
          alpha: hover !== null && hover !== key(i) ? a * 0.2 : a,
        };
      }),
    [series, sScale, color, hidden, hover],
  );
  const draw = useCallback((ctx: CanvasRenderingContext2D) => drawPoints(ctx, groups), [groups]);
  const canvasRef = useCanvas(draw, { width, height: totalH }, dense === 'canvas');

  const onMove = (mx: number, my: number) => {
    if (mx >= sx && my >= sy && my <= sy + panelH) {
      const hit = nearestPoint(groups, mx, my, 8);
      if (!hit) return setTip(null);
      const s = series[hit.group];
      const xv = s.sampleX[hit.index];
      const xh = s.sampleXHat[hit.index];
      return setTip({
        x: mx,
        y: my,
        fx: groups[hit.group].xs[hit.index],
        fy: groups[hit.group].ys[hit.index],
        content: (
          <TipBody
            title={s.label}
            color={color(hit.group)}
            rows={[
              ['x', fmt(xv, 6)],
              ['x̂', fmt(xh, 6)],
              ['x̂ − x', fmt(xh - xv, 6)],
            ]}
          />
        ),
      });
    }
    if (mx >= hx && mx <= hx + panelW && my >= m.top && my <= m.top + panelH) {
      const v = hxScale.invert(mx);
      let best = -1;
      let bestD = 14;
      let bin = -1;
      series.forEach((s, i) => {
        if (hidden.has(key(i))) return;
        const e = s.error.histogram.edges;
        const b = Math.floor(((v - e[0]) / (e[e.length - 1] - e[0])) * (e.length - 1));
        if (b < 0 || b >= e.length - 1) return;
        const d = Math.abs(hyScale(dens[i][b]) - my);
        if (d < bestD) {
          bestD = d;
          best = i;
          bin = b;
        }
      });
      if (best < 0) return setTip(null);
      const h = series[best].error.histogram;
      return setTip({
        x: mx,
        y: my,
        content: (
          <TipBody
            title={series[best].label}
            color={color(best)}
            rows={[
              ['x̂ − x in', `[${fmt(h.edges[bin], 5)}, ${fmt(h.edges[bin + 1], 5)})`],
              ['count', String(h.counts[bin])],
              ['density', fmt(dens[best][bin], 5)],
            ]}
          />
        ),
      });
    }
    setTip(null);
  };

  const [d0, d1] = sScale.x.domain();
  return (
    <ChartRoot
      id="error"
      size={{ width, height: totalH }}
      title="Quantization error"
      description="Histogram of the reconstruction error x̂ − x per pipeline, and a scatter of sampled coordinates x against their reconstruction x̂ with the line x̂ = x."
      tooltip={tip}
      canvasRef={canvasRef}
      dense={dense}
      dataAttrs={{
        series: series.length - hidden.size,
        ...legendAttrs(legend.state),
        digest: series.map((s) => fmt(s.error.summary.std, 4)).join(' '),
      }}
      onMove={onMove}
      onLeave={() => setTip(null)}
    >
      <ClipRect id="qs-error-clip" x={hx} y={m.top} width={panelW} height={panelH} />
      <text x={hx} y={14} className="qs-title">
        error histogram
      </text>
      <AxisLeft scale={hyScale} x={hx} label="density" grid={panelW} />
      <AxisBottom scale={hxScale} y={m.top + panelH} label="x̂ − x (data units)" ticks={8} />
      <g clipPath="url(#qs-error-clip)">
        {series.map((s, i) =>
          legend.shown(key(i)) ? (
            <path
              key={i}
              d={stepPath(s.error.histogram.edges, dens[i], hxScale, hyScale)}
              fill="none"
              stroke={color(i)}
              strokeWidth={1.5}
              opacity={legend.opacity(key(i))}
              data-series-index={i}
            />
          ) : null,
        )}
      </g>
      <text x={sx} y={sy - 10} className="qs-title">
        {/* Narrow charts (phones, ≈ 6.5 px a character of the title font) get the short wording. */}
        {`x vs x̂ (${series[0]?.sampleX.length ?? 0} sampled coordinates per pipeline)`.length * 6.5 <= panelW
          ? `x vs x̂ (${series[0]?.sampleX.length ?? 0} sampled coordinates per pipeline)`
          : clipLabel(`x vs x̂ (${series[0]?.sampleX.length ?? 0} samples per pipeline)`, panelW * 0.9)}
      </text>
      <AxisLeft scale={sScale.y} x={sx} label="x̂ (reconstruction)" grid={panelW} />
      <AxisBottom scale={sScale.x} y={sy + panelH} label="x (original coordinate)" ticks={8} />
      {dense === 'svg' && <SvgPoints groups={groups} />}
      <line
        x1={sScale.x(d0)}
        y1={sScale.y(d0)}
        x2={sScale.x(d1)}
        y2={sScale.y(d1)}
        className="qs-ref-muted"
        strokeDasharray="4 3"
        data-ref="identity"
      />
      <ReadoutTable
        x={m.left}
        y={totalPlotH + 8}
        width={width - m.left - m.right}
        header={['error RMS', 'mean', 'max/RMS']}
        onToggle={legend.toggle}
        onHover={legend.hover}
        rows={series.map((s, i) => ({
          key: key(i),
          label: sameAsLabel(
            series.map((t) => t.label),
            sameAs,
            i,
            (j) => String(j + 1),
          ),
          hidden: !legend.shown(key(i)),
          color: color(i),
          values: [
            fmt(Math.hypot(s.error.summary.std, s.error.summary.mean), 4),
            fmt(s.error.summary.mean, 3),
            fmt(s.error.summary.maxOverRms, 4),
          ],
        }))}
      />
    </ChartRoot>
  );
}
