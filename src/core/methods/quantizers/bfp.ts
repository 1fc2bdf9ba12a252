/**
 * Block floating point (BFP): each block of B consecutive coordinates of a row shares one exponent,
 * every value keeps an m-bit signed (sign–magnitude) integer mantissa aligned to that exponent.
 *
 * References: Trukhanov & Soloveychik, "Accurate Block Quantization in LLMs with Outliers",
 * arXiv:2403.20137 (2024): BFP "a block of mantissas with a shared scale factor" for the KV cache,
 * BFP12 = 4-bit mantissas with an 8-bit shared exponent, blocks of 32–128, and channel reordering
 * (K-sort) before blocking (here: the `permute` transform, mode norm or amax); Darvish Rouhani et
 * al., "Pushing the Limits of Narrow Precision Inferencing at Cloud Scale with Microsoft Floating
 * Point", NeurIPS 2020, §3 (MSFP: shared exponent = the block maximum's exponent, mantissas
 * right-shifted to it, sign–magnitude); Drumond et al., "Training DNNs with Hybrid Block Floating
 * Point", NeurIPS 2018, §3.
 *
 * Exact rule used here, per block with amax = max |x| > 0:
 *   E = ⌊log2 amax⌋ (the largest element's exponent, read from its bits), clamped to the 8-bit
 *       exponent range [−127, 127];
 *   Δ = 2^(E − (m − 2)): the mantissa has m − 1 magnitude bits and the block maximum keeps its
 *       leading one in the top bit (amax/Δ ∈ [2^(m−2), 2^(m−1)));
 *   q = clamp(round(x/Δ), −(2^(m−1) − 1), 2^(m−1) − 1), x̂ = q·Δ,
 * round = ties-to-even (the IEEE default; hardware that truncates would be 'toward zero', not
 * offered) or stochastic (seeded from ctx.rng.stream('rounding', 'bfp'), one uniform per element
 * of a nonzero block). A value that rounds to 2^(m−1) (only within Δ/2 of 2^(E+1)) saturates.
 * A zero block gives zeros. For m = 8 this is exactly MXINT8's rule (MX v1.0: X = 2^⌊log2 amax⌋,
 * elements k·2^−6, |k| ≤ 127), which bfp.test.ts checks against `mx`.
 *
 * Bits per coordinate: m + 8·⌈d/B⌉/d (the shared exponent in 8 bits per block).
 */
import { floorLog2, pow2 } from '../../formats/minifloat';
import { rintEven, roundStochastic } from '../../formats/rounding';
import type { Rng } from '../../rng';
import { defineParams, typedParams } from '../params';
import type { QuantizerDef } from '../types';

function quantizeBlock(
  x: Float32Array,
  out: Float32Array,
  from: number,
  to: number,
  m: number,
  rng: Rng | null,
): void {
  let amax = 0;
  for (let i = from; i < to; i++) {
    const a = Math.abs(x[i]);
    if (a > amax) amax = a;
  }
  if (amax === 0) {
    out.fill(0, from, to);
    return;
  }
  const E = Math.max(-127, Math.min(127, floorLog2(amax)));
  const step = pow2(E - (m - 2));
  const inv = pow2(m - 2 - E);
  const qmax = 2 ** (m - 1) - 1;
  for (let i = from; i < to; i++) {
    const t = x[i] * inv;
    const q = rng === null ? rintEven(t) : roundStochastic(t, rng.uniform());
    out[i] = Math.max(-qmax, Math.min(qmax, q)) * step;
  }
}

export const BFP_PARAMS = defineParams({
  mantissa: {
    kind: 'int',
    default: 4,
    min: 2,
    max: 16,
    step: 1,
    doc: 'Mantissa bits m including the sign (BFP12: 4, with the 8-bit exponent).',
  },
  block: {
    kind: 'int',
    default: 32,
    min: 1,
    max: 4096,
    step: 1,
    doc: 'Values per shared exponent (the paper: 32, 64, 128).',
  },
  rounding: {
    kind: 'enum',
    default: 'nearest',
    options: ['nearest', 'stochastic'],
    doc: 'Mantissa rounding: nearest even or stochastic (seeded).',
  },
});

export const bfpQuantizer: QuantizerDef = {
  id: 'bfp',
  label: 'Block floating point',
  description:
    'Blocks of B values sharing one 8-bit exponent (the block maximum’s), m-bit sign–magnitude mantissas; pair with `permute` for channel reordering.',
  reference:
    'Trukhanov & Soloveychik, Accurate Block Quantization in LLMs with Outliers, arXiv:2403.20137; MSFP (Darvish Rouhani et al., NeurIPS 2020) §3.',
  params: BFP_PARAMS,
  quantize(input, rows, d, params, ctx, out) {
    const p = typedParams(BFP_PARAMS, params);
    const m = p.mantissa;
    const B = p.block;
    const rng = p.rounding === 'stochastic' ? ctx.rng.stream('rounding', 'bfp') : null;
    for (let r = 0; r < rows; r++) {
      const base = r * d;
      for (let s = 0; s < d; s += B) quantizeBlock(input, out, base + s, base + Math.min(s + B, d), m, rng);
    }
  },
  rowLocal: (params) => typedParams(BFP_PARAMS, params).rounding === 'nearest',
  bitsPerCoord(params, _rows, d) {
    const p = typedParams(BFP_PARAMS, params);
    return p.mantissa + (8 * Math.ceil(d / p.block)) / d;
  },
  describe(params) {
    const p = typedParams(BFP_PARAMS, params);
    const sr = p.rounding === 'stochastic' ? ' sr' : '';
    return `m=${p.mantissa} b${p.block}${sr}`;
  },
};
