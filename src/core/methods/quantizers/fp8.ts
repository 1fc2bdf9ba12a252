/**
 * FP8 quantizer: OCP 8-bit floating point (E4M3 or E5M2) with an fp32 scale that maps the absmax
 * of the tensor (or of each row) to the format's largest finite value.
 *
 * References: OCP 8-bit Floating Point Specification (OFP8) rev 1.0 (encodings: E4M3 max 448, no
 * Inf; E5M2 max 57344; saturating conversion); Micikevicius et al., "FP8 Formats for Deep
 * Learning", 2022 (per-tensor scaling); CONTRACT.md §4 `fp8`.
 *
 * Per scaling unit: s = fp32(amax / max_fmt), x̂ = s·FP8(x/s) with FP8() round-to-nearest-even
 * (or stochastic, seeded from ctx.rng.stream('rounding', 'fp8')) and saturation to ±max_fmt.
 * Subnormals of the format are kept (E4M3 down to 2^−9, E5M2 down to 2^−16 relative units).
 *
 * Invariants: an all-zero tensor/row gives zeros; |x̂| ≤ max_fmt·s ≈ amax; nearest rounding is
 * idempotent up to the last fp32 bit of the re-derived scale.
 *
 * Bits per coordinate: 8 + 32·S / (rows·d), S = 1 (tensor) or rows (row).
 *
 * Speed: nearest rounding runs on the WASM kernel `fp8_apply` (same grid arithmetic as
 * roundValue), bit-identical to quantizeSpan (kernels.test.ts).
 */
import { E4M3, E5M2, roundValue } from '../../formats/minifloat';
import type { RoundingMode } from '../../formats/minifloat';
import type { Rng } from '../../rng';
import { defineParams, typedParams } from '../params';
import type { QuantizerDef } from '../types';
import type { MinifloatFormat } from '../../formats/minifloat';
import { claim, noteWasmHit, SLICE_ELEMS, wasmKernels } from '../../wasm/kernels';

/**
 * The WASM path of a nearest-rounding span (`fp8_apply`, the same grid arithmetic as roundValue),
 * bit-identical to quantizeSpan (kernels.test.ts); the span's absmax and fp32 scale stay here.
 */
function quantizeSpanWasm(
  x: Float32Array,
  out: Float32Array,
  from: number,
  to: number,
  f: MinifloatFormat,
): boolean {
  const k = wasmKernels();
  if (!k) return false;
  let amax = 0;
  for (let i = from; i < to; i++) {
    const a = Math.abs(x[i]);
    if (a > amax) amax = a;
  }
  const s = Math.fround(amax / f.maxFinite);
  noteWasmHit('fp8');
  if (s === 0) {
    out.fill(0, from, to);
    return true;
  }
  const { ptrs } = claim(k, quantizeSpanWasm, [SLICE_ELEMS * 4, SLICE_ELEMS * 4]);
  const [inP, outP] = ptrs;
  const src = new Float32Array(k.memory.buffer, inP, SLICE_ELEMS);
  const dst = new Float32Array(k.memory.buffer, outP, SLICE_ELEMS);
  for (let i = from; i < to; i += SLICE_ELEMS) {
    const n = Math.min(SLICE_ELEMS, to - i);
    src.set(x.subarray(i, i + n));
    k.fp8_apply(inP, n, s, f.mbits, f.emin, f.maxFinite, f.hasInf ? 1 : 0, outP);
    out.set(dst.subarray(0, n), i);
  }
  return true;
}

function quantizeSpan(
  x: Float32Array,
  out: Float32Array,
  from: number,
  to: number,
  f: MinifloatFormat,
  rng: Rng | null,
): void {
  if (rng === null && quantizeSpanWasm(x, out, from, to, f)) return;
  let amax = 0;
  for (let i = from; i < to; i++) {
    const a = Math.abs(x[i]);
    if (a > amax) amax = a;
  }
  const s = Math.fround(amax / f.maxFinite);
  if (s === 0) {
    out.fill(0, from, to);
    return;
  }
  const mode: RoundingMode = rng === null ? 'nearest-even' : 'stochastic';
  for (let i = from; i < to; i++) {
    out[i] = roundValue(f, x[i] / s, mode, rng === null ? 0 : rng.uniform()) * s;
  }
}

const FP8_PARAMS = defineParams({
  format: {
    kind: 'enum',
    default: 'e4m3',
    options: ['e4m3', 'e5m2'],
    doc: 'E4M3 (max 448, more precision) or E5M2 (max 57344, more range).',
  },
  granularity: {
    kind: 'enum',
    default: 'tensor',
    options: ['tensor', 'row'],
    doc: 'One fp32 scale for the whole tensor or one per row.',
  },
  rounding: {
    kind: 'enum',
    default: 'nearest',
    options: ['nearest', 'stochastic'],
    doc: 'Round to nearest even or stochastically (unbiased inside the range, seeded).',
  },
});

export const fp8Quantizer: QuantizerDef = {
  id: 'fp8',
  label: 'FP8',
  description: 'OCP FP8 (E4M3 or E5M2) with an fp32 scale mapping absmax to the format maximum.',
  reference:
    'OCP 8-bit Floating Point Specification (OFP8) rev 1.0; Micikevicius et al., FP8 Formats for Deep Learning, 2022.',
  params: FP8_PARAMS,
  quantize(input, rows, d, params, ctx, out) {
    const p = typedParams(FP8_PARAMS, params);
    const f = p.format === 'e5m2' ? E5M2 : E4M3;
    const rng = p.rounding === 'stochastic' ? ctx.rng.stream('rounding', 'fp8') : null;
    if (p.granularity === 'tensor') {
      quantizeSpan(input, out, 0, rows * d, f, rng);
      return;
    }
    for (let r = 0; r < rows; r++) quantizeSpan(input, out, r * d, (r + 1) * d, f, rng);
  },
  rowLocal: (params) => {
    const p = typedParams(FP8_PARAMS, params);
    return p.granularity === 'row' && p.rounding === 'nearest';
  },
  bitsPerCoord(params, rows, d) {
    const p = typedParams(FP8_PARAMS, params);
    const scales = p.granularity === 'tensor' ? 1 : rows;
    return 8 + (32 * scales) / (rows * d);
  },
  describe(params) {
    const p = typedParams(FP8_PARAMS, params);
    const sr = p.rounding === 'stochastic' ? ' sr' : '';
    return `${p.format} ${p.granularity}${sr}`;
  },
};
