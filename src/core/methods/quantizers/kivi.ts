/**
 * KIVI: tuning-free asymmetric 2-bit KV-cache quantization — keys per-channel, values per-token,
 * with the most recent tokens kept in full precision.
 *
 * Reference: Liu, Yuan, et al., "KIVI: A Tuning-Free Asymmetric 2bit Quantization for KV Cache",
 * ICML 2024, §3.2–3.3 (key cache grouped along the token axis per channel, value cache grouped
 * along the channel axis per token; group size G = 32; a full-precision residual of the latest R
 * tokens, R = 128). Asymmetric min–max: s = (max − min)/(2^b − 1), x̂ = min + s·round((x − min)/s);
 * min and s are stored in fp16 (as the reference kernels keep them in the model's dtype).
 * Seeds CATALOGUE §1.F.1.
 *
 * Here rows = tokens (oldest first), columns = channels. The first T = max(rows − residual, 0)
 * tokens are quantized; the last `residual` are rounded to fp16. mode = keys: for each channel,
 * groups of `group` consecutive tokens share (min, s); mode = values: for each token, groups of
 * `group` consecutive channels. A last partial group is allowed. A constant group is stored by its
 * min alone. Rounding nearest (ties to even) or stochastic (ctx.rng.stream('rounding', 'kivi')).
 *
 * Bits per coordinate: [T·d·b + 32·G + (rows − T)·d·16] / (rows·d), with G = d·⌈T/group⌉ groups
 * (keys) or T·⌈d/group⌉ (values).
 *
 * Beyond the fp16 range: every value stored in fp16 here saturates at ±65504
 * (formats/fp16.ts saturateToFp16, the policy of int's scales), so an input above 65504 gives a
 * finite, clipped reconstruction instead of ±Inf and NaN metrics.
 */
import { roundScaleToFp16, saturateToFp16 } from '../../formats/fp16';
import { rintEven, roundStochastic } from '../../formats/rounding';
import type { Rng } from '../../rng';
import { defineParams, typedParams } from '../params';
import type { QuantizerDef } from '../types';

/** Quantize the entries input[start + k·stride], k < count, as one asymmetric group. */
function group(
  x: Float32Array,
  out: Float32Array,
  start: number,
  count: number,
  stride: number,
  levels: number,
  rng: Rng | null,
): void {
  let lo = Infinity;
  let hi = -Infinity;
  for (let k = 0; k < count; k++) {
    const v = x[start + k * stride];
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const m = saturateToFp16(lo);
  const s = hi > m ? roundScaleToFp16((hi - m) / levels) : 0;
  for (let k = 0; k < count; k++) {
    const i = start + k * stride;
    if (s === 0) {
      out[i] = m;
      continue;
    }
    const t = (x[i] - m) / s;
    let q = rng === null ? rintEven(t) : roundStochastic(t, rng.uniform());
    if (q > levels) q = levels;
    else if (q < 0) q = 0;
    out[i] = m + q * s;
  }
}

function quantizedTokens(rows: number, residual: number): number {
  return Math.max(rows - residual, 0);
}

const KIVI_PARAMS = defineParams({
  mode: {
    kind: 'enum',
    default: 'keys',
    options: ['keys', 'values'],
    doc: 'keys: groups along tokens within each channel; values: groups along channels within each token.',
  },
  bits: { kind: 'int', default: 2, min: 1, max: 8, step: 1, doc: 'Bits per code (KIVI: 2).' },
  group: { kind: 'int', default: 32, min: 1, max: 65_536, step: 1, doc: 'Group size G (KIVI: 32).' },
  residual: {
    kind: 'int',
    default: 128,
    min: 0,
    max: 1_048_576,
    step: 1,
    doc: 'Most recent tokens (last rows) kept in fp16 (KIVI: R = 128).',
  },
  rounding: {
    kind: 'enum',
    default: 'nearest',
    options: ['nearest', 'stochastic'],
    doc: 'Round to nearest (ties to even) or stochastically (unbiased, seeded).',
  },
});

export const kiviQuantizer: QuantizerDef = {
  id: 'kivi',
  label: 'KIVI',
  description: 'Asymmetric 2-bit KV cache: keys per-channel, values per-token, recent tokens in fp16.',
  reference:
    'Liu et al., KIVI: A Tuning-Free Asymmetric 2bit Quantization for KV Cache, ICML 2024, §3.2–3.3.',
  params: KIVI_PARAMS,
  quantize(input, rows, d, params, ctx, out) {
    const p = typedParams(KIVI_PARAMS, params);
    const levels = 2 ** p.bits - 1;
    const g = p.group;
    const T = quantizedTokens(rows, p.residual);
    const rng = p.rounding === 'stochastic' ? ctx.rng.stream('rounding', 'kivi') : null;
    if (p.mode === 'keys') {
      for (let c = 0; c < d; c++)
        for (let t0 = 0; t0 < T; t0 += g) group(input, out, t0 * d + c, Math.min(g, T - t0), d, levels, rng);
    } else {
      for (let t = 0; t < T; t++)
        for (let c0 = 0; c0 < d; c0 += g) group(input, out, t * d + c0, Math.min(g, d - c0), 1, levels, rng);
    }
    for (let i = T * d; i < rows * d; i++) out[i] = saturateToFp16(input[i]);
  },
  bitsPerCoord(params, rows, d) {
    const p = typedParams(KIVI_PARAMS, params);
    const b = p.bits;
    const g = p.group;
    const T = quantizedTokens(rows, p.residual);
    const groups = p.mode === 'keys' ? d * Math.ceil(T / g) : T * Math.ceil(d / g);
    return (T * d * b + 32 * groups + (rows - T) * d * 16) / (rows * d);
  },
  describe(params) {
    const p = typedParams(KIVI_PARAMS, params);
    const sr = p.rounding === 'stochastic' ? ' sr' : '';
    return `${p.mode} b=${p.bits} g${p.group} R=${p.residual}${sr}`;
  },
};
