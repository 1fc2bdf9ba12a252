/**
 * Outlier histogram (chart 2): coordinate values before the transform (raw rows) and
 * after it (each pipeline), both normalised per row to unit RMS (√d·v/‖v‖), as densities on a log
 * scale so tails and outliers are visible. References: N(0,1) and the shifted Beta law of √d·t for
 * one coordinate t of a uniform unit vector in ℝ^d (ALGORITHMS.md; sphereCoordinatePdf), which is
 * what an ideal rotation produces; the two differ visibly only for small d. Read-outs give the
 * kurtosis (3 for a Gaussian) and max/RMS (the crest factor an absmax scale pays for).
 */
import { useMemo, useState } from 'react';
import { digestOf, sameAsLabel, sameAsOf, useLegend, legendAttrs } from './legend';
import { line, scaleLinear, scaleLog } from 'd3';
import type { Distribution } from '../../core/artifacts/types';
import { normalPdf, sphereCoordinatePdf } from '../../core/linalg/special';
import {
  AxisBottom,
  AxisLeft,
  ChartRoot,
  ClipRect,
  ReadoutTable,
  TipBody,
  decades,
  logTick,
  densities,
  fmt,
  stepPath,
  type DenseMode,
  type TooltipState,
  safeLogDomain,
} from './common';

export interface OutlierSeries {
  readonly label: string;
  readonly distribution: Distribution;
}

export interface OutlierHistogramProps {
  readonly before: Distribution;
  readonly after: readonly OutlierSeries[];
  /** Vector length d of the shifted-Beta reference. */
  readonly dim: number;
  readonly color: (index: number) => string;
  readonly width: number;
  readonly height?: number;
  readonly dense?: DenseMode;
}

const REF_POINTS = 241;

export function OutlierHistogram({
  before,
  after,
  dim,
  color,
  width,
  height = 300,
  dense = 'canvas',
}: OutlierHistogramProps) {
  const [tip, setTip] = useState<TooltipState | null>(null);
  const legend = useLegend(after.map((s) => s.label).join('\u0000'));
  // Legend keys: 'before', 'p<i>' per pipeline, and the two references.
  const key = (i: number) => (i === 0 ? 'before' : `p${i - 1}`);
  const m = { top: 12, right: 20, bottom: 46, left: 64 };
  const plotH = height - m.top - m.bottom;
  const plotW = width - m.left - m.right;
  const readoutRows = after.length + 3;
  // The last read-out row's baseline sits at height + 8 + 16 + (readoutRows − 1)·15 + 0.32em;
  // 10 px below the rows keeps its descenders inside the svg (6 px clipped them by ~2 px).
  const totalH = height + 8 + readoutRows * 15 + 10;

  const all = useMemo(
    () => [{ label: 'before transform (raw rows)', distribution: before }, ...after],
    [before, after],
  );
  const dens = useMemo(
    () =>
      all.map((s) =>
        densities(
          s.distribution.histogram.edges,
          s.distribution.histogram.counts,
          s.distribution.histogram.total,
        ),
      ),
    [all],
  );
  const { x, y } = useMemo(() => {
    let xm = 4;
    let lo = Infinity;
    let hi = 0;
    all.forEach((s, i) => {
      const e = s.distribution.histogram.edges;
      xm = Math.max(xm, Math.abs(e[0]), Math.abs(e[e.length - 1]));
      for (const v of dens[i])
        if (v > 0) {
          lo = Math.min(lo, v);
          hi = Math.max(hi, v);
        }
    });
    if (!Number.isFinite(lo)) lo = 1e-6;
    return {
      x: scaleLinear()
        .domain([-xm, xm])
        .range([m.left, m.left + plotW])
        .nice(),
      y: scaleLog()
        .domain(safeLogDomain(lo / 2, Math.max(hi, 0.5) * 2))
        .range([m.top + plotH, m.top]),
    };
  }, [all, dens, m.left, m.top, plotW, plotH]);

  const refs = useMemo(() => {
    const [x0, x1] = x.domain();
    const ts = Array.from({ length: REF_POINTS }, (_, i) => x0 + ((x1 - x0) * i) / (REF_POINTS - 1));
    const yMin = y.domain()[0];
    const gauss = ts.map((t) => [t, normalPdf(t)] as [number, number]).filter((p) => p[1] >= yMin);
    const root = Math.sqrt(dim);
    const beta =
      dim >= 2
        ? ts
            .filter((t) => Math.abs(t) < root)
            .map((t) => [t, sphereCoordinatePdf(t / root, dim) / root] as [number, number])
            .filter((p) => p[1] >= yMin)
        : [];
    return { gauss, beta };
  }, [x, y, dim]);
  const refLine = line<[number, number]>()
    .x((d) => x(d[0]))
    .y((d) => y(d[1]));

  const seriesColor = (i: number) => (i === 0 ? undefined : color(i - 1));
  const sameAs = useMemo(
    () => sameAsOf(all.map((s) => digestOf(s.distribution.histogram.edges, s.distribution.histogram.counts))),
    [all],
  );
  const onMove = (mx: number, my: number) => {
    if (mx < m.left || mx > m.left + plotW || my < m.top || my > m.top + plotH) return setTip(null);
    const v = x.invert(mx);
    // The series whose bar top at this x is closest to the pointer.
    let best = -1;
    let bestD = 14;
    let bin = -1;
    all.forEach((s, i) => {
      if (!legend.shown(key(i))) return;
      const e = s.distribution.histogram.edges;
      const b = Math.floor(((v - e[0]) / (e[e.length - 1] - e[0])) * (e.length - 1));
      if (b < 0 || b >= e.length - 1 || !(dens[i][b] > 0)) return;
      const d = Math.abs(y(dens[i][b]) - my);
      if (d < bestD) {
        bestD = d;
        best = i;
        bin = b;
      }
    });
    if (best < 0) return setTip(null);
    const h = all[best].distribution.histogram;
    setTip({
      x: mx,
      y: my,
      content: (
        <TipBody
          title={all[best].label}
          color={seriesColor(best)}
          rows={[
            ['bin', `[${fmt(h.edges[bin], 5)}, ${fmt(h.edges[bin + 1], 5)})`],
            ['count', String(h.counts[bin])],
            ['density', fmt(dens[best][bin], 5)],
          ]}
        />
      ),
    });
  };

  return (
    <ChartRoot
      id="outliers"
      size={{ width, height: totalH }}
      title="Outliers: coordinate values before and after the transform"
      description="Histograms (log density) of row-normalised coordinates before the transform and after each pipeline's transform, with N(0,1) and shifted-Beta references, kurtosis and max/RMS."
      tooltip={tip}
      dense={dense}
      dataAttrs={{
        series: after.filter((_, i) => legend.shown(key(i + 1))).length,
        ...legendAttrs(legend.state),
        digest: after.map((s) => fmt(s.distribution.summary.kurtosis, 4)).join(' '),
      }}
      onMove={onMove}
      onLeave={() => setTip(null)}
    >
      <ClipRect id="qs-outliers-clip" x={m.left} y={m.top} width={plotW} height={plotH} />
      <AxisLeft
        scale={y}
        x={m.left}
        label="density (log scale)"
        values={decades(y.domain()[0], y.domain()[1])}
        format={logTick}
        grid={plotW}
      />
      <AxisBottom
        scale={x}
        y={m.top + plotH}
        label="coordinate · √d / ‖row‖ (units of the row RMS)"
        ticks={10}
      />
      <g clipPath="url(#qs-outliers-clip)">
        <path
          display={legend.shown('normal') ? undefined : 'none'}
          opacity={legend.opacity('normal')}
          d={refLine(refs.gauss) ?? ''}
          className="qs-ref-muted"
          strokeDasharray="2 3"
          strokeWidth={1.5}
          data-ref="normal"
        />
        <path
          display={legend.shown('beta') ? undefined : 'none'}
          opacity={legend.opacity('beta')}
          d={refLine(refs.beta) ?? ''}
          className="qs-ref-muted"
          strokeDasharray="8 4"
          strokeWidth={1.2}
          data-ref="beta"
        />
        {all.map((s, i) =>
          !legend.shown(key(i)) ? null : (
            <path
              key={i}
              opacity={legend.opacity(key(i))}
              d={stepPath(s.distribution.histogram.edges, dens[i], x, y, true)}
              fill="none"
              className={i === 0 ? 'qs-ref' : undefined}
              stroke={seriesColor(i)}
              strokeWidth={i === 0 ? 2 : 1.5}
              data-series-index={i - 1}
            />
          ),
        )}
      </g>
      <ReadoutTable
        x={m.left}
        y={height + 8}
        width={plotW}
        header={['kurtosis', 'max/RMS']}
        onToggle={legend.toggle}
        onHover={legend.hover}
        rows={[
          ...all.map((s, i) => ({
            key: key(i),
            label: sameAsLabel(
              all.map((t) => t.label),
              sameAs,
              i,
              (j) => (j === 0 ? 'before' : String(j)),
            ),
            hidden: !legend.shown(key(i)),
            color: seriesColor(i),
            className: i === 0 ? 'qs-ref' : undefined,
            values: [fmt(s.distribution.summary.kurtosis, 4), fmt(s.distribution.summary.maxOverRms, 4)],
          })),
          {
            key: 'normal',
            label: 'N(0,1) reference',
            className: 'qs-ref-muted',
            dash: '2 3',
            values: ['3', ''],
            hidden: !legend.shown('normal'),
          },
          {
            key: 'beta',
            label: `shifted Beta, √d·t for d = ${dim}`,
            className: 'qs-ref-muted',
            dash: '8 4',
            values: [fmt(3 * (dim / (dim + 2)), 4), ''],
            hidden: !legend.shown('beta'),
          },
        ]}
      />
    </ChartRoot>
  );
}
