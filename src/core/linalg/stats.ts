/**
 * Small statistics kernels for tests and analysis views: moments and the one-sample
 * Kolmogorov–Smirnov test. Float64 accumulation throughout.
 *
 * KS statistic D_n = sup_t |F_n(t) − F(t)| over the empirical CDF F_n of n samples, evaluated at
 * the jumps: D_n = max_i max(i/n − F(x_(i)), F(x_(i)) − (i−1)/n) (Kolmogorov 1933).
 * Asymptotic law: P(√n·D_n ≤ λ) → K(λ) = 1 − 2 Σ_{j≥1} (−1)^{j−1} e^{−2j²λ²}
 * = (√(2π)/λ) Σ_{j≥1} e^{−(2j−1)²π²/(8λ²)} (the second, Jacobi-theta form converges fast for small
 * λ; the first for large λ). This is scipy.stats.kstwobign. For finite n the p-value uses
 * Stephens' (1970) argument λ = (√n + 0.12 + 0.11/√n)·D, as in Numerical Recipes §14.3.3, which
 * is accurate to a few percent for n ≥ 5.
 */

/** Kolmogorov's limiting CDF K(λ) = P(sup|B(t)| ≤ λ) for a Brownian bridge B. */
export function kolmogorovCdf(lambda: number): number {
  if (!(lambda > 0)) return 0;
  if (lambda < 1.18) {
    // Theta form: terms decay like e^{−π²(2j−1)²/(8λ²)}; 5 terms reach 1e−16 for λ < 1.18.
    const q = Math.exp(-(Math.PI * Math.PI) / (8 * lambda * lambda));
    let sum = 0;
    for (let j = 1; j <= 6; j++) sum += Math.pow(q, (2 * j - 1) * (2 * j - 1));
    return (Math.sqrt(2 * Math.PI) / lambda) * sum;
  }
  // Alternating form: e^{−2j²λ²} ≤ e^{−2.78 j²}, 6 terms reach 1e−40.
  let sum = 0;
  for (let j = 1; j <= 8; j++) sum += (j % 2 === 1 ? 1 : -1) * Math.exp(-2 * j * j * lambda * lambda);
  return 1 - 2 * sum;
}

/** Kolmogorov survival function 1 − K(λ), computed without cancellation for large λ. */
export function kolmogorovSf(lambda: number): number {
  if (!(lambda > 0)) return 1;
  if (lambda < 1.18) return 1 - kolmogorovCdf(lambda);
  let sum = 0;
  for (let j = 1; j <= 8; j++) sum += (j % 2 === 1 ? 1 : -1) * Math.exp(-2 * j * j * lambda * lambda);
  return Math.min(1, Math.max(0, 2 * sum));
}

/** λ with K(λ) = p (0 < p < 1), by bisection on the monotone CDF. K⁻¹(0.999) ≈ 1.9495. */
export function kolmogorovQuantile(p: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`kolmogorovQuantile: p must be in (0, 1), got ${p}`);
  let lo = 0.01;
  let hi = 10;
  for (let i = 0; i < 200 && hi - lo > 1e-14; i++) {
    const mid = (lo + hi) / 2;
    if (kolmogorovCdf(mid) < p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/**
 * Asymptotic critical value of D_n at level α: reject "samples follow F" when D_n exceeds it.
 * K⁻¹(1−α)/√n; e.g. α = 0.001, n = 2000 gives 1.9495/√2000 ≈ 0.0436.
 */
export function ksCriticalValue(alpha: number, n: number): number {
  return kolmogorovQuantile(1 - alpha) / Math.sqrt(n);
}

/** One-sample KS statistic D_n of `samples` against the continuous CDF `cdf`. Does not mutate. */
export function ksStatistic(samples: ArrayLike<number>, cdf: (t: number) => number): number {
  const n = samples.length;
  if (n === 0) throw new RangeError('ksStatistic: no samples');
  const xs = Float64Array.from(samples).sort();
  let d = 0;
  for (let i = 0; i < n; i++) {
    const f = cdf(xs[i]);
    d = Math.max(d, (i + 1) / n - f, f - i / n);
  }
  return d;
}

/** Asymptotic p-value of a one-sample KS statistic d from n samples (Stephens' correction). */
export function ksPValue(d: number, n: number): number {
  const sn = Math.sqrt(n);
  return kolmogorovSf((sn + 0.12 + 0.11 / sn) * d);
}

export interface Moments {
  readonly n: number;
  readonly mean: number;
  /** Population variance m₂ = Σ(x−μ)²/n. */
  readonly variance: number;
  /** Unbiased sample variance Σ(x−μ)²/(n−1) (NaN for n < 2). */
  readonly sampleVariance: number;
  /** m₃/m₂^{3/2} (population moments). */
  readonly skewness: number;
  /** Pearson kurtosis m₄/m₂² (3 for a Gaussian), population moments as scipy's fisher=False. */
  readonly kurtosis: number;
  /** kurtosis − 3. */
  readonly excessKurtosis: number;
}

/** Moments by two passes (mean first, then centred sums) for accuracy on large offsets. */
export function moments(x: ArrayLike<number>): Moments {
  const n = x.length;
  if (n === 0) throw new RangeError('moments: no samples');
  let s = 0;
  for (let i = 0; i < n; i++) s += x[i];
  const mean = s / n;
  let m2 = 0;
  let m3 = 0;
  let m4 = 0;
  for (let i = 0; i < n; i++) {
    const c = x[i] - mean;
    const c2 = c * c;
    m2 += c2;
    m3 += c2 * c;
    m4 += c2 * c2;
  }
  const variance = m2 / n;
  const kurtosis = variance > 0 ? m4 / n / (variance * variance) : NaN;
  return {
    n,
    mean,
    variance,
    sampleVariance: n > 1 ? m2 / (n - 1) : NaN,
    skewness: variance > 0 ? m3 / n / Math.pow(variance, 1.5) : NaN,
    kurtosis,
    excessKurtosis: kurtosis - 3,
  };
}

export function mean(x: ArrayLike<number>): number {
  return moments(x).mean;
}

export function variance(x: ArrayLike<number>): number {
  return moments(x).variance;
}

export function kurtosis(x: ArrayLike<number>): number {
  return moments(x).kurtosis;
}
