/**
 * LLM.int8(): vector-wise INT8 with a mixed-precision decomposition that keeps the "emergent
 * outlier" feature dimensions in 16 bits.
 *
 * Reference: Dettmers, Lewis, Belkada & Zettlemoyer, "LLM.int8(): 8-bit Matrix Multiplication for
 * Transformers at Scale", NeurIPS 2022, §3.1 (vector-wise quantization: one absmax constant per
 * row of X and per column of W, c = 127/absmax) and §3.2 (mixed-precision decomposition: the set
 * O = {j : some |x_ij| ≥ α} of feature dimensions, α = 6.0, is multiplied in fp16, everything
 * else in int8). Seeds CATALOGUE §1.D.1.
 *
 * Here (rows × d, columns = feature dimensions): O = columns holding any |x| ≥ threshold; those
 * columns are stored in fp16; every row's other entries share one absmax scale s = absmax/127
 * (fp32, as bitsandbytes' row statistics), q = round(x/s) ∈ [−127, 127]. Rounding nearest (ties to
 * even) or stochastic (seeded from ctx.rng.stream('rounding', 'llm-int8')).
 *
 * Bits per coordinate, with o = |O| (data-dependent, so `bitsPerCoordOf` computes it; the closed
 * form `bitsPerCoord` is the o = 0 case):
 *   [rows·(d − o)·8 + rows·o·16 + rows·32 + o·⌈log2 d⌉] / (rows·d)
 * (int8 codes, fp16 outlier columns, one fp32 scale per row, the outlier column indices).
 *
 * Beyond the fp16 range: every value stored in fp16 here saturates at ±65504
 * (formats/fp16.ts saturateToFp16, the policy of int's scales), so an input above 65504 gives a
 * finite, clipped reconstruction instead of ±Inf and NaN metrics.
 */
import { saturateToFp16 } from '../../formats/fp16';
import { rintEven, roundStochastic } from '../../formats/rounding';
import { defineParams, typedParams } from '../params';
import type { QuantizerDef } from '../types';

/** Columns j with some |x_ij| ≥ threshold, ascending. */
export function llmInt8OutlierColumns(
  input: Float32Array,
  rows: number,
  d: number,
  threshold: number,
): number[] {
  const flag = new Uint8Array(d);
  for (let i = 0; i < rows; i++) {
    const base = i * d;
    for (let j = 0; j < d; j++) if (Math.abs(input[base + j]) >= threshold) flag[j] = 1;
  }
  const out: number[] = [];
  for (let j = 0; j < d; j++) if (flag[j]) out.push(j);
  return out;
}

function bits(rows: number, d: number, outliers: number): number {
  const indexBits = d > 1 ? Math.ceil(Math.log2(d)) : 1;
  return (rows * (d - outliers) * 8 + rows * outliers * 16 + rows * 32 + outliers * indexBits) / (rows * d);
}

const LLM_INT8_PARAMS = defineParams({
  threshold: {
    kind: 'number',
    default: 6,
    min: 0,
    max: 1e6,
    step: 0.5,
    doc: 'Outlier magnitude α: a column with any |x| ≥ α is kept in fp16 (paper: 6.0).',
  },
  rounding: {
    kind: 'enum',
    default: 'nearest',
    options: ['nearest', 'stochastic'],
    doc: 'Round to nearest (ties to even) or stochastically (unbiased, seeded).',
  },
});

export const llmInt8Quantizer: QuantizerDef = {
  id: 'llm-int8',
  label: 'LLM.int8()',
  description: 'Columns with any |x| ≥ threshold kept in fp16; the rest int8 with one absmax scale per row.',
  reference:
    'Dettmers et al., LLM.int8(): 8-bit Matrix Multiplication for Transformers at Scale, NeurIPS 2022, §3.1–3.2.',
  params: LLM_INT8_PARAMS,
  quantize(input, rows, d, params, ctx, out) {
    const p = typedParams(LLM_INT8_PARAMS, params);
    const outliers = llmInt8OutlierColumns(input, rows, d, p.threshold);
    const isOutlier = new Uint8Array(d);
    for (const j of outliers) isOutlier[j] = 1;
    const rng = p.rounding === 'stochastic' ? ctx.rng.stream('rounding', 'llm-int8') : null;
    for (let i = 0; i < rows; i++) {
      const base = i * d;
      let amax = 0;
      for (let j = 0; j < d; j++) if (!isOutlier[j]) amax = Math.max(amax, Math.abs(input[base + j]));
      const s = Math.fround(amax / 127);
      for (let j = 0; j < d; j++) {
        const x = input[base + j];
        if (isOutlier[j]) {
          out[base + j] = saturateToFp16(x);
          continue;
        }
        if (s === 0) {
          out[base + j] = 0;
          continue;
        }
        const t = x / s;
        let q = rng === null ? rintEven(t) : roundStochastic(t, rng.uniform());
        if (q > 127) q = 127;
        else if (q < -127) q = -127;
        out[base + j] = q * s;
      }
    }
  },
  bitsPerCoord(_params, rows, d) {
    return bits(rows, d, 0);
  },
  bitsPerCoordOf(input, rows, d, params) {
    const p = typedParams(LLM_INT8_PARAMS, params);
    return bits(rows, d, llmInt8OutlierColumns(input, rows, d, p.threshold).length);
  },
  describe(params) {
    const p = typedParams(LLM_INT8_PARAMS, params);
    return `τ=${p.threshold}${p.rounding === 'stochastic' ? ' sr' : ''}`;
  },
};
