/**
 * The transformed metric domain (pipeline.ts RunOptions.metricDomain, CONTRACT.md §5): metrics of
 * an orthogonal, dim-keeping chain computed on (y, ŷ) instead of (x, x̂ = T⁻¹ŷ).
 *
 * References, both independent of the code under test:
 *  - numpy (fixtures/gen_metric_domain.py): vNMSE and ip-nvar in the DATA domain, float64, from
 *    their definitions, for a Haar and a randomized-Hadamard U; the metric code gets (Ux, ŷ, Uq).
 *  - the data-domain run itself (the path the saved links and every numpy reference check): each
 *    invariant metric in transformed mode must equal it within the float32 rounding bound derived
 *    below, for every orthogonal transform, two chains and several quantizers, whole and streamed.
 *
 * Rounding bound. With u = 2⁻²⁴, every stage's output coordinates rounded to float32 after at most
 * log2(d) float32 butterfly stages (4 rounds at most) or a float64 product, ‖fl(Tz) − Tz‖ ≤ γ‖z‖
 * with γ = 4·(log2 d + 2)·u per stage (the contract test checks the same γ), summed over the chain.
 * Data domain: e_d = x − fl(T⁻¹ŷ); transformed: e_t = fl(Tx) − ŷ. T⁻¹e_t − e_d = T⁻¹δ_f + δ_i, so
 * per row |‖e_t‖ − ‖e_d‖| ≤ Δ := γ(‖x‖ + ‖ŷ‖) ≤ γ(2‖x‖ + ‖e‖) and |‖y‖ − ‖x‖| ≤ γ‖x‖. Hence, with
 * r = ‖e‖²/‖x‖² per row and v its mean (Jensen: mean √r ≤ √v), S = Σ‖x‖², E = Σ‖e‖²:
 *   vnmse  |Δ| ≤ [2γ(2√v + v) + γ²(2 + √v)² + v(2γ + γ²)] / (1 − γ)²
 *   mse    |ΔE| ≤ 2√E·γ(2√S + √E) + γ²(2√S + √E)²  (Cauchy–Schwarz over rows), Δmse = ΔE/(rows·d)
 *   sqnrDb |Δ| ≤ (10/ln 10)·(−ln(1 − |ΔE|/E) − ln(1 − 2γ − γ²))
 *   cosine |Δ| ≤ 4γ(1 + γ)  (each unit direction moves by ≤ 2× its relative perturbation)
 *   ipRatio |Δ| ≤ 2γ(1 + √(E/S))(1 + γ) + |ratio|·(2γ + γ²)/(1 − γ)²
 *   ipNvar: each query dot moves by ≤ γ_q‖e_t‖ + Δ (γ_q = γ + u: the queries are mapped by the
 *     float32 forward), so per row by ‖x‖(A + B√r) with A = 2γ(1 + γ_q), B = γ + γ_q(1 + γ); over
 *     rows (Cauchy–Schwarz) |Δ| ≤ 2√(d·p)(A + B√v) + d(2A² + 2B²v) + p(2γ + γ²)/(1 − γ)², p = ip-nvar.
 * Second-order cross terms are covered by a factor 1.5 on every bound.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import fixtures from './testing/fixtures/metric_domain.json';
import { withDefaults } from './methods/params';
import { METRICS, quantizersById, transformsById } from './methods';
import { haarTransform } from './methods/transforms/haar';
import { vnmseMetric } from './methods/metrics/vnmse';
import { ipNvarMetric } from './methods/metrics/ip-nvar';
import type { Matrix, Params } from './methods/types';
import { createRngFactory } from './rng';
import { runExperiment, type MethodRef, type PipelineSpec } from './pipeline';

const U = 2 ** -24;
const ROWS = 32;
const DIM = 64;

function matrix(seed: number, rows = ROWS, dim = DIM): Matrix {
  const rng = createRngFactory(seed).stream('data', 'metric-domain');
  const data = new Float32Array(rows * dim);
  for (let i = 0; i < data.length; i++) data[i] = rng.normal() * (i % dim === 5 ? 10 : 1);
  // A numerically dead row (fp32 denormals) and an exact zero row: skipped in both domains.
  data.fill(1e-39, 4 * dim, 5 * dim);
  data.fill(0, 9 * dim, 10 * dim);
  return { rows, cols: dim, data };
}

const ref = (id: string, params: Record<string, unknown> = {}): MethodRef => {
  const t = transformsById.get(id) ?? quantizersById.get(id);
  if (!t) throw new Error(id);
  return { id, params: withDefaults(t.params, params as Params) };
};

/** Every orthogonal transform (dim 64 is kept by each), and two chains. */
const CHAINS: MethodRef[][] = [
  [],
  [ref('wht')],
  [ref('rht')],
  [ref('rht', { rounds: 2 })],
  [ref('block-hadamard')],
  [ref('haar')],
  [ref('dct')],
  [ref('pca')],
  [ref('duquant')],
  [ref('duquant', { variant: 'duquant' })],
  [ref('permute')],
  [ref('klt')],
  [ref('rht'), ref('haar')],
  [ref('permute', { mode: 'zigzag' }), ref('block-hadamard')],
];
const QUANTIZERS: MethodRef[] = [
  ref('int', { bits: 4 }),
  ref('eden', { bits: 2, scale: 'mse' }),
  ref('mxfp4'),
  ref('nvfp4'),
  ref('turboquant-prod', { bits: 3 }),
];

function gammaOf(chain: readonly MethodRef[]): number {
  return chain.length * 4 * (Math.log2(DIM) + 2) * U;
}

/** The bound of the header for one metric, given the data-domain values. */
function bound(id: string, g: number, m: Record<string, number>): number {
  const v = m.vnmse;
  const S = 1; // only ratios of S and E enter: E/S = 10^(−sqnrDb/10)
  const E = S * 10 ** (-m.sqnrDb / 10);
  const dE =
    2 * Math.sqrt(E) * g * (2 * Math.sqrt(S) + Math.sqrt(E)) + g * g * (2 * Math.sqrt(S) + Math.sqrt(E)) ** 2;
  const den = (1 - g) ** 2;
  let b: number;
  switch (id) {
    case 'vnmse':
      b = (2 * g * (2 * Math.sqrt(v) + v) + g * g * (2 + Math.sqrt(v)) ** 2 + v * (2 * g + g * g)) / den;
      break;
    case 'mse':
      b = m.mse * (dE / E);
      break;
    case 'sqnrDb':
      b = (10 / Math.LN10) * (-Math.log(1 - dE / E) - Math.log(1 - 2 * g - g * g));
      break;
    case 'cosine':
      b = 4 * g * (1 + g);
      break;
    case 'ipRatio':
      b = 2 * g * (1 + Math.sqrt(E / S)) * (1 + g) + (Math.abs(m.ipRatio) * (2 * g + g * g)) / den;
      break;
    case 'ipNvar': {
      const gq = g + U;
      const A = 2 * g * (1 + gq);
      const B = g + gq * (1 + g);
      const p = m.ipNvar;
      b =
        2 * Math.sqrt(DIM * p) * (A + B * Math.sqrt(v)) +
        DIM * (2 * A * A + 2 * B * B * v) +
        (p * (2 * g + g * g)) / den;
      break;
    }
    default:
      throw new Error(`no bound for ${id}`);
  }
  return 1.5 * b;
}

const pipelines: PipelineSpec[] = CHAINS.flatMap((transforms) =>
  QUANTIZERS.map((quantizer) => ({ transforms, quantizer })),
);

describe('transformed metric domain', () => {
  const x = matrix(3);
  const spec = { seed: 11, pipelines };
  const data = runExperiment(spec, x);
  const transformed = runExperiment(spec, x, { metricDomain: 'transformed' });
  const streamed = runExperiment(spec, x, { metricDomain: 'transformed', rowBlock: 7 * DIM });

  it('covers every metric: each declares how it behaves under an orthogonal map', () => {
    for (const m of METRICS) expect(m.orthogonalInvariance, m.id).toBeDefined();
  });

  it('equals the data-domain numbers within the float32 rounding bound, for every metric', () => {
    let worstUse = 0;
    pipelines.forEach((p, i) => {
      const a = data[i];
      const b = transformed[i];
      expect(a.metricDomain).toBeUndefined();
      expect(b.metricDomain, b.label).toBe('transformed');
      expect(b.bitsPerCoord).toBe(a.bitsPerCoord);
      const g = gammaOf(p.transforms);
      for (const m of METRICS) {
        const diff = Math.abs(b.metrics[m.id] - a.metrics[m.id]);
        const lim = bound(m.id, Math.max(g, U), a.metrics);
        expect(diff, `${b.label} ${m.id}: ${a.metrics[m.id]} vs ${b.metrics[m.id]}`).toBeLessThanOrEqual(lim);
        if (lim > 0) worstUse = Math.max(worstUse, diff / lim);
      }
    });
    // The bound is not vacuous: real differences exist and stay well inside it.
    expect(worstUse).toBeGreaterThan(0);
    expect(worstUse).toBeLessThan(1);
  });

  it('an empty chain is the data domain itself: bit-identical', () => {
    pipelines.forEach((p, i) => {
      if (!p.transforms.length) expect(transformed[i].metrics).toEqual(data[i].metrics);
    });
  });

  it('row streaming gives the same bits in the transformed domain', () => {
    transformed.forEach((r, i) => expect(streamed[i].metrics, r.label).toEqual(r.metrics));
  });

  it('leaves non-orthogonal and dim-changing chains in the data domain, bit for bit', () => {
    const x48 = matrix(5, ROWS, 48);
    const others: PipelineSpec[] = [
      { transforms: [ref('wht')], quantizer: ref('int', { bits: 4 }) }, // pads 48 → 64
      { transforms: [ref('block-hadamard', { block: 32 })], quantizer: ref('mxfp4') }, // pads to 64
      { transforms: [ref('smoothquant')], quantizer: ref('int', { bits: 4 }) },
      { transforms: [ref('smoothquant'), ref('rht', { size: 'exact' })], quantizer: ref('nvfp4') },
      { transforms: [ref('flatquant')], quantizer: ref('int', { bits: 4 }) },
    ];
    const a = runExperiment({ seed: 2, pipelines: others }, x48);
    const b = runExperiment({ seed: 2, pipelines: others }, x48, { metricDomain: 'transformed' });
    b.forEach((r, i) => {
      expect(r.metricDomain, r.label).toBeUndefined();
      expect(r.metrics, r.label).toEqual(a[i].metrics);
    });
  });
});

describe('the inverse transform in the transformed domain', () => {
  afterEach(() => vi.restoreAllMocks());

  /** Counts calls of the prepared haar rotation's inverse. */
  function countHaarInverses(): { calls: number } {
    const counter = { calls: 0 };
    const prepare = haarTransform.prepare.bind(haarTransform);
    vi.spyOn(haarTransform, 'prepare').mockImplementation((params, ctx) => {
      const p = prepare(params, ctx);
      return {
        ...p,
        inverse: (input, rows, out) => {
          counter.calls++;
          p.inverse(input, rows, out);
        },
      };
    });
    return counter;
  }

  const spec = {
    seed: 4,
    pipelines: [
      { transforms: [ref('haar')], quantizer: ref('eden', { bits: 2, scale: 'mse' }) },
      { transforms: [ref('haar')], quantizer: ref('int', { bits: 4 }) },
    ],
  };

  it('is never run, whole or streamed', () => {
    const x = matrix(6);
    const counter = countHaarInverses();
    runExperiment(spec, x);
    expect(counter.calls).toBeGreaterThan(0); // the counter does see the data domain's inverses
    counter.calls = 0;
    runExperiment(spec, x, { metricDomain: 'transformed' });
    runExperiment(spec, x, { metricDomain: 'transformed', rowBlock: 5 * DIM });
    expect(counter.calls).toBe(0);
  });

  it('still runs for a collector, which gets x̂, and the metrics do not change', () => {
    const x = matrix(6);
    const plain = runExperiment(spec, x, { metricDomain: 'transformed' });
    const counter = countHaarInverses();
    const seen: number[] = [];
    const collected = runExperiment(spec, x, {
      metricDomain: 'transformed',
      collect: (b) => {
        let err = 0;
        for (let i = 0; i < b.xHat.length; i++) err += (b.xHat[i] - x.data[i]) ** 2;
        seen.push(err);
      },
    });
    expect(counter.calls).toBe(2);
    expect(seen.every((e) => e > 0 && Number.isFinite(e))).toBe(true);
    collected.forEach((r, i) => expect(r.metrics).toEqual(plain[i].metrics));
  });
});

describe('against numpy (fixtures/gen_metric_domain.py)', () => {
  it.each(fixtures.cases.map((c) => [c.map, c] as const))(
    '%s: vNMSE and ip-nvar on (Ux, ŷ, Uq) equal numpy’s data-domain values',
    (_name, c) => {
      const y: Matrix = { rows: c.rows, cols: c.dim, data: Float32Array.from(c.y) };
      const yHat = Float32Array.from(c.yHat);
      const mapped = Float64Array.from(c.mappedQueries);
      const ctx = {
        rng: createRngFactory(1),
        mapProbes: (_probes: Float64Array, count: number) => {
          expect(count).toBe(c.queries);
          return mapped;
        },
      };
      // Bound: the fixture's y and ŷ are float32 roundings of Ux (γ = u per row norm); v ≈ 0.01.
      const g = 2 * U;
      const v = c.vnmse;
      expect(Math.abs(vnmseMetric.compute(y, yHat, ctx) - v)).toBeLessThanOrEqual(
        1.5 * (2 * g * (2 * Math.sqrt(v) + v) + g * g * 9 + v * 3 * g),
      );
      const p = c.ipNvar;
      const A = 2 * g * (1 + g);
      const B = 2 * g;
      expect(Math.abs(ipNvarMetric.compute(y, yHat, ctx) - p)).toBeLessThanOrEqual(
        1.5 *
          (2 * Math.sqrt(c.dim * p) * (A + B * Math.sqrt(v)) +
            c.dim * (2 * A * A + 2 * B * B * v) +
            p * 3 * g),
      );
    },
  );
});
