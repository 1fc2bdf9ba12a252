/**
 * Fast rounding of a double to IEEE binary16 (fp16) and bfloat16 values, for storing scales.
 *
 * Semantics are those of a hardware / numpy conversion (IEEE 754-2019 §4.3.1 roundTiesToEven,
 * §7.4 overflow): magnitudes that round above the largest finite value (65504 for fp16,
 * (2 − 2^−7)·2^127 for bf16) become ±Inf, subnormals are kept exactly, NaN stays NaN. Quantizers
 * that must not store Inf saturate explicitly (see `roundScaleToFp16`).
 *
 * roundToBf16 rounds the double directly (a single rounding). For inputs that are already float32
 * (every Float32Array element) this equals the usual "round the low 16 bits of the fp32 pattern
 * to nearest even" conversion, which is what the fast path below does.
 */
import { BF16, FP16, decode, encode, roundValueIeee } from './minifloat';

/** Nearest fp16 value of x (ties to even), ±Inf on overflow. */
export function roundToFp16(x: number): number {
  return roundValueIeee(FP16, x);
}

const F32 = new Float32Array(1);
const U32 = new Uint32Array(F32.buffer);

/** Nearest bf16 value of x (ties to even), ±Inf on overflow. */
export function roundToBf16(x: number): number {
  if (x !== x) return NaN;
  if (Math.fround(x) !== x) return roundValueIeee(BF16, x);
  F32[0] = x;
  const bits = U32[0];
  if ((bits & 0x7f800000) === 0x7f800000) return x; // ±Inf (NaN handled above)
  // Add half an ulp of bf16 minus one, plus the kept LSB (ties to even); carries into the
  // exponent are correct, including overflow to Inf.
  U32[0] = ((bits + 0x7fff + ((bits >>> 16) & 1)) & 0xffff0000) >>> 0;
  return F32[0];
}

/**
 * A positive scale stored as fp16, saturating: values above 65504 become 65504 (storing Inf would
 * turn every reconstruction into Inf/NaN). Underflow to 0 is returned as 0; callers treat a zero
 * scale as "the whole group reconstructs to zero".
 */
export function roundScaleToFp16(s: number): number {
  const r = roundValueIeee(FP16, s);
  return r === Infinity ? FP16.maxFinite : r;
}

/**
 * x stored as fp16, saturating: nearest fp16 value (ties to even), ±65504 where IEEE conversion
 * would overflow to ±Inf (the `int` scales' policy, roundScaleToFp16, for stored values of either
 * sign: fp16 outlier columns, zero-points, low-rank factors). NaN stays NaN.
 */
export function saturateToFp16(x: number): number {
  const r = roundValueIeee(FP16, x);
  return r === Infinity ? FP16.maxFinite : r === -Infinity ? -FP16.maxFinite : r;
}

/** fp16 bit pattern (0..0xffff) of x, nearest-even, saturating finite overflow to ±65504. */
export function fp16Bits(x: number): number {
  return encode(FP16, x);
}

/** Value of an fp16 bit pattern. */
export function fromFp16Bits(bits: number): number {
  return decode(FP16, bits);
}
