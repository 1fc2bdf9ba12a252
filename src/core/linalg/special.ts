/**
 * Special functions for the quantizer numerics: erf/erfc, the normal pdf/cdf, log-gamma, the
 * regularized incomplete beta function for the laws used here, and the law of one coordinate of a
 * uniform unit vector in ℝ^d (the "shifted Beta" law of TurboQuant §3.1 / the EDEN note).
 *
 * Everything is written from the defining series / continued fractions, with no fitted coefficient
 * tables, so each piece can be checked against its formula:
 *
 *  - erf for |x| < ½: the all-positive series erf(x) = 2x/√π·e^{−x²}·Σ (2x²)^n / (1·3·…·(2n+1))
 *    (Abramowitz & Stegun 7.1.6). No cancellation, relative error ≈ 1 ulp.
 *  - erfc for x ≥ 4: Laplace's continued fraction erfc(x) = e^{−x²}/√π · 1/(x+ ½/(x+ 1/(x+ 3/2/(x+ …))))
 *    (A&S 7.1.14), evaluated with the modified Lentz algorithm; ≤ 30 terms there.
 *  - erfc for ½ ≤ x < 4: Taylor series about the nearest anchor x₀ on a 1/16 grid. The derivatives
 *    of erfc are Hermite polynomials times a Gaussian, d^n/dx^n erfc(x) = (−1)^n·(2/√π)·H_{n−1}(x)·e^{−x²}
 *    (A&S 7.1.19 with 7.2.x), so the series needs only erfc(x₀), computed once at module load by
 *    the continued fraction (slow near ½ but exact to ~1 ulp), and the Hermite recurrence.
 *  - e^{−x²} is evaluated as e^{−x₁²}·e^{−(x−x₁)(x+x₁)} with x₁ = x rounded to 1/16 (the device Cody
 *    uses in CALERF), so the rounding error of x² does not grow with x.
 *
 * Measured against mpmath (src/core/testing/fixtures/codebooks.json): relative error ≲ 2e-15 for
 * erfc on [0, 26] and for Φ on [−37, 8].
 *
 * Incomplete beta: I_x(a,b) by the continued fraction of A&S 26.5.8 (modified Lentz), used on the
 * side where it converges quickly (x < (a+1)/(a+b+2)), the other side by symmetry
 * I_x(a,b) = 1 − I_{1−x}(b,a). The caller passes both x and 1−x so 1−x never loses digits. The
 * front factor x^a(1−x)^b/B(a,b) is formed in logs; for the sphere law B(½,p) needs
 * lnΓ(p+½) − lnΓ(p), which is computed directly by a Stirling difference (no cancellation between two
 * large log-gammas), so the law is accurate for d up to 65536 and beyond.
 */

const SQRT_PI = Math.sqrt(Math.PI);
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);
const LN_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);
const LN_SQRT_PI = 0.5 * Math.log(Math.PI);

/** e^{−x²} without the error amplification of rounding x² (x ≥ 0). */
function expMinusSquare(x: number): number {
  const x1 = Math.round(x * 16) / 16;
  return Math.exp(-x1 * x1) * Math.exp(-(x - x1) * (x + x1));
}

/** erf(x) for |x| < ½ (used there only) by the positive-term series (A&S 7.1.6). */
function erfSeries(x: number): number {
  const x2 = x * x;
  const twoX2 = 2 * x2;
  let term = 1;
  let sum = 1;
  for (let n = 1; n < 60; n++) {
    term *= twoX2 / (2 * n + 1);
    sum += term;
    if (term < sum * 1e-17) break;
  }
  return ((2 * x) / SQRT_PI) * Math.exp(-x2) * sum;
}

/** erfc(x) for x > 0 by the Laplace continued fraction (A&S 7.1.14), modified Lentz. */
function erfcContinuedFraction(x: number): number {
  const tiny = 1e-300;
  let f = x;
  let c = f;
  let dd = 0;
  for (let n = 1; n < 5000; n++) {
    const a = n / 2;
    dd = x + a * dd;
    if (dd === 0) dd = tiny;
    dd = 1 / dd;
    c = x + a / c;
    if (c === 0) c = tiny;
    const delta = c * dd;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-17) break;
  }
  return expMinusSquare(x) / (SQRT_PI * f);
}

// Anchors for the Taylor branch: erfc(k/16) for k = 8 … 64, computed once (≈ 10k flops at load).
const ANCHOR_STEP = 1 / 16;
const ANCHOR_LO = 8;
const ANCHOR_HI = 64;
const ERFC_ANCHORS = new Float64Array(ANCHOR_HI - ANCHOR_LO + 1);
for (let k = ANCHOR_LO; k <= ANCHOR_HI; k++)
  ERFC_ANCHORS[k - ANCHOR_LO] = erfcContinuedFraction(k * ANCHOR_STEP);

/**
 * erfc(x0 + h) = erfc(x0) − (2/√π)·e^{−x0²}·Σ_{n≥1} (−1)^{n−1}·H_{n−1}(x0)·h^n/n!, |h| ≤ 1/32.
 * Physicists' Hermite recurrence H_{n+1} = 2x·H_n − 2n·H_{n−1}.
 */
function erfcTaylor(x: number): number {
  const k = Math.round(x / ANCHOR_STEP);
  const x0 = k * ANCHOR_STEP;
  const h = x - x0;
  let hPrev = 0; // H_{−1} (unused: the recurrence starts at n = 0 with H_0 = 1, H_1 = 2x)
  let hCur = 1; // H_0
  let pow = 1; // h^n / n!
  let sum = 0;
  for (let n = 1; n < 40; n++) {
    pow *= h / n;
    const term = (n % 2 === 1 ? 1 : -1) * hCur * pow;
    sum += term;
    if (Math.abs(term) <= 1e-18 * Math.abs(sum) && n > 2) break;
    const hNext = 2 * x0 * hCur - 2 * (n - 1) * hPrev;
    hPrev = hCur;
    hCur = hNext;
  }
  return ERFC_ANCHORS[k - ANCHOR_LO] - (2 / SQRT_PI) * expMinusSquare(x0) * sum;
}

/** Complementary error function, relative error ≲ 2e-15 wherever the result is a normal double. */
export function erfc(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x < 0) return 2 - erfc(-x);
  if (x < 0.5) return 1 - erfSeries(x);
  if (x < ANCHOR_HI * ANCHOR_STEP - ANCHOR_STEP / 2) return erfcTaylor(x);
  if (x > 27.3) return 0; // below the smallest subnormal
  return erfcContinuedFraction(x);
}

/** Error function, relative error ≲ 2e-15. */
export function erf(x: number): number {
  if (Number.isNaN(x)) return NaN;
  const ax = Math.abs(x);
  if (ax < 0.5) return erfSeries(x);
  const r = 1 - erfc(ax);
  return x < 0 ? -r : r;
}

/** Standard normal density φ(x). */
export function normalPdf(x: number): number {
  return INV_SQRT_2PI * Math.exp(-0.5 * x * x);
}

/** Standard normal CDF Φ(x) = ½·erfc(−x/√2), accurate in both tails (no 1 − small). */
export function normalCdf(x: number): number {
  return 0.5 * erfc(-x * Math.SQRT1_2);
}

/** Upper tail Q(x) = 1 − Φ(x) = ½·erfc(x/√2), accurate for large x. */
export function normalTail(x: number): number {
  return 0.5 * erfc(x * Math.SQRT1_2);
}

// ───────────────────────────── log-gamma ─────────────────────────────

/** Stirling correction lnΓ(x) − [(x−½)ln x − x + ½ln 2π] for x ≥ 15 (Bernoulli series, 6 terms). */
function stirlingCorrection(x: number): number {
  const r = 1 / x;
  const r2 = r * r;
  // B2/(1·2), B4/(3·4), B6/(5·6), B8/(7·8), B10/(9·10), B12/(11·12); truncation < 1e-17 at x ≥ 15.
  return (
    r *
    (1 / 12 + r2 * (-1 / 360 + r2 * (1 / 1260 + r2 * (-1 / 1680 + r2 * (1 / 1188 + r2 * (-691 / 360360))))))
  );
}

const STIRLING_MIN = 15;

/**
 * lnΓ(x) for x > 0 (NaN otherwise): Stirling's series after shifting x up to ≥ 15 with
 * Γ(x) = Γ(x+n)/(x(x+1)…(x+n−1)). Absolute error ≲ 1e-14 (relative error where |lnΓ| ≥ 1).
 */
export function logGamma(x: number): number {
  if (!(x > 0)) return NaN;
  if (x === Infinity) return Infinity;
  let shift = 0;
  let prod = 1;
  while (x < STIRLING_MIN) {
    prod *= x;
    x += 1;
    shift++;
  }
  const base = (x - 0.5) * Math.log(x) - x + LN_SQRT_2PI + stirlingCorrection(x);
  return shift > 0 ? base - Math.log(prod) : base;
}

/**
 * lnΓ(p+½) − lnΓ(p) for p > 0, without subtracting two large log-gammas (abs error ≈ 1e-16 for any
 * p): shift p up to ≥ 15 with the exact ratios (p+k+½)/(p+k), then use the Stirling difference
 * ½·ln p + [p·ln(1+1/(2p)) − ½] + corr(p+½) − corr(p).
 */
export function logGammaHalfRatio(p: number): number {
  if (!(p > 0)) return NaN;
  let acc = 0;
  while (p < STIRLING_MIN) {
    acc -= Math.log1p(0.5 / p);
    p += 1;
  }
  return (
    acc +
    0.5 * Math.log(p) +
    (p * Math.log1p(0.5 / p) - 0.5) +
    stirlingCorrection(p + 0.5) -
    stirlingCorrection(p)
  );
}

/** ln B(a, b) = lnΓ(a) + lnΓ(b) − lnΓ(a+b) (plain form; see logGammaHalfRatio for b = ½). */
export function logBeta(a: number, b: number): number {
  if (b === 0.5) return LN_SQRT_PI - logGammaHalfRatio(a);
  if (a === 0.5) return LN_SQRT_PI - logGammaHalfRatio(b);
  return logGamma(a) + logGamma(b) - logGamma(a + b);
}

// ───────────────────────────── incomplete beta ─────────────────────────────

/** Continued fraction of A&S 26.5.8 for I_x(a,b) (without the front factor), modified Lentz. */
function betaContinuedFraction(a: number, b: number, x: number): number {
  const tiny = 1e-300;
  const qab = a + b;
  const qap = a + 1;
  const qam = a - 1;
  let c = 1;
  let dd = 1 - (qab * x) / qap;
  if (Math.abs(dd) < tiny) dd = tiny;
  dd = 1 / dd;
  let h = dd;
  for (let m = 1; m < 100000; m++) {
    const m2 = 2 * m;
    // even step d_{2m} = m(b−m)x / ((a+2m−1)(a+2m))
    let aa = (m * (b - m) * x) / ((qam + m2) * (a + m2));
    dd = 1 + aa * dd;
    if (Math.abs(dd) < tiny) dd = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    dd = 1 / dd;
    h *= dd * c;
    // odd step d_{2m+1} = −(a+m)(a+b+m)x / ((a+2m)(a+2m+1))
    aa = (-(a + m) * (qab + m) * x) / ((a + m2) * (qap + m2));
    dd = 1 + aa * dd;
    if (Math.abs(dd) < tiny) dd = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    dd = 1 / dd;
    const del = dd * c;
    h *= del;
    if (Math.abs(del - 1) < 1e-16) return h;
  }
  return h;
}

/**
 * Regularized incomplete beta I_x(a, b) for a, b > 0, with y = 1 − x supplied by the caller (pass
 * it when x is near 1 so it is exact; defaults to 1 − x).
 */
export function incompleteBeta(a: number, b: number, x: number, y: number = 1 - x): number {
  if (!(a > 0 && b > 0) || Number.isNaN(x)) return NaN;
  if (x <= 0) return 0;
  if (y <= 0) return 1;
  // ln of the front factor x^a·y^b / B(a,b); log1p keeps y^b accurate when x is small.
  const lnx = y > 0.5 ? Math.log(x) : Math.log1p(-y);
  const lny = x < 0.5 ? Math.log1p(-x) : Math.log(y);
  const lnFront = a * lnx + b * lny - logBeta(a, b);
  if (x < (a + 1) / (a + b + 2)) return (Math.exp(lnFront) * betaContinuedFraction(a, b, x)) / a;
  return 1 - (Math.exp(lnFront) * betaContinuedFraction(b, a, y)) / b;
}

/** Upper complement 1 − I_x(a,b) = I_y(b,a) computed without 1 − (something near 1). */
export function incompleteBetaComplement(a: number, b: number, x: number, y: number = 1 - x): number {
  if (!(a > 0 && b > 0) || Number.isNaN(x)) return NaN;
  if (x <= 0) return 1;
  if (y <= 0) return 0;
  const lnx = y > 0.5 ? Math.log(x) : Math.log1p(-y);
  const lny = x < 0.5 ? Math.log1p(-x) : Math.log(y);
  const lnFront = a * lnx + b * lny - logBeta(a, b);
  if (x < (a + 1) / (a + b + 2)) return 1 - (Math.exp(lnFront) * betaContinuedFraction(a, b, x)) / a;
  return (Math.exp(lnFront) * betaContinuedFraction(b, a, y)) / b;
}

// ───────────────────────────── sphere coordinate law ─────────────────────────────

function checkDim(d: number): void {
  if (!(Number.isInteger(d) && d >= 2))
    throw new RangeError(`sphere coordinate law: d must be an integer ≥ 2, got ${d}`);
}

/**
 * Upper tail P(T > t) for t ≥ 0 of one coordinate T of a uniform unit vector in ℝ^d.
 * T² ~ Beta(½, (d−1)/2), so P(|T| > t) = I_{1−t²}((d−1)/2, ½) and the tail is half of that.
 * 1 − t² is formed as (1−t)(1+t) so it keeps full precision near t = 1.
 */
export function sphereCoordinateTail(t: number, d: number): number {
  checkDim(d);
  if (Number.isNaN(t)) return NaN;
  if (t < 0) return 1 - sphereCoordinateTail(-t, d);
  if (t >= 1) return 0;
  const x = t * t;
  const y = (1 - t) * (1 + t);
  return 0.5 * incompleteBeta((d - 1) / 2, 0.5, y, x);
}

/** CDF P(T ≤ t) of one coordinate of a uniform unit vector in ℝ^d, density ∝ (1−t²)^((d−3)/2). */
export function sphereCoordinateCdf(t: number, d: number): number {
  checkDim(d);
  if (Number.isNaN(t)) return NaN;
  if (t <= -1) return 0;
  if (t >= 1) return 1;
  return t < 0 ? sphereCoordinateTail(-t, d) : 1 - sphereCoordinateTail(t, d);
}

/** ln of the normaliser 1/B(½, (d−1)/2) of the sphere coordinate density. */
export function sphereLogNormalizer(d: number): number {
  checkDim(d);
  return logGammaHalfRatio((d - 1) / 2) - LN_SQRT_PI;
}

/**
 * Density of one coordinate of a uniform unit vector in ℝ^d:
 * f(t) = (1−t²)^((d−3)/2) / B(½, (d−1)/2) on [−1, 1] (Infinity at t = ±1 when d = 2, the arcsine law).
 */
export function sphereCoordinatePdf(t: number, d: number): number {
  checkDim(d);
  if (Number.isNaN(t)) return NaN;
  const at = Math.abs(t);
  if (at > 1) return 0;
  const y = (1 - at) * (1 + at);
  const e = (d - 3) / 2;
  if (y === 0) return e < 0 ? Infinity : e === 0 ? Math.exp(sphereLogNormalizer(d)) : 0;
  // ln(1−t²): log1p for small t, the exact product (1−t)(1+t) near the ends.
  const lnY = at < 0.5 ? Math.log1p(-at * at) : Math.log(y);
  return Math.exp(sphereLogNormalizer(d) + e * lnY);
}
