/**
 * Block inspector: one block of a block-scaled format taken apart element by element, for the
 * teaching views. Every number comes from the same format tables and rounding rules as the
 * quantizers (src/core/formats, src/core/methods/quantizers/{mxfp4,nvfp4,nf4,int}.ts), and
 * block.test.ts checks both that the reconstruction equals the quantizer's output bit for bit and
 * that codes and scales match an independent numpy reference (fixtures/gen_teaching.py).
 *
 * Formats and their scale rule (the quantizer files cite the specs):
 *  - mxfp4: OCP MX v1.0 §6.3: e = ⌊log2 amax⌋ − 2 (emax of E2M1), clamped to ≥ −127; X = 2^e stored
 *    as E8M0; element code = E2M1(x/X), ties to even, saturating at ±6.
 *  - nvfp4: NVIDIA NVFP4: s_t = fp32(amax_tensor/(448·6)); s_b = UE4M3(amax/6/s_t);
 *    element code = E2M1(x/(s_b·s_t)).
 *  - nf4: QLoRA §3: A = amax (fp32), element code = nearest NF4 level of x/A (ties down).
 *  - int: symmetric s = fp16(amax/(2^(k−1)−1)), q = clamp(rint(x/s)); asymmetric s =
 *    fp16((hi−lo)/(2^k−1)) over [min,max] widened to contain 0, z = clamp(rint(−lo/s)).
 *  - mx (the `mx` quantizer, mx.ts, and the named points MXFP6 E2M3 / E3M2, MXFP8 E4M3 / E5M2,
 *    MXINT8 of OCP MX v1.0 §5.3): E8M0 scale by the rule (floor = §6.3: e = ⌊log2 amax⌋ −
 *    emax_elem; ceil; round) or a UE4M3 / UE5M3 / fp32 scale s_b = fmt(amax / E_max / s_t), with
 *    the optional fp32 tensor scale s_t; element = the element format's saturating
 *    round-to-nearest-even of x/X (MXINT8: clamp(rint(64·x/X), ±127)/64).
 *  - bfp (bfp.ts; MSFP, NeurIPS 2020 §3): E = ⌊log2 amax⌋ in 8 bits, Δ = 2^(E − (m − 2)),
 *    q = clamp(rint(x/Δ), ±(2^(m−1) − 1)) stored sign–magnitude.
 * The numbers are computed by the quantizers' own exported helpers (mx.ts: blockScale parts,
 * elementMax, roundScale; the minifloat codec), so the decomposition cannot drift from the kernels.
 */
import { E8M0_MIN_EXP, e8m0Bits, e8m0FromExponent } from '../formats/e8m0';
import {
  FP16,
  E2M1,
  E2M3,
  E3M2,
  E4M3,
  E5M2,
  UE4M3,
  type MinifloatFormat,
  codeBits,
  decode,
  encode,
  floorLog2,
  pow2,
  roundValue,
} from '../formats/minifloat';
import { roundScaleToFp16 } from '../formats/fp16';
import { NF4_VALUES, nf4Nearest } from '../formats/nf4';
import { rintEven } from '../formats/rounding';
import {
  UE5M3,
  e8m0Exponent,
  elementMax,
  roundScale,
  MX_ELEMENTS,
  MX_RULES,
  MX_SCALES,
  mxQuantizer,
  type MxElement,
  type MxRule,
  type MxScale,
} from '../methods/quantizers/mx';
import { paramReader } from '../methods/param-reader';
import { bfpQuantizer } from '../methods/quantizers/bfp';
import { intQuantizer } from '../methods/quantizers/int';
import { nf4Quantizer } from '../methods/quantizers/nf4';

/**
 * The formats the inspector decomposes. 'mx' is the `mx` quantizer's design space (element, scale
 * format, rule, tensor scale in the options); the MXFP6 / MXFP8 / MXINT8 names are its OCP points
 * (block 32, E8M0, floor), offered by name in the format chooser.
 */
export type BlockFormat =
  | 'mxfp4'
  | 'nvfp4'
  | 'nf4'
  | 'int'
  | 'mxfp6-e2m3'
  | 'mxfp6-e3m2'
  | 'mxfp8-e4m3'
  | 'mxfp8-e5m2'
  | 'mxint8'
  | 'mx'
  | 'bfp';
/** Formats offered by name when a pipeline's quantizer has no blocks ('mx' needs its settings). */
export const BLOCK_FORMATS: readonly BlockFormat[] = [
  'mxfp4',
  'mxfp6-e2m3',
  'mxfp6-e3m2',
  'mxfp8-e4m3',
  'mxfp8-e5m2',
  'mxint8',
  'nvfp4',
  'nf4',
  'int',
  'bfp',
];

/** The OCP MX element of each named MX format (MX v1.0 §5: block 32, E8M0 scale, floor rule). */
export const NAMED_MX: Readonly<Partial<Record<BlockFormat, MxElement>>> = {
  'mxfp6-e2m3': 'e2m3',
  'mxfp6-e3m2': 'e3m2',
  'mxfp8-e4m3': 'e4m3',
  'mxfp8-e5m2': 'e5m2',
  mxint8: 'int8',
};

export interface BlockOptions {
  readonly format: BlockFormat;
  /** int: bits per code k (2…8). */
  readonly bits?: number;
  /** int: symmetric (default) or asymmetric with a zero-point. */
  readonly symmetric?: boolean;
  /** nvfp4 (and mx with tensorScale): amax of the whole tensor the block belongs to (sets the fp32 tensor scale). */
  readonly tensorAmax?: number;
  /** mx: element format (default e2m1). */
  readonly element?: MxElement;
  /** mx: block scale format (default e8m0). */
  readonly scaleFormat?: MxScale;
  /** mx: scale rule (default floor, OCP §6.3). */
  readonly rule?: MxRule;
  /** mx: fp32 tensor scale before the block scales (default off). */
  readonly tensorScale?: boolean;
  /** bfp: mantissa bits m including the sign (2…16, default 4). */
  readonly mantissa?: number;
}

/** An element format's spec-table values (OCP MX v1.0 §5.3, OFP8 rev 1.0), shown beside the block. */
export interface ElementInfo {
  readonly name: string;
  readonly bits: number;
  /** Largest finite (max normal) value E_max. */
  readonly maxNormal: number;
  /** Smallest positive normal value (INT8: the step). */
  readonly minNormal: number;
  /** Smallest positive subnormal = the subnormal step (INT8: the step 2^−6). */
  readonly minSubnormal: number;
  /** emax_elem = ⌊log2 E_max⌋, the exponent the E8M0 floor rule subtracts. */
  readonly emax: number;
}

export interface ScaleStep {
  /** What the step computes, e.g. "e = ⌊log2 amax⌋ − 2". */
  readonly label: string;
  readonly value: number;
  /** Stored bit pattern of the value, when the step produces a stored field. */
  readonly bits?: string;
}

export interface ElementView {
  readonly index: number;
  readonly x: number;
  /** x divided by the effective scale: the value the element grid rounds. */
  readonly scaled: number;
  /** Stored code (E2M1 / NF4 index / integer q). */
  readonly code: number;
  /** Code bits, fields separated by '.' for minifloats (sign.exponent.mantissa). */
  readonly bits: string;
  /** The grid value the code stands for (before the scale). */
  readonly level: number;
  readonly xHat: number;
  readonly error: number;
  /** Whether this element's magnitude (or min/max for asymmetric int) set the scale. */
  readonly setsScale: boolean;
  /** |x / scale| lay beyond the element grid's largest value and was clamped to it. */
  readonly saturated?: boolean;
}

export interface BlockInspection {
  readonly format: BlockFormat;
  /** The spec's formula for the scale, one line. */
  readonly formula: string;
  /** Element rounding rule, one line. */
  readonly rounding: string;
  readonly amax: number;
  readonly steps: readonly ScaleStep[];
  /** The effective multiplier from grid values to reconstructions (0 for a zero block). */
  readonly scale: number;
  /** int asymmetric: the zero-point (0 otherwise). */
  readonly zeroPoint: number;
  readonly elements: readonly ElementView[];
  /** Σ (x − x̂)² over the block. */
  readonly sse: number;
  /** The element format's spec values (mx, named MX formats, mxfp4, nvfp4). */
  readonly element?: ElementInfo;
}

/** Block size the quantizer uses for a format (int/nf4: their group/block param). */
export function defaultBlockSize(format: BlockFormat): number {
  if (format === 'nvfp4') return 16;
  if (format === 'nf4') return 64;
  if (format === 'int') return 128;
  return 32; // mxfp4 and the other MX points (MX v1.0 §5: k = 32); bfp's default block
}

const FP32 = new Float32Array(1);
const FP32_BITS = new Uint32Array(FP32.buffer);
/** fp32 bits of a value as "s.eeeeeeee.mmm…" (23 mantissa bits). */
export function fp32Bits(v: number): string {
  FP32[0] = v;
  const all = FP32_BITS[0].toString(2).padStart(32, '0');
  return `${all.slice(0, 1)}.${all.slice(1, 9)}.${all.slice(9)}`;
}

function amaxOf(x: ArrayLike<number>): { amax: number; arg: number } {
  let amax = 0;
  let arg = -1;
  for (let i = 0; i < x.length; i++) {
    const a = Math.abs(x[i]);
    if (a > amax) {
      amax = a;
      arg = i;
    }
  }
  return { amax, arg };
}

function twosComplement(q: number, bits: number): string {
  const u = q < 0 ? q + 2 ** bits : q;
  return u.toString(2).padStart(bits, '0');
}

function e2m1Element(x: number, scale: number, index: number, setsScale: boolean): ElementView {
  const scaled = scale > 0 ? x / scale : 0;
  const code = encode(E2M1, scaled);
  const level = decode(E2M1, code);
  const xHat = level * scale;
  return {
    index,
    x,
    scaled,
    code,
    bits: codeBits(E2M1, code),
    level,
    xHat,
    error: xHat - x,
    setsScale,
    saturated: Math.abs(scaled) > E2M1.maxFinite,
  };
}

function finish(base: Omit<BlockInspection, 'sse' | 'elements'>, elements: ElementView[]): BlockInspection {
  let sse = 0;
  for (const e of elements) sse += e.error * e.error;
  return { ...base, elements, sse };
}

function inspectMx(x: ArrayLike<number>): BlockInspection {
  const { amax, arg } = amaxOf(x);
  const formula = 'X = 2^(⌊log₂ amax⌋ − 2),  x̂ = X · E2M1(x / X)';
  const rounding = 'E2M1 round-to-nearest-even, saturate at ±6 (OCP MX v1.0 §6.3)';
  if (amax === 0) {
    const els = Array.from(x, (v, i) => e2m1Element(v, 0, i, false));
    return finish(
      {
        format: 'mxfp4',
        formula,
        rounding,
        amax,
        steps: [],
        scale: 0,
        zeroPoint: 0,
        element: elementInfo('e2m1'),
      },
      els,
    );
  }
  const fl = floorLog2(amax);
  let e = fl - 2;
  if (e < E8M0_MIN_EXP) e = E8M0_MIN_EXP;
  const scale = pow2(e);
  const code = e8m0FromExponent(e);
  const steps: ScaleStep[] = [
    { label: 'amax = max|xᵢ|', value: amax },
    { label: '⌊log₂ amax⌋', value: fl },
    { label: 'e = ⌊log₂ amax⌋ − 2 (emax of E2M1)', value: e },
    { label: 'X = 2^e (E8M0 code e + 127)', value: scale, bits: e8m0Bits(code) },
  ];
  const els = Array.from(x, (v, i) => e2m1Element(v, scale, i, i === arg));
  return finish(
    { format: 'mxfp4', formula, rounding, amax, steps, scale, zeroPoint: 0, element: elementInfo('e2m1') },
    els,
  );
}

function inspectNv(x: ArrayLike<number>, tensorAmax: number): BlockInspection {
  const { amax, arg } = amaxOf(x);
  const formula =
    's_t = fp32(amax_T / (448·6)),  s_b = UE4M3(amax / 6 / s_t),  x̂ = s_b·s_t · E2M1(x / (s_b·s_t))';
  const rounding = 'E2M1 and UE4M3 round-to-nearest-even, saturating (NVIDIA NVFP4)';
  const tAmax = Math.max(tensorAmax, amax);
  const st = Math.fround(tAmax / (448 * 6));
  const raw = st > 0 ? amax / 6 / st : 0;
  const sb = st > 0 ? roundValue(UE4M3, raw) : 0;
  const scale = sb * st;
  const steps: ScaleStep[] = [
    { label: 'amax_T = max|x| over the tensor', value: tAmax },
    { label: 's_t = fp32(amax_T / 2688)', value: st, bits: fp32Bits(st) },
    { label: 'amax = max|xᵢ| over the block', value: amax },
    { label: 'amax / 6 / s_t', value: raw },
    { label: 's_b = UE4M3(amax / 6 / s_t)', value: sb, bits: codeBits(UE4M3, encode(UE4M3, raw)) },
    { label: 'scale = s_b · s_t', value: scale },
  ];
  const els = Array.from(x, (v, i) => e2m1Element(v, scale, i, i === arg));
  return finish(
    { format: 'nvfp4', formula, rounding, amax, steps, scale, zeroPoint: 0, element: elementInfo('e2m1') },
    els,
  );
}

function inspectNf4(x: ArrayLike<number>): BlockInspection {
  const { amax, arg } = amaxOf(x);
  const formula = 'A = max|xᵢ| (fp32),  x̂ = A · NF4[nearest(x / A)]';
  const rounding = 'nearest of the 16 NF4 levels, ties to the lower level (QLoRA §3)';
  const steps: ScaleStep[] = [{ label: 'A = amax (stored fp32)', value: amax, bits: fp32Bits(amax) }];
  const els = Array.from(x, (v, i): ElementView => {
    const scaled = amax > 0 ? v / amax : 0;
    const code = amax > 0 ? nf4Nearest(scaled) : 7;
    const level = NF4_VALUES[code];
    const xHat = amax > 0 ? level * amax : 0;
    return {
      index: i,
      x: v,
      scaled,
      code,
      bits: code.toString(2).padStart(4, '0'),
      level,
      xHat,
      error: xHat - v,
      setsScale: i === arg,
    };
  });
  return finish({ format: 'nf4', formula, rounding, amax, steps, scale: amax, zeroPoint: 0 }, els);
}

function inspectInt(x: ArrayLike<number>, bits: number, symmetric: boolean): BlockInspection {
  const rounding = 'round to nearest integer, ties to even, then clamp to the code range';
  if (symmetric) {
    const { amax, arg } = amaxOf(x);
    const qmax = 2 ** (bits - 1) - 1;
    const qmin = -qmax - 1;
    const s = amax > 0 ? roundScaleToFp16(amax / qmax) : 0;
    const steps: ScaleStep[] = [
      { label: 'amax = max|xᵢ|', value: amax },
      { label: `amax / ${qmax}`, value: amax / qmax },
      { label: 's = fp16(amax / (2^(k−1) − 1))', value: s, bits: codeBits(FP16, encode(FP16, s)) },
    ];
    const els = Array.from(x, (v, i): ElementView => {
      const scaled = s > 0 ? v / s : 0;
      const rq = s > 0 ? Math.min(qmax, Math.max(qmin, rintEven(scaled))) : 0;
      const q = rq + 0; // the stored code has no −0; the reconstruction keeps the kernel's sign
      const xHat = rq * s;
      return {
        index: i,
        x: v,
        scaled,
        code: q,
        bits: twosComplement(q, bits),
        level: q,
        xHat,
        error: xHat - v,
        setsScale: i === arg,
      };
    });
    const formula = `s = fp16(amax / ${qmax}),  q = clamp(rint(x / s), ${qmin}, ${qmax}),  x̂ = s·q`;
    return finish({ format: 'int', formula, rounding, amax, steps, scale: s, zeroPoint: 0 }, els);
  }
  const levels = 2 ** bits - 1;
  let lo = 0;
  let hi = 0;
  let argLo = -1;
  let argHi = -1;
  for (let i = 0; i < x.length; i++) {
    if (x[i] < lo) {
      lo = x[i];
      argLo = i;
    }
    if (x[i] > hi) {
      hi = x[i];
      argHi = i;
    }
  }
  const s = hi > lo ? roundScaleToFp16((hi - lo) / levels) : 0;
  let z = s > 0 ? rintEven(-lo / s) : 0;
  if (z > levels) z = levels;
  else if (z < 0) z = 0;
  const steps: ScaleStep[] = [
    { label: 'lo = min(0, min xᵢ)', value: lo },
    { label: 'hi = max(0, max xᵢ)', value: hi },
    { label: `s = fp16((hi − lo) / ${levels})`, value: s, bits: codeBits(FP16, encode(FP16, s)) },
    { label: 'z = clamp(rint(−lo / s))', value: z, bits: z.toString(2).padStart(bits, '0') },
  ];
  const els = Array.from(x, (v, i): ElementView => {
    const scaled = s > 0 ? v / s : 0;
    const q = s > 0 ? Math.min(levels, Math.max(0, rintEven(scaled) + z)) + 0 : 0;
    const xHat = s > 0 ? (q - z) * s : 0;
    return {
      index: i,
      x: v,
      scaled,
      code: q,
      bits: q.toString(2).padStart(bits, '0'),
      level: q - z,
      xHat,
      error: xHat - v,
      setsScale: i === argLo || i === argHi,
    };
  });
  const formula = `s = fp16((hi − lo) / ${levels}),  q = clamp(rint(x / s) + z, 0, ${levels}),  x̂ = s·(q − z)`;
  return finish(
    { format: 'int', formula, rounding, amax: Math.max(hi, -lo), steps, scale: s, zeroPoint: z },
    els,
  );
}

const MINIFLOAT_ELEMENTS: Readonly<Record<Exclude<MxElement, 'int8'>, MinifloatFormat>> = {
  e2m1: E2M1,
  e2m3: E2M3,
  e3m2: E3M2,
  e4m3: E4M3,
  e5m2: E5M2,
};

/** The element format's spec-table values, from the format definitions the kernels use. */
export function elementInfo(element: MxElement): ElementInfo {
  if (element === 'int8') {
    // MXINT8 (MX v1.0 §5.3): two's complement k with an implicit 2^−6: k/64, |k| ≤ 127.
    const step = pow2(-6);
    return {
      name: 'INT8 (×2⁻⁶)',
      bits: 8,
      maxNormal: elementMax('int8'),
      minNormal: step,
      minSubnormal: step,
      emax: 0,
    };
  }
  const f = MINIFLOAT_ELEMENTS[element];
  return {
    name: f.name.toUpperCase(),
    bits: f.nbits,
    maxNormal: f.maxFinite,
    minNormal: f.minNormal,
    minSubnormal: f.minSubnormal,
    emax: floorLog2(f.maxFinite),
  };
}

const SCALE_LABEL: Record<MxScale, string> = { e8m0: 'E8M0', ue4m3: 'UE4M3', ue5m3: 'UE5M3', fp32: 'fp32' };
/** Value the tensor amax maps to under a tensor scale (mx.ts scaleTop: 448 / 61440 / 1). */
function scaleTop(scale: MxScale): number {
  return scale === 'ue4m3' ? UE4M3.maxFinite : scale === 'ue5m3' ? UE5M3.maxFinite : 1;
}

function inspectMxGeneric(x: ArrayLike<number>, o: BlockOptions): BlockInspection {
  const element = o.element ?? 'e2m1';
  const scaleFmt = o.scaleFormat ?? 'e8m0';
  const rule = o.rule ?? 'floor';
  const info = elementInfo(element);
  const eMax = info.maxNormal;
  const f = element === 'int8' ? null : MINIFLOAT_ELEMENTS[element];
  const { amax, arg } = amaxOf(x);
  const steps: ScaleStep[] = [{ label: 'amax = max|xᵢ|', value: amax }];
  let st = 1;
  if (o.tensorScale) {
    const tAmax = Math.max(o.tensorAmax ?? 0, amax);
    st = Math.fround(tAmax / (scaleTop(scaleFmt) * eMax));
    steps.unshift({ label: 'amax_T = max|x| over the tensor', value: tAmax });
    steps.push({
      label: `s_t = fp32(amax_T / (${scaleTop(scaleFmt)}·${eMax}))`,
      value: st,
      bits: fp32Bits(st),
    });
  }
  const a = st === 1 ? amax : amax / st;
  let X = 0;
  if (amax > 0 && st > 0) {
    if (scaleFmt === 'e8m0') {
      const raw = e8m0Exponent(rule, a, eMax);
      const e = Math.max(E8M0_MIN_EXP, raw);
      const aName = o.tensorScale ? 'amax/s_t' : 'amax';
      if (rule === 'floor') {
        steps.push({ label: `⌊log₂ ${aName}⌋`, value: floorLog2(a) });
        steps.push({ label: `e = ⌊log₂ ${aName}⌋ − ${info.emax} (emax of ${info.name})`, value: raw });
      } else {
        steps.push({ label: `${aName} / E_max (E_max = ${eMax})`, value: a / eMax });
        steps.push({
          label:
            rule === 'ceil'
              ? `e = ⌈log₂(${aName} / E_max)⌉`
              : `e = round(log₂(${aName} / E_max)), tie at √2 up`,
          value: raw,
        });
      }
      if (raw < E8M0_MIN_EXP) steps.push({ label: 'e clamped to −127 (E8M0 minimum)', value: e });
      X = pow2(e) * st;
      steps.push({
        label: `X = 2^e${o.tensorScale ? '·s_t' : ''} (E8M0 code e + 127)`,
        value: X,
        bits: e8m0Bits(e8m0FromExponent(e)),
      });
    } else {
      const raw = amax / eMax / st;
      const sb = roundScale(scaleFmt, raw, rule);
      const sf = scaleFmt === 'ue4m3' ? UE4M3 : scaleFmt === 'ue5m3' ? UE5M3 : null;
      steps.push({ label: `s* = amax / ${eMax}${o.tensorScale ? ' / s_t' : ''}`, value: raw });
      steps.push({
        label: `s_b = ${SCALE_LABEL[scaleFmt]}(s*), ${rule === 'round' ? 'nearest-even' : rule === 'floor' ? 'toward zero' : 'up'}`,
        value: sb,
        bits: sf ? codeBits(sf, encode(sf, sb)) : fp32Bits(sb),
      });
      X = sb === 0 ? 0 : sb * st;
      if (o.tensorScale) steps.push({ label: 'X = s_b · s_t', value: X });
    }
  }
  const scaleText =
    scaleFmt === 'e8m0'
      ? rule === 'floor'
        ? `X = 2^(⌊log₂ amax⌋ − ${info.emax})`
        : rule === 'ceil'
          ? 'X = 2^⌈log₂(amax / E_max)⌉'
          : 'X = 2^round(log₂(amax / E_max))'
      : `X = ${SCALE_LABEL[scaleFmt]}(amax / E_max${o.tensorScale ? ' / s_t' : ''})`;
  const formula = `${scaleText}${o.tensorScale && scaleFmt === 'e8m0' ? '·s_t' : ''},  x̂ = X · ${info.name}(x / X)`;
  const rounding =
    element === 'int8'
      ? 'k = rint(64·x/X) ties to even, clamp to ±127; element = k/64 (MX v1.0 §5.3 MXINT8)'
      : `${info.name} round-to-nearest-even, saturate at ±${eMax} (OCP MX v1.0 §6.3)`;
  const els = Array.from(x, (v, i): ElementView => {
    if (!(X > 0)) {
      const z = X !== X ? NaN : 0;
      return {
        index: i,
        x: v,
        scaled: 0,
        code: 0,
        bits: '0'.repeat(info.bits),
        level: 0,
        xHat: z,
        error: z - v,
        setsScale: false,
      };
    }
    const t = v / X;
    let level: number;
    let code: number;
    let bits: string;
    if (f === null) {
      const k = Math.max(-127, Math.min(127, rintEven(t * 64)));
      level = k / 64;
      code = k + 0;
      bits = twosComplement(code, 8);
    } else {
      level = roundValue(f, t);
      code = encode(f, t);
      bits = codeBits(f, code);
    }
    const xHat = level * X;
    return {
      index: i,
      x: v,
      scaled: t,
      code,
      bits,
      level,
      xHat,
      error: xHat - v,
      setsScale: i === arg,
      saturated: Math.abs(t) > eMax,
    };
  });
  return finish({ format: 'mx', formula, rounding, amax, steps, scale: X, zeroPoint: 0, element: info }, els);
}

function inspectBfp(x: ArrayLike<number>, m: number): BlockInspection {
  const { amax, arg } = amaxOf(x);
  const qmax = 2 ** (m - 1) - 1;
  const formula = `E = ⌊log₂ amax⌋,  Δ = 2^(E − ${m - 2}),  q = clamp(rint(x / Δ), ±${qmax}),  x̂ = q·Δ`;
  const rounding = `round to nearest integer, ties to even; ${m}-bit sign–magnitude mantissa, saturating at ±${qmax} (MSFP §3)`;
  const steps: ScaleStep[] = [{ label: 'amax = max|xᵢ|', value: amax }];
  let step = 0;
  let inv = 0;
  if (amax > 0) {
    const fl = floorLog2(amax);
    const E = Math.max(-127, Math.min(127, fl));
    step = pow2(E - (m - 2));
    inv = pow2(m - 2 - E);
    steps.push({
      label: 'E = ⌊log₂ amax⌋ (shared 8-bit exponent, E + 127 stored)',
      value: E,
      bits: e8m0Bits(E + 127),
    });
    steps.push({ label: `Δ = 2^(E − (m − 2)), m = ${m}`, value: step });
  }
  const els = Array.from(x, (v, i): ElementView => {
    const t = v * inv;
    const r = amax > 0 ? rintEven(t) : 0;
    const q = Math.max(-qmax, Math.min(qmax, r));
    const xHat = q * step;
    const mag = Math.abs(q)
      .toString(2)
      .padStart(m - 1, '0');
    return {
      index: i,
      x: v,
      scaled: t,
      code: q + 0,
      bits: `${q < 0 || (q === 0 && Object.is(q, -0)) ? 1 : 0}.${mag}`,
      level: q,
      xHat,
      error: xHat - v,
      setsScale: i === arg,
      saturated: Math.abs(r) > qmax,
    };
  });
  return finish({ format: 'bfp', formula, rounding, amax, steps, scale: step, zeroPoint: 0 }, els);
}

/** Decompose one block (its values in the quantizer's input domain) element by element. */
export function inspectBlock(x: ArrayLike<number>, options: BlockOptions): BlockInspection {
  // The quantizers read fp32 inputs: round here too so the numbers are the kernel's.
  const v = Float32Array.from(x);
  switch (options.format) {
    case 'mxfp4':
      return inspectMx(v);
    case 'nvfp4':
      return inspectNv(v, options.tensorAmax ?? 0);
    case 'nf4':
      return inspectNf4(v);
    case 'int': {
      const bits = options.bits ?? 4;
      if (!(Number.isInteger(bits) && bits >= 2 && bits <= 8))
        throw new RangeError(`inspectBlock: int bits must be an integer in 2…8, got ${bits}`);
      return inspectInt(v, bits, options.symmetric ?? true);
    }
    case 'mx':
      return inspectMxGeneric(v, options);
    case 'mxfp6-e2m3':
    case 'mxfp6-e3m2':
    case 'mxfp8-e4m3':
    case 'mxfp8-e5m2':
    case 'mxint8':
      return {
        ...inspectMxGeneric(v, { format: 'mx', element: NAMED_MX[options.format] }),
        format: options.format,
      };
    case 'bfp': {
      const m = options.mantissa ?? 4;
      if (!(Number.isInteger(m) && m >= 2 && m <= 16))
        throw new RangeError(`inspectBlock: bfp mantissa must be an integer in 2…16, got ${m}`);
      return inspectBfp(v, m);
    }
    default:
      throw new RangeError(`inspectBlock: unknown format "${String(options.format)}"`);
  }
}

/**
 * The shared-scale effect (DuQuant++: "a single outlier inflates the shared block scale"): the
 * block with element `index` multiplied by `factor`, and the squared error of the *other*
 * elements before and after.
 */
export function outlierEffect(
  x: ArrayLike<number>,
  options: BlockOptions,
  index: number,
  factor: number,
): { before: BlockInspection; after: BlockInspection; othersSseBefore: number; othersSseAfter: number } {
  const before = inspectBlock(x, options);
  const y = Float32Array.from(x);
  if (index >= 0 && index < y.length) y[index] *= factor;
  const tensorAmax = Math.max(options.tensorAmax ?? 0, ...Array.from(y, Math.abs));
  const tensorScaled = options.format === 'nvfp4' || (options.format === 'mx' && options.tensorScale);
  const after = inspectBlock(y, {
    ...options,
    tensorAmax: tensorScaled ? tensorAmax : options.tensorAmax,
  });
  const others = (b: BlockInspection) =>
    b.elements.reduce((s, e) => (e.index === index ? s : s + e.error * e.error), 0);
  return { before, after, othersSseBefore: others(before), othersSseAfter: others(after) };
}

/** The block format a quantizer's block decomposition uses, or null when it has no 1-D blocks. */
export interface QuantizerBlocks {
  readonly format: BlockFormat;
  readonly block: number;
  readonly opts: Partial<BlockOptions>;
}

/**
 * The block format, block size and options of quantizer `id` with `params` (its registry params,
 * defaults applied): mxfp4 / nvfp4 / nf4 / int (group granularity) / mx (1-D layout) / bfp.
 * `mx` in the 2-D layout is excluded: its tiles span rows, so one row's block does not hold the
 * tile's amax.
 */
const readNf4 = paramReader(nf4Quantizer, { block: 'number' });
const readInt = paramReader(intQuantizer, {
  granularity: ['tensor', 'row', 'group'],
  group: 'number',
  bits: 'number',
  symmetric: 'boolean',
});
const readMx = paramReader(mxQuantizer, {
  layout: ['1d', '2d'],
  block: 'number',
  element: MX_ELEMENTS,
  scale: MX_SCALES,
  rule: MX_RULES,
  tensorScale: 'boolean',
});
const readBfp = paramReader(bfpQuantizer, { block: 'number', mantissa: 'number' });

export function quantizerBlockFormat(
  id: string,
  params: Readonly<Record<string, unknown>>,
): QuantizerBlocks | null {
  if (id === 'mxfp4') return { format: 'mxfp4', block: 32, opts: {} };
  if (id === 'nvfp4') return { format: 'nvfp4', block: 16, opts: {} };
  if (id === 'nf4') return { format: 'nf4', block: readNf4(params).block, opts: {} };
  if (id === 'int') {
    const p = readInt(params);
    if (p.granularity !== 'group') return null;
    return { format: 'int', block: p.group, opts: { bits: p.bits, symmetric: p.symmetric } };
  }
  if (id === 'mx') {
    const p = readMx(params);
    if (p.layout === '2d') return null;
    return {
      format: 'mx',
      block: p.block,
      opts: { element: p.element, scaleFormat: p.scale, rule: p.rule, tensorScale: p.tensorScale },
    };
  }
  if (id === 'bfp') {
    const p = readBfp(params);
    return { format: 'bfp', block: p.block, opts: { mantissa: p.mantissa } };
  }
  return null;
}
