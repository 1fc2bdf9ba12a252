/**
 * Spectra (chart 4; computed by src/core/artifacts/spectra.ts):
 *  A. singular values of the data and of each pipeline's error X − X̂, descending (log scale);
 *  B. the eigenvalue density of each, divided by its fitted bulk variance σ̂², against the
 *     Marchenko–Pastur law for σ² = 1 and the shared γ = p/n: a pure-noise matrix follows the
 *     curve, eigenvalues past the upper edge (1+√γ)² are spikes (signal or structured error);
 *  C. energy per Walsh sequency (natural-order coefficients reordered by sequency) or per DCT
 *     frequency of the rows before and after each transform, as a fraction of the total.
 */
import { useMemo, useState } from 'react';
import { digestOf, sameAsOf, useLegend, legendAttrs } from './legend';
import { line, scaleLinear, scaleLog } from 'd3';
import type { EnergySpectrum, Spectra, Spectrum } from '../../core/artifacts/types';
import { marchenkoPasturDensity, mpEdges } from '../../core/artifacts/spectra';
import {
  AxisBottom,
  AxisLeft,
  ChartRoot,
  ClipRect,
  clipLabel,
  ReadoutTable,
  TipBody,
  decades,
  logTick,
  fmt,
  stepPath,
  type DenseMode,
  type TooltipState,
  safeLogDomain,
} from './common';

export type EnergyBasis = 'walsh' | 'dct';

export interface SpectraChartProps {
  readonly spectra: Spectra;
  readonly labels: readonly string[];
  readonly basis: EnergyBasis;
  readonly color: (index: number) => string;
  readonly width: number;
  readonly dense?: DenseMode;
}

const DENSITY_BINS = 40;
const MP_POINTS = 161;

interface Row {
  readonly key: string;
  readonly label: string;
  readonly color?: string;
  readonly spectrum: Spectrum;
  readonly energy: EnergySpectrum;
}

function densityHistogram(
  s: Spectrum,
  hi: number,
): { edges: Float64Array; dens: Float64Array; beyond: number } {
  const edges = Float64Array.from({ length: DENSITY_BINS + 1 }, (_, i) => (hi * i) / DENSITY_BINS);
  const counts = new Float64Array(DENSITY_BINS);
  let beyond = 0;
  const n = s.eigenvalues.length;
  for (const lam of s.eigenvalues) {
    const t = s.sigma2 > 0 ? lam / s.sigma2 : 0;
    if (t >= hi) beyond++;
    else counts[Math.max(0, Math.floor((t / hi) * DENSITY_BINS))]++;
  }
  const w = hi / DENSITY_BINS;
  return { edges, dens: counts.map((c) => c / (n * w)), beyond };
}

export function SpectraChart({ spectra, labels, basis, color, width, dense = 'canvas' }: SpectraChartProps) {
  const [tip, setTip] = useState<TooltipState | null>(null);
  const legend = useLegend(labels.join('\u0000'));
  // Side by side from 640 px: a 720 px embed frame (its chart is ~716 px) gets the short layout.
  const side = width >= 640;
  const m = { top: 24, right: 16, bottom: 46, left: 64 };
  const gap = 76;
  const panelW = side ? (width - m.left - m.right - gap) / 2 : width - m.left - m.right;
  // Side by side but under 760 px (the 720×440 embed frame): shorter panels, so the whole chart
  // fits the frame at a readable scale (Embed.tsx never shrinks below 0.6).
  const compact = side && width < 760;
  const abH = compact ? 200 : 250;
  const cH = compact ? 170 : 230;
  const aY = m.top;
  const bX = side ? m.left + panelW + gap : m.left;
  const bY = side ? m.top : m.top + abH + m.bottom + 16;
  const cY = (side ? aY + abH : bY + abH) + m.bottom + 26;
  const cW = width - m.left - m.right;
  const plotsBottom = cY + cH + m.bottom;

  const rows: Row[] = useMemo(
    () => [
      {
        key: 'data',
        label: 'data X',
        spectrum: spectra.data,
        energy: basis === 'walsh' ? spectra.walshBefore : spectra.dctBefore,
      },
      ...spectra.pipelines.map((p, i) => ({
        key: `p${i}`,
        label: labels[p.index] ?? `pipeline ${p.index + 1}`,
        color: color(p.index),
        spectrum: p.error,
        energy: basis === 'walsh' ? p.walshAfter : p.dctAfter,
      })),
    ],
    [spectra, labels, basis, color],
  );
  // Pipelines whose error spectrum and energy are bit-identical are named, not drawn on top unseen.
  const sameAs = useMemo(
    () =>
      sameAsOf(
        rows.map((r, k) =>
          k === 0 ? 'data' : digestOf(r.spectrum.singularValues, r.energy.energy, [r.energy.binWidth]),
        ),
      ),
    [rows],
  );
  const totalH = plotsBottom + 8 + (rows.length + 1) * 15 + 6;
  const gamma = spectra.data.p / spectra.data.n;
  const upper = mpEdges(gamma, 1)[1];
  const hi = upper * 1.6;

  const scree = useMemo(() => {
    let lo = Infinity;
    let top = 0;
    let p = 1;
    for (const r of rows)
      for (const v of r.spectrum.singularValues) {
        p = Math.max(p, r.spectrum.singularValues.length);
        if (v > 0) {
          lo = Math.min(lo, v);
          top = Math.max(top, v);
        }
      }
    if (!Number.isFinite(lo)) lo = 1e-3;
    // Keep the plot to 6 decades below the top: float noise of exact-zero errors is not information.
    lo = Math.max(lo, top * 1e-6);
    return {
      x: scaleLinear()
        .domain([1, p])
        .range([m.left, m.left + panelW]),
      y: scaleLog()
        .domain(safeLogDomain(lo / 1.3, (top || 1) * 1.3))
        .range([aY + abH, aY]),
    };
  }, [rows, m.left, panelW, aY, abH]);

  const hists = useMemo(() => rows.map((r) => densityHistogram(r.spectrum, hi)), [rows, hi]);
  const mp = useMemo(
    () =>
      Array.from({ length: MP_POINTS }, (_, i) => (hi * i) / (MP_POINTS - 1)).map(
        (t) => [t, marchenkoPasturDensity(t, gamma, 1)] as [number, number],
      ),
    [hi, gamma],
  );
  const dScale = useMemo(() => {
    let top = 0;
    for (const h of hists) for (const v of h.dens) top = Math.max(top, v);
    for (const [, v] of mp) top = Math.max(top, v);
    return {
      x: scaleLinear()
        .domain([0, hi])
        .range([bX, bX + panelW]),
      y: scaleLinear()
        .domain([0, Math.min(top, 4 * Math.max(...mp.map((p) => p[1]))) * 1.08 || 1])
        .range([bY + abH, bY])
        .nice(),
    };
  }, [hists, mp, hi, bX, bY, panelW, abH]);

  const eScale = useMemo(() => {
    let lo = Infinity;
    let top = 0;
    let len = 1;
    for (const r of rows) {
      len = Math.max(len, r.energy.length);
      for (const v of r.energy.energy)
        if (v > 0) {
          lo = Math.min(lo, v);
          top = Math.max(top, v);
        }
    }
    if (!Number.isFinite(lo)) lo = 1e-6;
    // At least one decade, so flat spectra (rotated rows) still get readable ticks.
    lo = Math.min(Math.max(lo, top * 1e-8), top / 10);
    return {
      x: scaleLinear()
        .domain([0, len])
        .range([m.left, m.left + cW]),
      y: scaleLog()
        .domain(safeLogDomain(lo / 1.5, Math.min(1, top * 1.5)))
        .range([cY + cH, cY]),
    };
  }, [rows, m.left, cW, cY, cH]);

  const screePath = (sv: Float64Array) =>
    line<number>()
      .defined((v) => v > 0 && v >= scree.y.domain()[0])
      .x((_, i) => scree.x(i + 1))
      .y((v) => scree.y(v))(Array.from(sv)) ?? '';
  const mpPath =
    line<[number, number]>()
      .x((d) => dScale.x(d[0]))
      .y((d) => dScale.y(d[1]))(mp) ?? '';
  const energyEdges = (e: EnergySpectrum) =>
    Float64Array.from({ length: e.energy.length + 1 }, (_, i) => Math.min(e.length, i * e.binWidth));

  const onMove = (mx: number, my: number) => {
    // Panel A: nearest singular value by index.
    if (mx >= m.left && mx <= m.left + panelW && my >= aY && my <= aY + abH) {
      const i = Math.round(scree.x.invert(mx)) - 1;
      let best = -1;
      let bestD = 14;
      rows.forEach((r, k) => {
        if (!legend.shown(r.key)) return;
        const v = r.spectrum.singularValues[i];
        if (v > 0 && Math.abs(scree.y(v) - my) < bestD) {
          bestD = Math.abs(scree.y(v) - my);
          best = k;
        }
      });
      if (best < 0) return setTip(null);
      const r = rows[best];
      return setTip({
        x: mx,
        y: my,
        fx: scree.x(i + 1),
        fy: scree.y(r.spectrum.singularValues[i]),
        content: (
          <TipBody
            title={r.label}
            color={r.color}
            rows={[
              ['index', String(i + 1)],
              ['σ', fmt(r.spectrum.singularValues[i], 6)],
              ['λ = σ²/n', fmt(r.spectrum.eigenvalues[i], 6)],
            ]}
          />
        ),
      });
    }
    if (mx >= bX && mx <= bX + panelW && my >= bY && my <= bY + abH) {
      const t = dScale.x.invert(mx);
      const b = Math.floor((t / hi) * DENSITY_BINS);
      if (b < 0 || b >= DENSITY_BINS) return setTip(null);
      return setTip({
        x: mx,
        y: my,
        content: (
          <TipBody
            title={`λ/σ̂² in [${fmt((b * hi) / DENSITY_BINS, 4)}, ${fmt(((b + 1) * hi) / DENSITY_BINS, 4)})`}
            rows={[
              ['MP density', fmt(marchenkoPasturDensity(t, gamma, 1), 5)],
              ...rows.flatMap((r, k) =>
                legend.shown(r.key) ? [[r.label, fmt(hists[k].dens[b], 5)] as [string, string]] : [],
              ),
            ]}
          />
        ),
      });
    }
    if (mx >= m.left && mx <= m.left + cW && my >= cY && my <= cY + cH) {
      const k = eScale.x.invert(mx);
      let best = -1;
      let bestD = 14;
      let bin = -1;
      rows.forEach((r, i) => {
        if (!legend.shown(r.key)) return;
        const bi = Math.floor(k / r.energy.binWidth);
        const v = r.energy.energy[bi];
        if (bi >= 0 && bi < r.energy.energy.length && v > 0 && Math.abs(eScale.y(v) - my) < bestD) {
          bestD = Math.abs(eScale.y(v) - my);
          best = i;
          bin = bi;
        }
      });
      if (best < 0) return setTip(null);
      const r = rows[best];
      const from = bin * r.energy.binWidth;
      return setTip({
        x: mx,
        y: my,
        content: (
          <TipBody
            title={best === 0 ? 'before transform (x)' : `${r.label}: after transform (y)`}
            color={r.color}
            rows={[
              [
                basis === 'walsh' ? 'sequency' : 'frequency',
                r.energy.binWidth > 1 ? `${from}–${from + r.energy.binWidth - 1}` : String(from),
              ],
              ['energy fraction', fmt(r.energy.energy[bin], 5)],
            ]}
          />
        ),
      });
    }
    setTip(null);
  };

  const sub =
    spectra.rowsUsed < spectra.rows
      ? `${spectra.rowsUsed} of ${spectra.rows} rows (seeded subsample)`
      : `all ${spectra.rows} rows`;
  return (
    <ChartRoot
      id="spectra"
      size={{ width, height: totalH }}
      title="Spectra"
      description="Singular values of the data and of each pipeline's error matrix, their eigenvalue densities against a fitted Marchenko–Pastur law, and the energy per Walsh sequency or DCT frequency before and after each transform."
      tooltip={tip}
      dense={dense}
      dataAttrs={{
        series: spectra.pipelines.length - legend.state.hidden.size,
        ...legendAttrs(legend.state),
        basis,
        digest: spectra.pipelines.map((p) => fmt(p.error.sigma2, 4)).join(' '),
      }}
      onMove={onMove}
      onLeave={() => setTip(null)}
    >
      <ClipRect id="qs-spectra-clip-a" x={m.left} y={aY} width={panelW} height={abH} />
      <ClipRect id="qs-spectra-clip-b" x={bX} y={bY} width={panelW} height={abH} />
      <ClipRect id="qs-spectra-clip-c" x={m.left} y={cY} width={cW} height={cH} />
      <text x={m.left} y={aY - 10} className="qs-title">
        singular values ({sub})
      </text>
      <AxisLeft
        scale={scree.y}
        x={m.left}
        label="singular value σ (log)"
        values={decades(scree.y.domain()[0], scree.y.domain()[1])}
        format={logTick}
        grid={panelW}
      />
      <AxisBottom scale={scree.x} y={aY + abH} label="index (descending)" ticks={6} />
      <g clipPath="url(#qs-spectra-clip-a)">
        {rows.map((r, k) =>
          !legend.shown(r.key) ? null : (
            <path
              key={r.key}
              opacity={legend.opacity(r.key)}
              d={screePath(r.spectrum.singularValues)}
              fill="none"
              className={k === 0 ? 'qs-ref' : undefined}
              stroke={r.color}
              strokeWidth={k === 0 ? 2 : 1.5}
              data-series-index={k - 1}
            />
          ),
        )}
      </g>
      <text x={bX} y={bY - 10} className="qs-title">
        {clipLabel(`eigenvalues vs Marchenko–Pastur, γ = ${fmt(gamma, 3)}`, panelW * 0.85)}
      </text>
      <AxisLeft scale={dScale.y} x={bX} label="density" grid={panelW} />
      <AxisBottom
        scale={dScale.x}
        y={bY + abH}
        label="λ / σ̂² (eigenvalue over fitted bulk variance)"
        ticks={6}
      />
      <g clipPath="url(#qs-spectra-clip-b)">
        <line
          x1={dScale.x(upper)}
          x2={dScale.x(upper)}
          y1={bY}
          y2={bY + abH}
          className="qs-ref-muted"
          strokeDasharray="2 3"
          data-ref="mp-edge"
        />
        {rows.map((r, k) =>
          !legend.shown(r.key) ? null : (
            <path
              key={r.key}
              opacity={legend.opacity(r.key)}
              d={stepPath(hists[k].edges, hists[k].dens, dScale.x, dScale.y)}
              fill="none"
              className={k === 0 ? 'qs-ref' : undefined}
              stroke={r.color}
              strokeWidth={k === 0 ? 2 : 1.3}
              data-series-index={k - 1}
            />
          ),
        )}
        <path d={mpPath} className="qs-ref-muted" strokeWidth={2.5} strokeDasharray="6 3" data-ref="mp" />
      </g>
      <text x={bX + panelW - 4} y={bY + 12} textAnchor="end" className="qs-muted">
        MP (dashed), upper edge (1+√γ)² = {fmt(upper, 4)}
      </text>
      <text x={m.left} y={cY - 10} className="qs-title">
        {clipLabel(
          basis === 'walsh'
            ? 'energy per Walsh sequency (sequency order), rows before (x) and after (y) each transform'
            : 'energy per DCT-II frequency, rows before (x) and after (y) each transform',
          cW * 0.85,
        )}
      </text>
      <AxisLeft
        scale={eScale.y}
        x={m.left}
        label="energy fraction (log)"
        values={decades(eScale.y.domain()[0], eScale.y.domain()[1])}
        format={logTick}
        grid={cW}
      />
      <AxisBottom
        scale={eScale.x}
        y={cY + cH}
        label={basis === 'walsh' ? 'sequency (sign changes per row)' : 'DCT frequency index'}
        ticks={10}
      />
      <g clipPath="url(#qs-spectra-clip-c)">
        {rows.map((r, k) =>
          !legend.shown(r.key) ? null : (
            <path
              key={r.key}
              opacity={legend.opacity(r.key)}
              d={stepPath(energyEdges(r.energy), r.energy.energy, eScale.x, eScale.y, true)}
              fill="none"
              className={k === 0 ? 'qs-ref' : undefined}
              stroke={r.color}
              strokeWidth={k === 0 ? 2 : 1.3}
              data-series-index={k - 1}
            />
          ),
        )}
      </g>
      <ReadoutTable
        x={m.left}
        y={plotsBottom + 8}
        width={cW}
        header={
          // Narrow charts (phones) get the short headers; the long ones are the <title>s.
          cW < 480
            ? ['σ̂²', 'spikes', `>${fmt(hi, 2)}σ̂²`, 'σ max']
            : ['σ̂² (MP fit)', 'spikes', `beyond ${fmt(hi, 3)}σ̂²`, 'σ max']
        }
        onToggle={legend.toggle}
        onHover={legend.hover}
        rows={rows.map((r, k) => ({
          key: r.key,
          label:
            k === 0
              ? 'data X (energy: rows before the transform)'
              : `${r.label}: error X − X̂ (energy: y)${sameAs[k] > 0 ? ` (same as ${sameAs[k]})` : ''}`,
          hidden: !legend.shown(r.key),
          color: r.color,
          className: k === 0 ? 'qs-ref' : undefined,
          values: [
            fmt(r.spectrum.sigma2, 4),
            String(r.spectrum.spikes),
            String(hists[k].beyond),
            fmt(r.spectrum.singularValues[0] ?? NaN, 4),
          ],
        }))}
      />
    </ChartRoot>
  );
}
