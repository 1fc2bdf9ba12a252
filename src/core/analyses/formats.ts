/**
 * Format conformance lab: one format's full code table (bits, value, neighbours, round trip), its
 * rounding modes and the MX shared-scale rules, all applied to the same values of the experiment's
 * data, flagging where two choices give different codes.
 *
 * Sources: OCP Microscaling Formats (MX) v1.0 — §5.3 element types E2M1/E2M3/E3M2, §5.4.1 E8M0,
 * §6.3 conversion: X = 2^(⌊log2 amax⌋ − emax_elem), elements rounded to nearest-even and saturated;
 * OCP 8-bit Floating Point (OFP8) rev 1.0 for E4M3/E5M2; UE4M3 is the unsigned E4M3 of NVFP4 block
 * scales; NF4 from QLoRA (Dettmers et al., NeurIPS 2023, §3) / bitsandbytes. Codecs: src/core/formats.
 *
 * Round trip: every code c must satisfy encode(decode(c)) = c. NaN codes cannot (every NaN input
 * encodes to the canonical NaN; OFP8 E4M3 has two NaN codes S.1111.111, E5M2 six), so they are
 * reported as 'nan' when decode(encode(decode(c))) is NaN, never silently counted as exact.
 *
 * Rounding modes on the data values t (scaled into the format's range, see `elementValues`):
 * 'nearest-even', 'toward-zero' and 'stochastic' (uniforms from rng('rounding', 'formats', …)).
 * E8M0 has no mantissa: toward-zero is the spec's floor to 2^⌊log2 t⌋, nearest picks the nearer of
 * 2^e and 2^(e+1) in value (tie → the even exponent), stochastic rounds up with probability
 * (t − 2^e)/2^e (unbiased). NF4 uses the same three ideas on its 16 levels.
 *
 * MX scale rules per block (element format = the chosen one when it is an MX element type, else
 * E2M1; emax_elem = ⌊log2 max⌋):
 *  - floor (the OCP rule, §6.3): e = ⌊log2 amax⌋ − emax_elem; amax/X ∈ [2^emax, 2^(emax+1)) may
 *    exceed the element max (E2M1: up to 8 > 6), which then saturates;
 *  - ceil: e = ⌈log2(amax / max)⌉, the smallest power of two that never saturates (the round-up
 *    variant discussed for MXFP4/MXFP8 training recipes to avoid clipping the block maximum);
 *  - round: e = round(log2(amax / max)), nearest in the log domain;
 *  - floor+1: the OCP exponent plus one (always one binade up: no saturation, coarser grid).
 */
import { E8M0_BIAS, E8M0_NAN, decodeE8m0, encodeE8m0 } from '../formats/e8m0';
import { e8m0CodeTable, minifloatCodeTable, nf4CodeTable, type CodeEntry } from '../formats/codeTable';
import {
  E2M1,
  E2M3,
  E3M2,
  E4M3,
  E5M2,
  UE4M3,
  decode,
  encode,
  floorLog2,
  pow2,
  type MinifloatFormat,
  type RoundingMode,
} from '../formats/minifloat';
import { NF4_VALUES, nf4Nearest, nf4Stochastic } from '../formats/nf4';
import { defineParams } from '../methods/params';
import type { Rng } from '../rng';
import { defineAnalysis } from './define';
import { TS } from './analysis-cost';

export const CONFORMANCE_FORMATS = ['e2m1', 'e2m3', 'e3m2', 'e4m3', 'e5m2', 'e8m0', 'ue4m3', 'nf4'] as const;
export type ConformanceFormat = (typeof CONFORMANCE_FORMATS)[number];
export const ROUNDING_MODES: readonly RoundingMode[] = ['nearest-even', 'toward-zero', 'stochastic'];
export const SCALE_RULES = ['floor', 'ceil', 'round', 'floor+1'] as const;
export type ScaleRule = (typeof SCALE_RULES)[number];

const MINIFLOATS: Readonly<Record<string, MinifloatFormat>> = {
  e2m1: E2M1,
  e2m3: E2M3,
  e3m2: E3M2,
  e4m3: E4M3,
  e5m2: E5M2,
  ue4m3: UE4M3,
};
const MX_ELEMENTS = new Set(['e2m1', 'e2m3', 'e3m2', 'e4m3', 'e5m2']);

export interface ConformanceEntry extends CodeEntry {
  /** Next smaller / larger finite value of the format (null at the ends and for NaN/Inf). */
  readonly prev: number | null;
  readonly next: number | null;
  readonly roundTrip: 'exact' | 'nan' | 'fail';
}

export interface FormatsResult {
  readonly kind: 'formats';
  readonly format: ConformanceFormat;
  readonly summary: {
    readonly codes: number;
    readonly finiteMax: number;
    readonly finiteMinPositive: number;
    readonly roundTripFailures: number;
    readonly nanCodes: number;
  };
  readonly table: readonly ConformanceEntry[];
  readonly rounding: {
    /** How data values were mapped into the format's range. */
    readonly scaling: string;
    readonly inputs: readonly number[];
    readonly modes: readonly RoundingMode[];
    readonly codes: readonly (readonly number[])[];
    readonly values: readonly (readonly number[])[];
    readonly differ: readonly boolean[];
    readonly mse: readonly number[];
    readonly bias: readonly number[];
  };
  readonly scaleRules: {
    readonly element: string;
    readonly block: number;
    readonly inputs: readonly number[];
    readonly rules: readonly {
      readonly rule: ScaleRule;
      /** Shared exponent e of each block (X = 2^e) and its E8M0 code. */
      readonly exponents: readonly number[];
      readonly e8m0: readonly number[];
      readonly codes: readonly number[];
      readonly values: readonly number[];
      readonly saturated: number;
      readonly mse: number;
    }[];
    readonly differ: readonly boolean[];
  };
}

function encodeCode(format: ConformanceFormat, v: number): number {
  if (format === 'e8m0') return encodeE8m0(v);
  if (format === 'nf4') return nf4Nearest(v);
  return encode(MINIFLOATS[format], v);
}

function decodeCode(format: ConformanceFormat, c: number): number {
  if (format === 'e8m0') return decodeE8m0(c);
  if (format === 'nf4') return NF4_VALUES[c];
  return decode(MINIFLOATS[format], c);
}

/** The table with neighbours and the round-trip verdict of every code. */
export function conformanceTable(format: ConformanceFormat): ConformanceEntry[] {
  const base =
    format === 'e8m0'
      ? e8m0CodeTable()
      : format === 'nf4'
        ? nf4CodeTable()
        : minifloatCodeTable(MINIFLOATS[format]);
  const finite = [...new Set(base.filter((e) => Number.isFinite(e.value)).map((e) => e.value + 0))].sort(
    (a, b) => a - b,
  );
  return base.map((e) => {
    let prev: number | null = null;
    let next: number | null = null;
    if (Number.isFinite(e.value)) {
      const i = finite.indexOf(e.value + 0);
      prev = i > 0 ? finite[i - 1] : null;
      next = i < finite.length - 1 ? finite[i + 1] : null;
    }
    let roundTrip: ConformanceEntry['roundTrip'];
    const back = encodeCode(format, e.value);
    if (back === e.code && Object.is(decodeCode(format, back), e.value)) roundTrip = 'exact';
    else if (Number.isNaN(e.value) && Number.isNaN(decodeCode(format, back))) roundTrip = 'nan';
    else roundTrip = 'fail';
    return { ...e, prev, next, roundTrip };
  });
}

/** E8M0 rounding of a positive t to a power of two under each mode (see the header). */
function roundE8m0(t: number, mode: RoundingMode, u: number): number {
  if (!(t > 0)) return 0;
  const e = floorLog2(t);
  const lo = pow2(Math.max(-127, Math.min(127, e)));
  if (mode === 'toward-zero' || t === lo) return encodeE8m0(t);
  let up: boolean;
  if (mode === 'nearest-even') up = t > 1.5 * lo || (t === 1.5 * lo && (e + 1) % 2 === 0);
  else up = u < (t - lo) / lo;
  return up ? Math.min(E8M0_NAN - 1, e + 1 + E8M0_BIAS) : encodeE8m0(t);
}

function roundNf4(t: number, mode: RoundingMode, u: number): number {
  if (mode === 'nearest-even') return nf4Nearest(t);
  if (mode === 'stochastic') return nf4Stochastic(t, u);
  // Toward zero: the bracketing level with the smaller magnitude (0 is code 7).
  const n = nf4Nearest(t);
  const v = NF4_VALUES[n];
  if (Math.abs(v) <= Math.abs(t)) return n;
  return t > 0 ? n - 1 : n + 1;
}

function roundCode(format: ConformanceFormat, t: number, mode: RoundingMode, u: number): number {
  if (format === 'e8m0') return roundE8m0(t, mode, u);
  if (format === 'nf4') return roundNf4(t, mode, u);
  return encode(MINIFLOATS[format], t, mode, u);
}

function blockAmax(x: ArrayLike<number>, from: number, to: number): number {
  let a = 0;
  for (let i = from; i < to; i++) a = Math.max(a, Math.abs(x[i]));
  return a;
}

/** Shared exponent of a block under a rule, clamped to E8M0's [−127, 127]. */
export function mxExponent(rule: ScaleRule, amax: number, f: MinifloatFormat): number {
  if (!(amax > 0)) return -127;
  const emaxElem = floorLog2(f.maxFinite);
  let e: number;
  if (rule === 'floor') e = floorLog2(amax) - emaxElem;
  else if (rule === 'floor+1') e = floorLog2(amax) - emaxElem + 1;
  else {
    const r = amax / f.maxFinite;
    // ceil: smallest e with r ≤ 2^e, exactly: 2^⌊log2 r⌋ = r means r is a power of two.
    const fl = floorLog2(r);
    if (rule === 'ceil') e = pow2(fl) === r ? fl : fl + 1;
    else e = r >= pow2(fl) * Math.SQRT2 ? fl + 1 : fl;
  }
  return Math.max(-127, Math.min(127, e));
}

/**
 * Data values mapped into the format's range (per block of `block`): MX elements and UE4M3 by the
 * OCP floor scale (UE4M3 takes magnitudes), NF4 by the block absmax, E8M0 by nothing (magnitudes).
 */
function elementValues(
  format: ConformanceFormat,
  v: readonly number[],
  block: number,
): { t: number[]; scaling: string } {
  const t = new Array<number>(v.length);
  if (format === 'e8m0')
    return { t: v.map((x) => Math.abs(x)), scaling: '|v| (E8M0 encodes positive scales)' };
  for (let b = 0; b < v.length; b += block) {
    const end = Math.min(v.length, b + block);
    const amax = blockAmax(v, b, end);
    let s: number;
    if (format === 'nf4') s = amax > 0 ? 1 / amax : 0;
    else s = pow2(-mxExponent('floor', amax, MINIFLOATS[format]));
    for (let i = b; i < end; i++) t[i] = (format === 'ue4m3' ? Math.abs(v[i]) : v[i]) * s;
  }
  const scaling =
    format === 'nf4'
      ? `v / absmax per block of ${block}`
      : `${format === 'ue4m3' ? '|v|' : 'v'} / 2^(⌊log2 amax⌋ − ${floorLog2(MINIFLOATS[format].maxFinite)}) per block of ${block} (OCP floor rule)`;
  return { t, scaling };
}

const FORMATS_PARAMS = defineParams({
  format: {
    kind: 'enum',
    default: 'e2m1',
    options: CONFORMANCE_FORMATS,
    doc: 'Format whose table, rounding and scales are shown.',
  },
  samples: {
    kind: 'int',
    default: 64,
    min: 1,
    max: 4096,
    doc: 'Values taken from the start of the data (row-major).',
  },
  block: {
    kind: 'int',
    default: 32,
    min: 1,
    max: 4096,
    doc: 'Block size of the shared scale (MX: 32; NF4: 64 in bitsandbytes).',
  },
});

export const formatsAnalysis = defineAnalysis({
  id: 'formats',
  label: 'Format conformance',
  description:
    'Full code table with neighbours and a round trip of every code; rounding modes and MX scale rules side by side on the same data',
  reference:
    'OCP Microscaling Formats (MX) v1.0 §5.3, §5.4.1, §6.3; OCP 8-bit Floating Point rev 1.0; QLoRA (Dettmers et al., NeurIPS 2023) §3 / bitsandbytes NF4.',
  params: FORMATS_PARAMS,
  // At most `samples` values through every rounding mode and scale rule (a few hundred operations
  // each) and the format's code table: independent of the data's size.
  cost: (params, { rows, dim }) => TS * (500 * Math.min(params.samples, rows * dim) + 5e4),
  run({ data, rng, params }) {
    const { format, block, samples } = params;
    const n = Math.min(samples, data.data.length);
    const v = Array.from(data.data.subarray(0, n), (x) => x);
    const table = conformanceTable(format);
    const finite = table.filter((e) => Number.isFinite(e.value));
    const positive = finite.filter((e) => e.value > 0).map((e) => e.value);

    // Rounding modes on the same values.
    const { t, scaling } = elementValues(format, v, block);
    const uRng: Rng = rng.stream('rounding', 'formats', format, n);
    const u = t.map(() => uRng.uniform());
    const codes = ROUNDING_MODES.map((mode) => t.map((ti, i) => roundCode(format, ti, mode, u[i])));
    const values = codes.map((cs) => cs.map((c) => decodeCode(format, c)));
    const err = values.map((vs) => vs.map((q, i) => q - t[i]));
    const rounding = {
      scaling,
      inputs: t,
      modes: ROUNDING_MODES,
      codes,
      values,
      differ: t.map((_, i) => codes.some((cs) => cs[i] !== codes[0][i])),
      mse: err.map((es) => es.reduce((a, e) => a + e * e, 0) / Math.max(1, n)),
      bias: err.map((es) => es.reduce((a, e) => a + e, 0) / Math.max(1, n)),
    };

    // MX scale rules on the raw values.
    const elemName = MX_ELEMENTS.has(format) ? format : 'e2m1';
    const f = MINIFLOATS[elemName];
    const rules = SCALE_RULES.map((rule) => {
      const exponents: number[] = [];
      const rc: number[] = [];
      const rv: number[] = [];
      let saturated = 0;
      let se = 0;
      for (let b = 0; b < n; b += block) {
        const end = Math.min(n, b + block);
        const e = mxExponent(rule, blockAmax(v, b, end), f);
        exponents.push(e);
        const x = pow2(e);
        for (let i = b; i < end; i++) {
          const ti = v[i] / x;
          if (Math.abs(ti) > f.maxFinite) saturated++;
          const c = encode(f, ti);
          rc.push(c);
          const q = decode(f, c) * x;
          rv.push(q);
          se += (q - v[i]) * (q - v[i]);
        }
      }
      return {
        rule,
        exponents,
        e8m0: exponents.map((e) => e + E8M0_BIAS),
        codes: rc,
        values: rv,
        saturated,
        mse: se / Math.max(1, n),
      };
    });
    const result: FormatsResult = {
      kind: 'formats',
      format,
      summary: {
        codes: table.length,
        finiteMax: Math.max(...finite.map((e) => e.value)),
        finiteMinPositive: positive.length ? Math.min(...positive) : 0,
        roundTripFailures: table.filter((e) => e.roundTrip === 'fail').length,
        nanCodes: table.filter((e) => Number.isNaN(e.value)).length,
      },
      table,
      rounding,
      scaleRules: {
        element: elemName,
        block,
        inputs: v,
        rules,
        differ: v.map((_, i) => rules.some((r) => r.codes[i] !== rules[0].codes[i])),
      },
    };
    return result;
  },
});
