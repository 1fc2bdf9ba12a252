/**
 * qjl-kv (QJL key cache with outlier channels, arXiv 2406.03482 §4.1) against references derived
 * independently of the code. The true ⟨q, k⟩ is computed directly. The variance of one QJL part
 * comes from a closed form derived below. The planted outlier columns come from the data source's
 * own seeded subset. Bits are added up by hand from the header's formula.
 *
 * Variance reference. For y ≠ 0, u = y/‖y‖, Gaussian S (m × w), and a fixed q = a·u + q⊥, each
 * sketch row gives sign(g)·⟨s, q⟩ = a|g| + sign(g)·h with g ~ N(0,1) and h ~ N(0, ‖q⊥‖²)
 * independent. Its mean is a·√(2/π) and its second moment a² + ‖q⊥‖². So
 * Var⟨q, qjl(y)⟩ = (π/2)·‖y‖²/m · (‖q‖² − (2/π)a²) = ((π/2)‖q‖²‖y‖² − ⟨q,y⟩²)/m.
 * qjl-kv adds two independent parts (disjoint columns of S), with q_in, k_in, m and q_out, k_out, m_o.
 */
import { describe, expect, it } from 'vitest';
import { createRngFactory } from '../../rng';
import { withDefaults } from '../params';
import type { QuantizerDef } from '../types';
import { outlierChannelsSource, outlierColumns } from '../data/outlier-channels';
import { ipNvarMetric } from '../metrics/ip-nvar';
import { qjlQuantizer } from './qjl';
import { qjlKvOutlierChannels, qjlKvQuantizer } from './qjl-kv';

function quantize(
  q: QuantizerDef,
  x: Float32Array,
  rows: number,
  d: number,
  given: Record<string, number>,
  seed: number,
): Float32Array {
  const out = new Float32Array(rows * d);
  q.quantize(x, rows, d, withDefaults(q.params, given), { rng: createRngFactory(seed) }, out);
  return out;
}

function dot(a: ArrayLike<number>, b: ArrayLike<number>, offA = 0, offB = 0, n = a.length): number {
  let s = 0;
  for (let j = 0; j < n; j++) s += a[offA + j] * b[offB + j];
  return s;
}

/** Keys rows × d: N(0,1) entries, with the planted channels multiplied by `scale`. */
function plantedKeys(rows: number, d: number, planted: readonly number[], scale: number, seed: number) {
  const x = new Float32Array(rows * d);
  createRngFactory(seed).stream('data', 'qjl-kv-test').fillNormal(x);
  for (let t = 0; t < rows; t++) for (const c of planted) x[t * d + c] *= scale;
  return x;
}

describe('qjl-kv', () => {
  it('inner products are unbiased, with the closed-form variance (planted outlier channels)', () => {
    const rows = 4;
    const d = 64;
    const planted = [3, 17, 40, 41];
    const x = plantedKeys(rows, d, planted, 20, 1);
    const q = new Float64Array(d);
    createRngFactory(2).stream('data', 'qjl-kv-test-query').fillNormal(q);
    const m = 64;
    const mo = 32;
    const params = { sketch: m, outlierSketch: mo, outliers: 4, group: 0 };
    const N = 2000;
    const sums = new Float64Array(rows);
    const sq = new Float64Array(rows);
    for (let s = 0; s < N; s++) {
      const xh = quantize(qjlKvQuantizer, x, rows, d, params, 1000 + s);
      for (let t = 0; t < rows; t++) {
        const v = dot(q, xh, 0, t * d, d);
        sums[t] += v;
        sq[t] += v * v;
      }
    }
    const isOut = new Set(planted);
    for (let t = 0; t < rows; t++) {
      const truth = dot(q, x, 0, t * d, d);
      // Independent variance: the two parts of the header, each by the closed form above.
      let qIn2 = 0;
      let kIn2 = 0;
      let ipIn = 0;
      let qOut2 = 0;
      let kOut2 = 0;
      let ipOut = 0;
      for (let j = 0; j < d; j++) {
        const k = x[t * d + j];
        if (isOut.has(j)) {
          qOut2 += q[j] * q[j];
          kOut2 += k * k;
          ipOut += q[j] * k;
        } else {
          qIn2 += q[j] * q[j];
          kIn2 += k * k;
          ipIn += q[j] * k;
        }
      }
      const variance =
        ((Math.PI / 2) * qIn2 * kIn2 - ipIn * ipIn) / m +
        ((Math.PI / 2) * qOut2 * kOut2 - ipOut * ipOut) / mo;
      const mean = sums[t] / N;
      const sampleVar = (sq[t] - N * mean * mean) / (N - 1);
      const se = Math.sqrt(variance / N);
      // Mean within 4 standard errors (two-sided p ≈ 6e-5 per row under the null).
      expect(Math.abs(mean - truth), `row ${t}: mean ${mean} vs ${truth} (se ${se})`).toBeLessThan(4 * se);
      // Sample variance of 2000 draws: relative SE ≈ √(2/N)·(kurtosis factor) ≈ 4–6%; allow 20%.
      expect(sampleVar / variance, `row ${t}`).toBeGreaterThan(0.8);
      expect(sampleVar / variance, `row ${t}`).toBeLessThan(1.2);
    }
  });

  it('with planted outlier channels its ipNvar is far below plain qjl at fewer bits (paper §4.1)', () => {
    const rows = 256;
    const d = 128;
    const seed = 7;
    const rng = createRngFactory(seed);
    const data = outlierChannelsSource.generate(
      withDefaults(outlierChannelsSource.params, { rows, dim: d, channels: 8, scale: 10 }),
      { rng },
    );
    const plain = { sketch: 2 * d };
    const kv = { sketch: d, outlierSketch: d / 2, outliers: 8, group: 32 };
    const bitsPlain = qjlQuantizer.bitsPerCoord(withDefaults(qjlQuantizer.params, plain), rows, d);
    const bitsKv = qjlKvQuantizer.bitsPerCoord(withDefaults(qjlKvQuantizer.params, kv), rows, d);
    expect(bitsPlain).toBe(2.25);
    expect(bitsKv).toBeCloseTo(2 + 56 / 4096, 12);
    const nvar = (q: QuantizerDef, p: Record<string, number>) =>
      ipNvarMetric.compute(data, quantize(q, data.data, rows, d, p, seed), { rng });
    const ipPlain = nvar(qjlQuantizer, plain);
    const ipKv = nvar(qjlKvQuantizer, kv);
    // Independent expectations: plain QJL is ((π/2)d − 1)/m (qjl.ts). For qjl-kv average the
    // per-row sum of the two parts' ((π/2)w − 1)/m·‖part‖² over ‖k‖². A uniform query turns
    // E‖e‖² into d·E⟨q,e⟩², so ipNvar estimates these.
    const planted = new Set(outlierColumns(rng, d, 8));
    let expectKv = 0;
    for (let t = 0; t < rows; t++) {
      let kin = 0;
      let kout = 0;
      for (let j = 0; j < d; j++) {
        const v = data.data[t * d + j] ** 2;
        if (planted.has(j)) kout += v;
        else kin += v;
      }
      const err = (((Math.PI / 2) * (d - 8) - 1) / d) * kin + (((Math.PI / 2) * 8 - 1) / (d / 2)) * kout;
      expectKv += err / (kin + kout) / rows;
    }
    const expectPlain = ((Math.PI / 2) * d - 1) / (2 * d);
    // Measured (seed 7): plain 0.746 (expected 0.782), qjl-kv 0.387 (expected 0.377). One sketch
    // is shared by all rows and there are 64 queries, hence the 15% tolerance.
    expect(Math.abs(ipPlain / expectPlain - 1)).toBeLessThan(0.15);
    expect(Math.abs(ipKv / expectKv - 1)).toBeLessThan(0.15);
    expect(ipKv).toBeLessThan(0.6 * ipPlain);
  });

  it('identifies exactly the planted outlier channels, per token group and over all rows', () => {
    const rows = 96;
    const d = 128;
    const rng = createRngFactory(5);
    const data = outlierChannelsSource.generate(
      withDefaults(outlierChannelsSource.params, { rows, dim: d, channels: 8, scale: 10 }),
      { rng },
    );
    const planted = outlierColumns(rng, d, 8);
    expect(planted).toHaveLength(8);
    expect(qjlKvOutlierChannels(data.data, d, 0, rows, 8)).toEqual(planted);
    for (let r0 = 0; r0 < rows; r0 += 32)
      expect(qjlKvOutlierChannels(data.data, d, r0, r0 + 32, 8)).toEqual(planted);
    // Ties go to the lower index: all-equal energies pick channels 0..o−1.
    expect(qjlKvOutlierChannels(new Float32Array(4 * 6).fill(1), 6, 0, 4, 3)).toEqual([0, 1, 2]);
  });

  it('the two parts live on their own channels: outlier reconstruction ignores inlier values', () => {
    const rows = 8;
    const d = 32;
    const planted = [5, 9];
    const params = { sketch: 32, outlierSketch: 16, outliers: 2, group: 0 };
    const a = plantedKeys(rows, d, planted, 30, 3);
    const b = a.slice();
    // Change only inlier channels (kept small, so the outlier set is unchanged).
    for (let t = 0; t < rows; t++) for (let j = 0; j < d; j++) if (!planted.includes(j)) b[t * d + j] *= -0.5;
    const xa = quantize(qjlKvQuantizer, a, rows, d, params, 4);
    const xb = quantize(qjlKvQuantizer, b, rows, d, params, 4);
    for (let t = 0; t < rows; t++) for (const c of planted) expect(xb[t * d + c]).toBe(xa[t * d + c]);
  });

  it('outliers = 0 is plain qjl with the same sketch (up to the fp32 norm)', () => {
    const rows = 20;
    const d = 48;
    const x = plantedKeys(rows, d, [1], 5, 8);
    const a = quantize(qjlKvQuantizer, x, rows, d, { sketch: 40, outliers: 0 }, 12);
    const b = quantize(qjlQuantizer, x, rows, d, { sketch: 40 }, 12);
    for (let i = 0; i < rows * d; i++)
      expect(Math.abs(a[i] - b[i])).toBeLessThanOrEqual(1e-6 * (Math.abs(b[i]) + 1e-3));
  });

  it('bits per coordinate by hand', () => {
    const bits = (given: Record<string, number>, rows: number, d: number) =>
      qjlKvQuantizer.bitsPerCoord(withDefaults(qjlKvQuantizer.params, given), rows, d);
    // Defaults (m = m_o = d = 128, o = 8, group 32), 256 rows: per row 128 + 32 + 128 + 32 bits,
    // plus 8 groups × 8 indices × 7 bits = 448 bits: (256·320 + 448)/(256·128).
    expect(bits({}, 256, 128)).toBe((256 * 320 + 448) / 32768);
    expect(bits({}, 256, 128)).toBe(2.513671875);
    // m = 128, m_o = 64: (256·(160 + 96) + 448)/32768.
    expect(bits({ outlierSketch: 64 }, 256, 128)).toBe(2.013671875);
    // group 0: one index set (56 bits) for all rows.
    expect(bits({ group: 0 }, 256, 128)).toBe((256 * 320 + 56) / 32768);
    // 100 rows, group 32: ⌈100/32⌉ = 4 index sets; d = 100 → ⌈log2 100⌉ = 7 bits per index.
    expect(bits({ sketch: 50, outlierSketch: 10, outliers: 4 }, 100, 100)).toBe(
      (100 * (50 + 32) + 100 * (10 + 32) + 4 * 4 * 7) / (100 * 100),
    );
    // No outliers: exactly qjl's (m + 32)/d.
    expect(bits({ outliers: 0 }, 256, 128)).toBe(1.25);
    // Every channel an outlier: no inlier part and no indices.
    expect(bits({ outliers: 128 }, 10, 128)).toBe((128 + 32) / 128);
    expect(qjlKvQuantizer.describe(withDefaults(qjlKvQuantizer.params))).toBe('m=d o=8 g32');
  });
});
