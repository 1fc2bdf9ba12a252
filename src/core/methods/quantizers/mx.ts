/**
 * The microscaling design space: blocks (or 2-D tiles) of low-precision elements sharing one scale,
 * with a choice of element format, block size, scale format, scale rule, optional fp32 tensor
 * scale and element rounding. `mxfp4` and `nvfp4` are two points of it (and call this kernel).
 *
 * References:
 *  - OCP Microscaling Formats (MX) Specification v1.0: §5.3 element types (FP8 E4M3/E5M2, FP6
 *    E2M3/E3M2, FP4 E2M1, INT8 = two's complement with an implicit scale 2^−6), §5.4.1 E8M0 scale,
 *    §6.3 conversion X = 2^(⌊log2 amax⌋ − emax_elem), P_i = quantize(V_i/X) with saturation.
 *    MXFP4 / MXFP6 / MXFP8 / MXINT8 = element e2m1 / e2m3 or e3m2 / e4m3 or e5m2 / int8, block 32,
 *    scale e8m0, rule floor.
 *  - "Pretraining Large Language Models with NVFP4" (NVIDIA, 2025): blocks of 16 E2M1 values, a
 *    UE4M3 block scale, an fp32 tensor scale, and 16×16 2-D tiles for weights (layout '2d') so
 *    forward and backward passes see one representation; stochastic rounding.
 *  - "Elucidating the Design Space of FP4 training" (2025): scale formats E8M0 / UE4M3 / UE5M3,
 *    tensor scaling and stochastic rounding as the axes of the design space.
 *
 * Per block (1-D: `block` consecutive coordinates of a row, the last one may be shorter; 2-D: a
 * block × block tile of the rows × d matrix, edge tiles may be smaller), amax = max |x| over it,
 * E_max = the element's largest finite value, emax_elem = ⌊log2 E_max⌋:
 *  - tensor scale (optional): s_t = fp32(amax_tensor / (S_top · E_max)), S_top = 448 for UE4M3
 *    (NVFP4's choice: the tensor amax maps to the top of the scale range), 61440 for UE5M3, 1 for
 *    E8M0 and fp32 (their range needs no shift; block scales are then ≤ 1). Without it s_t = 1.
 *    An all-zero tensor gives zeros.
 *  - E8M0 scale, a = amax / s_t: floor (OCP §6.3): e = ⌊log2 a⌋ − emax_elem (a/2^e ∈ [2^emax,
 *    2^(emax+1)) may exceed E_max and saturate); ceil: e = ⌈log2(a / E_max)⌉ (never saturates);
 *    round: e = round(log2(a / E_max)), a tie at √2 going up. e < −127 clamps to −127; e > 127 has
 *    no code, so the block is NaN (cannot happen for finite fp32 input). X = 2^e · s_t.
 *  - UE4M3 / UE5M3 / fp32 scale: s* = amax / E_max / s_t (float64), s_b = s* converted to the
 *    scale format rounding toward zero (floor), to nearest-even (round, NVFP4) or up (ceil),
 *    saturating at the format's max; X = s_b · s_t; s_b = 0 makes the block zero.
 *  - x̂ = X · Q(x / X), Q = the element format's saturating rounding (nearest-even or stochastic).
 *    INT8 (MXINT8): Q(t) = clamp(round(64 t), −127, 127)/64, max 1.984375, emax_elem = 0; the
 *    code −128 is not used (symmetric range, as microxcaling's max_norm).
 * UE5M3 is not fixed by a public spec: here it is the unsigned 8-bit float E5M3, bias 15, with the
 * IEEE-style top exponent reserved (as OFP8 E5M2): max 2^15·1.875 = 61440, smallest 2^−17.
 * Stochastic rounding (elements only, scales always by the rule) draws one uniform per element from
 * ctx.rng.stream('rounding', 'mx') in block order (1-D: row-major; 2-D: tile by tile, row-major
 * inside a tile), none for a zero or NaN block.
 *
 * Bits per coordinate (exact, every scale and the tensor scale charged):
 *   1-D: b_elem + b_scale·⌈d/B⌉/d (+ 32/(rows·d) with a tensor scale);
 *   2-D: b_elem + b_scale·⌈rows/B⌉·⌈d/B⌉/(rows·d) (+ 32/(rows·d)),
 * b_elem = 4 (e2m1), 6 (e2m3, e3m2), 8 (e4m3, e5m2, int8); b_scale = 8 (e8m0, ue4m3 and ue5m3 each
 * in one byte) or 32 (fp32).
 */
import { E8M0_MAX_EXP, E8M0_MIN_EXP } from '../../formats/e8m0';
import {
  E2M1,
  E2M3,
  E3M2,
  E4M3,
  E5M2,
  UE4M3,
  defineMinifloat,
  floorLog2,
  pow2,
  roundE2M1,
  roundValue,
  type MinifloatFormat,
} from '../../formats/minifloat';
import { rintEven, roundStochastic } from '../../formats/rounding';
import type { Rng } from '../../rng';
import { defineParams, typedParams, type ParamsOf } from '../params';
import type { QuantizerDef } from '../types';

export const MX_ELEMENTS = ['e2m1', 'e2m3', 'e3m2', 'e4m3', 'e5m2', 'int8'] as const;
export type MxElement = (typeof MX_ELEMENTS)[number];
export const MX_SCALES = ['e8m0', 'ue4m3', 'ue5m3', 'fp32'] as const;
export type MxScale = (typeof MX_SCALES)[number];
export const MX_RULES = ['floor', 'round', 'ceil'] as const;
export type MxRule = (typeof MX_RULES)[number];

/** Unsigned E5M3 scale (see the header: IEEE-style top exponent reserved, max 61440). */
export const UE5M3 = defineMinifloat({
  name: 'ue5m3',
  ebits: 5,
  mbits: 3,
  bias: 15,
  signed: false,
  specials: 'ieee',
});

const ELEMENT_FORMATS: Readonly<Record<Exclude<MxElement, 'int8'>, MinifloatFormat>> = {
  e2m1: E2M1,
  e2m3: E2M3,
  e3m2: E3M2,
  e4m3: E4M3,
  e5m2: E5M2,
};

/** MXINT8 (MX v1.0 §5.3): 8-bit two's complement with an implicit scale of 2^−6. */
const INT8_MAX = 127 / 64;

export const ELEMENT_BITS: Readonly<Record<MxElement, number>> = {
  e2m1: 4,
  e2m3: 6,
  e3m2: 6,
  e4m3: 8,
  e5m2: 8,
  int8: 8,
};
export const SCALE_BITS: Readonly<Record<MxScale, number>> = { e8m0: 8, ue4m3: 8, ue5m3: 8, fp32: 32 };

/** Largest finite element value E_max. */
export function elementMax(element: MxElement): number {
  return element === 'int8' ? INT8_MAX : ELEMENT_FORMATS[element].maxFinite;
}

/** Scale value the tensor amax maps to when a tensor scale is used (see the header). */
function scaleTop(scale: MxScale): number {
  if (scale === 'ue4m3') return UE4M3.maxFinite;
  if (scale === 'ue5m3') return UE5M3.maxFinite;
  return 1;
}

export interface MxSettings {
  readonly element: MxElement;
  readonly block: number;
  readonly scale: MxScale;
  readonly rule: MxRule;
  readonly layout: '1d' | '2d';
  readonly tensorScale: boolean;
}

/** Shared E8M0 exponent of a block with (tensor-scaled) amax a > 0 under a rule, before clamping. */
export function e8m0Exponent(rule: MxRule, a: number, eMax: number): number {
  if (rule === 'floor') return floorLog2(a) - floorLog2(eMax);
  const r = a / eMax;
  const fl = floorLog2(r);
  if (rule === 'ceil') return pow2(fl) === r ? fl : fl + 1;
  return r >= pow2(fl) * Math.SQRT2 ? fl + 1 : fl;
}

// fp32 neighbours by bit pattern, for the directed fp32 scale rules.
const F32 = new Float32Array(1);
const U32 = new Uint32Array(F32.buffer);

/** s rounded to fp32 toward zero ('floor'), to nearest-even ('round') or up ('ceil'); s ≥ 0. */
function roundFp32(s: number, rule: MxRule): number {
  const r = Math.fround(s);
  if (rule === 'round' || r === s || r === Infinity) return r === Infinity ? 3.4028234663852886e38 : r;
  F32[0] = r;
  if (rule === 'floor' && r > s) U32[0] -= 1;
  else if (rule === 'ceil' && r < s) U32[0] += 1;
  return F32[0];
}

/** Block scale s* converted to a minifloat or fp32 scale format under the rule (saturating). */
export function roundScale(scale: Exclude<MxScale, 'e8m0'>, s: number, rule: MxRule): number {
  if (scale === 'fp32') return roundFp32(s, rule);
  const f = scale === 'ue4m3' ? UE4M3 : UE5M3;
  if (rule === 'round') return roundValue(f, s);
  if (rule === 'floor') return roundValue(f, s, 'toward-zero');
  // u = 0 in stochastic mode rounds up exactly when s is not representable: the ceiling.
  return roundValue(f, s, 'stochastic', 0);
}

/**
 * The scale X of one block with absolute maximum `amax` (> 0) under tensor scale st: NaN when the
 * E8M0 exponent has no code, 0 when a minifloat scale underflows (the block is then zero).
 */
export function blockScale(s: MxSettings, amax: number, st: number, eMax: number): number {
  if (s.scale === 'e8m0') {
    let e = e8m0Exponent(s.rule, st === 1 ? amax : amax / st, eMax);
    if (e > E8M0_MAX_EXP) return NaN;
    if (e < E8M0_MIN_EXP) e = E8M0_MIN_EXP;
    return pow2(e) * st;
  }
  const sb = roundScale(s.scale, amax / eMax / st, s.rule);
  // An underflowed scale zeroes the block even when st is infinite (0·∞ would be NaN).
  return sb === 0 ? 0 : sb * st;
}

/** Element rounding Q(t) of the settings' element format. u: uniform for stochastic, else null. */
function elementRound(element: MxElement, f: MinifloatFormat | null, t: number, u: number | null): number {
  if (f === null) {
    const q = u === null ? rintEven(t * 64) : roundStochastic(t * 64, u);
    return Math.max(-127, Math.min(127, q)) / 64;
  }
  if (u === null) return element === 'e2m1' ? roundE2M1(t) : roundValue(f, t);
  return roundValue(f, t, 'stochastic', u);
}

/**
 * The mx kernel: quantize–dequantize rows × d of `input` into `out` with the given settings.
 * `rng` (or null for nearest rounding) supplies the element uniforms.
 */
export function mxQuantize(
  input: Float32Array,
  rows: number,
  d: number,
  s: MxSettings,
  rng: Rng | null,
  out: Float32Array,
): void {
  const n = rows * d;
  const eMax = elementMax(s.element);
  const f = s.element === 'int8' ? null : ELEMENT_FORMATS[s.element];
  let st = 1;
  if (s.tensorScale) {
    let amax = 0;
    for (let i = 0; i < n; i++) {
      const a = Math.abs(input[i]);
      if (a > amax) amax = a;
    }
    st = Math.fround(amax / (scaleTop(s.scale) * eMax));
    if (st === 0) {
      out.fill(0, 0, n);
      return;
    }
  }
  const B = s.block;
  const fastE2M1 = s.element === 'e2m1' && rng === null;
  const tileRows = s.layout === '2d' ? B : 1;
  for (let r0 = 0; r0 < rows; r0 += tileRows) {
    const r1 = Math.min(r0 + tileRows, rows);
    for (let c0 = 0; c0 < d; c0 += B) {
      const c1 = Math.min(c0 + B, d);
      let amax = 0;
      for (let r = r0; r < r1; r++)
        for (let i = r * d + c0; i < r * d + c1; i++) {
          const a = Math.abs(input[i]);
          if (a > amax) amax = a;
        }
      const X = amax === 0 ? 0 : blockScale(s, amax, st, eMax);
      if (!(X > 0)) {
        const fillValue = X !== X ? NaN : 0;
        for (let r = r0; r < r1; r++) out.fill(fillValue, r * d + c0, r * d + c1);
        continue;
      }
      if (fastE2M1) {
        // The mxfp4 / nvfp4 hot path: the E2M1 table lookup, no per-element dispatch.
        for (let r = r0; r < r1; r++)
          for (let i = r * d + c0; i < r * d + c1; i++) out[i] = roundE2M1(input[i] / X) * X;
        continue;
      }
      for (let r = r0; r < r1; r++)
        for (let i = r * d + c0; i < r * d + c1; i++)
          out[i] = elementRound(s.element, f, input[i] / X, rng === null ? null : rng.uniform()) * X;
    }
  }
}

/** Exact bits per coordinate of the settings on a rows × d matrix (header formula). */
export function mxBitsPerCoord(s: MxSettings, rows: number, d: number): number {
  const eb = ELEMENT_BITS[s.element];
  const sb = SCALE_BITS[s.scale];
  const scales =
    s.layout === '2d'
      ? (sb * Math.ceil(rows / s.block) * Math.ceil(d / s.block)) / (rows * d)
      : (sb * Math.ceil(d / s.block)) / d;
  return eb + scales + (s.tensorScale ? 32 / (rows * d) : 0);
}

export const MX_PARAMS = defineParams({
  element: {
    kind: 'enum',
    default: 'e2m1',
    options: MX_ELEMENTS,
    doc: 'Element format: e2m1 (FP4), e2m3 / e3m2 (FP6), e4m3 / e5m2 (FP8), int8 (MXINT8).',
  },
  block: {
    kind: 'int',
    default: 32,
    min: 1,
    max: 4096,
    step: 1,
    doc: 'Block size B (MX: 32, NVFP4: 16); in the 2-d layout the tile is B × B.',
  },
  scale: {
    kind: 'enum',
    default: 'e8m0',
    options: MX_SCALES,
    doc: 'Block scale format: e8m0 (power of two, MX), ue4m3 (NVFP4), ue5m3, fp32.',
  },
  rule: {
    kind: 'enum',
    default: 'floor',
    options: MX_RULES,
    doc: 'Scale rule: floor (OCP §6.3 / round toward zero), round (nearest; NVFP4) or ceil (never saturates).',
  },
  layout: {
    kind: 'enum',
    default: '1d',
    options: ['1d', '2d'],
    doc: '1d: blocks of B along each row; 2d: B × B tiles of the matrix (NVFP4 pretraining weights).',
  },
  tensorScale: {
    kind: 'bool',
    default: false,
    doc: 'fp32 per-tensor scale amax/(S_top·E_max) applied before the block scales (NVFP4).',
  },
  rounding: {
    kind: 'enum',
    default: 'nearest',
    options: ['nearest', 'stochastic'],
    doc: 'Element rounding: nearest even or stochastic (seeded); scales follow the rule.',
  },
});

function settingsOf(p: ParamsOf<typeof MX_PARAMS>): MxSettings {
  return {
    element: p.element,
    block: p.block,
    scale: p.scale,
    rule: p.rule,
    layout: p.layout,
    tensorScale: p.tensorScale,
  };
}

/** Standard names of the OCP MX formats, for labels. */
function mxName(s: MxSettings): string | null {
  if (s.block !== 32 || s.scale !== 'e8m0' || s.rule !== 'floor' || s.layout !== '1d' || s.tensorScale)
    return null;
  return { e2m1: 'MXFP4', e2m3: 'MXFP6', e3m2: 'MXFP6', e4m3: 'MXFP8', e5m2: 'MXFP8', int8: 'MXINT8' }[
    s.element
  ];
}

export const mxQuantizer: QuantizerDef = {
  id: 'mx',
  label: 'Microscaling (MX design space)',
  description:
    'Blocks or 2-D tiles of E2M1/E2M3/E3M2/E4M3/E5M2/INT8 elements sharing an E8M0/UE4M3/UE5M3/fp32 scale (floor/round/ceil rule), optional fp32 tensor scale.',
  reference:
    'OCP Microscaling Formats (MX) v1.0 §5.3–5.4, §6.3; Pretraining LLMs with NVFP4 (NVIDIA, 2025); Elucidating the Design Space of FP4 training (2025).',
  params: MX_PARAMS,
  quantize(input, rows, d, params, ctx, out) {
    const p = typedParams(MX_PARAMS, params);
    const rng = p.rounding === 'stochastic' ? ctx.rng.stream('rounding', 'mx') : null;
    mxQuantize(input, rows, d, settingsOf(p), rng, out);
  },
  // 1-D blocks within a row and no fp32 tensor scale; 2-D tiles span rows.
  rowLocal: (params) => {
    const p = typedParams(MX_PARAMS, params);
    return p.layout === '1d' && !p.tensorScale && p.rounding === 'nearest';
  },
  bitsPerCoord(params, rows, d) {
    return mxBitsPerCoord(settingsOf(typedParams(MX_PARAMS, params)), rows, d);
  },
  describe(params) {
    const p = typedParams(MX_PARAMS, params);
    const s = settingsOf(p);
    const name = mxName(s);
    const tile = s.layout === '2d' ? `${s.block}×${s.block}` : `b${s.block}`;
    const sr = p.rounding === 'stochastic' ? ' sr' : '';
    const base = `${tile} ${s.element}·${s.scale}${s.tensorScale ? '·fp32' : ''} ${s.rule}${sr}`;
    return name ? `${name} ${base}` : base;
  },
};
