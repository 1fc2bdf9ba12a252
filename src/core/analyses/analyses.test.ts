/**
 * The analysis views against independent references: closed forms, hand counts, the scipy/numpy
 * fixtures of src/core/testing/fixtures and the CATALOGUE §1.A.3 simulation numbers — never the
 * code's own earlier output.
 */
import { describe, expect, it } from 'vitest';
import formatsFixture from '../testing/fixtures/formats.json';
import codebooks from '../testing/fixtures/codebooks.json';
import { createRngFactory } from '../rng';
import { generateData } from '../data-loader';
import { withDefaults } from '../methods/params';
import type { Matrix } from '../methods/types';
import type { PipelineSpec } from '../pipeline';
import { estimatorAnalysis, type EstimatorResult } from './estimator';
import { formatsAnalysis, CONFORMANCE_FORMATS, type FormatsResult } from './formats';
import { rotationQualityAnalysis, type RotationQualityResult } from './rotation-quality';
import { seedsAnalysis, type SeedsResult } from './seeds';
import { scaleRuleAnalysis, type ScaleRuleResult } from './scale-rule';
import { productQuantize } from './pq';
import { studentTQuantile } from './ci';
import type { AnalysisDef } from './types';

const pl = (
  t: string,
  tp: Record<string, number | string>,
  q: string,
  qp: Record<string, number | string>,
): PipelineSpec => ({
  transforms: [{ id: t, params: tp }],
  quantizer: { id: q, params: qp },
});

function run<T>(
  def: AnalysisDef,
  data: Matrix,
  pipelines: PipelineSpec[],
  params: Record<string, number | string>,
  seed = 7,
): T {
  return def.run({
    seed,
    rng: createRngFactory(seed),
    data,
    pipelines,
    params: withDefaults(def.params, params),
  }) as T;
}

const tiny: Matrix = { rows: 1, cols: 1, data: new Float32Array(1) };

describe('rotation-quality', () => {
  const r = run<RotationQualityResult>(rotationQualityAnalysis, tiny, [], {
    draws: 4000,
    minDim: 16,
    maxDim: 1024,
    factor: 4,
  });
  const series = (t: string, i: string) => r.series.find((s) => s.transform === t && s.input === i)?.ks ?? [];

  it('uses the α = 0.001 Kolmogorov critical value K⁻¹(0.999)/√n (scipy kstwobign.ppf(0.999) = 1.94947)', () => {
    expect(r.critical).toBeCloseTo(1.94947 / Math.sqrt(4000), 4);
  });

  it('Haar: KS distance within the α = 0.001 bound at every d and input', () => {
    for (const s of r.series.filter((t) => t.transform === 'haar'))
      for (const [k, v] of s.ks.entries())
        expect(v, `haar ${s.input} d=${r.dims[k]}`).toBeLessThan(r.critical);
  });

  it('one block on e₁: KS ≈ Φ(1) − ½ = 0.3413 for every d (coordinates are ±1/√d; CATALOGUE §1.A.3 "≈ 0.34")', () => {
    for (const v of series('rht1', 'one-hot').slice(1)) expect(Math.abs(v - 0.341345)).toBeLessThan(0.02);
  });

  it('two blocks on e₁ fall like the CATALOGUE §1.A.3 simulation (0.10, 0.054, 0.027 at d = 16, 64, 256)', () => {
    const ks = series('rht2', 'one-hot');
    const ref = [0.1, 0.054, 0.027];
    ref.forEach((v, i) => expect(Math.abs(ks[i] - v), `d=${r.dims[i]}`).toBeLessThan(0.03));
    expect(ks[0]).toBeGreaterThan(ks[3]);
  });
});

describe('formats conformance', () => {
  const tables = formatsFixture.tables as Record<
    string,
    { code: number; bits: string; value: number | string }[]
  >;
  const data = generateData('gaussian', { rows: 4, dim: 32 }, 3);
  for (const format of CONFORMANCE_FORMATS) {
    it(`${format}: every code round-trips and decodes to the independent reference`, () => {
      const r = run<FormatsResult>(formatsAnalysis, data, [], { format, samples: 128 });
      expect(r.summary.roundTripFailures).toBe(0);
      for (const e of r.table)
        expect(e.roundTrip === 'exact' || (e.roundTrip === 'nan' && Number.isNaN(e.value))).toBe(true);
      const ref = tables[format];
      if (ref) {
        // numpy fixture (gen_formats.py): NaN / inf are stored as strings.
        expect(r.table.length).toBe(ref.length);
        for (const [i, e] of ref.entries()) {
          const v = typeof e.value === 'string' ? Number(e.value.replace('inf', 'Infinity')) : e.value;
          if (Number.isNaN(v)) expect(r.table[i].value).toBeNaN();
          else expect(r.table[i].value).toBe(v);
          expect(r.table[i].bits).toBe(e.bits);
        }
      } else if (format === 'e8m0') {
        // OCP MX v1.0 §5.4.1: value 2^(e − 127), code 255 NaN.
        for (const e of r.table) {
          if (e.code === 255) expect(e.value).toBeNaN();
          else expect(e.value).toBe(2 ** (e.code - 127));
        }
      } else {
        // bitsandbytes NF4 table (ALGORITHMS.md, QLoRA §3).
        const nf4 = [
          -1, -0.69619, -0.52507, -0.39492, -0.28444, -0.18477, -0.09105, 0, 0.07958, 0.16093, 0.24611,
          0.33792, 0.44071, 0.56262, 0.72296, 1,
        ];
        r.table.forEach((e, i) => expect(Math.abs(e.value - nf4[i])).toBeLessThan(1e-5));
      }
    });
  }

  it('E2M1 floor rule is the OCP one: amax = 7 → X = 2^(⌊log2 7⌋ − 2) = 1, and 7 saturates to 6', () => {
    const m: Matrix = { rows: 1, cols: 2, data: Float32Array.from([7, 0.3]) };
    const r = run<FormatsResult>(formatsAnalysis, m, [], { format: 'e2m1', samples: 2 });
    const floor = r.scaleRules.rules.find((x) => x.rule === 'floor');
    const ceil = r.scaleRules.rules.find((x) => x.rule === 'ceil');
    expect(floor?.exponents).toEqual([0]);
    expect(floor?.values[0]).toBe(6);
    expect(floor?.saturated).toBe(1);
    // ceil: smallest 2^e with 7/2^e ≤ 6 → e = 1, 7/2 = 3.5 → RNE to 4 (tie between 3 and 4 → even mantissa) → 8.
    expect(ceil?.exponents).toEqual([1]);
    expect(ceil?.values[0]).toBe(8);
    expect(r.scaleRules.differ[0]).toBe(true);
  });
});

describe('estimator and product quantization', () => {
  const data = generateData('clustered', { rows: 600, dim: 32, clusters: 8, noise: 0.5, normalize: true }, 5);
  const r = run<EstimatorResult>(
    estimatorAnalysis,
    data,
    [
      pl('haar', {}, 'eden', { bits: 2, scale: 'mse' }),
      pl('haar', {}, 'eden', { bits: 2, scale: 'unbiased' }),
    ],
    { queries: 40, pqBits: 4, pqSubdim: 2 },
  );

  it('exact search has recall 1 and no attention error', () => {
    const exact = r.methods[0];
    expect(exact.kind).toBe('exact');
    expect(exact.recall).toEqual({ at1: 1, at10: 1 });
    expect(exact.attention.kl).toBe(0);
    expect(exact.attention.topkOverlap).toBe(1);
  });

  it('recall@10 ≥ recall@1 and the unbiased EDEN slope is 1 (S = ‖y‖²/⟨y,q⟩ makes ⟨x̄,x̂⟩ = ‖x‖ exactly)', () => {
    for (const m of r.methods) expect(m.recall.at10).toBeGreaterThanOrEqual(m.recall.at1);
    expect(r.methods[2].ip.slope).toBeCloseTo(1, 5);
    // The MSE scale shrinks: slope ≈ 1 − D_2 = 0.8825 at large d (ALGORITHMS.md); below 1 here.
    expect(r.methods[1].ip.slope).toBeLessThan(0.95);
  });

  it('PQ bits per coordinate by hand: M = ⌈d/subdim⌉ indices of `bits` bits', () => {
    const pq = r.methods.find((m) => m.kind === 'pq');
    expect(pq?.bitsPerCoord).toBe((16 * 4) / 32); // 16 subspaces × 4 bits / 32 coordinates = 2
    expect(pq?.codebookBits).toBeCloseTo((16 * 16 * 2 * 32) / (560 * 32), 12);
    const odd = productQuantize(new Float32Array(50 * 10), 50, 10, 3, 3, 2, createRngFactory(1));
    expect(odd.subspaces).toBe(4); // ⌈10/3⌉
    expect(odd.codeBits).toBeCloseTo((4 * 3) / 10, 12);
  });

  it('PQ with as many centroids as rows reproduces every row exactly', () => {
    const m = generateData('gaussian', { rows: 8, dim: 4 }, 2);
    const out = productQuantize(m.data, 8, 4, 2, 3, 5, createRngFactory(1));
    expect(Array.from(out.xHat)).toEqual(Array.from(m.data));
  });
});

describe('seed spread', () => {
  it('Student t quantile matches scipy.stats.t.ppf(0.975, 10) = 2.2281388519649385', () => {
    expect(studentTQuantile(0.975, 10)).toBeCloseTo(2.2281388519649385, 9);
  });

  it('95% CI of turboquant-mse vNMSE after Haar contains the exact Beta Lloyd–Max distortion (scipy fixture, d = 64, b = 2)', () => {
    const ref = codebooks.sphereCodebooks.find((c) => c.d === 64 && c.bits === 2)?.distortion ?? NaN;
    const data = generateData('gaussian', { rows: 64, dim: 64 }, 11);
    const r = run<SeedsResult>(
      seedsAnalysis,
      data,
      [pl('haar', {}, 'turboquant-mse', { bits: 2 }), pl('haar', {}, 'eden', { bits: 2, scale: 'mse' })],
      { count: 24 },
      11,
    );
    const s = r.pipelines[0].stats.vnmse;
    expect(r.seeds.length).toBe(24);
    expect(new Set(r.seeds).size).toBe(24);
    expect(s.lo).toBeLessThan(ref);
    expect(s.hi).toBeGreaterThan(ref);
    // EDEN's MSE-optimal scale beats S = 1 on every seed (EDEN note, CATALOGUE §1.A.1).
    const pair = r.pairs.find((p) => p.metric === 'vnmse');
    expect(pair?.pWin).toBe(0);
  });
});

describe('scale-rule explorer', () => {
  it('S = 1 with the exact Beta codebook matches the scipy Lloyd–Max distortion at d = 16 and 64', () => {
    const r = run<ScaleRuleResult>(scaleRuleAnalysis, tiny, [], {
      bits: 2,
      minDim: 16,
      maxDim: 64,
      samples: 4000,
    });
    const s = r.series.find((x) => x.rule === 'one' && x.codebook === 'beta');
    for (const d of [16, 64]) {
      const ref = codebooks.sphereCodebooks.find((c) => c.d === d && c.bits === 2)?.distortion ?? NaN;
      const i = r.dims.indexOf(d);
      expect(Math.abs((s?.vnmse[i] ?? NaN) - ref)).toBeLessThan(4 * (s?.se[i] ?? 0));
    }
    // Gaussian D_2 = 0.117482 (ALGORITHMS.md, Max 1960).
    expect(r.gaussianD).toBeCloseTo(0.117482, 5);
  });
});

describe('adversarial data sources', () => {
  it('one-hot rows have one non-zero of magnitude `amplitude`', () => {
    const m = generateData('one-hot', { rows: 20, dim: 16, amplitude: 3, placement: 'random' }, 1);
    for (let i = 0; i < 20; i++) {
      const row = Array.from(m.data.subarray(i * 16, i * 16 + 16));
      expect(row.filter((v) => v !== 0).map(Math.abs)).toEqual([3]);
    }
  });

  it('hadamard-rows are unit ±1/√n vectors, pairwise orthogonal or parallel (Sylvester H_16)', () => {
    const m = generateData('hadamard-rows', { rows: 12, dim: 16, amplitude: 1 }, 1);
    for (let i = 0; i < 12; i++)
      for (let k = 0; k < 12; k++) {
        let dot = 0;
        for (let j = 0; j < 16; j++) dot += m.data[i * 16 + j] * m.data[k * 16 + j];
        expect([0, 1].some((v) => Math.abs(Math.abs(dot) - v) < 1e-6)).toBe(true);
      }
  });

  it('correlated-channels: unit variance and lag-1 correlation ρ (AR(1))', () => {
    const m = generateData('correlated-channels', { rows: 400, dim: 64, rho: 0.9 }, 1);
    let s2 = 0;
    let s11 = 0;
    let n = 0;
    for (let i = 0; i < 400; i++)
      for (let j = 1; j < 64; j++) {
        s2 += m.data[i * 64 + j] ** 2;
        s11 += m.data[i * 64 + j] * m.data[i * 64 + j - 1];
        n++;
      }
    expect(s2 / n).toBeCloseTo(1, 1);
    expect(s11 / n).toBeCloseTo(0.9, 1);
  });

  it('sparse-spikes: exactly `spikes` entries of magnitude `scale` per row when noise = 0', () => {
    const m = generateData('sparse-spikes', { rows: 10, dim: 32, spikes: 5, scale: 20, noise: 0 }, 1);
    for (let i = 0; i < 10; i++)
      expect(Array.from(m.data.subarray(i * 32, i * 32 + 32)).filter((v) => Math.abs(v) === 20).length).toBe(
        5,
      );
  });

  it('clustered with normalize gives unit rows', () => {
    const m = generateData('clustered', { rows: 10, dim: 8, clusters: 3, noise: 0.5, normalize: true }, 1);
    for (let i = 0; i < 10; i++) expect(Math.hypot(...m.data.subarray(i * 8, i * 8 + 8))).toBeCloseTo(1, 5);
  });
});
