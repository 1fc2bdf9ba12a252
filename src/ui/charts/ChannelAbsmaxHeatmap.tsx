/**
 * Per-channel absmax heatmap (chart 2): one panel for the raw data (channels = columns of
 * x) and one per pipeline after its transform (channels = coordinates of y), rows binned down the
 * panel. Outlier channels show as bright vertical stripes before a rotation and vanish after it.
 * One shared log colour scale (Viridis: perceptually uniform and colour-blind safe, van der Walt &
 * Smith 2015) across panels, so brightness compares between them: an orthogonal transform keeps
 * each row's norm, so the same colour means the same magnitude before and after.
 * Cells go on the canvas (up to 17 × 64 × 256); with dense="svg" they are <rect>s.
 */
import { useCallback, useMemo, useState } from 'react';
import { interpolateViridis, rgb, scaleLinear, scaleSequentialLog } from 'd3';
import type { ChannelAbsmax } from '../../core/artifacts/types';
import { digestOf, sameAsOf } from './legend';
import { ChartRoot, TipBody, clipLabel, fmt, useCanvas, type DenseMode, type TooltipState } from './common';

/** Viridis sampled at 256 steps as RGB bytes: the canvas path writes pixels, not styled rects. */
const VIRIDIS_LUT: Uint8Array = (() => {
  const lut = new Uint8Array(256 * 3);
  for (let k = 0; k < 256; k++) {
    const c = rgb(interpolateViridis(k / 255));
    lut[3 * k] = c.r;
    lut[3 * k + 1] = c.g;
    lut[3 * k + 2] = c.b;
  }
  return lut;
})();

export interface HeatmapPanel {
  readonly label: string;
  readonly absmax: ChannelAbsmax;
}

export interface ChannelAbsmaxHeatmapProps {
  readonly before: ChannelAbsmax;
  readonly after: readonly HeatmapPanel[];
  readonly color: (index: number) => string;
  readonly width: number;
  readonly panelHeight?: number;
  readonly dense?: DenseMode;
}

const TITLE_H = 16;
const TICKS_H = 14;
const GAP = 8;

export function ChannelAbsmaxHeatmap({
  before,
  after,
  color,
  width,
  panelHeight = 48,
  dense = 'canvas',
}: ChannelAbsmaxHeatmapProps) {
  const [tip, setTip] = useState<TooltipState | null>(null);
  const m = { top: 8, right: 20, left: 64, legend: 40 };
  const plotW = width - m.left - m.right;
  const panels = useMemo(
    () => [{ label: 'before transform: |x| per channel', absmax: before }, ...after],
    [before, after],
  );
  // Panels with bit-identical cells (an identity transform's |y| is the raw |x|) say so.
  const sameAs = useMemo(() => sameAsOf(panels.map((p) => digestOf(p.absmax.values))), [panels]);
  const block = TITLE_H + panelHeight + TICKS_H + GAP;
  const height = m.top + panels.length * block + m.legend;

  const colorScale = useMemo(() => {
    let hi = 0;
    for (const p of panels) for (const v of p.absmax.values) if (v > hi) hi = v;
    hi = hi > 0 ? hi : 1;
    let lo = hi;
    for (const p of panels) for (const v of p.absmax.values) if (v > 0 && v < lo) lo = v;
    // A floor four decades down keeps one exact zero from stretching the scale.
    return scaleSequentialLog(interpolateViridis)
      .domain([Math.max(lo, hi * 1e-4), hi])
      .clamp(true);
  }, [panels]);

  const layout = panels.map((p, i) => {
    const y0 = m.top + i * block + TITLE_H;
    return { ...p, y0, cw: plotW / p.absmax.channelBins, ch: panelHeight / p.absmax.rowBins };
  });

  const draw = useCallback(
    (ctx: CanvasRenderingContext2D) => {
      // One pixel per cell in an ImageData, then one scaled drawImage per panel: ~10⁵ cells cost
      // a few milliseconds instead of one fillRect (and a colour-string parse) each.
      const [lo, hi] = colorScale.domain();
      const logLo = Math.log(lo);
      const span = Math.log(hi) - logLo || 1;
      ctx.imageSmoothingEnabled = false;
      for (const p of layout) {
        const { rowBins, channelBins, values } = p.absmax;
        const img = new ImageData(channelBins, rowBins);
        for (let i = 0; i < rowBins * channelBins; i++) {
          const t = (Math.log(Math.max(values[i], lo)) - logLo) / span;
          const k = 3 * Math.max(0, Math.min(255, Math.round(t * 255)));
          img.data[4 * i] = VIRIDIS_LUT[k];
          img.data[4 * i + 1] = VIRIDIS_LUT[k + 1];
          img.data[4 * i + 2] = VIRIDIS_LUT[k + 2];
          img.data[4 * i + 3] = 255;
        }
        const cells = document.createElement('canvas');
        cells.width = channelBins;
        cells.height = rowBins;
        cells.getContext('2d')?.putImageData(img, 0, 0);
        ctx.drawImage(cells, m.left, p.y0, plotW, panelHeight);
      }
    },
    // layout is derived from these.
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [panels, colorScale, plotW, panelHeight],
  );
  const canvasRef = useCanvas(draw, { width, height }, dense === 'canvas');

  const onMove = (mx: number, my: number) => {
    const i = layout.findIndex((p) => my >= p.y0 && my < p.y0 + panelHeight);
    if (i < 0 || mx < m.left || mx >= m.left + plotW) return setTip(null);
    const p = layout[i];
    const { rowsPerBin, channelsPerBin, channelBins, rows, channels, values } = p.absmax;
    const c = Math.min(channelBins - 1, Math.floor((mx - m.left) / p.cw));
    const r = Math.floor((my - p.y0) / p.ch);
    const c0 = c * channelsPerBin;
    const r0 = r * rowsPerBin;
    setTip({
      x: mx,
      y: my,
      content: (
        <TipBody
          title={p.label}
          color={i > 0 ? color(i - 1) : undefined}
          rows={[
            [
              channelsPerBin > 1 ? 'channels' : 'channel',
              channelsPerBin > 1 ? `${c0}–${Math.min(channels, c0 + channelsPerBin) - 1}` : String(c0),
            ],
            [
              rowsPerBin > 1 ? 'rows' : 'row',
              rowsPerBin > 1 ? `${r0}–${Math.min(rows, r0 + rowsPerBin) - 1}` : String(r0),
            ],
            ['max |value|', fmt(values[r * channelBins + c], 6)],
          ]}
        />
      ),
    });
  };

  const [lo, hi] = colorScale.domain();
  // The gradient starts 150 px in (after its label) and ends inside the plot width.
  const legendW = Math.max(40, Math.min(240, plotW / 2, plotW - 150));
  const legendX = scaleLinear()
    .domain([Math.log10(lo), Math.log10(hi)])
    .range([0, legendW]);
  // A short gradient (phones) has room for its two ends only.
  const legendTicks = legendW >= 160 ? [lo, Math.sqrt(lo * hi), hi] : [lo, hi];
  const stops = Array.from({ length: 11 }, (_, k) => k / 10);
  const legendY = m.top + panels.length * block + 6;

  return (
    <ChartRoot
      id="outliers-heatmap"
      size={{ width, height }}
      title="Per-channel absmax before and after the transform"
      description="Heatmaps of the largest magnitude per channel (columns) and row group, for the raw data and after each pipeline's transform, on a shared log colour scale."
      tooltip={tip}
      canvasRef={canvasRef}
      dense={dense}
      dataAttrs={{ series: after.length }}
      onMove={onMove}
      onLeave={() => setTip(null)}
    >
      <defs>
        <linearGradient id="qs-heatmap-gradient">
          {stops.map((s) => (
            <stop key={s} offset={s} stopColor={interpolateViridis(s)} />
          ))}
        </linearGradient>
      </defs>
      {layout.map((p, i) => {
        const { rows, channels, rowsPerBin, channelsPerBin, rowBins, channelBins, values } = p.absmax;
        const heading =
          (i > 0 ? `${p.label}: |y| per transformed coordinate` : p.label) +
          (sameAs[i] >= 0 ? ` (same as ${sameAs[i] === 0 ? 'before' : sameAs[i]})` : '');
        const detail = `  ${rows} rows (${rowsPerBin}/cell) × ${channels} channels (${channelsPerBin}/cell)`;
        // Narrow charts (phones): the heading is shortened and the binning detail dropped (both
        // stay in the <title>); ≈ 6.3 px a character as in clipLabel.
        const fits = (heading.length + detail.length) * 6.3 + 14 <= plotW;
        return (
          <g key={i} data-series-index={i - 1}>
            <text x={m.left} y={p.y0 - 4}>
              {i > 0 && <tspan fill={color(i - 1)}>■ </tspan>}
              {clipLabel(heading, plotW - 14)}
              {fits && <tspan className="qs-muted">{detail}</tspan>}
              {!fits && <title>{`${heading}${detail}`}</title>}
            </text>
            {dense === 'svg' && (
              <g className="qs-dense">
                {Array.from({ length: rowBins * channelBins }, (_, k) => {
                  const r = Math.floor(k / channelBins);
                  const c = k % channelBins;
                  return (
                    <rect
                      key={k}
                      x={m.left + c * p.cw}
                      y={p.y0 + r * p.ch}
                      width={p.cw}
                      height={p.ch}
                      fill={colorScale(Math.max(values[k], lo))}
                    />
                  );
                })}
              </g>
            )}
            <rect className="qs-frame" x={m.left} y={p.y0} width={plotW} height={panelHeight} />
            <text x={m.left - 6} y={p.y0 + panelHeight / 2} dy="0.32em" textAnchor="end" className="qs-muted">
              rows ↓
            </text>
            <g className="qs-axis">
              {[0, Math.floor(channels / 2), channels].map((t, k) => (
                <text
                  key={k}
                  x={m.left + (t / channels) * plotW}
                  y={p.y0 + panelHeight + 11}
                  textAnchor={k === 0 ? 'start' : k === 2 ? 'end' : 'middle'}
                  className="qs-muted"
                >
                  {k === 2 ? `channel ${channels}` : t}
                </text>
              ))}
            </g>
          </g>
        );
      })}
      <g transform={`translate(${m.left},${legendY})`} className="qs-axis">
        <text x={0} y={10}>
          max |value| (log colour)
        </text>
        <g transform="translate(150,0)">
          <rect x={0} y={2} width={legendW} height={10} fill="url(#qs-heatmap-gradient)" />
          {legendTicks.map((t, k) => (
            <text
              key={k}
              x={legendX(Math.log10(t))}
              y={26}
              textAnchor={k === 0 ? 'start' : k === legendTicks.length - 1 ? 'end' : 'middle'}
              className="qs-muted"
            >
              {fmt(t, 3)}
            </text>
          ))}
        </g>
      </g>
    </ChartRoot>
  );
}
