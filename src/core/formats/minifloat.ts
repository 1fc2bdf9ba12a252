/**
 * Generic bit-exact minifloat codec: sign bit (optional), E exponent bits, M mantissa bits, a bias
 * and one of three special-value policies.
 *
 * Sources:
 *  - OCP 8-bit Floating Point Specification (OFP8) rev 1.0: E4M3 / E5M2 encodings and the
 *    saturating conversion mode.
 *  - OCP Microscaling Formats (MX) Specification v1.0, §5.3 (element data types E2M1, E2M3, E3M2)
 *    and §5.4.1 (E8M0, see e8m0.ts).
 *  - IEEE 754-2019 §3.4 (binary16; bfloat16 uses the same layout rules with E=8, M=7).
 *
 * Special-value policies (`specials`):
 *  - 'ieee': exponent field all ones is Inf (mantissa 0) or NaN (mantissa ≠ 0): E5M2, fp16, bf16.
 *  - 'fn'  : "finite + NaN" (OFP8 E4M3): no Inf; only S.1111.111 is NaN, so the top binade keeps
 *            mantissas 000…110 as finite values (max E4M3 = 1.75·2^8 = 448).
 *  - 'none': every code is finite (MX FP6/FP4: E2M1, E2M3, E3M2).
 * Subnormals (exponent field 0) are value m·2^(1−bias−M) for every format, exactly.
 *
 * Conversions (encode / roundValue) follow the OCP saturating mode used by MX (MX v1.0 §6.3): a
 * finite value whose rounded magnitude exceeds the largest finite value becomes ±max. An input of
 * ±Inf becomes ±Inf in formats that have Inf (exactly representable, so decode→encode round-trips)
 * and ±max in formats that do not. NaN input: encode returns the format's canonical NaN code
 * (E4M3: S.1111.111, IEEE-like: quiet NaN, exponent all ones with the top mantissa bit set) and
 * throws a RangeError for formats without NaN (MX element formats, whose NaN lives in the E8M0
 * scale, MX v1.0 §6.3); roundValue propagates NaN. Unsigned formats (UE4M3) clamp negative input
 * to +0. Negative values that round to zero keep their sign (−0), as in IEEE 754.
 *
 * Rounding modes: 'nearest-even' (IEEE roundTiesToEven, the OCP/MX default), 'toward-zero'
 * (truncate the magnitude), 'stochastic' (round the magnitude up with probability equal to its
 * fractional distance between the two neighbouring representable values, given a uniform u∈[0,1);
 * unbiased inside the finite range).
 *
 * Implementation: the exponent of a double is read from its bit pattern (no Math.log2, so there is
 * no off-by-one near powers of two), and all scalings are by exact powers of two from a table, so
 * every step is exact and the hot path allocates nothing.
 */

export type RoundingMode = 'nearest-even' | 'toward-zero' | 'stochastic';

export type SpecialPolicy = 'ieee' | 'fn' | 'none';

export interface MinifloatSpec {
  readonly name: string;
  readonly ebits: number;
  readonly mbits: number;
  readonly bias: number;
  readonly signed: boolean;
  readonly specials: SpecialPolicy;
}

export interface MinifloatFormat extends MinifloatSpec {
  /** Total number of bits in a code (sign + E + M). */
  readonly nbits: number;
  /** Number of codes, 2^nbits. */
  readonly ncodes: number;
  /** Unbiased exponent of the smallest normal binade, 1 − bias. */
  readonly emin: number;
  /** Unbiased exponent of the largest finite binade. */
  readonly emax: number;
  /** Largest finite value. */
  readonly maxFinite: number;
  /** Smallest positive normal value, 2^emin. */
  readonly minNormal: number;
  /** Smallest positive subnormal value (= subnormal spacing), 2^(emin − M). */
  readonly minSubnormal: number;
  readonly hasInf: boolean;
  readonly hasNaN: boolean;
  /** Canonical NaN code (positive), or −1 when the format has no NaN. */
  readonly nanCode: number;
  /** +Inf code, or −1 when the format has no Inf. */
  readonly infCode: number;
  /** Code of +max. */
  readonly maxCode: number;
}

// Exact powers of two 2^k for k ∈ [−1074, 1023] (every finite double exponent, subnormals included).
const POW2_OFFSET = 1074;
const POW2 = new Float64Array(1074 + 1024);
{
  let v = 1;
  for (let k = 0; k <= 1023; k++) {
    POW2[POW2_OFFSET + k] = v;
    v *= 2;
  }
  v = 1;
  for (let k = 0; k >= -1074; k--) {
    POW2[POW2_OFFSET + k] = v;
    v /= 2;
  }
}

/** Exact 2^k for integer k in [−1074, 1023]. */
export function pow2(k: number): number {
  return POW2[POW2_OFFSET + k];
}

// Bit view of one double, for exponent extraction without allocation.
const F64 = new Float64Array(1);
const U32 = new Uint32Array(F64.buffer);
const HI = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0; // little-endian → word 1

/**
 * floor(log2(a)) for a positive normal double, read from the exponent field, so it is exact even
 * where Math.log2 rounds (e.g. just below a power of two).
 */
export function floorLog2(a: number): number {
  F64[0] = a;
  const biased = (U32[HI] >>> 20) & 0x7ff;
  if (biased === 0) {
    // Subnormal double: normalise by 2^64 first (exact).
    F64[0] = a * 18446744073709551616;
    return ((U32[HI] >>> 20) & 0x7ff) - 1023 - 64;
  }
  return biased - 1023;
}

export function defineMinifloat(spec: MinifloatSpec): MinifloatFormat {
  const { ebits, mbits, bias, signed, specials } = spec;
  if (ebits < 1 || mbits < 0 || ebits + mbits + (signed ? 1 : 0) > 16) {
    throw new RangeError(`minifloat ${spec.name}: unsupported layout E${ebits}M${mbits}`);
  }
  const nbits = ebits + mbits + (signed ? 1 : 0);
  const topField = (1 << ebits) - 1;
  const emin = 1 - bias;
  let emax: number;
  let maxMant: number; // largest finite mantissa field in the top finite binade
  if (specials === 'ieee') {
    emax = topField - 1 - bias;
    maxMant = (1 << mbits) - 1;
  } else if (specials === 'fn') {
    if (mbits < 1) throw new RangeError(`minifloat ${spec.name}: 'fn' needs at least one mantissa bit`);
    emax = topField - bias;
    maxMant = (1 << mbits) - 2;
  } else {
    emax = topField - bias;
    maxMant = (1 << mbits) - 1;
  }
  const maxFinite = pow2(emax) * (1 + maxMant / (1 << mbits));
  const maxCode = ((emax + bias) << mbits) | maxMant;
  let nanCode = -1;
  let infCode = -1;
  if (specials === 'ieee') {
    infCode = topField << mbits;
    nanCode = (topField << mbits) | (mbits > 0 ? 1 << (mbits - 1) : 0);
  } else if (specials === 'fn') {
    nanCode = (topField << mbits) | ((1 << mbits) - 1);
  }
  return {
    ...spec,
    nbits,
    ncodes: 1 << nbits,
    emin,
    emax,
    maxFinite,
    minNormal: pow2(emin),
    minSubnormal: pow2(emin - mbits),
    hasInf: specials === 'ieee',
    hasNaN: specials !== 'none',
    nanCode,
    infCode,
    maxCode,
  };
}

/**
 * Round a non-negative finite magnitude `a` to the format's grid, ignoring the top of the range
 * (the result may exceed maxFinite; callers saturate or overflow). `u` is used by 'stochastic'.
 */
function roundMagnitudeUnbounded(f: MinifloatFormat, a: number, mode: RoundingMode, u: number): number {
  if (a === 0) return 0;
  // Quantum (spacing) of the binade containing a; subnormals share the spacing of the first binade.
  const e = a < f.minNormal ? f.emin : floorLog2(a);
  const shift = f.mbits - e; // t = a·2^shift has M+1 integer bits in a normal binade
  const t = a * pow2(shift);
  let r: number;
  if (mode === 'nearest-even') {
    r = Math.floor(t);
    const frac = t - r;
    if (frac > 0.5 || (frac === 0.5 && r % 2 === 1)) r += 1;
  } else if (mode === 'toward-zero') {
    r = Math.floor(t);
  } else {
    r = Math.floor(t);
    if (u < t - r) r += 1;
  }
  return r * pow2(-shift);
}

/**
 * Round x to the nearest representable value of `f` (as a double) with saturation to ±maxFinite.
 * The fast path of every quantizer: no allocation, no code construction.
 * ±Inf → ±Inf if the format has Inf, else ±max; NaN → NaN.
 */
export function roundValue(
  f: MinifloatFormat,
  x: number,
  mode: RoundingMode = 'nearest-even',
  u = 0,
): number {
  if (x !== x) return NaN;
  const neg = x < 0 || (x === 0 && 1 / x < 0); // −0 keeps its sign
  let a = neg ? -x : x;
  if (neg && !f.signed) return 0;
  if (a === Infinity) a = f.hasInf ? Infinity : f.maxFinite;
  else {
    a = roundMagnitudeUnbounded(f, a, mode, u);
    if (a > f.maxFinite) a = f.maxFinite;
  }
  return neg ? -a : a;
}

/**
 * IEEE-754 style rounding (no saturation): magnitudes that round above maxFinite overflow to ±Inf
 * (formats with Inf) or NaN (formats without Inf). Used for fp16 / bf16 storage, where numpy and
 * hardware conversions overflow rather than saturate.
 */
export function roundValueIeee(
  f: MinifloatFormat,
  x: number,
  mode: RoundingMode = 'nearest-even',
  u = 0,
): number {
  if (x !== x) return NaN;
  const neg = x < 0 || (x === 0 && 1 / x < 0);
  let a = neg ? -x : x;
  if (neg && !f.signed) return 0;
  if (a !== Infinity) {
    a = roundMagnitudeUnbounded(f, a, mode, u);
    if (a > f.maxFinite) a = f.hasInf ? Infinity : NaN;
  } else if (!f.hasInf) {
    a = NaN;
  }
  return neg ? -a : a;
}

/** Decode a code to its value. Codes outside [0, 2^nbits) throw. */
export function decode(f: MinifloatFormat, code: number): number {
  if (!Number.isInteger(code) || code < 0 || code >= f.ncodes) {
    throw new RangeError(`${f.name}: code ${code} out of range [0, ${f.ncodes})`);
  }
  const mMask = (1 << f.mbits) - 1;
  const eMask = (1 << f.ebits) - 1;
  const neg = f.signed && ((code >>> (f.ebits + f.mbits)) & 1) === 1;
  const ef = (code >>> f.mbits) & eMask;
  const mf = code & mMask;
  let v: number;
  if (f.specials === 'ieee' && ef === eMask) v = mf === 0 ? Infinity : NaN;
  else if (f.specials === 'fn' && ef === eMask && mf === mMask) v = NaN;
  else if (ef === 0) v = mf * f.minSubnormal;
  else v = (1 + mf / (1 << f.mbits)) * pow2(ef - f.bias);
  return neg ? -v : v;
}

/** Code of an exactly representable non-negative finite magnitude. */
function magnitudeCode(f: MinifloatFormat, a: number): number {
  if (a === 0) return 0;
  if (a < f.minNormal) return Math.round(a / f.minSubnormal);
  const e = floorLog2(a);
  const mant = a * pow2(f.mbits - e) - (1 << f.mbits);
  return ((e + f.bias) << f.mbits) | mant;
}

/**
 * Encode a value to its code (round, saturate, see the header for NaN/Inf/unsigned rules).
 * `u` ∈ [0,1) is the uniform draw for 'stochastic'.
 */
export function encode(f: MinifloatFormat, x: number, mode: RoundingMode = 'nearest-even', u = 0): number {
  const signBit = f.signed ? 1 << (f.ebits + f.mbits) : 0;
  if (x !== x) {
    if (!f.hasNaN) throw new RangeError(`${f.name}: NaN has no encoding in this format`);
    return f.nanCode;
  }
  const neg = x < 0 || Object.is(x, -0);
  if (neg && !f.signed) return 0;
  const a = neg ? -x : x;
  let code: number;
  if (a === Infinity) code = f.hasInf ? f.infCode : f.maxCode;
  else code = magnitudeCode(f, roundValue(f, a, mode, u));
  return neg ? code | signBit : code;
}

/** A code's bits as a string, fields separated by '.', e.g. E4M3 448 → "0.1111.110". */
export function codeBits(f: MinifloatFormat, code: number): string {
  const all = code.toString(2).padStart(f.nbits, '0');
  const s = f.signed ? 1 : 0;
  const parts = [];
  if (f.signed) parts.push(all.slice(0, 1));
  parts.push(all.slice(s, s + f.ebits));
  if (f.mbits > 0) parts.push(all.slice(s + f.ebits));
  return parts.join('.');
}

// ───────────────────────── concrete formats ─────────────────────────

/** MX FP4 element (MX v1.0 §5.3.3): values {0, 0.5, 1, 1.5, 2, 3, 4, 6}, no Inf/NaN. */
export const E2M1 = defineMinifloat({
  name: 'e2m1',
  ebits: 2,
  mbits: 1,
  bias: 1,
  signed: true,
  specials: 'none',
});
/** MX FP6 element (MX v1.0 §5.3.2): max 7.5, no Inf/NaN. */
export const E2M3 = defineMinifloat({
  name: 'e2m3',
  ebits: 2,
  mbits: 3,
  bias: 1,
  signed: true,
  specials: 'none',
});
/** MX FP6 element (MX v1.0 §5.3.2): max 28, no Inf/NaN. */
export const E3M2 = defineMinifloat({
  name: 'e3m2',
  ebits: 3,
  mbits: 2,
  bias: 3,
  signed: true,
  specials: 'none',
});
/** OFP8 E4M3 (OCP FP8 rev 1.0): bias 7, max 448, no Inf, NaN = S.1111.111. */
export const E4M3 = defineMinifloat({
  name: 'e4m3',
  ebits: 4,
  mbits: 3,
  bias: 7,
  signed: true,
  specials: 'fn',
});
/** OFP8 E5M2 (OCP FP8 rev 1.0): bias 15, IEEE-like, max 57344, Inf and NaN. */
export const E5M2 = defineMinifloat({
  name: 'e5m2',
  ebits: 5,
  mbits: 2,
  bias: 15,
  signed: true,
  specials: 'ieee',
});
/**
 * Unsigned E4M3 (7 bits: E4M3 without its sign; stored in a byte) as used for NVFP4 block scales
 * (NVIDIA PTX ISA "ue4m3"): same values as non-negative E4M3, max 448, 0.1111.111 is NaN.
 */
export const UE4M3 = defineMinifloat({
  name: 'ue4m3',
  ebits: 4,
  mbits: 3,
  bias: 7,
  signed: false,
  specials: 'fn',
});
/** IEEE 754 binary16: bias 15, max 65504. */
export const FP16 = defineMinifloat({
  name: 'fp16',
  ebits: 5,
  mbits: 10,
  bias: 15,
  signed: true,
  specials: 'ieee',
});
/** bfloat16: the top 16 bits of binary32, bias 127. */
export const BF16 = defineMinifloat({
  name: 'bf16',
  ebits: 8,
  mbits: 7,
  bias: 127,
  signed: true,
  specials: 'ieee',
});

// E2M1 lookup by quarter steps: a ∈ (k/4, (k+1)/4) rounds to E2M1_INTERIOR[k]; a = k/4 exactly
// rounds to E2M1_POINT[k] (ties 0.25→0, 0.75→1, 1.25→1, 1.75→2, 2.5→2, 3.5→4, 5→4: even codes).
const E2M1_INTERIOR = Float64Array.from([
  0, 0.5, 0.5, 1, 1, 1.5, 1.5, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 4, 4, 6, 6, 6, 6, 6,
]);
const E2M1_POINT = Float64Array.from([
  0, 0, 0.5, 1, 1, 1, 1.5, 2, 2, 2, 2, 3, 3, 3, 4, 4, 4, 4, 4, 4, 4, 6, 6, 6, 6,
]);

/**
 * Fast path for the MX / NVFP4 hot loops: roundValue(E2M1, x) with 'nearest-even' as a table
 * lookup on quarter steps (every E2M1 midpoint is a multiple of 1/4), with the exact-midpoint case
 * resolved by a second table; values of 6 and above saturate. Identical to the generic codec
 * (checked on a dense grid, ties, ±0, NaN and overflow in formats.test.ts).
 */
export function roundE2M1(x: number): number {
  if (x !== x) return NaN;
  const neg = x < 0 || (x === 0 && 1 / x < 0);
  const a4 = (neg ? -x : x) * 4; // exact: scaling by a power of two
  let r: number;
  if (a4 >= 24) r = 6;
  else {
    const k = Math.floor(a4);
    r = a4 === k ? E2M1_POINT[k] : E2M1_INTERIOR[k];
  }
  return neg ? -r : r;
}

export const MINIFLOATS: readonly MinifloatFormat[] = [E2M1, E2M3, E3M2, E4M3, E5M2, UE4M3, FP16, BF16];
