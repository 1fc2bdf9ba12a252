/**
 * Geometry of the step-through's 2-D / 3-D views: the rotation applied to the dragged point and,
 * per quantizer, the reconstruction levels and cell boundaries along each axis of the rotated
 * frame, so the picture draws exactly the grid the kernel rounds to (geometry.test.ts checks that
 * every kernel output coordinate is one of these levels and lies in the cell drawn around it).
 *
 * Grids (one vector of d ≤ one block, every coordinate on the same grid):
 *  - block formats (block.ts / quantizerBlockFormat): the element format's values × the block
 *    scale the kernel derives for this vector (MXFP4: E2M1 × 2^e, OCP MX v1.0 §6.3), cells at the
 *    midpoints of adjacent values (nearest rounding);
 *  - TurboQuant_mse (arXiv 2504.19874 Alg. 1): ‖y‖ × the Lloyd–Max levels of the exact sphere
 *    coordinate law f(t) ∝ (1 − t²)^((d−3)/2), cells ‖y‖ × its thresholds. For d = 3 the law is
 *    uniform on [−1, 1] (Archimedes' hat-box theorem), so the cells are equal slabs;
 *  - EDEN (ICML 2022 §3): the coordinates z = √d·y/‖y‖ are assigned with the N(0, 1) Lloyd–Max
 *    thresholds, so the cells are (‖y‖/√d) × those thresholds, while the reconstruction is
 *    S × the levels with EDEN's scale S: the two scalings differ, and a level can sit off its
 *    cell's centre.
 */
import { decode, type MinifloatFormat, E2M1, E2M3, E3M2, E4M3, E5M2 } from '../formats/minifloat';
import { NF4_VALUES } from '../formats/nf4';
import { lloydMaxGaussian, lloydMaxSphere } from '../linalg/lloydmax';
import { paramReader } from '../methods/param-reader';
import { edenQuantizer } from '../methods/quantizers/eden';
import { intQuantizer } from '../methods/quantizers/int';
import { turboquantMseQuantizer } from '../methods/quantizers/turboquant-mse';
import type { Params } from '../methods/types';
import { quantizerDetail } from './detail';
import { inspectBlock, quantizerBlockFormat, NAMED_MX, type QuantizerBlocks } from './block';

/** Row-major 3 × 3 rotation about the axis (1, 1, 1)/√3 by `deg` degrees (Rodrigues' formula). */
export function rotation3(deg: number): Float64Array {
  const th = (deg * Math.PI) / 180;
  const c = Math.cos(th);
  const s = Math.sin(th);
  const k = 1 / Math.sqrt(3);
  const t = 1 - c;
  // R = c·I + s·[k]× + (1 − c)·k kᵀ with k = (1, 1, 1)/√3 (so k kᵀ has every entry 1/3).
  const a = c + t / 3;
  const b = t / 3 - s * k;
  const d = t / 3 + s * k;
  return Float64Array.from([a, b, d, d, a, b, b, d, a]);
}

/** M v for a row-major 3 × 3 M. */
export function apply3(m: ArrayLike<number>, v: ArrayLike<number>): [number, number, number] {
  return [
    m[0] * v[0] + m[1] * v[1] + m[2] * v[2],
    m[3] * v[0] + m[4] * v[1] + m[5] * v[2],
    m[6] * v[0] + m[7] * v[1] + m[8] * v[2],
  ];
}

/** Mᵀ v for a row-major 3 × 3 M (the inverse of a rotation). */
export function applyT3(m: ArrayLike<number>, v: ArrayLike<number>): [number, number, number] {
  return [
    m[0] * v[0] + m[3] * v[1] + m[6] * v[2],
    m[1] * v[0] + m[4] * v[1] + m[7] * v[2],
    m[2] * v[0] + m[5] * v[1] + m[8] * v[2],
  ];
}

export interface AxisGrid {
  /** 'sphere': the cells come from the direction y/‖y‖ (TurboQuant, EDEN); 'block': a block scale. */
  readonly kind: 'sphere' | 'block';
  /** Distinct reconstruction values of one coordinate, ascending. */
  readonly levels: readonly number[];
  /** Cell boundaries of one coordinate, ascending (levels.length − 1 of them). */
  readonly thresholds: readonly number[];
  /** The block scale X (block formats) or ‖y‖ (sphere). */
  readonly scale: number;
}

const MINIFLOATS: Readonly<Record<string, MinifloatFormat>> = {
  e2m1: E2M1,
  e2m3: E2M3,
  e3m2: E3M2,
  e4m3: E4M3,
  e5m2: E5M2,
};

/** The finite values of a minifloat element format (both signs, one zero), ascending. */
function minifloatGrid(f: MinifloatFormat): number[] {
  const out = new Set<number>();
  for (let code = 0; code < f.ncodes; code++) {
    const v = decode(f, code);
    if (Number.isFinite(v)) out.add(v === 0 ? 0 : v);
  }
  return [...out].sort((a, b) => a - b);
}

/** Element values (before the scale) of a block format, ascending, and the offset to subtract. */
function elementGrid(b: QuantizerBlocks, zeroPoint: number): number[] {
  const o = b.opts;
  switch (b.format) {
    case 'mxfp4':
    case 'nvfp4':
      return minifloatGrid(E2M1);
    case 'nf4':
      return Array.from(NF4_VALUES);
    case 'int': {
      const k = o.bits ?? 4;
      if (o.symmetric === false) return Array.from({ length: 2 ** k }, (_, q) => q - zeroPoint);
      return Array.from({ length: 2 ** k }, (_, i) => i - 2 ** (k - 1));
    }
    case 'bfp': {
      const qmax = 2 ** ((o.mantissa ?? 4) - 1) - 1;
      return Array.from({ length: 2 * qmax + 1 }, (_, i) => i - qmax);
    }
    default: {
      const element = b.format === 'mx' ? (o.element ?? 'e2m1') : NAMED_MX[b.format];
      if (element === 'int8') return Array.from({ length: 255 }, (_, i) => (i - 127) / 64);
      return minifloatGrid(MINIFLOATS[element ?? 'e2m1']);
    }
  }
}

const midpoints = (v: readonly number[]) => v.slice(1).map((x, i) => (x + v[i]) / 2);

const readTqMse = paramReader(turboquantMseQuantizer, { bits: 'number' });
const readEden = paramReader(edenQuantizer, { bits: 'number' });
const readInt = paramReader(intQuantizer, { granularity: ['tensor', 'row', 'group'] });

/**
 * The per-axis grid of quantizer `id` (registry params with defaults) on the single vector `y`
 * (its quantizer input), or null when the quantizer is not a per-coordinate grid on one vector
 * (or the vector is longer than one block).
 */
export function axisGrid(id: string, params: Params, y: ArrayLike<number>): AxisGrid | null {
  const d = y.length;
  let n2 = 0;
  for (let j = 0; j < d; j++) n2 += y[j] * y[j];
  const norm = Math.sqrt(n2);
  if (id === 'turboquant-mse') {
    if (d < 2) return null;
    const cb = lloydMaxSphere(readTqMse(params).bits, d);
    return {
      kind: 'sphere',
      levels: Array.from(cb.levels, (v) => v * norm),
      thresholds: Array.from(cb.thresholds, (v) => v * norm),
      scale: norm,
    };
  }
  if (id === 'eden') {
    const det = quantizerDetail('eden', params, Float32Array.from(y));
    const S = det[2]?.scalar?.value ?? 0;
    const cb = lloydMaxGaussian(readEden(params).bits);
    return {
      kind: 'sphere',
      levels: Array.from(cb.levels, (v) => Math.fround(v) * S), // the kernel keeps fp32 levels
      thresholds: Array.from(cb.thresholds, (v) => (v * norm) / Math.sqrt(d)),
      scale: norm,
    };
  }
  // One row of d values is a single tensor / row / group for `int` whenever d ≤ the group.
  const blocks =
    id === 'int' && readInt(params).granularity !== 'group'
      ? quantizerBlockFormat(id, { ...params, granularity: 'group', group: d })
      : quantizerBlockFormat(id, params);
  if (!blocks || blocks.block < d) return null;
  let amax = 0;
  for (let j = 0; j < d; j++) amax = Math.max(amax, Math.abs(y[j]));
  const ins = inspectBlock(y, { format: blocks.format, ...blocks.opts, tensorAmax: amax });
  const grid = elementGrid(blocks, ins.zeroPoint);
  const levels = [...new Set(grid.map((v) => (v * ins.scale === 0 ? 0 : v * ins.scale)))].sort(
    (a, b) => a - b,
  );
  return { kind: 'block', levels, thresholds: midpoints(levels), scale: ins.scale };
}

/** Index of the cell of value v: the number of thresholds below it (binary search). */
export function cellIndex(thresholds: readonly number[], v: number): number {
  let lo = 0;
  let hi = thresholds.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (thresholds[mid] < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
