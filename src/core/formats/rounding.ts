/**
 * Scalar rounding to integers, shared by the integer-grid quantizers (int, ternary).
 *
 * rintEven is IEEE 754 roundTiesToEven (numpy.rint, torch.round), not Math.round (which sends
 * ties toward +∞, so Math.round(−1.5) = −1). roundStochastic rounds t up with probability equal to
 * its fractional part, so E[roundStochastic(t, U)] = t for U uniform on [0, 1) (Gupta et al.,
 * "Deep Learning with Limited Numerical Precision", ICML 2015, §3).
 * Both are exact for |t| < 2^52 (t − ⌊t⌋ and Math.round(t) − t are computed exactly there).
 */

/** Nearest integer, ties to even. */
export function rintEven(t: number): number {
  // Math.round sends ties up; the rare exact tie with an odd result steps back down. Keeping the
  // common path branch-free matters: on random data the branches of a floor/fraction ladder
  // mispredict about half the time.
  const r = Math.round(t);
  return r - t === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** ⌊t⌋ + 1 with probability t − ⌊t⌋, given u uniform in [0, 1). */
export function roundStochastic(t: number, u: number): number {
  const f = Math.floor(t);
  return u < t - f ? f + 1 : f;
}
