import { describe, it } from 'vitest';
import fixtures from '../testing/fixtures/transforms.json';
import { expectClose } from '../testing/expect';
import {
  kolmogorovCdf,
  kolmogorovQuantile,
  kolmogorovSf,
  ksCriticalValue,
  ksPValue,
  ksStatistic,
  moments,
} from './stats';

describe('Kolmogorov distribution', () => {
  it('matches scipy.stats.kstwobign cdf and sf on both sides of the series switch (λ = 1.18)', () => {
    const k = fixtures.kolmogorov;
    k.lambda.forEach((l, i) => {
      expectClose(kolmogorovCdf(l), k.cdf[i], 1e-12, `K(${l})`);
      expectClose(kolmogorovSf(l), k.sf[i], 1e-12, `1 − K(${l})`);
    });
  });

  it('quantile inverts the CDF (0.999 quantile vs scipy ppf)', () => {
    expectClose(kolmogorovQuantile(0.999), fixtures.kolmogorov.q999, 1e-9, 'K⁻¹(0.999)');
    expectClose(ksCriticalValue(0.001, 2000), fixtures.kolmogorov.q999 / Math.sqrt(2000), 1e-9, 'D crit');
  });
});

describe('KS statistic', () => {
  it('matches scipy.stats.kstest statistic against U(0,1)', () => {
    const { samples, statistic } = fixtures.ks;
    const d = ksStatistic(samples, (t) => Math.min(1, Math.max(0, t)));
    expectClose(d, statistic, 1e-12, 'D_n');
  });

  it('is small and p-value large for exact uniform quantiles, large for a shifted law', () => {
    const n = 1000;
    const u = Float64Array.from({ length: n }, (_, i) => (i + 0.5) / n);
    const cdf = (t: number) => Math.min(1, Math.max(0, t));
    expectClose(ksStatistic(u, cdf), 0.5 / n, 1e-15, 'D of midpoints');
    const shifted = u.map((v) => v * 0.8);
    expectClose(ksStatistic(shifted, cdf), 0.2 - 0.5 / n + 0.5 / n, 1e-3, 'D of 0.8·U');
    expectClose(ksPValue(0.5 / n, n), 1, 1e-12, 'p of a perfect fit');
    if (!(ksPValue(0.2, n) < 1e-30))
      throw new Error(`p-value of D=0.2, n=1000 should be tiny, got ${ksPValue(0.2, n)}`);
  });
});

describe('moments', () => {
  it('matches numpy var / scipy skew and kurtosis(fisher=False)', () => {
    const f = fixtures.moments;
    const m = moments(f.x);
    expectClose(m.mean, f.mean, 1e-13, 'mean');
    expectClose(m.variance, f.variance, 1e-12, 'variance');
    expectClose(m.sampleVariance, f.sampleVariance, 1e-12, 'sample variance');
    expectClose(m.skewness, f.skewness, 1e-11, 'skewness');
    expectClose(m.kurtosis, f.kurtosis, 1e-11, 'kurtosis');
    expectClose(m.excessKurtosis, f.kurtosis - 3, 1e-11, 'excess kurtosis');
  });

  it('closed forms: ±1 has variance 1, kurtosis 1; a large offset does not lose precision', () => {
    const m = moments([1, -1, 1, -1]);
    expectClose(m.variance, 1, 0, 'var ±1');
    expectClose(m.kurtosis, 1, 1e-15, 'kurt ±1');
    const off = moments([1e9 + 1, 1e9 - 1, 1e9 + 1, 1e9 - 1]);
    expectClose(off.variance, 1, 1e-6, 'var with offset 1e9');
  });
});
