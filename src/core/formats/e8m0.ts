/**
 * E8M0: the MX shared-scale format (OCP Microscaling Formats v1.0, §5.4 "scale data type").
 * An unsigned 8-bit exponent with no mantissa, no sign and no zero: code e ∈ [0, 254] is the value
 * 2^(e − 127) (so 2^−127 … 2^127), and code 255 is NaN. There is no Inf.
 *
 * The MX conversion (§6.3) computes the shared exponent as ⌊log2(amax)⌋ − emax_elem; exponents
 * below −127 clamp to −127 (code 0) and exponents above 127 have no encoding, so they give the
 * NaN scale (as microxcaling does), which makes the whole block NaN.
 */
import { floorLog2, pow2 } from './minifloat';

export const E8M0_BIAS = 127;
export const E8M0_NAN = 255;
export const E8M0_MIN_EXP = -127;
export const E8M0_MAX_EXP = 127;

/** Value of an E8M0 code. */
export function decodeE8m0(code: number): number {
  if (!Number.isInteger(code) || code < 0 || code > 255) {
    throw new RangeError(`e8m0: code ${code} out of range [0, 256)`);
  }
  return code === E8M0_NAN ? NaN : pow2(code - E8M0_BIAS);
}

/** Code for the power of two 2^e: e < −127 clamps to code 0, e > 127 (or NaN) gives NaN (255). */
export function e8m0FromExponent(e: number): number {
  if (!(e <= E8M0_MAX_EXP)) return E8M0_NAN;
  if (e < E8M0_MIN_EXP) return 0;
  return e + E8M0_BIAS;
}

/**
 * Encode a positive value as E8M0 by truncating to the power of two at or below it
 * (2^⌊log2 x⌋, the floor of MX §6.3). x ≤ 0 or below 2^−127 clamps to code 0 (E8M0 has no zero);
 * NaN, +Inf and x ≥ 2^128 give the NaN code.
 */
export function encodeE8m0(x: number): number {
  if (x !== x || x === Infinity) return E8M0_NAN;
  if (x <= 0) return 0;
  return e8m0FromExponent(floorLog2(x));
}

/** Bits of an E8M0 code as a string, e.g. 127 → "01111111". */
export function e8m0Bits(code: number): string {
  return code.toString(2).padStart(8, '0');
}
