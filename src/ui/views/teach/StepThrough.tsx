/**
 * Step-through: one row of the current data through one pipeline of the experiment, stage by
 * stage (each transform, the quantizer's own normalise / assign / scale steps, each inverse) with
 * the relative error at every step (src/core/teaching/trace.ts, run in the teaching worker), and a
 * 2-D view (or the 3-D one, Space3D.tsx) where a point is dragged through rotate → quantize →
 * rotate back with the quantizer's reconstruction grid and cells drawn (core/teaching/geometry.ts:
 * E2M1 × block scale for MXFP4, the Lloyd–Max cells of the exact sphere law for TurboQuant, S ×
 * Gaussian levels in the Gaussian cells × ‖y‖/√d for EDEN). ← → step, the slider scrubs.
 * Everything that runs a kernel or solves a codebook (the trace, the quantizer's sub-steps, the
 * dragged point and its grid) comes from the teaching worker (bridge/teach-client.ts); the page
 * only splits blocks (block.ts: table look-ups and rounding) and draws.
 */
import { useMemo, useRef, type KeyboardEvent, type PointerEvent } from 'react';
import type { ExperimentConfig } from '../../../core/config/schema';
import { quantizersById } from '../../../core/methods';
import { inspectBlock } from '../../../core/teaching/block';
import { usePoint, useTrace } from '../../bridge/teach-client';
import { Space3D } from './Space3D';
import { pipelineFormat } from './BlockInspector';
import { PointPending } from './PointPending';
import { fmt, readInt, readNum, useViewParam } from './params';

const BARS = 48;

interface Step {
  readonly label: string;
  readonly formula?: string;
  readonly values: ArrayLike<number>;
  readonly ref?: ArrayLike<number>;
  readonly relError: number | null;
}

function Bars({ values, ref }: { values: ArrayLike<number>; ref?: ArrayLike<number> }) {
  const n = Math.min(BARS, values.length);
  let m = 1e-12;
  for (let i = 0; i < n; i++) m = Math.max(m, Math.abs(values[i]), ref ? Math.abs(ref[i]) : 0);
  const w = 600 / n;
  return (
    <svg
      viewBox="0 0 600 120"
      preserveAspectRatio="none"
      className="teach-svg bars"
      role="img"
      aria-label={`first ${n} coordinates`}
    >
      <line x1={0} x2={600} y1={60} y2={60} className="cell" />
      {Array.from({ length: n }, (_, i) => {
        const v = values[i];
        const h = (Math.abs(v) / m) * 56;
        return (
          <rect
            key={i}
            x={i * w + 1}
            width={Math.max(1, w - 2)}
            y={v >= 0 ? 60 - h : 60}
            height={h}
            className="bar"
          />
        );
      })}
      {ref &&
        Array.from({ length: n }, (_, i) => (
          <line
            key={`r${i}`}
            x1={i * w + 1}
            x2={i * w + w - 1}
            y1={60 - (ref[i] / m) * 56}
            y2={60 - (ref[i] / m) * 56}
            className="refline"
          />
        ))}
    </svg>
  );
}

const R = 3;
const PX = 260;
const toPx = (v: number) => ((v + R) / (2 * R)) * PX;
const toPy = (v: number) => PX - ((v + R) / (2 * R)) * PX;

function Plane({ config, p }: { config: ExperimentConfig; p: number }) {
  const [px, setPx] = useViewParam('px', (s) => readNum(s, 'px', -R, R, 1.3));
  const [py, setPy] = useViewParam('py', (s) => readNum(s, 'py', -R, R, 0.45));
  const [rot, setRot] = useViewParam('rot', (s) => readInt(s, 'rot', 0, 359, 0));
  const svg = useRef<SVGSVGElement>(null);
  const q = config.pipelines[p]?.quantizer;
  const def = q ? quantizersById.get(q.id) : undefined;
  const th = (rot * Math.PI) / 180;
  const c = Math.cos(th);
  const s = Math.sin(th);
  const y = Float32Array.from([c * px - s * py, s * px + c * py]);
  const point = usePoint(q, config.seed, Array.from(y));
  // Back to the plane of x: x̂ = Rᵀ ŷ.
  const back = (a: number, b: number): [number, number] => [c * a + s * b, -s * a + c * b];
  const move = (e: PointerEvent<SVGSVGElement>) => {
    if (!svg.current || e.buttons === 0) return;
    const box = svg.current.getBoundingClientRect();
    const vx = ((e.clientX - box.left) / box.width) * 2 * R - R;
    const vy = R - ((e.clientY - box.top) / box.height) * 2 * R;
    setPx(Number(Math.max(-R, Math.min(R, vx)).toFixed(3)));
    setPy(Number(Math.max(-R, Math.min(R, vy)).toFixed(3)));
  };
  const onKey = (e: KeyboardEvent) => {
    const d = e.shiftKey ? 0.25 : 0.05;
    const keys: Record<string, [number, number]> = {
      ArrowLeft: [-d, 0],
      ArrowRight: [d, 0],
      ArrowUp: [0, d],
      ArrowDown: [0, -d],
    };
    const k = keys[e.key];
    if (!k) return;
    e.preventDefault();
    e.stopPropagation();
    setPx(Number(Math.max(-R, Math.min(R, px + k[0])).toFixed(3)));
    setPy(Number(Math.max(-R, Math.min(R, py + k[1])).toFixed(3)));
  };
  // The kernel's grid and cells for this vector (core/teaching/geometry.ts); EDEN's cells are the
  // Gaussian thresholds × ‖y‖/√d, not the midpoints of its S-scaled levels.
  const grid = point.data?.grid ?? null;
  const lv = grid ? grid.levels : [];
  const mids = grid ? grid.thresholds : [];
  const xh = point.data && !point.isError ? back(point.data.yHat[0], point.data.yHat[1]) : null;
  return (
    <div className="teach-plane">
      <svg
        ref={svg}
        viewBox={`0 0 ${PX} ${PX}`}
        className="teach-svg plane"
        aria-busy={point.isFetching}
        onPointerDown={(e) => {
          e.currentTarget.setPointerCapture(e.pointerId);
          move(e);
        }}
        onPointerMove={move}
        role="application"
        aria-label="2-D view: drag the point"
        data-testid="teach-plane"
      >
        <g transform={`rotate(${rot} ${PX / 2} ${PX / 2})`}>
          {mids.map((m, i) => (
            <g key={i}>
              <line x1={toPx(m)} x2={toPx(m)} y1={-PX} y2={2 * PX} className="cell" />
              <line y1={toPy(m)} y2={toPy(m)} x1={-PX} x2={2 * PX} className="cell" />
            </g>
          ))}
          {lv.flatMap((a) =>
            lv.map((b) => <circle key={`${a},${b}`} cx={toPx(a)} cy={toPy(b)} r={1.6} className="gridpt" />),
          )}
        </g>
        <line x1={toPx(-R)} x2={toPx(R)} y1={toPy(0)} y2={toPy(0)} className="axis" />
        <line y1={toPy(-R)} y2={toPy(R)} x1={toPx(0)} x2={toPx(0)} className="axis" />
        {xh && <line x1={toPx(px)} y1={toPy(py)} x2={toPx(xh[0])} y2={toPy(xh[1])} className="errline" />}
        {xh && <circle cx={toPx(xh[0])} cy={toPy(xh[1])} r={5} className="recon" />}
        <circle
          cx={toPx(px)}
          cy={toPy(py)}
          r={7}
          className="handle"
          tabIndex={0}
          onKeyDown={onKey}
          aria-label={`point (${fmt(px)}, ${fmt(py)}); arrow keys move it`}
          data-testid="teach-handle"
        />
      </svg>
      <div className="teach-plane-side">
        <label>
          rotate θ = {rot}°
          <input
            type="range"
            min={0}
            max={359}
            value={rot}
            onChange={(e) => setRot(Number(e.target.value))}
            data-testid="teach-rot"
          />
        </label>
        <p className="small">
          x = ({fmt(px)}, {fmt(py)})<br />
          {xh ? (
            <>
              x̂ ={' '}
              <span data-testid="teach-plane-xhat">
                ({fmt(xh[0])}, {fmt(xh[1])})
              </span>
              <br />
              ‖x − x̂‖ = {fmt(Math.hypot(px - xh[0], py - xh[1]))}
            </>
          ) : (
            <PointPending
              error={point.isError ? point.error : null}
              hasQuantizer={!!q}
              testId="teach-plane-loading"
            />
          )}
        </p>
        <p className="muted small">
          {def ? `${def.label} on a 2-vector (d = 2, one block). ` : ''}Drag the point (or focus it and use
          the arrows). Dots: reconstruction grid in the rotated frame; dashed lines: cell boundaries.
        </p>
      </div>
    </div>
  );
}

export function StepThrough({ config }: { config: ExperimentConfig }) {
  const n = config.pipelines.length;
  const [p, setP] = useViewParam('p', (s) => readInt(s, 'p', 0, n - 1, 0));
  const [row, setRow] = useViewParam('row', (s) => readInt(s, 'row', 0, 1_000_000, 0));
  const [st, setSt] = useViewParam('st', (s) => readInt(s, 'st', 0, 64, 0));
  const [dim, setDim] = useViewParam('dim', (s) => readInt(s, 'dim', 2, 3, 2));
  const trace = useTrace(config, Math.min(p, n - 1), row);
  const steps: Step[] = useMemo(() => {
    const t = trace.data?.trace;
    if (!t) return [];
    const out: Step[] = [];
    const fwd = t.stages.filter((s) => s.kind !== 'quantize' && s.kind !== 'inverse');
    let inverses = 0;
    for (const s of t.stages) {
      if (s.kind === 'quantize') {
        const y = fwd[fwd.length - 1].values;
        for (const d of trace.data?.detail ?? [])
          if (d.label !== 'scale')
            out.push({
              label: `${d.label}${d.scalar ? ` (${d.scalar.name} = ${fmt(d.scalar.value)})` : ''}`,
              formula: d.formula,
              values: d.values,
              relError: null,
            });
        const blocks = pipelineFormat(config, Math.min(p, n - 1));
        if (blocks) {
          // Block formats: divide by each block's shared scale, then round onto the element grid.
          const scaled = new Float64Array(y.length);
          const level = new Float64Array(y.length);
          for (let start = 0; start < y.length; start += blocks.block) {
            const b = inspectBlock(y.subarray(start, Math.min(y.length, start + blocks.block)), {
              format: blocks.format,
              ...blocks.opts,
              tensorAmax: t.tensorAmax,
            });
            b.elements.forEach((e, i) => {
              scaled[start + i] = e.scaled;
              level[start + i] = e.level;
            });
          }
          out.push({
            label: 'divide by the block scale',
            formula: 'x / scale, per block of ' + blocks.block,
            values: scaled,
            relError: null,
          });
          out.push({
            label: 'round to the grid (codes)',
            formula: 'nearest grid value; ×scale gives x̂',
            values: level,
            relError: null,
          });
        }
        out.push({ label: s.label, values: s.values, ref: y, relError: s.relError });
      } else if (s.kind === 'inverse') {
        // The j-th inverse lands in the domain of forward stage K − 1 − j.
        out.push({
          label: s.label,
          values: s.values,
          ref: fwd[fwd.length - 2 - inverses]?.values,
          relError: s.relError,
        });
        inverses++;
      } else out.push({ label: s.label, values: s.values, relError: 0 });
    }
    return out;
  }, [trace.data, config, p, n]);
  const cur = Math.min(st, Math.max(0, steps.length - 1));
  const step = steps[cur];
  const onKey = (e: KeyboardEvent) => {
    if (e.key === 'ArrowRight') setSt(Math.min(steps.length - 1, cur + 1));
    else if (e.key === 'ArrowLeft') setSt(Math.max(0, cur - 1));
    else return;
    e.preventDefault();
  };
  return (
    <section
      className="teach-view"
      data-testid="teach-step"
      onKeyDown={onKey}
      tabIndex={0}
      aria-label="Step through one vector"
    >
      <div className="teach-controls">
        <label>
          pipeline
          <select value={p} onChange={(e) => setP(Number(e.target.value))} data-testid="teach-pipeline">
            {config.pipelines.map((pl, i) => (
              <option key={i} value={i}>
                {i + 1}.{' '}
                {pl.label ?? `${pl.transforms.map((t) => t.id).join('→') || 'identity'} → ${pl.quantizer.id}`}
              </option>
            ))}
          </select>
        </label>
        <label>
          row
          <input
            type="number"
            min={0}
            max={(trace.data?.rows ?? 1) - 1}
            value={row}
            onChange={(e) => setRow(Math.max(0, Math.floor(Number(e.target.value) || 0)))}
            data-testid="teach-row"
          />
        </label>
        <label className="grow">
          step {cur + 1}/{steps.length || 1}
          <input
            type="range"
            min={0}
            max={Math.max(0, steps.length - 1)}
            value={cur}
            onChange={(e) => setSt(Number(e.target.value))}
            data-testid="teach-scrub"
            aria-label="stage"
          />
        </label>
      </div>
      {trace.isError && (
        <p role="alert" className="teach-error">
          {trace.error.message}
        </p>
      )}
      {!step && !trace.isError && (
        <p className="muted" aria-live="polite">
          computing… the pipeline runs over the data in a worker
        </p>
      )}
      {step && (
        <>
          <ol className="teach-stages" data-testid="teach-stages">
            {steps.map((s, i) => (
              <li key={i} className={i === cur ? 'current' : undefined}>
                <button type="button" onClick={() => setSt(i)} aria-current={i === cur ? 'step' : undefined}>
                  {s.label}
                </button>
                {s.relError !== null && (
                  <span className="err" data-testid="teach-stage-error" data-value={s.relError}>
                    {' '}
                    error {fmt(s.relError)}
                  </span>
                )}
              </li>
            ))}
          </ol>
          <p className="teach-lead" data-testid="teach-current">
            <b>{step.label}</b>
            {step.formula ? ` — ${step.formula}` : ''}
            {step.ref ? ' (outline: the vector before quantization, same domain)' : ''}; first{' '}
            {Math.min(BARS, step.values.length)} of {step.values.length} coordinates.
          </p>
          <Bars values={step.values} ref={step.ref} />
        </>
      )}
      <div className="teach-dim" role="group" aria-label="geometric view">
        {([2, 3] as const).map((k) => (
          <button
            key={k}
            type="button"
            aria-pressed={dim === k}
            onClick={() => setDim(k)}
            data-testid={`teach-dim-${k}`}
          >
            {k}-D
          </button>
        ))}
      </div>
      {dim === 3 ? (
        <Space3D config={config} p={Math.min(p, n - 1)} />
      ) : (
        <Plane config={config} p={Math.min(p, n - 1)} />
      )}
      <p className="muted small">
        ← → step through the stages; the error is ‖v − v_ref‖ / ‖v_ref‖ against the forward vector of the same
        domain.
      </p>
    </section>
  );
}
