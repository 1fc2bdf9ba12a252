/**
 * MatQuant: one int8 code per weight, and the r-bit model served by slicing its r most
 * significant bits (int8 → int4 → int2 nested like Matryoshka dolls).
 *
 * Reference: Nair, Datta, Dean, Jain, Kusupati, "Matryoshka Quantization", ICML 2025 (arXiv
 * 2502.06786), §3: asymmetric min–max quantization Q(w, c) = clamp(⌊(w − z)/α⌉, 0, 2^c − 1) with
 * α = (max w − min w)/(2^c − 1), z = min w, dequantized as α·q + z; the r-bit slice of a c-bit
 * code is S(q, r) = clamp(⌊q / 2^(c−r)⌉, 0, 2^r − 1)·2^(c−r), dequantized with the same α and z.
 * MatQuant co-trains so every slice is good; this quantizer is the slicing itself on a
 * post-training int8 code (the paper's baseline for what slicing alone gives), c = 8.
 *
 * Per row (an output channel, the paper's per-channel granularity): α = fp16((max − min)/255),
 * z = fp16(min) (both stored; what is stored dequantizes), q = clamp(rint((x − z)/α), 0, 255),
 * q_r = S(q, r), x̂ = α·q_r + z, ⌊·⌉ ties-to-even ('nearest') or stochastic for the int8 code
 * (seeded from ctx.rng.stream('rounding', 'matquant')); the slice rounding is always
 * ties-to-even (a deterministic function of the stored code). A constant row (α = 0) is exact up
 * to the fp16 rounding of z; z saturates at ±65504 like the fp16 scales of `int`.
 *
 * Where a slice equals direct quantization, and where not (matquant.test.ts checks both):
 *  - r = 8 is the direct int8 min–max quantization, bit for bit;
 *  - for r < 8 the slice lies on the grid z + α·2^(8−r)·k, k = 0 … 2^r − 1, whose step is
 *    α·2^(8−r) = (max − min)·2^(8−r)/255, finer than direct r-bit min–max ((max − min)/(2^r − 1))
 *    and clipping the top: the largest level is (255 − 2^(8−r) + 1)/255 of the range below max
 *    (int4: 240/255, int2: 192/255). Against direct rounding onto that same sliced grid, the slice
 *    differs only by double rounding (round to int8 first, then to the slice): where x lies within
 *    α/2 of a midpoint of the sliced grid.
 *
 * Bits per coordinate: r + 32/d (the fp16 α and z of each row; the int8 code is the storage of the
 * 8-bit model, the r-bit model is served from its r most significant bits).
 */
import { roundScaleToFp16, roundToFp16 } from '../../formats/fp16';
import { rintEven, roundStochastic } from '../../formats/rounding';
import type { Rng } from '../../rng';
import { defineParams, typedParams } from '../params';
import type { QuantizerDef } from '../types';

/** S(q, r): the r most significant bits of an 8-bit code, rounded (MatQuant §3), as an 8-bit code. */
export function sliceCode(q: number, r: number): number {
  const shift = 2 ** (8 - r);
  return Math.max(0, Math.min(2 ** r - 1, rintEven(q / shift))) * shift;
}

/** One row: fp16 α and z from its range, int8 codes, then the r-bit slice dequantized. */
function quantizeRow(
  x: Float32Array,
  base: number,
  d: number,
  r: number,
  rng: Rng | null,
  out: Float32Array,
): void {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = base; i < base + d; i++) {
    if (x[i] < lo) lo = x[i];
    if (x[i] > hi) hi = x[i];
  }
  // fp16 z saturates at ±65504 (storing ±Inf would make the row NaN); codes then clamp.
  const z = Math.max(-65504, Math.min(65504, roundToFp16(lo)));
  const alpha = hi > lo ? roundScaleToFp16((hi - lo) / 255) : 0;
  if (alpha === 0) {
    out.fill(z, base, base + d);
    return;
  }
  for (let i = base; i < base + d; i++) {
    const t = (x[i] - z) / alpha;
    const q = Math.max(0, Math.min(255, rng === null ? rintEven(t) : roundStochastic(t, rng.uniform())));
    out[i] = alpha * sliceCode(q, r) + z;
  }
}

const MATQUANT_PARAMS = defineParams({
  bits: {
    kind: 'int',
    default: 4,
    min: 1,
    max: 8,
    step: 1,
    doc: 'Slice width r served from the int8 code (the paper’s nested widths: 8, 4, 2; 6 and 3 interpolate).',
  },
  rounding: {
    kind: 'enum',
    default: 'nearest',
    options: ['nearest', 'stochastic'],
    doc: 'Rounding of the int8 code: nearest even or stochastic (seeded); slicing always rounds to nearest even.',
  },
});

export const matquantQuantizer: QuantizerDef = {
  id: 'matquant',
  label: 'MatQuant (sliced int8)',
  description:
    'Per-row asymmetric int8 min–max code; the r-bit model keeps its r most significant bits (int8 → int4 → int2).',
  reference: 'Nair et al., Matryoshka Quantization, ICML 2025 (arXiv 2502.06786), §3.',
  params: MATQUANT_PARAMS,
  quantize(input, rows, d, params, ctx, out) {
    const p = typedParams(MATQUANT_PARAMS, params);
    const r = p.bits;
    const rng = p.rounding === 'stochastic' ? ctx.rng.stream('rounding', 'matquant') : null;
    for (let row = 0; row < rows; row++) quantizeRow(input, row * d, d, r, rng, out);
  },
  bitsPerCoord(params, _rows, d) {
    const p = typedParams(MATQUANT_PARAMS, params);
    return p.bits + 32 / d;
  },
  describe(params) {
    const p = typedParams(MATQUANT_PARAMS, params);
    return `int8→int${p.bits}${p.rounding === 'stochastic' ? ' sr' : ''}`;
  },
};
