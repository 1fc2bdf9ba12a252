/**
 * Shared chart pieces (DESIGN.md "Charts": React owns the DOM, d3 computes scales, ticks and
 * paths; dense marks go on a canvas under an SVG overlay).
 *
 * - Every chart root is a positioned <div class="qs-chart"> holding an optional <canvas> (dense
 *   marks) under one <svg data-chart="<id>"> with axes, lines, legend and a hit layer. With
 *   `dense="svg"` the dense marks are emitted as SVG elements instead, so golden tests and SVG
 *   export see everything without a canvas.
 * - Colours come from CSS variables (src/ui/app/styles.css) with light-theme fallbacks, written in a
 *   <style> inside each SVG so an exported SVG is self-contained.
 * - Tooltips are one absolutely positioned <div role="tooltip"> per chart showing exact values of
 *   the nearest mark (a linear scan: ≤ 10⁴ marks per chart, well under a millisecond).
 */
import { useEffect, useRef, useState, type ReactNode } from 'react';
import { ticks, type ScaleContinuousNumeric } from 'd3';
import { formatNumber } from '../../core/format-number';

export type DenseMode = 'canvas' | 'svg';

export interface ChartSize {
  readonly width: number;
  readonly height: number;
}

export interface Margin {
  readonly top: number;
  readonly right: number;
  readonly bottom: number;
  readonly left: number;
}

export const CHART_CSS = `
.qs-svg text { fill: var(--text, #1b1f24); font-family: system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif; font-size: 11px; }
.qs-svg .qs-title { font-size: 12px; font-weight: 600; }
.qs-svg .qs-muted { fill: var(--muted, #5b6470); }
.qs-svg .qs-axis line, .qs-svg .qs-axis path { stroke: var(--muted, #5b6470); fill: none; }
.qs-svg .qs-grid line { stroke: var(--grid, #e6e9ee); }
.qs-svg .qs-ref { stroke: var(--text, #1b1f24); fill: none; }
.qs-svg .qs-ref-muted { stroke: var(--muted, #5b6470); fill: none; }
.qs-svg .qs-frame { stroke: var(--border, #d8dde3); fill: none; }
.qs-svg .qs-hit { fill: transparent; }
.qs-svg .qs-focus { stroke: var(--text, #1b1f24); fill: none; stroke-width: 1.5px; }
`;

/** Number formatting for ticks and tooltips: the one formatter of src/core/format-number.ts. */
export const fmt = formatNumber;

/** Shorten a label to about `px` pixels of 11 px sans-serif text (≈ 6.3 px a character). */
export function clipLabel(label: string, px: number): string {
  const max = Math.max(4, Math.floor(px / 6.3));
  return label.length > max ? `${label.slice(0, max - 1)}…` : label;
}

export function ChartStyle() {
  return <style>{CHART_CSS}</style>;
}

interface AxisProps {
  readonly scale: ScaleContinuousNumeric<number, number>;
  readonly ticks?: number;
  readonly format?: (v: number) => string;
  readonly label: string;
  /** Length of the grid lines across the plot (0: none). */
  readonly grid?: number;
  /** Explicit tick values (e.g. powers of ten on a log axis). */
  readonly values?: readonly number[];
}

export function AxisBottom({
  scale,
  ticks = 6,
  format = fmt,
  label,
  grid = 0,
  values,
  y,
}: AxisProps & { readonly y: number }) {
  const [r0, r1] = scale.range();
  const tv = values ?? scale.ticks(ticks);
  return (
    <g className="qs-axis" transform={`translate(0,${y})`}>
      {grid > 0 && (
        <g className="qs-grid">
          {tv.map((t) => (
            <line key={t} x1={scale(t)} x2={scale(t)} y1={0} y2={-grid} />
          ))}
        </g>
      )}
      <path d={`M${r0},0H${r1}`} />
      {tv.map((t) => (
        <g key={t} transform={`translate(${scale(t)},0)`}>
          <line y2={5} />
          <text y={16} textAnchor="middle" className="qs-muted">
            {format(t)}
          </text>
        </g>
      ))}
      <text x={(r0 + r1) / 2} y={32} textAnchor="middle">
        {label}
      </text>
    </g>
  );
}

export function AxisLeft({
  scale,
  ticks = 5,
  format = fmt,
  label,
  grid = 0,
  values,
  x,
}: AxisProps & { readonly x: number }) {
  const [r0, r1] = scale.range();
  const tv = values ?? scale.ticks(ticks);
  return (
    <g className="qs-axis" transform={`translate(${x},0)`}>
      {grid > 0 && (
        <g className="qs-grid">
          {tv.map((t) => (
            <line key={t} y1={scale(t)} y2={scale(t)} x1={0} x2={grid} />
          ))}
        </g>
      )}
      <path d={`M0,${r0}V${r1}`} />
      {tv.map((t) => (
        <g key={t} transform={`translate(0,${scale(t)})`}>
          <line x2={-5} />
          <text x={-8} dy="0.32em" textAnchor="end" className="qs-muted">
            {format(t)}
          </text>
        </g>
      ))}
      <text transform={`translate(${-46},${(r0 + r1) / 2}) rotate(-90)`} textAnchor="middle">
        {label}
      </text>
    </g>
  );
}

/**
 * A usable log-axis domain from any two numbers: finite, positive, lo < hi. Zero, negative, NaN
 * or infinite ends (all-zero data, a constant series, one point) are replaced from the other end
 * or by [0.1, 1]; equal ends are widened by half a decade each way; ends are clamped to
 * [1e-300, 1e300] so decade loops stay short. A log scale of [0, x] is −∞ at one end: d3 maps it
 * to NaN and decades() used to loop from −∞ forever.
 */
export function safeLogDomain(lo: number, hi: number): [number, number] {
  const ok = (v: number) => Number.isFinite(v) && v > 0;
  let a = ok(lo) ? lo : ok(hi) ? hi / 10 : 0.1;
  let b = ok(hi) ? hi : a * 10;
  if (a > b) [a, b] = [b, a];
  if (a === b) {
    a /= Math.sqrt(10);
    b *= Math.sqrt(10);
  }
  const clamp = (v: number) => Math.min(1e300, Math.max(1e-300, v));
  a = clamp(a);
  b = clamp(b);
  return a < b ? [a, b] : [a, a * 10];
}

/** A usable linear domain: finite, lo < hi (constant or empty data get ±1 around the value). */
export function safeLinearDomain(lo: number, hi: number): [number, number] {
  const clamp = (v: number) => Math.min(1e300, Math.max(-1e300, v));
  let a = clamp(Number.isFinite(lo) ? lo : Number.isFinite(hi) ? hi : 0);
  let b = clamp(Number.isFinite(hi) ? hi : a);
  if (a > b) [a, b] = [b, a];
  if (a === b) return [a - (Math.abs(a) || 1), b + (Math.abs(b) || 1)];
  return [a, b];
}

/** Powers of ten inside [lo, hi] (log-axis ticks that never crowd), at least two values. */
export function decades(lo0: number, hi0: number): number[] {
  const [lo, hi] = safeLogDomain(lo0, hi0);
  const out: number[] = [];
  for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++) {
    const v = 10 ** e;
    if (v >= lo * (1 - 1e-9) && v <= hi * (1 + 1e-9)) out.push(v);
  }
  if (out.length < 2) {
    // A range inside one decade: 1-2-5 steps, or plain linear ticks if even those are too sparse.
    for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++)
      for (const m of [2, 5]) {
        const v = m * 10 ** e;
        if (v >= lo && v <= hi) out.push(v);
      }
    out.sort((a, b) => a - b);
    if (out.length < 3) return ticks(lo, hi, 4).filter((v) => v > 0);
  }
  // At most ~600 decades between 1e-300 and 1e300: thin to about 24 labels.
  const step = Math.ceil(out.length / 24);
  return step > 1 ? out.filter((_, i) => i % step === 0) : out;
}

/** Tick labels of a log axis: plain decimals down to 0.001, then 1e-4 style. */
export function logTick(v: number): string {
  if (!(Number.isFinite(v) && v > 0)) return fmt(v);
  if (v >= 1e-3 && v < 1e5) return Number(v.toPrecision(3)).toString();
  const e = Math.floor(Math.log10(v));
  const m = v / 10 ** e;
  return Math.abs(m - 1) < 1e-9 ? `1e${e}` : `${Number(m.toPrecision(2))}e${e}`;
}

export interface LegendItem {
  readonly key: string;
  readonly label: string;
  readonly color: string;
  /** Line dash pattern (theory curves), or a filled swatch when absent. */
  readonly dash?: string;
  /** A CSS class for the swatch stroke instead of `color` (theme-aware references). */
  readonly className?: string;
  /** Set on toggleable entries (see Legend's onToggle): true draws it dimmed (series hidden). */
  readonly hidden?: boolean;
}

/**
 * Props that make one legend (or read-out) entry a toggle: click, Enter or Space toggles its
 * series, pointing at it or focusing it highlights the series. The chart's <svg> is a named
 * role="group" (not "img", whose children must be presentational), so these entries are real
 * keyboard-reachable buttons with aria-pressed = shown.
 */
export function legendEntryProps(
  key: string,
  label: string,
  hidden: boolean | undefined,
  onToggle?: (key: string) => void,
  onHover?: (key: string | null) => void,
): Record<string, unknown> {
  if (hidden === undefined || (!onToggle && !onHover)) return {};
  return {
    'data-hidden': hidden,
    ...(onToggle
      ? {
          role: 'button',
          tabIndex: 0,
          'aria-pressed': !hidden,
          'aria-label': `${label}: ${hidden ? 'hidden, press to show' : 'shown, press to hide'}`,
          style: { cursor: 'pointer' },
          onClick: () => onToggle(key),
          onKeyDown: (e: React.KeyboardEvent) => {
            if (e.key === 'Enter' || e.key === ' ') {
              e.preventDefault();
              onToggle(key);
            }
          },
        }
      : {}),
    opacity: hidden ? 0.35 : undefined,
    ...(onHover
      ? {
          onMouseEnter: () => onHover(key),
          onMouseLeave: () => onHover(null),
          onFocus: () => onHover(key),
          onBlur: () => onHover(null),
        }
      : {}),
  };
}

/** Vertical legend: one row per item, 15 px apart. */
export function Legend({
  items,
  x,
  y,
  title,
  maxWidth = 400,
  onToggle,
  onHover,
}: {
  readonly items: readonly LegendItem[];
  readonly x: number;
  readonly y: number;
  readonly title?: string;
  /** When given, a click, Enter or Space on an entry with `hidden` set toggles its series. */
  readonly onToggle?: (key: string) => void;
  /** When given, pointing at or focusing an entry highlights its series; null on leave. */
  readonly onHover?: (key: string | null) => void;
  /** Labels longer than this (px, swatch included) are cut with an ellipsis; the full text is a <title>. */
  readonly maxWidth?: number;
}) {
  const offset = title ? 16 : 0;
  return (
    <g className="qs-legend" transform={`translate(${x},${y})`}>
      {title && (
        <text className="qs-title" y={4}>
          {title}
        </text>
      )}
      {items.map((it, i) => (
        <g
          key={it.key}
          transform={`translate(0,${offset + i * 15})`}
          data-legend={it.key}
          {...legendEntryProps(it.key, it.label, it.hidden, onToggle, onHover)}
        >
          {it.hidden !== undefined && (onToggle || onHover) && (
            // The whole row is the target, not just the painted swatch and glyphs.
            <rect className="qs-hit" x={-2} y={-7.5} width={maxWidth + 2} height={15} />
          )}
          {it.dash !== undefined || it.className ? (
            <line
              x1={0}
              x2={18}
              y1={0}
              y2={0}
              className={it.className}
              stroke={it.className ? undefined : it.color}
              strokeWidth={2}
              strokeDasharray={it.dash || undefined}
            />
          ) : (
            <rect x={0} y={-5} width={18} height={10} rx={2} fill={it.color} />
          )}
          <text x={24} dy="0.32em">
            {clipLabel(it.label, maxWidth - 24)}
            <title>{it.label}</title>
          </text>
        </g>
      ))}
    </g>
  );
}

export interface TooltipState {
  readonly x: number;
  readonly y: number;
  readonly content: ReactNode;
  /** Focus ring position in SVG coordinates. */
  readonly fx?: number;
  readonly fy?: number;
}

/** Root element shared by all charts: canvas under svg, tooltip on top. */
export function ChartRoot({
  id,
  size,
  title,
  description,
  tooltip,
  canvasRef,
  dense,
  children,
  dataAttrs,
  onMove,
  onLeave,
}: {
  readonly id: string;
  readonly size: ChartSize;
  readonly title: string;
  readonly description: string;
  readonly tooltip: TooltipState | null;
  readonly canvasRef?: React.RefObject<HTMLCanvasElement | null>;
  readonly dense: DenseMode;
  readonly children: ReactNode;
  /** Extra data-* attributes for tests and embedding (series count, digest). */
  readonly dataAttrs?: Readonly<Record<string, string | number>>;
  readonly onMove?: (x: number, y: number) => void;
  readonly onLeave?: () => void;
}) {
  const data: Record<string, string | number> = {};
  for (const [k, v] of Object.entries(dataAttrs ?? {})) data[`data-${k}`] = v;
  const titleId = `qs-chart-${id}-title`;
  const descId = `qs-chart-${id}-desc`;
  return (
    <div className="qs-chart" style={{ position: 'relative', width: size.width, height: size.height }}>
      {dense === 'canvas' && canvasRef && (
        <canvas
          ref={canvasRef}
          style={{ position: 'absolute', left: 0, top: 0, width: size.width, height: size.height }}
          aria-hidden="true"
        />
      )}
      <svg
        xmlns="http://www.w3.org/2000/svg"
        className="qs-svg"
        data-chart={id}
        width={size.width}
        height={size.height}
        viewBox={`0 0 ${size.width} ${size.height}`}
        role="group"
        aria-roledescription="chart"
        aria-labelledby={`${titleId} ${descId}`}
        style={{ position: 'relative', display: 'block' }}
        onMouseMove={
          onMove
            ? (e) => {
                const r = e.currentTarget.getBoundingClientRect();
                onMove(e.clientX - r.left, e.clientY - r.top);
              }
            : undefined
        }
        onMouseLeave={onLeave}
        {...data}
      >
        <title id={titleId}>{title}</title>
        <desc id={descId}>{description}</desc>
        <ChartStyle />
        {children}
        {tooltip && tooltip.fx !== undefined && tooltip.fy !== undefined && (
          <circle className="qs-focus" cx={tooltip.fx} cy={tooltip.fy} r={5} />
        )}
      </svg>
      {tooltip && (
        <div
          className="qs-tooltip"
          role="tooltip"
          style={{
            position: 'absolute',
            left: Math.min(tooltip.x + 12, size.width - 220),
            top: Math.max(0, tooltip.y - 12),
            pointerEvents: 'none',
          }}
        >
          {tooltip.content}
        </div>
      )}
    </div>
  );
}

/** Width of the element, following resizes (initial guess until measured). */
export function useWidth<T extends HTMLElement>(initial = 760): [React.RefObject<T | null>, number] {
  const ref = useRef<T | null>(null);
  const [width, setWidth] = useState(initial);
  useEffect(() => {
    const el = ref.current;
    if (!el || typeof ResizeObserver === 'undefined') return;
    const ro = new ResizeObserver((entries) => {
      const w = Math.floor(entries[0].contentRect.width);
      if (w > 0) setWidth(w);
    });
    ro.observe(el);
    return () => ro.disconnect();
  }, []);
  return [ref, width];
}

/** A canvas sized for the device pixel ratio, cleared, with a draw callback in CSS pixels. */
export function useCanvas(
  draw: ((ctx: CanvasRenderingContext2D) => void) | null,
  size: ChartSize,
  enabled: boolean,
) {
  const ref = useRef<HTMLCanvasElement | null>(null);
  useEffect(() => {
    const canvas = ref.current;
    if (!enabled || !canvas || !draw) return;
    const dpr = typeof window !== 'undefined' ? window.devicePixelRatio || 1 : 1;
    canvas.width = Math.round(size.width * dpr);
    canvas.height = Math.round(size.height * dpr);
    const ctx = canvas.getContext('2d');
    if (!ctx) return;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, size.width, size.height);
    draw(ctx);
  }, [draw, size.width, size.height, enabled]);
  return ref;
}

export interface PointGroup {
  readonly key: string;
  readonly xs: ArrayLike<number>;
  readonly ys: ArrayLike<number>;
  readonly color: string;
  readonly radius: number;
  readonly alpha: number;
}

/** Scatter points in SVG (golden tests, export) — the canvas path draws the same groups. */
export function SvgPoints({ groups }: { readonly groups: readonly PointGroup[] }) {
  return (
    <g className="qs-dense">
      {groups.map((g) => (
        <g key={g.key} fill={g.color} fillOpacity={g.alpha}>
          {Array.from({ length: g.xs.length }, (_, i) =>
            // A point off every axis (an overflowed float32 product is ±∞) is not drawn.
            Number.isFinite(g.xs[i]) && Number.isFinite(g.ys[i]) ? (
              <circle key={i} cx={g.xs[i]} cy={g.ys[i]} r={g.radius} />
            ) : null,
          )}
        </g>
      ))}
    </g>
  );
}

export function drawPoints(ctx: CanvasRenderingContext2D, groups: readonly PointGroup[]): void {
  for (const g of groups) {
    ctx.fillStyle = g.color;
    ctx.globalAlpha = g.alpha;
    ctx.beginPath();
    for (let i = 0; i < g.xs.length; i++) {
      if (!Number.isFinite(g.xs[i]) || !Number.isFinite(g.ys[i])) continue;
      ctx.moveTo(g.xs[i] + g.radius, g.ys[i]);
      ctx.arc(g.xs[i], g.ys[i], g.radius, 0, 2 * Math.PI);
    }
    ctx.fill();
  }
  ctx.globalAlpha = 1;
}

/** Index of the point nearest (mx, my) within maxDist pixels, over several groups. */
export function nearestPoint(
  groups: readonly PointGroup[],
  mx: number,
  my: number,
  maxDist = 12,
): { group: number; index: number } | null {
  let best: { group: number; index: number } | null = null;
  let bestD = maxDist * maxDist;
  groups.forEach((g, gi) => {
    for (let i = 0; i < g.xs.length; i++) {
      const dx = g.xs[i] - mx;
      const dy = g.ys[i] - my;
      const d = dx * dx + dy * dy;
      if (d < bestD) {
        bestD = d;
        best = { group: gi, index: i };
      }
    }
  });
  return best;
}

/** Tooltip body: a title line and label/value rows. */
export function TipBody({
  title,
  color,
  rows,
}: {
  readonly title: string;
  readonly color?: string;
  readonly rows: readonly [string, string][];
}) {
  return (
    <>
      <div className="qs-tip-title">
        {color && <span className="swatch" style={{ background: color }} aria-hidden="true" />}
        {title}
      </div>
      <table>
        <tbody>
          {rows.map(([k, v]) => (
            <tr key={k}>
              <th scope="row">{k}</th>
              <td>{v}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

/**
 * Step outline of a histogram (or any per-bin value): horizontal at each bin's value, vertical at
 * the edges; on a log y axis bins with value ≤ 0 break the line instead of plunging to −∞.
 */
export function stepPath(
  edges: ArrayLike<number>,
  values: ArrayLike<number>,
  x: (v: number) => number,
  y: (v: number) => number,
  log = false,
): string {
  let d = '';
  let open = false;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (log && !(v > 0)) {
      open = false;
      continue;
    }
    const x0 = x(edges[i]).toFixed(2);
    const x1 = x(edges[i + 1]).toFixed(2);
    const yy = y(v).toFixed(2);
    d += open ? `V${yy}H${x1}` : `M${x0},${yy}H${x1}`;
    open = true;
  }
  return d;
}

/** Density of each bin: count / (total · width). */
export function densities(edges: ArrayLike<number>, counts: ArrayLike<number>, total: number): Float64Array {
  const out = new Float64Array(counts.length);
  // A zero-width bin (constant data gives edges [c, c]) has no density to draw: 0, not ∞/NaN.
  for (let i = 0; i < counts.length; i++) {
    const v = total > 0 ? counts[i] / (total * (edges[i + 1] - edges[i])) : 0;
    out[i] = Number.isFinite(v) && v > 0 ? v : 0;
  }
  return out;
}

/** A rectangular clip region (ids must be unique per page: prefix with the chart id). */
export function ClipRect({
  id,
  x,
  y,
  width,
  height,
}: {
  readonly id: string;
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}) {
  return (
    <defs>
      <clipPath id={id}>
        <rect x={x} y={y} width={Math.max(0, width)} height={Math.max(0, height)} />
      </clipPath>
    </defs>
  );
}

/** One row of a read-out table under a chart: swatch, label and right-aligned value columns. */
export function ReadoutTable({
  x,
  y,
  width,
  header,
  rows,
  onToggle,
  onHover,
}: {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly header: readonly string[];
  readonly rows: readonly {
    key: string;
    label: string;
    color?: string;
    className?: string;
    dash?: string;
    values: readonly string[];
    /** Set on toggleable rows (the table is the chart's legend): true draws it dimmed. */
    hidden?: boolean;
  }[];
  readonly onToggle?: (key: string) => void;
  readonly onHover?: (key: string | null) => void;
}) {
  const cols = header.length;
  // Narrow charts (phones): the value columns shrink below 70 px so the labels keep ~90 px.
  const colW = Math.min(
    110,
    Math.max(Math.min(70, (width - 90) / Math.max(1, cols)), (width - 260) / Math.max(1, cols)),
  );
  const colX = (c: number) => x + width - (cols - c - 1) * colW;
  return (
    <g className="qs-readout" transform={`translate(0,${y})`}>
      {header.map((hd, c) => (
        <text key={hd} x={colX(c)} y={0} textAnchor="end" className="qs-muted">
          {clipLabel(hd, colW - 4)}
          {clipLabel(hd, colW - 4) !== hd && <title>{hd}</title>}
        </text>
      ))}
      {rows.map((r, i) => (
        <g
          key={r.key}
          transform={`translate(0,${16 + i * 15})`}
          data-readout={r.key}
          data-legend={r.hidden === undefined ? undefined : r.key}
          {...legendEntryProps(r.key, r.label, r.hidden, onToggle, onHover)}
        >
          {r.hidden !== undefined && (onToggle || onHover) && (
            <rect className="qs-hit" x={x - 2} y={-7.5} width={width + 4} height={15} />
          )}
          {r.color ? (
            <rect x={x} y={-5} width={18} height={10} rx={2} fill={r.color} />
          ) : (
            <line
              x1={x}
              x2={x + 18}
              className={r.className ?? 'qs-ref'}
              strokeWidth={2}
              strokeDasharray={r.dash}
            />
          )}
          <text x={x + 24} dy="0.32em">
            {/* Labels may reach 20 px into a 70 px value column (right-aligned values are short);
                narrower columns are full. */}
            {clipLabel(r.label, colX(0) - colW + Math.max(0, Math.min(20, colW - 50)) - (x + 24))}
            <title>{r.label}</title>
          </text>
          {r.values.map((v, c) => (
            <text key={c} x={colX(c)} dy="0.32em" textAnchor="end">
              {v}
            </text>
          ))}
        </g>
      ))}
    </g>
  );
}
