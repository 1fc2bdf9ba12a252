/**
 * The step-through's 3-D view (d = 3): a point x is rotated (y = R x, R about (1, 1, 1) by θ),
 * quantized by the pipeline's quantizer as a 1 × 3 row (the registry kernel itself) and rotated
 * back, x̂ = Rᵀ ŷ. The picture is an orthographic projection that orbits (drag the background,
 * the ◀ ▶ ▲ ▼ buttons, or the arrow keys on the focused view); the point is dragged on its sphere
 * (TurboQuant, EDEN: the cells are cones, drawn as the threshold circles on the sphere of radius
 * ‖x‖) or in space (block formats: the grid points near x̂ and the box of its cell). The grid and
 * the cells are src/core/teaching/geometry.ts (E2M1 × the block scale for MXFP4, the Lloyd–Max
 * cells of the exact sphere law for TurboQuant, the Gaussian thresholds × ‖y‖/√d for EDEN).
 * Frame 'x' draws everything in the data's coordinates (the grid turns with θ); frame 'y' in the
 * quantizer's (the point turns, the grid stays axis-aligned). The kernel and the grid (which may
 * solve a Lloyd–Max codebook) run in the teaching worker (bridge/teach-client.ts usePoint); while
 * the point moves, the previous answer stays drawn.
 */
import { useMemo, useRef, type KeyboardEvent, type PointerEvent } from 'react';
import type { ExperimentConfig } from '../../../core/config/schema';
import { quantizersById } from '../../../core/methods';
import { apply3, applyT3, cellIndex, rotation3 } from '../../../core/teaching/geometry';
import { usePoint } from '../../bridge/teach-client';
import { PointPending } from './PointPending';
import { fmt, readEnum, readInt, readNum, useViewParam } from './params';

type Vec3 = [number, number, number];
const R = 3; // coordinate range shown, [−R, R]³
const PX = 260;
const C = PX / 2;
const K1 = C / 3.4; // pixels per unit at zoom 1: the radius-3 sphere fits
const STEP_DEG = 15;

/** Camera rows: right, depth (away from the viewer), up; M = Rx(pitch)·Rz(yaw). */
function camera(yaw: number, pitch: number): Float64Array {
  const a = (yaw * Math.PI) / 180;
  const b = (pitch * Math.PI) / 180;
  const [ca, sa, cb, sb] = [Math.cos(a), Math.sin(a), Math.cos(b), Math.sin(b)];
  return Float64Array.from([ca, -sa, 0, cb * sa, cb * ca, -sb, sb * sa, sb * ca, cb]);
}

interface Projected {
  readonly sx: number;
  readonly sy: number;
  readonly depth: number;
}

const norm3 = (v: readonly number[]) => Math.hypot(v[0], v[1], v[2]);
const clamp = (v: number) => Math.max(-R, Math.min(R, v));
const round3 = (v: number) => Number(clamp(v).toFixed(3));

export function Space3D({ config, p }: { config: ExperimentConfig; p: number }) {
  const [px, setPx] = useViewParam('px', (s) => readNum(s, 'px', -R, R, 1.3));
  const [py, setPy] = useViewParam('py', (s) => readNum(s, 'py', -R, R, 0.45));
  const [pz, setPz] = useViewParam('pz', (s) => readNum(s, 'pz', -R, R, 0.8));
  const [rot, setRot] = useViewParam('rot', (s) => readInt(s, 'rot', 0, 359, 0));
  const [yaw, setYaw] = useViewParam('yaw', (s) => readInt(s, 'yaw', -180, 180, -35));
  const [pitch, setPitch] = useViewParam('pit', (s) => readInt(s, 'pit', -89, 89, 20));
  const [zoom, setZoom] = useViewParam('zm', (s) => readNum(s, 'zm', 0.5, 8, 1.5));
  const K = K1 * zoom;
  const [frame, setFrame] = useViewParam('fr', (s) => readEnum(s, 'fr', ['x', 'y'] as const, 'x'));
  const svg = useRef<SVGSVGElement>(null);
  const drag = useRef<{
    mode: 'point' | 'orbit';
    x: number;
    y: number;
    r: number;
    center: Vec3;
  } | null>(null);

  const q = config.pipelines[p]?.quantizer;
  const def = q ? quantizersById.get(q.id) : undefined;
  const rm = useMemo(() => rotation3(rot), [rot]);
  const cam = useMemo(() => camera(yaw, pitch), [yaw, pitch]);
  const x: Vec3 = [px, py, pz];
  const yv = apply3(rm, x);
  // ŷ in float32 as the kernel sees it: the worker quantizes exactly these three values.
  const point = usePoint(q, config.seed, Array.from(Float32Array.from(yv)));
  const grid = point.data && !point.isError ? point.data.grid : null;
  const yHat = point.data && !point.isError ? (Array.from(point.data.yHat) as Vec3) : null;
  const xHat = yHat ? applyT3(rm, yHat) : null;
  const sphere = grid?.kind === 'sphere';

  // Displayed frame: the data's (x) or the quantizer's (y = R x).
  const toWorld = (v: readonly number[]): Vec3 => (frame === 'x' ? applyT3(rm, v) : [v[0], v[1], v[2]]);
  const shownPoint: Vec3 = frame === 'x' ? x : yv;
  const shownRecon = frame === 'x' ? xHat : yHat;
  // Zooming in moves the view's centre from the origin towards the point (c = (1 − 1/zoom)·p), so
  // a zoomed view shows the point's cell; the centre is held still while dragging.
  const center: Vec3 = drag.current?.center ?? (shownPoint.map((v) => v * (1 - 1 / zoom)) as Vec3);
  const camCenter = apply3(cam, center);
  const project = (w: readonly number[]): Projected => {
    const [a, d, u] = apply3(cam, w);
    return { sx: C + K * (a - camCenter[0]), sy: C - K * (u - camCenter[2]), depth: d };
  };
  const origin = project([0, 0, 0]);
  const setPoint = (w: Vec3) => {
    const v = frame === 'x' ? w : applyT3(rm, w);
    setPx(round3(v[0]));
    setPy(round3(v[1]));
    setPz(round3(v[2]));
  };

  const pointerWorld = (e: PointerEvent<SVGSVGElement>, r: number): Vec3 | null => {
    if (!svg.current) return null;
    const box = svg.current.getBoundingClientRect();
    // Camera coordinates (right, up) of the pointer, relative to the origin.
    let a = (((e.clientX - box.left) / box.width) * PX - C) / K + camCenter[0];
    let u = (C - ((e.clientY - box.top) / box.height) * PX) / K + camCenter[2];
    let d: number;
    if (sphere) {
      // The point under the cursor on the front of the sphere of radius r (the silhouette outside).
      const h = a * a + u * u;
      if (h >= r * r) {
        const s = r / Math.sqrt(h);
        a *= s;
        u *= s;
        d = 0;
      } else d = -Math.sqrt(r * r - h);
    } else d = project(shownPoint).depth; // in space: move in the screen plane at the point's depth
    return applyT3(cam, [a, d, u]);
  };
  const onDown = (e: PointerEvent<SVGSVGElement>) => {
    e.currentTarget.setPointerCapture(e.pointerId);
    const onHandle = (e.target as Element).getAttribute('data-testid') === 'teach-handle3';
    drag.current = {
      mode: onHandle ? 'point' : 'orbit',
      x: e.clientX,
      y: e.clientY,
      r: norm3(shownPoint),
      center,
    };
  };
  const onMove = (e: PointerEvent<SVGSVGElement>) => {
    const g = drag.current;
    if (!g || e.buttons === 0) return;
    if (g.mode === 'orbit') {
      const dx = e.clientX - g.x;
      const dy = e.clientY - g.y;
      if (Math.abs(dx) + Math.abs(dy) < 2) return;
      g.x = e.clientX;
      g.y = e.clientY;
      setYaw(wrapYaw(yaw + Math.round(dx * 0.6)));
      setPitch(Math.max(-89, Math.min(89, pitch + Math.round(dy * 0.6))));
      return;
    }
    const w = pointerWorld(e, g.r || 1);
    if (w) setPoint(w);
  };
  const onUp = () => {
    drag.current = null;
  };
  const orbit = (dyaw: number, dpitch: number) => {
    setYaw(wrapYaw(yaw + dyaw));
    setPitch(Math.max(-89, Math.min(89, pitch + dpitch)));
  };
  const zoomBy = (f: number) => setZoom(Math.max(0.5, Math.min(8, zoom * f)));
  const onViewKey = (e: KeyboardEvent) => {
    const keys: Record<string, [number, number]> = {
      ArrowLeft: [-STEP_DEG, 0],
      ArrowRight: [STEP_DEG, 0],
      ArrowUp: [0, STEP_DEG],
      ArrowDown: [0, -STEP_DEG],
    };
    const z = e.key === '+' || e.key === '=' ? 2 : e.key === '-' ? 0.5 : 0;
    const k = keys[e.key];
    if (!k && !z) return;
    e.preventDefault();
    e.stopPropagation();
    if (z) zoomBy(z);
    else orbit(k[0], k[1]);
  };
  const onHandleKey = (e: KeyboardEvent) => {
    const s = e.shiftKey ? 0.25 : 0.05;
    // Screen directions (right, depth, up) in camera coordinates; PageUp/PageDown move in depth.
    const keys: Record<string, Vec3> = {
      ArrowLeft: [-s, 0, 0],
      ArrowRight: [s, 0, 0],
      ArrowUp: [0, 0, s],
      ArrowDown: [0, 0, -s],
      PageUp: [0, s, 0],
      PageDown: [0, -s, 0],
    };
    const k = keys[e.key];
    if (!k) return;
    e.preventDefault();
    e.stopPropagation();
    const dw = applyT3(cam, k);
    let w: Vec3 = [shownPoint[0] + dw[0], shownPoint[1] + dw[1], shownPoint[2] + dw[2]];
    if (sphere && e.key.startsWith('Arrow')) {
      // On the sphere: arrows move along it (the radius is kept).
      const r0 = norm3(shownPoint);
      const r1 = norm3(w);
      if (r1 > 0) w = [(w[0] * r0) / r1, (w[1] * r0) / r1, (w[2] * r0) / r1];
    }
    setPoint(w);
  };

  // ── what to draw ──
  const axes = [0, 1, 2].map((j) => {
    const e: Vec3 = [0, 0, 0];
    e[j] = 2.6;
    const neg: Vec3 = [0, 0, 0];
    neg[j] = -2.6;
    return { a: project(neg), b: project(e), name: `x${'₁₂₃'[j]}` };
  });
  const qAxes =
    frame === 'x' && rot !== 0
      ? [0, 1, 2].map((j) => {
          const e: Vec3 = [0, 0, 0];
          e[j] = 2.6;
          const neg: Vec3 = [0, 0, 0];
          neg[j] = -2.6;
          return { a: project(toWorld(neg)), b: project(toWorld(e)), name: `y${'₁₂₃'[j]}` };
        })
      : [];
  const radius = norm3(shownPoint);
  const circles: { front: string; back: string }[] = [];
  if (sphere && grid && radius > 0) {
    for (let j = 0; j < 3; j++) {
      const n = toWorld([j === 0 ? 1 : 0, j === 1 ? 1 : 0, j === 2 ? 1 : 0]);
      // Two unit vectors orthogonal to n.
      const helper: Vec3 = Math.abs(n[0]) < 0.9 ? [1, 0, 0] : [0, 1, 0];
      const u = normalize(cross(n, helper));
      const v = cross(n, u);
      for (const t of grid.thresholds) {
        if (Math.abs(t) >= radius) continue;
        const rho = Math.sqrt(radius * radius - t * t);
        let front = '';
        let back = '';
        let prevFront: boolean | null = null;
        for (let i = 0; i <= 64; i++) {
          const a = (i / 64) * 2 * Math.PI;
          const w: Vec3 = [0, 1, 2].map(
            (k) => t * n[k] + rho * (Math.cos(a) * u[k] + Math.sin(a) * v[k]),
          ) as Vec3;
          const pr = project(w);
          const isFront = pr.depth <= 0;
          const pt = `${pr.sx.toFixed(1)},${pr.sy.toFixed(1)}`;
          if (isFront) front += `${prevFront === true ? 'L' : 'M'}${pt}`;
          else back += `${prevFront === false ? 'L' : 'M'}${pt}`;
          prevFront = isFront;
        }
        circles.push({ front, back });
      }
    }
  }
  // Grid points (y-coordinates): all of them for a small grid, else the 5 × 5 × 5 around ŷ.
  const points: { key: string; pr: Projected }[] = [];
  let box: [Projected, Projected][] = [];
  let cell: number[] | null = null;
  if (grid && yHat) {
    const L = grid.levels;
    cell = [0, 1, 2].map((j) => cellIndex(grid.thresholds, yv[j]));
    const around = (j: number) =>
      L.length <= 9 ? L.map((_, i) => i) : L.map((_, i) => i).filter((i) => Math.abs(i - cell![j]) <= 2);
    for (const i of around(0))
      for (const k of around(1))
        for (const m of around(2)) {
          const g = [L[i], L[k], L[m]];
          if (g.some((c) => Math.abs(c) > R)) continue;
          points.push({ key: `${i},${k},${m}`, pr: project(toWorld(g)) });
        }
    if (!sphere) {
      // The box of ŷ's cell: between the thresholds around each coordinate (the outer cells, which
      // saturate, are drawn one level-gap wide).
      const T = grid.thresholds;
      const lim = cell.map((c) => {
        const lo = c > 0 ? T[c - 1] : L[0] - (T[0] - L[0]);
        const hi = c < T.length ? T[c] : L[L.length - 1] + (L[L.length - 1] - T[T.length - 1]);
        return [clamp(lo), clamp(hi)];
      });
      const corner = (bits: number) => project(toWorld([0, 1, 2].map((j) => lim[j][(bits >> j) & 1])));
      box = [];
      for (let c = 0; c < 8; c++)
        for (let j = 0; j < 3; j++) if (!((c >> j) & 1)) box.push([corner(c), corner(c | (1 << j))]);
    }
  }
  const hp = project(shownPoint);
  const floor = project([shownPoint[0], shownPoint[1], 0]);
  const rp = shownRecon ? project(shownRecon) : null;
  const err = xHat ? Math.hypot(px - xHat[0], py - xHat[1], pz - xHat[2]) : null;
  const vec = (v: readonly number[]) => `(${fmt(v[0])}, ${fmt(v[1])}, ${fmt(v[2])})`;

  return (
    <div className="teach-plane" data-testid="teach-space3d">
      <svg
        ref={svg}
        viewBox={`0 0 ${PX} ${PX}`}
        className="teach-svg plane space3d"
        onPointerDown={onDown}
        onPointerMove={onMove}
        onPointerUp={onUp}
        onPointerCancel={onUp}
        onKeyDown={onViewKey}
        tabIndex={0}
        role="application"
        aria-busy={point.isFetching}
        aria-label={`3-D view, yaw ${yaw}°, pitch ${pitch}°: drag or use the arrow keys to orbit; drag the point`}
        data-testid="teach-space"
      >
        {sphere && radius > 0 && <circle cx={origin.sx} cy={origin.sy} r={K * radius} className="sphere" />}
        {circles.map((c, i) => (
          <g key={i}>
            <path d={c.back} className="cell back" />
            <path d={c.front} className="cell" />
          </g>
        ))}
        {axes.map((a) => (
          <g key={a.name}>
            <line x1={a.a.sx} y1={a.a.sy} x2={a.b.sx} y2={a.b.sy} className="axis" />
            <text x={a.b.sx + 3} y={a.b.sy - 3} className="svg-label">
              {a.name}
            </text>
          </g>
        ))}
        {qAxes.map((a) => (
          <g key={a.name}>
            <line x1={a.a.sx} y1={a.a.sy} x2={a.b.sx} y2={a.b.sy} className="axis rotated" />
            <text x={a.b.sx + 3} y={a.b.sy + 10} className="svg-label muted-label">
              {a.name}
            </text>
          </g>
        ))}
        {points.map(({ key, pr }) => (
          <circle
            key={key}
            cx={pr.sx}
            cy={pr.sy}
            r={1.7}
            className="gridpt"
            opacity={Math.max(0.25, Math.min(1, 0.65 - pr.depth / 8))}
          />
        ))}
        {box.map(([a, b], i) => (
          <line key={i} x1={a.sx} y1={a.sy} x2={b.sx} y2={b.sy} className="cellbox" />
        ))}
        <line x1={hp.sx} y1={hp.sy} x2={floor.sx} y2={floor.sy} className="dropline" />
        {rp && <line x1={hp.sx} y1={hp.sy} x2={rp.sx} y2={rp.sy} className="errline" />}
        {rp && <circle cx={rp.sx} cy={rp.sy} r={5} className="recon" />}
        <circle
          cx={hp.sx}
          cy={hp.sy}
          r={7}
          className="handle"
          tabIndex={0}
          onKeyDown={onHandleKey}
          aria-label={`point ${frame === 'x' ? 'x' : 'y = Rx'} ${vec(shownPoint)}; arrow keys move it${sphere ? ' on its sphere' : ''}, Page Up / Down in depth`}
          data-testid="teach-handle3"
        />
      </svg>
      <div className="teach-plane-side space3d-side">
        <div className="teach-orbit" role="group" aria-label="orbit the view">
          <button type="button" onClick={() => orbit(-STEP_DEG, 0)} aria-label="orbit left">
            ◀
          </button>
          <button type="button" onClick={() => orbit(STEP_DEG, 0)} aria-label="orbit right">
            ▶
          </button>
          <button type="button" onClick={() => orbit(0, STEP_DEG)} aria-label="orbit up">
            ▲
          </button>
          <button type="button" onClick={() => orbit(0, -STEP_DEG)} aria-label="orbit down">
            ▼
          </button>
          <button type="button" onClick={() => zoomBy(2)} aria-label="zoom in" data-testid="teach-zoom-in">
            +
          </button>
          <button type="button" onClick={() => zoomBy(0.5)} aria-label="zoom out">
            −
          </button>
          <select
            value={frame}
            onChange={(e) => setFrame(e.target.value === 'y' ? 'y' : 'x')}
            aria-label="frame"
            data-testid="teach-frame"
          >
            <option value="x">data frame (x)</option>
            <option value="y">rotated frame (y = Rx)</option>
          </select>
        </div>
        <label>
          rotate θ = {rot}° about (1,1,1)
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
          x = {vec(x)}
          <br />y = Rx = {vec(yv)}
          <br />
          {yHat && xHat ? (
            <>
              ŷ = {vec(yHat)}
              <br />
              x̂ = Rᵀŷ ={' '}
              <span
                data-testid="teach-space-xhat"
                data-yhat={JSON.stringify(yHat)}
                data-xhat={JSON.stringify(xHat)}
              >
                {vec(xHat)}
              </span>
              <br />
              ‖x − x̂‖ = <b data-testid="teach-space-err">{fmt(err ?? 0)}</b>
              {cell ? ` · cell (${cell.join(', ')})` : ''}
            </>
          ) : (
            <PointPending
              error={point.isError ? point.error : null}
              hasQuantizer={!!q}
              testId="teach-space-loading"
            />
          )}
        </p>
        <p className="muted small">
          {def ? `${def.label} on a 3-vector. ` : ''}
          {grid
            ? sphere
              ? 'Circles: the cell boundaries on the sphere of radius ‖x‖ (cones from the origin). '
              : `Dots: the grid (×${fmt(grid.scale)}) near x̂; box: x̂’s cell. `
            : 'This quantizer has no per-coordinate grid to draw. '}
          Drag the background (or ←→↑↓ on the view) to orbit, + − zoom; drag the point or use the arrows on
          it.
        </p>
      </div>
    </div>
  );
}

function wrapYaw(v: number): number {
  return ((((v + 180) % 360) + 360) % 360) - 180;
}

function cross(a: readonly number[], b: readonly number[]): Vec3 {
  return [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
}

function normalize(v: Vec3): Vec3 {
  const n = norm3(v);
  return [v[0] / n, v[1] / n, v[2] / n];
}
