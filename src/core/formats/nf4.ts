/**
 * NormalFloat4 (NF4): the 16-value code of QLoRA (Dettmers et al., "QLoRA: Efficient Finetuning
 * of Quantized LLMs", NeurIPS 2023, §3 "4-bit NormalFloat Quantization"), exactly as shipped in
 * bitsandbytes (csrc/kernels.cu, the `nf4_dequantization_lut` / dDequantizeNF4 table; the values
 * are float32 numbers printed with 17 significant digits). Index i is the stored 4-bit code.
 *
 * The code is asymmetric: 7 negative levels, an exact 0, 8 positive levels, with ±1 at the ends,
 * so an absmax-normalised block always hits ±1 exactly.
 *
 * Nearest-value lookup: the bracketing pair is found by binary search and the closer one wins;
 * an exact tie goes to the lower value. bitsandbytes' quantizer (dQuantizeNF4) walks a decision
 * tree of `x > midpoint` tests, which also sends ties down; its midpoints are float32 constants,
 * so values within ~1e-8 of a midpoint may land on the other side there.
 */

export const NF4_VALUES: Float64Array = Float64Array.from([
  -1.0, -0.6961928009986877, -0.5250730514526367, -0.39491748809814453, -0.28444138169288635,
  -0.18477343022823334, -0.09105003625154495, 0.0, 0.07958029955625534, 0.16093020141124725,
  0.24611230194568634, 0.33791524171829224, 0.44070982933044434, 0.5626170039176941, 0.7229568362236023, 1.0,
]);

/** Index of the bracket's lower end: the largest i in [0, 14] with NF4_VALUES[i] ≤ t (t clamped). */
function lowerIndex(t: number): number {
  let lo = 0;
  let hi = 15;
  // Invariant: NF4_VALUES[lo] ≤ t < NF4_VALUES[hi] (t inside (−1, 1)).
  while (hi - lo > 1) {
    const mid = (lo + hi) >>> 1;
    if (NF4_VALUES[mid] <= t) lo = mid;
    else hi = mid;
  }
  return lo;
}

/** Code (0..15) of the NF4 value nearest to t; t outside [−1, 1] clamps; ties go to the lower value. */
export function nf4Nearest(t: number): number {
  if (!(t > -1)) return 0; // t ≤ −1 (and NaN, which callers must check first)
  if (t >= 1) return 15;
  const i = lowerIndex(t);
  const a = NF4_VALUES[i];
  const b = NF4_VALUES[i + 1];
  return t - a > b - t ? i + 1 : i;
}

/**
 * Stochastic rounding onto the NF4 grid: between neighbours a ≤ t ≤ b, code of b with probability
 * (t − a)/(b − a), so E[value] = t for t ∈ [−1, 1]. u is uniform in [0, 1).
 */
export function nf4Stochastic(t: number, u: number): number {
  if (!(t > -1)) return 0;
  if (t >= 1) return 15;
  const i = lowerIndex(t);
  const a = NF4_VALUES[i];
  const b = NF4_VALUES[i + 1];
  return u < (t - a) / (b - a) ? i + 1 : i;
}

/** Value of an NF4 code. */
export function nf4Value(code: number): number {
  if (!Number.isInteger(code) || code < 0 || code > 15)
    throw new RangeError(`nf4: code ${code} out of range`);
  return NF4_VALUES[code];
}
