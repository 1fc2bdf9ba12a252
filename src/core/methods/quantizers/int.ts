/**
 * Uniform integer quantizer (INT-k) with absmax (symmetric) or min–max (asymmetric) scaling and
 * fp16-stored scales, at tensor, row or group granularity.
 *
 * References: Jacob et al., "Quantization and Training of Neural Networks for Efficient
 * Integer-Arithmetic-Only Inference", CVPR 2018, §2.1 (affine scheme r = S(q − Z), integer Z);
 * Frantar et al., GPTQ (ICLR 2023) and Lin et al., AWQ (MLSys 2024) for per-group (g = 128) weight
 * scales stored in fp16; ALGORITHMS.md "INT-k"; CONTRACT.md §4 `int`.
 *
 * Symmetric: q ∈ [−2^(k−1), 2^(k−1)−1], s = fp16(absmax / (2^(k−1)−1)), x̂ = s·clamp(round(x/s)).
 *   The most negative level −2^(k−1) is reachable only through clamping, so the grid is
 *   symmetric in practice (the usual "restricted range" choice).
 * Asymmetric: q ∈ [0, 2^k−1]; the range [lo, hi] is [min, max] widened to contain 0 (as GPTQ's
 *   and PyTorch's min–max observers do), so the integer zero-point z = clamp(round(−lo/s), 0,
 *   2^k−1) fits in k bits and 0 is exactly representable; s = fp16((hi − lo)/(2^k − 1)),
 *   x̂ = s·(clamp(round(x/s) + z, 0, 2^k−1) − z).
 * The scale is rounded to fp16 before it is used (what is stored is what dequantizes). An fp16
 * scale that would overflow saturates at 65504; one that underflows to 0 makes the group zero.
 * round() is ties-to-even ('nearest') or stochastic rounding ('stochastic', seeded from
 * ctx.rng.stream('rounding', 'int'); unbiased wherever x/s stays inside the integer range).
 *
 * Invariants: groups never cross rows (a last partial group is allowed); an all-zero group gives
 * zeros; symmetric nearest rounding is idempotent while the fp16 scale is normal; |x̂| ≤
 * 2^(k−1)·s. Asymmetric rounding is not idempotent in general: re-deriving s and z from x̂ can land
 * on a different fp16 scale.
 *
 * Bits per coordinate: k + (16 [+ k if asymmetric]) · G / (rows·d), with G = 1 (tensor),
 * rows (row) or rows·⌈d/group⌉ (group).
 *
 * Speed: nearest rounding runs on the WASM SIMD kernels (block statistics, then element rounding;
 * src/core/wasm/blocks.ts) with the scales and zero-points still derived here by the functions
 * below, bit-identical to quantizeSymmetric / quantizeAsymmetric (kernels.test.ts).
 */
import { roundScaleToFp16 } from '../../formats/fp16';
import { rintEven, roundStochastic } from '../../formats/rounding';
import type { Rng } from '../../rng';
import { blockApply, blockStats } from '../../wasm/blocks';
import { noteWasmHit, wasmKernels } from '../../wasm/kernels';
import { defineParams, typedParams } from '../params';
import type { QuantizerDef } from '../types';

function quantizeSymmetric(
  x: Float32Array,
  out: Float32Array,
  from: number,
  to: number,
  bits: number,
  rng: Rng | null,
) {
  const qmax = 2 ** (bits - 1) - 1;
  const qmin = -qmax - 1;
  let amax = 0;
  for (let i = from; i < to; i++) {
    const a = Math.abs(x[i]);
    if (a > amax) amax = a;
  }
  const s = symmetricScale(amax, qmax);
  if (s === 0) {
    out.fill(0, from, to);
    return;
  }
  for (let i = from; i < to; i++) {
    const t = x[i] / s;
    let q = rng === null ? rintEven(t) : roundStochastic(t, rng.uniform());
    if (q > qmax) q = qmax;
    else if (q < qmin) q = qmin;
    out[i] = q * s;
  }
}

function quantizeAsymmetric(
  x: Float32Array,
  out: Float32Array,
  from: number,
  to: number,
  bits: number,
  rng: Rng | null,
) {
  const levels = 2 ** bits - 1;
  let lo = 0;
  let hi = 0;
  for (let i = from; i < to; i++) {
    const v = x[i];
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const s = hi > lo ? roundScaleToFp16((hi - lo) / levels) : 0;
  if (s === 0) {
    out.fill(0, from, to);
    return;
  }
  let z = rintEven(-lo / s);
  if (z > levels) z = levels;
  else if (z < 0) z = 0;
  for (let i = from; i < to; i++) {
    const t = x[i] / s;
    let q = (rng === null ? rintEven(t) : roundStochastic(t, rng.uniform())) + z;
    if (q > levels) q = levels;
    else if (q < 0) q = 0;
    out[i] = (q - z) * s;
  }
}

/** Symmetric scale of a group from its absmax: what quantizeSymmetric computes. */
function symmetricScale(amax: number, qmax: number): number {
  return amax > 0 ? roundScaleToFp16(amax / qmax) : 0;
}

/** The WASM path of nearest rounding (blocks of g in rows of d); false when WASM is unavailable. */
function quantizeWasm(
  input: Float32Array,
  out: Float32Array,
  rows: number,
  d: number,
  g: number,
  bits: number,
  symmetric: boolean,
): boolean {
  const k = wasmKernels();
  if (!k || rows * d === 0) return false;
  const stats = blockStats(k, input, rows, d, g, symmetric ? 'absmax' : 'minmax');
  const scale = new Float64Array(stats.a.length);
  if (symmetric) {
    const qmax = 2 ** (bits - 1) - 1;
    for (let b = 0; b < scale.length; b++) scale[b] = symmetricScale(stats.a[b], qmax);
    blockApply(k, input, rows, d, g, out, scale, null, (inP, r, dd, gg, aP, _bP, outP) =>
      k.int_sym_apply(inP, r, dd, gg, aP, qmax, outP),
    );
  } else {
    const levels = 2 ** bits - 1;
    const lo = stats.a;
    const hi = stats.b ?? lo;
    const zero = new Float64Array(scale.length);
    for (let b = 0; b < scale.length; b++) {
      const s = hi[b] > lo[b] ? roundScaleToFp16((hi[b] - lo[b]) / levels) : 0;
      scale[b] = s;
      if (s === 0) continue;
      let z = rintEven(-lo[b] / s);
      if (z > levels) z = levels;
      else if (z < 0) z = 0;
      zero[b] = z;
    }
    blockApply(k, input, rows, d, g, out, scale, zero, (inP, r, dd, gg, aP, bP, outP) =>
      k.int_asym_apply(inP, r, dd, gg, aP, bP, levels, outP),
    );
  }
  noteWasmHit('int');
  return true;
}

function groupCount(granularity: string, group: number, rows: number, d: number): number {
  if (granularity === 'tensor') return 1;
  if (granularity === 'row') return rows;
  return rows * Math.ceil(d / group);
}

export const INT_PARAMS = defineParams({
  bits: { kind: 'int', default: 4, min: 2, max: 8, step: 1, doc: 'Bits per integer code k.' },
  granularity: {
    kind: 'enum',
    default: 'group',
    options: ['tensor', 'row', 'group'],
    doc: 'One scale for the whole tensor, per row, or per group of `group` coordinates within a row.',
  },
  group: {
    kind: 'int',
    default: 128,
    min: 8,
    max: 4096,
    step: 1,
    doc: 'Group size (granularity=group); the last group of a row may be partial.',
  },
  symmetric: {
    kind: 'bool',
    default: true,
    doc: 'Symmetric absmax grid (true) or asymmetric min–max grid with a k-bit zero-point (false).',
  },
  rounding: {
    kind: 'enum',
    default: 'nearest',
    options: ['nearest', 'stochastic'],
    doc: 'Round to nearest (ties to even) or stochastically (unbiased, seeded).',
  },
});

export const intQuantizer: QuantizerDef = {
  id: 'int',
  label: 'INT',
  description: 'Uniform integer grid with absmax (symmetric) or min–max (asymmetric) scales stored as fp16.',
  reference:
    'Jacob et al., CVPR 2018 §2.1 (affine integer quantization); GPTQ / AWQ group-wise fp16 scales; CONTRACT.md §4.',
  params: INT_PARAMS,
  quantize(input, rows, d, params, ctx, out) {
    const p = typedParams(INT_PARAMS, params);
    const bits = p.bits;
    const granularity = p.granularity;
    const group = p.group;
    const symmetric = p.symmetric;
    const rng = p.rounding === 'stochastic' ? ctx.rng.stream('rounding', 'int') : null;
    if (rng === null) {
      const [r, dd, g] =
        granularity === 'tensor' ? [1, rows * d, rows * d] : [rows, d, granularity === 'row' ? d : group];
      if (quantizeWasm(input, out, r, dd, Math.min(g, dd), bits, symmetric)) return;
    }
    const span = symmetric ? quantizeSymmetric : quantizeAsymmetric;
    if (granularity === 'tensor') {
      span(input, out, 0, rows * d, bits, rng);
      return;
    }
    const g = granularity === 'row' ? d : group;
    for (let r = 0; r < rows; r++) {
      const base = r * d;
      for (let start = 0; start < d; start += g)
        span(input, out, base + start, base + Math.min(start + g, d), bits, rng);
    }
  },
  // Row and group scales come from the row alone; nearest rounding draws no stream.
  rowLocal: (params) => {
    const p = typedParams(INT_PARAMS, params);
    return p.granularity !== 'tensor' && p.rounding === 'nearest';
  },
  bitsPerCoord(params, rows, d) {
    const p = typedParams(INT_PARAMS, params);
    const bits = p.bits;
    const side = 16 + (p.symmetric ? 0 : bits);
    return bits + (side * groupCount(p.granularity, p.group, rows, d)) / (rows * d);
  },
  describe(params) {
    const p = typedParams(INT_PARAMS, params);
    const granularity = p.granularity;
    const g = granularity === 'group' ? `g${p.group}` : granularity;
    const sr = p.rounding === 'stochastic' ? ' sr' : '';
    return `b=${p.bits} ${g} ${p.symmetric ? 'sym' : 'asym'}${sr}`;
  },
};
