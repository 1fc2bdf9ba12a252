/**
 * Analysis code against independent references: hand-counted histograms, closed-form kurtosis of
 * known laws, the Marchenko–Pastur law's normalisation and edges (Bai & Silverstein 2010, §3.1),
 * EDEN-mse's inner-product shrinkage 1 − D_b (ALGORITHMS.md), Walsh/DCT basis rows as deltas.
 */
import { describe, expect, it } from 'vitest';
import { createRngFactory } from '../core/rng';
import {
  channelAbsmax,
  histogram,
  normalizedRowsDistribution,
  summarize,
} from '../core/artifacts/distribution';
import { innerProducts, samplePositions } from '../core/artifacts/artifacts';
import {
  marchenkoPasturDensity,
  mpEdges,
  mpMedian,
  spectrumOf,
  subsampleRows,
  spectrumRows,
  dctEnergy,
  walshEnergy,
  GRAM_BUDGET,
} from '../core/artifacts/spectra';
import { sequencyIndex } from '../core/linalg/fwht';
import { theoryCurves } from '../core/artifacts/theory';
import { runConfig, contractJson } from './experiment';
import { sweepConfig, spectraConfig, sweepKey } from './artifacts';
import { canonicalize, type CanonicalConfig, type ExperimentConfig } from '../core/config/schema';
import { IP_QUERY_COUNT, unitQueries } from '../core/methods/metrics/ip-nvar';

function close(actual: number, expected: number, tol: number, what: string): void {
  expect(
    Math.abs(actual - expected),
    `${what}: expected ${expected}, got ${actual}, tolerance ${tol}`,
  ).toBeLessThanOrEqual(tol);
}

function config(
  pipelines: ExperimentConfig['pipelines'],
  rows = 256,
  dim = 256,
  source = 'gaussian',
): CanonicalConfig {
  return canonicalize({ v: 1, seed: 11, data: { source, rows, dim }, pipelines });
}

describe('histogram', () => {
  it('counts hand-made data with half-open bins, a closed last bin and NaN/outside counted', () => {
    const h = histogram([-1, -0.5, 0, 0.49, 0.5, 1, 2, NaN, -1.01], -1, 1, 4);
    expect([...h.edges]).toEqual([-1, -0.5, 0, 0.5, 1]);
    expect([...h.counts]).toEqual([1, 1, 2, 2]);
    expect(h.outside).toBe(3);
    expect(h.total).toBe(9);
  });

  it('rejects too many bins and an empty range', () => {
    expect(() => histogram([0], 0, 1, 201)).toThrow(/bins/);
    expect(() => histogram([0], 1, 1, 10)).toThrow(/lo < hi/);
  });
});

describe('summaries', () => {
  it('two-point law ±1: kurtosis 1, max/RMS 1 (exact)', () => {
    const s = summarize(4, (i) => (i % 2 ? 1 : -1));
    expect(s.kurtosis).toBe(1);
    expect(s.maxOverRms).toBe(1);
    expect(s.mean).toBe(0);
  });

  it('kurtosis of known laws from 200k seeded draws: N(0,1) 3, U(−1,1) 9/5, Laplace 6', () => {
    const rng = createRngFactory(1).stream('analysis', 'test');
    const n = 200_000;
    const g = Float64Array.from({ length: n }, () => rng.normal());
    const u = Float64Array.from({ length: n }, () => 2 * rng.uniform() - 1);
    const l = Float64Array.from({ length: n }, () => rng.sign() * -Math.log(1 - rng.uniform()));
    close(summarize(n, (i) => g[i]).kurtosis, 3, 0.06, 'gaussian kurtosis');
    close(summarize(n, (i) => u[i]).kurtosis, 1.8, 0.02, 'uniform kurtosis');
    close(summarize(n, (i) => l[i]).kurtosis, 6, 0.3, 'laplace kurtosis');
    // Uniform on [−1,1]: RMS = 1/√3, max → 1.
    close(summarize(n, (i) => u[i]).maxOverRms, Math.sqrt(3), 0.01, 'uniform crest factor');
  });

  it('row normalisation √d·v/‖v‖ gives unit RMS whatever the row scale', () => {
    const data = new Float32Array([3, 4, 0, 0, 0, 0, 0, 10, 1, 1, 1, 1]);
    const d = normalizedRowsDistribution(data, 3, 4, 8);
    // Mean of squares = 1 exactly: std² + mean² = 1.
    close(d.summary.std ** 2 + d.summary.mean ** 2, 1, 1e-12, 'mean square');
    // Row 2 is a single spike: √4·10/10 = 2 is the max; RMS 1.
    close(d.summary.maxOverRms, 2, 1e-12, 'crest factor');
    expect(d.histogram.total).toBe(12);
    expect(d.histogram.outside).toBe(0);
  });

  it('channel absmax bins rows and channels and keeps the max magnitude', () => {
    // 3 rows × 5 channels, ≤ 2 row bins and ≤ 2 channel bins → 2 rows/bin, 3 channels/bin.
    const data = new Float32Array([1, -7, 0, 0, 2, 0, 0, 3, -4, 0, 0, 0, 0, 0, -9]);
    const h = channelAbsmax(data, 3, 5, 2, 2);
    expect([h.rowBins, h.channelBins, h.rowsPerBin, h.channelsPerBin]).toEqual([2, 2, 2, 3]);
    expect([...h.values]).toEqual([7, 4, 0, 9]);
  });
});

describe('Marchenko–Pastur', () => {
  it('density integrates to 1 and vanishes outside σ²(1±√γ)²', () => {
    for (const [gamma, sigma2] of [
      [0.25, 2],
      [0.5, 1],
      [1, 0.7],
    ]) {
      const [lo, hi] = mpEdges(gamma, sigma2);
      close(lo, sigma2 * (1 - Math.sqrt(gamma)) ** 2, 1e-15, 'lower edge');
      close(hi, sigma2 * (1 + Math.sqrt(gamma)) ** 2, 1e-15, 'upper edge');
      // Plain midpoint rule in λ (independent of the θ-substitution used for the median).
      const m = 2_000_000;
      const h = (hi - lo) / m;
      let s = 0;
      for (let i = 0; i < m; i++) s += marchenkoPasturDensity(lo + (i + 0.5) * h, gamma, sigma2) * h;
      close(s, 1, gamma === 1 ? 2e-3 : 1e-4, `∫f for γ=${gamma}`);
      expect(marchenkoPasturDensity(lo - 1e-9, gamma, sigma2)).toBe(0);
      expect(marchenkoPasturDensity(hi + 1e-9, gamma, sigma2)).toBe(0);
      expect(marchenkoPasturDensity((lo + hi) / 2, gamma, sigma2)).toBeGreaterThan(0);
    }
  });

  it('median splits the mass in half (midpoint rule reference)', () => {
    const gamma = 0.25;
    const med = mpMedian(gamma);
    const [lo] = mpEdges(gamma, 1);
    const m = 1_000_000;
    const h = (med - lo) / m;
    let s = 0;
    for (let i = 0; i < m; i++) s += marchenkoPasturDensity(lo + (i + 0.5) * h, gamma, 1) * h;
    close(s, 0.5, 1e-5, 'CDF at the median');
  });

  it('fits σ² ≈ 1 to a Gaussian matrix and counts a planted spike', () => {
    const rng = createRngFactory(5).stream('analysis', 'mp');
    const rows = 150;
    const cols = 600;
    const a = new Float32Array(rows * cols);
    rng.fillNormal(a);
    const s = spectrumOf(a, rows, cols);
    expect([s.n, s.p]).toEqual([600, 150]);
    close(s.sigma2, 1, 0.05, 'fitted σ²');
    expect(s.spikes).toBe(0);
    // Rank-one spike u vᵀ with ‖u vᵀ‖²/n ≫ the upper edge.
    const u = Float64Array.from({ length: rows }, () => rng.normal());
    const v = Float64Array.from({ length: cols }, () => rng.normal());
    for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) a[i * cols + j] += 0.5 * u[i] * v[j];
    const spiked = spectrumOf(a, rows, cols);
    expect(spiked.spikes).toBe(1);
    close(spiked.sigma2, 1, 0.08, 'σ² fitted through a spike');
  });

  it('bounds the Gram cost and samples distinct sorted rows', () => {
    expect(spectrumRows(256, 1024)).toBe(256);
    const r = spectrumRows(4096, 4096);
    expect(r * r * 4096 * 0.5).toBeLessThanOrEqual(GRAM_BUDGET);
    expect(spectrumRows(4096, 64)).toBeLessThanOrEqual(4096);
    const idx = subsampleRows(3, 1000, 100);
    expect(new Set(idx).size).toBe(100);
    expect([...idx]).toEqual([...idx].sort((x, y) => x - y));
  });
});

describe('sequency and frequency energy', () => {
  it('a single Walsh function has all its energy at its sequency', () => {
    const n = 64;
    for (const k of [0, 1, 5, 37, 63]) {
      const row = Float32Array.from({ length: n }, (_, j) => {
        let bits = k & j;
        let parity = 0;
        while (bits) {
          parity ^= bits & 1;
          bits >>= 1;
        }
        return parity ? -1 : 1;
      });
      const e = walshEnergy(row, n, [0]);
      const s = sequencyIndex(k, n);
      expect(e.binWidth).toBe(1);
      for (let i = 0; i < n; i++)
        close(e.energy[i], i === s ? 1 : 0, 1e-12, `Walsh row ${k}: energy at ${i}`);
    }
  });

  it('sequency of natural-order rows counts sign changes', () => {
    const n = 16;
    for (let k = 0; k < n; k++) {
      let changes = 0;
      const sign = (j: number) => {
        let b = k & j;
        let p = 0;
        while (b) {
          p ^= b & 1;
          b >>= 1;
        }
        return p;
      };
      for (let j = 1; j < n; j++) if (sign(j) !== sign(j - 1)) changes++;
      expect(sequencyIndex(k, n)).toBe(changes);
    }
  });

  it('a DCT-II basis vector has all its energy at its frequency; padding keeps Walsh energy', () => {
    const n = 40;
    const f = 7;
    const row = Float32Array.from({ length: n }, (_, i) => Math.cos((Math.PI * (2 * i + 1) * f) / (2 * n)));
    const e = dctEnergy(row, n, [0]);
    for (let i = 0; i < n; i++) close(e.energy[i], i === f ? 1 : 0, 1e-6, `DCT energy at ${i}`);
    const w = walshEnergy(row, n, [0]);
    expect(w.length).toBe(64);
    close(
      w.energy.reduce((a, b) => a + b, 0),
      1,
      1e-12,
      'total Walsh energy fraction',
    );
  });
});

describe('inner products', () => {
  it('exact slope on a known shrinkage x̂ = 0.8·x', () => {
    const rows = 50;
    const d = 32;
    const x = new Float32Array(rows * d);
    createRngFactory(2).stream('analysis', 'ip').fillNormal(x);
    const xHat = x.map((v) => 0.75 * v);
    const q = unitQueries(createRngFactory(2), d, IP_QUERY_COUNT);
    const ip = innerProducts(x, xHat, rows, d, q, 8);
    close(ip.slope, 0.75, 1e-6, 'slope');
    close(ip.r2, 1, 1e-6, 'R²');
    expect(ip.exact.length).toBe(rows * 8);
  });

  it('EDEN-mse shrinks inner products by 1 − D_b, EDEN-unbiased does not (Haar, b = 2)', async () => {
    // D_2 = 0.117482 (ALGORITHMS.md, Lloyd–Max for N(0,1)).
    const out = await runConfig(
      config([
        {
          transforms: [{ id: 'haar', params: {} }],
          quantizer: { id: 'eden', params: { bits: 2, scale: 'mse' } },
        },
        {
          transforms: [{ id: 'haar', params: {} }],
          quantizer: { id: 'eden', params: { bits: 2, scale: 'unbiased' } },
        },
      ]),
      { artifacts: true },
    );
    const [mse, unbiased] = out.artifacts?.pipelines ?? [];
    close(mse.innerProducts.slope, 1 - 0.117482, 0.02, 'EDEN-mse slope');
    close(unbiased.innerProducts.slope, 1, 0.03, 'EDEN-unbiased slope');
    // Rotated Gaussian rows are close to N(0,1) after normalisation.
    close(mse.after.summary.kurtosis, 3, 0.1, 'kurtosis after Haar');
    expect(mse.sampleX.length).toBe(2000);
    // Paired sampling: both pipelines saw the same x coordinates.
    expect([...mse.sampleX]).toEqual([...unbiased.sampleX]);
    expect(contractJson(out)).not.toHaveProperty('artifacts');
    expect(Object.keys(contractJson(out) as object)).toEqual(['config', 'permalink', 'data', 'results']);
  });

  it('sample positions are seeded and bounded', () => {
    expect(samplePositions(1, 10, 10).length).toBe(100);
    const a = samplePositions(1, 1000, 1000);
    expect(a.length).toBe(2000);
    expect([...a]).toEqual([...samplePositions(1, 1000, 1000)]);
  });
});

describe('outlier artifacts', () => {
  it('a rotation removes outlier channels: kurtosis and max/RMS drop, heatmap bounded', async () => {
    const out = await runConfig(
      config(
        [
          {
            transforms: [{ id: 'rht', params: { rounds: 1 } }],
            quantizer: { id: 'int', params: { bits: 4 } },
          },
        ],
        128,
        512,
        'outlier-channels',
      ),
      { artifacts: true },
    );
    const a = out.artifacts;
    if (!a) throw new Error('no artifacts');
    expect(a.before.summary.kurtosis).toBeGreaterThan(20);
    // Per row, one RHT turns the 8 large channels into Σ ±a_j over 8 terms: a Rademacher sum, lighter
    // tailed than a Gaussian (kurtosis < 3), but nothing like the raw outliers.
    const k = a.pipelines[0].after.summary.kurtosis;
    expect(k).toBeGreaterThan(2);
    expect(k).toBeLessThan(3.5);
    expect(a.pipelines[0].after.summary.maxOverRms).toBeLessThan(a.before.summary.maxOverRms / 3);
    expect(a.beforeAbsmax.rowBins).toBeLessThanOrEqual(64);
    expect(a.beforeAbsmax.channelBins).toBeLessThanOrEqual(256);
    expect(a.before.histogram.counts.length).toBeLessThanOrEqual(200);
  });
});

describe('rate–distortion sweep and spectra', () => {
  it('sweeps bits 1…8 through the main run point; MXFP4 along the FP formats', async () => {
    const c = config([
      {
        transforms: [{ id: 'haar', params: {} }],
        quantizer: { id: 'eden', params: { bits: 2, scale: 'mse' } },
      },
      { transforms: [{ id: 'identity', params: {} }], quantizer: { id: 'mxfp4', params: {} } },
    ]);
    const [rd, main] = await Promise.all([sweepConfig(c), runConfig(c)]);
    const eden = rd.series[0];
    expect(eden.param).toBe('bits');
    expect(eden.points.map((p) => p.bits)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    eden.points.forEach((p) => close(p.bitsPerCoord, p.bits + 32 / 256, 1e-12, `bits/coord at b=${p.bits}`));
    for (let i = 1; i < eden.points.length; i++)
      expect(eden.points[i].vnmse).toBeLessThan(eden.points[i - 1].vnmse);
    expect(eden.points[1].vnmse).toBe(main.results[0].metrics.vnmse);
    // MXFP4 has no bits knob: it is swept along the FP element-format family (points).
    expect(rd.series[1].param).toBe('format');
    const own = rd.series[1].points.find((p) => p.value === 'MXFP4');
    expect(own?.vnmse).toBe(main.results[1].metrics.vnmse);
    expect(rd.frontier?.length).toBeGreaterThan(0);
  });

  it('sweep key ignores bits but not the quantizer', () => {
    const a = config([
      {
        transforms: [{ id: 'haar', params: {} }],
        quantizer: { id: 'eden', params: { bits: 2, scale: 'mse' } },
      },
    ]);
    const b = config([
      {
        transforms: [{ id: 'haar', params: {} }],
        quantizer: { id: 'eden', params: { bits: 5, scale: 'mse' } },
      },
    ]);
    const c = config([
      {
        transforms: [{ id: 'haar', params: {} }],
        quantizer: { id: 'eden', params: { bits: 2, scale: 'unbiased' } },
      },
    ]);
    expect(sweepKey(a)).toBe(sweepKey(b));
    expect(sweepKey(a)).not.toBe(sweepKey(c));
  });

  it('spectra: data bulk σ² ≈ 1, one error spectrum per pipeline, flat Walsh energy after RHT', async () => {
    const c = config(
      [
        {
          transforms: [{ id: 'rht', params: { rounds: 1 } }],
          quantizer: { id: 'eden', params: { bits: 3, scale: 'mse' } },
        },
        { transforms: [{ id: 'identity', params: {} }], quantizer: { id: 'int', params: { bits: 4 } } },
      ],
      128,
      256,
    );
    const s = await spectraConfig(c);
    close(s.data.sigma2, 1, 0.08, 'data σ²');
    expect(s.pipelines).toHaveLength(2);
    expect(s.pipelines[0].error.singularValues.length).toBe(128);
    // Error energy ≈ vNMSE · data energy: EDEN b=3 D ≈ 0.0345.
    close(s.pipelines[0].error.sigma2, 0.0345, 0.01, 'EDEN b=3 error σ²');
    const flat = 1 / s.walshBefore.energy.length;
    for (const e of s.pipelines[0].walshAfter.energy) expect(Math.abs(e - flat)).toBeLessThan(flat);
  });

  it('theory curves match ALGORITHMS.md: D_b, bounds and TurboQuant_prod at b = 1 is π/2', () => {
    const t = Object.fromEntries(theoryCurves().map((c) => [c.id, c.values]));
    [0.36338, 0.117482, 0.034548, 0.009501].forEach((d, i) =>
      close(t['lloyd-max'][i], d, 2e-6, `D_${i + 1}`),
    );
    close(t['eden-unbiased'][0], Math.PI / 2 - 1, 1e-5, 'EDEN unbiased b=1');
    close(t['tq-prod'][0], Math.PI / 2, 1e-15, 'TurboQuant_prod b=1');
    close(t['lower-bound'][1], 1 / 16, 0, '4^−2');
    for (let b = 0; b < 8; b++) {
      expect(t['lower-bound'][b]).toBeLessThan(t['lloyd-max'][b]);
      expect(t['lloyd-max'][b]).toBeLessThan(t['tq-upper'][b]);
    }
  });
});
