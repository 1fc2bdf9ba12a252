/**
 * Codebook lab: plain Lloyd iterations (src/core/linalg/lloydmax.ts lloydSweeps) on the Gaussian
 * or the exact sphere marginal for chosen d and b, scrubbed one sweep at a time: the density, the
 * cells and levels, D_b against the converged (Newton) fixed point, and the inner-product
 * shrinkage 1 − D_b of an MSE-optimal codebook (E⟨x̂, y⟩ = (1 − D_b)⟨x, y⟩ for a random rotation;
 * TurboQuant arXiv 2504.19874 §3.2, EDEN ICML 2022 §3). The sweeps and the converged codebook
 * come from the teaching worker (the Newton solve takes up to ~0.1 s at b = 5, d = 2), so the
 * main thread only draws.
 */
import { useMemo, type KeyboardEvent } from 'react';
import { normalPdf, sphereCoordinatePdf } from '../../../core/linalg/special';
import { useLloyd } from '../../bridge/teach-client';
import { fmt, readEnum, readInt, useViewParam } from './params';

const MAX_SWEEPS = 60;
const LAWS = ['gaussian', 'sphere'] as const;
const W = 640;
const H = 200;

export function CodebookLab() {
  const [law, setLaw] = useViewParam('law', (s) => readEnum(s, 'law', LAWS, 'gaussian'));
  const [d, setD] = useViewParam('d', (s) => readInt(s, 'd', 2, 4096, 16));
  const [bits, setBits] = useViewParam('b', (s) => readInt(s, 'b', 1, 5, 2));
  const [it, setIt] = useViewParam('it', (s) => readInt(s, 'it', 0, MAX_SWEEPS, 0));
  // Computed in the teaching worker: the Newton solve at b = 5, d = 2 takes ~0.1 s.
  const lloyd = useLloyd(law, bits, d, MAX_SWEEPS);
  // Unit-variance units for drawing: t·√d for the sphere law.
  const unit = law === 'gaussian' ? 1 : Math.sqrt(d);
  const span = law === 'gaussian' ? 4 : Math.min(4, Math.sqrt(d));
  const pdf = (u: number) =>
    law === 'gaussian' ? normalPdf(u) : Math.abs(u) >= unit ? 0 : sphereCoordinatePdf(u / unit, d) / unit;
  const xs = (u: number) => ((u + span) / (2 * span)) * W;
  const curve = useMemo(() => {
    const pts: number[] = [];
    let peak = 0;
    for (let i = 0; i <= 200; i++) {
      const u = -span + (2 * span * i) / 200;
      const v = pdf(u);
      pts.push(u, Number.isFinite(v) ? v : 0);
      if (Number.isFinite(v)) peak = Math.max(peak, v);
    }
    const cap = Math.min(peak, 1.2);
    let dstr = '';
    for (let i = 0; i < pts.length; i += 2) {
      const y = H - 20 - (Math.min(pts[i + 1], cap) / cap) * (H - 40);
      dstr += `${i === 0 ? 'M' : 'L'}${xs(pts[i]).toFixed(1)},${y.toFixed(1)}`;
    }
    return dstr;
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [law, d, span]);
  if (!lloyd.data)
    return (
      <section className="teach-view" data-testid="teach-codebook-loading">
        {lloyd.isError ? (
          <p role="alert" className="teach-error">
            {lloyd.error.message}
          </p>
        ) : (
          <p className="muted" aria-live="polite">
            computing… the Lloyd sweeps and the converged codebook are solved in a worker
          </p>
        )}
      </section>
    );
  const { states, final } = lloyd.data;
  const st = states[Math.min(it, states.length - 1)];
  const shrink = 1 - final.distortion;
  const onKey = (e: KeyboardEvent) => {
    if (e.key === 'ArrowRight') setIt(Math.min(MAX_SWEEPS, it + 1));
    else if (e.key === 'ArrowLeft') setIt(Math.max(0, it - 1));
    else return;
    e.preventDefault();
  };
  // D_b per sweep on a log axis of the gap to the fixed point.
  const gaps = states.map((s) => Math.max(1e-16, s.distortion - final.distortion));
  const gLo = Math.log10(Math.min(...gaps));
  const gHi = Math.log10(Math.max(...gaps));
  const gy = (g: number) => 10 + (1 - (Math.log10(g) - gLo) / Math.max(1e-9, gHi - gLo)) * 80;

  return (
    <section
      className="teach-view"
      data-testid="teach-codebook"
      onKeyDown={onKey}
      tabIndex={0}
      aria-label="Codebook lab"
    >
      <div className="teach-controls">
        <label>
          law
          <select
            value={law}
            onChange={(e) => setLaw(e.target.value as (typeof LAWS)[number])}
            data-testid="teach-law"
          >
            <option value="gaussian">Gaussian N(0,1)</option>
            <option value="sphere">sphere coordinate (shifted Beta)</option>
          </select>
        </label>
        {law === 'sphere' && (
          <label>
            d
            <input
              type="number"
              min={2}
              max={4096}
              value={d}
              onChange={(e) => setD(Math.min(4096, Math.max(2, Math.floor(Number(e.target.value) || 2))))}
              data-testid="teach-d"
            />
          </label>
        )}
        <label>
          bits b
          <input
            type="number"
            min={1}
            max={5}
            value={bits}
            onChange={(e) => setBits(Math.min(5, Math.max(1, Math.floor(Number(e.target.value) || 1))))}
            data-testid="teach-bits"
          />
        </label>
        <label className="grow">
          sweep {it}
          <input
            type="range"
            min={0}
            max={MAX_SWEEPS}
            value={it}
            onChange={(e) => setIt(Number(e.target.value))}
            data-testid="teach-iter"
            aria-label="Lloyd sweep"
          />
        </label>
      </div>
      <svg
        viewBox={`0 0 ${W} ${H}`}
        className="teach-svg density-plot"
        role="img"
        aria-label="density, cells and levels"
      >
        <path d={curve} className="density" />
        {Array.from(st.thresholds, (t, i) => (
          <line key={`t${i}`} x1={xs(t * unit)} x2={xs(t * unit)} y1={14} y2={H - 20} className="cell" />
        ))}
        {Array.from(st.levels, (c, i) => (
          <circle key={`c${i}`} cx={xs(c * unit)} cy={H - 20} r={4} className="level" />
        ))}
        {Array.from(final.levels, (c, i) => (
          <line key={`f${i}`} x1={xs(c * unit)} x2={xs(c * unit)} y1={H - 12} y2={H - 4} className="final" />
        ))}
        <text x={4} y={12} className="svg-label">
          density, cells ┆, levels ● (sweep {it}), final ▏
        </text>
      </svg>
      <div className="teach-two">
        <div>
          <p data-testid="teach-distortion">
            D<sub>b</sub> at sweep {it} ={' '}
            <b data-testid="teach-dsweep" data-value={st.distortion}>
              {fmt(st.distortion)}
            </b>
            ; fixed point{' '}
            <b data-testid="teach-final" data-value={final.distortion}>
              {fmt(final.distortion)}
            </b>
            {law === 'gaussian'
              ? ' (Max 1960: 0.3634, 0.1175, 0.03455, 0.009501 for b = 1…4)'
              : ` (sphere, d = ${d}; → Gaussian D_b as d → ∞)`}
          </p>
          <svg
            viewBox="0 0 300 100"
            className="teach-svg small"
            role="img"
            aria-label="gap to the fixed point per sweep (log)"
          >
            <path
              className="density"
              d={gaps
                .map(
                  (g, i) =>
                    `${i === 0 ? 'M' : 'L'}${((i / MAX_SWEEPS) * 290 + 5).toFixed(1)},${gy(g).toFixed(1)}`,
                )
                .join('')}
            />
            <circle cx={(it / MAX_SWEEPS) * 290 + 5} cy={gy(gaps[it])} r={3.5} className="level" />
            <text x={6} y={98} className="svg-label">
              log (D − D*) per sweep
            </text>
          </svg>
        </div>
        <div>
          <p data-testid="teach-shrink">
            Inner products: E⟨x̂, y⟩ = (1 − D<sub>b</sub>)⟨x, y⟩ = <b data-value={shrink}>{fmt(shrink)}</b>·⟨x,
            y⟩ — an MSE-optimal codebook is biased toward 0; EDEN’s unbiased scale or QJL removes it.
          </p>
          <svg
            viewBox="0 0 160 100"
            className="teach-svg small"
            role="img"
            aria-label="Q(t) against t with slope 1 − D_b"
          >
            <line x1={10} y1={90} x2={150} y2={10} className="cell" />
            <line x1={10} y1={50 + 40 * shrink} x2={150} y2={50 - 40 * shrink} className="final" />
            <path
              className="density"
              d={(() => {
                let p = '';
                for (let i = 0; i <= 140; i++) {
                  const u = -3 + (6 * i) / 140;
                  const t = u / unit;
                  let idx = 0;
                  while (idx < final.thresholds.length && t > final.thresholds[idx]) idx++;
                  const qv = final.levels[idx] * unit;
                  p += `${i === 0 ? 'M' : 'L'}${(10 + i).toFixed(1)},${(50 - (qv / 3) * 40).toFixed(1)}`;
                }
                return p;
              })()}
            />
          </svg>
        </div>
      </div>
      <p className="muted small">
        ← → sweep. Plain Lloyd from a uniform quantizer; the lab’s codebooks use Newton to the same fixed
        point.
      </p>
    </section>
  );
}
