/**
 * Column-wise access to the scalar formats of the quantizer registry, for error-feedback methods
 * (GPTQ, MR-GPTQ) that quantize a weight one input column at a time and must fix a group's scale
 * when the group starts (Frantar et al., "GPTQ", ICLR 2023, §3 "Additional details": group-wise
 * parameters are computed from the current, already-updated weights when a group begins).
 *
 * A `ColumnGrid` is fitted on the columns [c0, c1) of a rows × d working matrix (one scale per row:
 * groups never cross rows) and then quantizes single values of that group with the fitted scale.
 * The arithmetic is the registered quantizer's, line for line, on the same formats
 * (src/core/formats): fp16 absmax scales and ties-to-even integers for `int` (int.ts), E8M0
 * power-of-two scales and E2M1 elements for `mxfp4` (mxfp4.ts), UE4M3 block scales under an fp32
 * tensor scale for `nvfp4` (nvfp4.ts), fp32 absmax and the NF4 table for `nf4` (nf4.ts), an fp32
 * per-row scale and E4M3 for `fp8` (fp8.ts). Fitting every group on unmodified weights and
 * quantizing every value therefore reproduces the registry quantizer bit for bit (gptq.test.ts
 * checks it), so GPTQ on that grid differs from round-to-nearest only by its error feedback.
 *
 * Scale search (`search = 'mse'`): per group, the scale is chosen among candidates on the format's
 * own scale grid to minimise the group's squared error Σ(w − q(w))², starting from the absmax
 * scale (kept on ties, so the search is never worse on the group). Candidates: INT/NF4/FP8 shrink
 * the absmax by p = 1, 0.99, …, 0.80 (the `mse` observer of the GPTQ reference code, quant.py,
 * with norm 2); MXFP4 tries the E8M0 exponents e₀ − 1, e₀, e₀ + 1 around the spec's
 * ⌊log2 amax⌋ − 2; NVFP4 tries UE4M3(p·amax/6/s_t) for p = 1.20, 1.15, …, 0.70. This is our reading
 * of the "format-specific optimizations" of MR-GPTQ ("Bridging the Gap Between Promise and
 * Performance for Microscaling FP4 Quantization", 2025, abstract): each format searches
 * only scales it can store, so the bits are unchanged.
 */
import { roundScaleToFp16 } from '../../formats/fp16';
import { E8M0_MAX_EXP, E8M0_MIN_EXP } from '../../formats/e8m0';
import { E4M3, UE4M3, floorLog2, pow2, roundE2M1, roundValue } from '../../formats/minifloat';
import { NF4_VALUES, nf4Nearest } from '../../formats/nf4';
import { rintEven } from '../../formats/rounding';

/** Scalar formats a ColumnGrid can reproduce (registry quantizer ids). */
export const GRID_FORMATS = ['int', 'fp8', 'mxfp4', 'nvfp4', 'nf4'] as const;
export type GridFormat = (typeof GRID_FORMATS)[number];

export interface GridOptions {
  readonly format: GridFormat;
  /** int: bits k. */
  readonly bits: number;
  /** int, nf4: group (block) size; ignored by mxfp4 (32), nvfp4 (16), fp8 (one scale per row). */
  readonly group: number;
  /** int: absmax (true) or min–max with a zero-point (false). */
  readonly symmetric: boolean;
  readonly search: 'absmax' | 'mse';
}

export interface ColumnGrid {
  /** Columns sharing one scale in a row (d for a per-row scale). */
  readonly group: number;
  /** Fit one scale per row from columns [c0, c1) of the rows × d matrix w (row-major). */
  fit(w: ArrayLike<number>, rows: number, d: number, c0: number, c1: number): void;
  /** Quantize–dequantize value v of row r with that row's fitted scale. */
  quantize(r: number, v: number): number;
}

/** Group size the grid uses for a row of length d. */
export function gridGroup(o: GridOptions, d: number): number {
  switch (o.format) {
    case 'mxfp4':
      return 32;
    case 'nvfp4':
      return 16;
    case 'fp8':
      return d;
    default:
      return o.group;
  }
}

const SHRINK = Array.from({ length: 21 }, (_, i) => 1 - i / 100);
const NV_SHRINK = Array.from({ length: 11 }, (_, i) => 1.2 - i * 0.05);

/**
 * Per-row state: `scale[r]` (and `zero[r]` for asymmetric int). `q(s, z, v)` is the format's
 * element rounding with stored scale s; `candidates(amax, lo, hi)` lists the stored scales a group
 * may use (absmax first).
 */
function makeGrid(
  group: number,
  rows: number,
  q: (s: number, z: number, v: number) => number,
  candidates: (amax: number, lo: number, hi: number) => readonly (readonly [number, number])[],
  search: boolean,
): ColumnGrid {
  const scale = new Float64Array(rows);
  const zero = new Float64Array(rows);
  return {
    group,
    fit(w, _rows, d, c0, c1) {
      for (let r = 0; r < rows; r++) {
        const base = r * d;
        let amax = 0;
        let lo = 0;
        let hi = 0;
        for (let c = c0; c < c1; c++) {
          const v = w[base + c];
          const a = Math.abs(v);
          if (a > amax) amax = a;
          if (v < lo) lo = v;
          if (v > hi) hi = v;
        }
        const cands = candidates(amax, lo, hi);
        let best = 0;
        if (search && cands.length > 1) {
          let bestErr = Infinity;
          for (let k = 0; k < cands.length; k++) {
            const [s, z] = cands[k];
            let err = 0;
            for (let c = c0; c < c1; c++) {
              const e = w[base + c] - q(s, z, w[base + c]);
              err += e * e;
            }
            if (err < bestErr) {
              bestErr = err;
              best = k;
            }
          }
        }
        scale[r] = cands[best][0];
        zero[r] = cands[best][1];
      }
    },
    quantize(r, v) {
      return q(scale[r], zero[r], v);
    },
  };
}

/**
 * A ColumnGrid for `o` on a rows × d weight. `original` is the unmodified weight (rows × d): NVFP4
 * takes its fp32 tensor scale from it, as nvfp4.ts does from its input.
 */
export function columnGrid(o: GridOptions, original: ArrayLike<number>, rows: number, d: number): ColumnGrid {
  const group = gridGroup(o, d);
  const search = o.search === 'mse';
  switch (o.format) {
    case 'int': {
      if (o.symmetric) {
        const qmax = 2 ** (o.bits - 1) - 1;
        const qmin = -qmax - 1;
        return makeGrid(
          group,
          rows,
          (s, _z, v) => {
            if (s === 0) return 0;
            let k = rintEven(v / s);
            if (k > qmax) k = qmax;
            else if (k < qmin) k = qmin;
            return k * s;
          },
          (amax) =>
            search
              ? SHRINK.map((p) => [amax > 0 ? roundScaleToFp16((p * amax) / qmax) : 0, 0] as const)
              : [[amax > 0 ? roundScaleToFp16(amax / qmax) : 0, 0]],
          search,
        );
      }
      const levels = 2 ** o.bits - 1;
      const asym = (lo: number, hi: number): readonly [number, number] => {
        const s = hi > lo ? roundScaleToFp16((hi - lo) / levels) : 0;
        if (s === 0) return [0, 0];
        let z = rintEven(-lo / s);
        if (z > levels) z = levels;
        else if (z < 0) z = 0;
        return [s, z];
      };
      return makeGrid(
        group,
        rows,
        (s, z, v) => {
          if (s === 0) return 0;
          let k = rintEven(v / s) + z;
          if (k > levels) k = levels;
          else if (k < 0) k = 0;
          return (k - z) * s;
        },
        (_amax, lo, hi) => (search ? SHRINK.map((p) => asym(p * lo, p * hi)) : [asym(lo, hi)]),
        search,
      );
    }
    case 'mxfp4': {
      const exps = (amax: number): readonly (readonly [number, number])[] => {
        if (amax === 0) return [[0, 0]];
        const e0 = floorLog2(amax) - 2;
        if (e0 > E8M0_MAX_EXP) return [[NaN, 0]];
        const list = search ? [e0, e0 - 1, e0 + 1] : [e0];
        return list
          .filter((e) => e <= E8M0_MAX_EXP)
          .map((e) => [pow2(Math.max(e, E8M0_MIN_EXP)), Math.max(e, E8M0_MIN_EXP)] as const);
      };
      // z carries the exponent so the element rounding multiplies by 2^−e exactly as mxfp4.ts.
      return makeGrid(
        group,
        rows,
        (s, z, v) => (s === 0 ? 0 : s !== s ? NaN : roundE2M1(v * pow2(-z)) * s),
        exps,
        search,
      );
    }
    case 'nvfp4': {
      let amaxT = 0;
      for (let i = 0; i < rows * d; i++) {
        const a = Math.abs(original[i]);
        if (a > amaxT) amaxT = a;
      }
      const st = Math.fround(amaxT / (448 * 6));
      return makeGrid(
        group,
        rows,
        (s, _z, v) => (s === 0 ? 0 : roundE2M1(v / s) * s),
        (amax) => {
          if (st === 0) return [[0, 0]];
          const ps = search ? [1, ...NV_SHRINK.filter((p) => p !== 1)] : [1];
          return ps.map((p) => [roundValue(UE4M3, (p * amax) / 6 / st) * st, 0] as const);
        },
        search,
      );
    }
    case 'nf4':
      return makeGrid(
        group,
        rows,
        (s, _z, v) => {
          if (s === 0) return 0;
          const t = v / s;
          return t === t ? NF4_VALUES[nf4Nearest(t)] * s : NaN;
        },
        (amax) => (search ? SHRINK.map((p) => [p * amax, 0] as const) : [[amax, 0]]),
        search,
      );
    case 'fp8':
      return makeGrid(
        group,
        rows,
        (s, _z, v) => (s === 0 ? 0 : roundValue(E4M3, v / s, 'nearest-even', 0) * s),
        (amax) =>
          search
            ? SHRINK.map((p) => [Math.fround((p * amax) / E4M3.maxFinite), 0] as const)
            : [[Math.fround(amax / E4M3.maxFinite), 0]],
        search,
      );
  }
}
