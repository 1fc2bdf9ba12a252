/** Generated data sources against their laws' closed-form moments (fixed seeds, 5-SE tolerances). */
import { describe, expect, it } from 'vitest';
import { createRngFactory } from '../../rng';
import { withDefaults } from '../params';
import { gaussianSource } from './gaussian';
import { studentTSource } from './student-t';
import { outlierChannelsSource, outlierColumns } from './outlier-channels';
import { lowRankSource } from './low-rank';

function moments(a: Float32Array) {
  let s1 = 0,
    s2 = 0;
  for (const v of a) {
    s1 += v;
    s2 += v * v;
  }
  const mean = s1 / a.length;
  return { mean, variance: s2 / a.length - mean * mean };
}

describe('data sources', () => {
  const ctx = { rng: createRngFactory(11) };

  it('gaussian generateRows: blocks of any size give the values of one fill (the stream continues)', () => {
    const p = withDefaults(gaussianSource.params, { rows: 67, dim: 9 });
    const whole = gaussianSource.generate(p, ctx).data;
    const generateRows = gaussianSource.generateRows;
    if (!generateRows) throw new Error('gaussian has no generateRows');
    // 1 row = 9 values (odd: the polar method's spare normal crosses blocks); 30 rows = 270 values
    // (the WASM fill); 67 = one block.
    for (const blockRows of [1, 4, 30, 67, 1000]) {
      const out = new Float32Array(67 * 9);
      const done = [...generateRows.call(gaussianSource, p, ctx, out, blockRows)];
      expect(done[done.length - 1]).toBe(67);
      expect(done.length).toBe(Math.ceil(67 / Math.min(blockRows, 67)));
      expect(out).toEqual(whole);
    }
  });

  it('gaussian: shape, mean 0, variance 1, deterministic', () => {
    const p = withDefaults(gaussianSource.params, { rows: 200, dim: 500 });
    const m = gaussianSource.generate(p, ctx);
    expect([m.rows, m.cols, m.data.length]).toEqual([200, 500, 100_000]);
    const { mean, variance } = moments(m.data);
    expect(Math.abs(mean)).toBeLessThan(5 / Math.sqrt(1e5));
    expect(Math.abs(variance - 1)).toBeLessThan(5 * Math.sqrt(2 / 1e5));
    expect(gaussianSource.generate(p, { rng: createRngFactory(11) }).data).toEqual(m.data);
  });

  it('student-t ν=10: variance ν/(ν−2) = 1.25 and P(|t| > 2.228) = 0.05 (t table, ν=10)', () => {
    const p = withDefaults(studentTSource.params, { rows: 400, dim: 500, nu: 10 });
    const m = studentTSource.generate(p, ctx);
    const { variance } = moments(m.data);
    // Var of t² for ν = 10: E t⁴ − (E t²)² = 3ν²/((ν−2)(ν−4)) − 1.5625 = 6.25 − 1.5625.
    expect(Math.abs(variance - 1.25)).toBeLessThan(5 * Math.sqrt(4.6875 / 2e5));
    const tail = m.data.reduce((c, v) => c + (Math.abs(v) > 2.228 ? 1 : 0), 0) / m.data.length;
    expect(Math.abs(tail - 0.05)).toBeLessThan(5 * Math.sqrt((0.05 * 0.95) / 2e5));
  });

  it('outlier-channels: exactly `channels` columns carry the scale', () => {
    const p = withDefaults(outlierChannelsSource.params, { rows: 300, dim: 128, channels: 5, scale: 50 });
    const m = outlierChannelsSource.generate(p, ctx);
    const cols = outlierColumns(ctx.rng, 128, 5);
    expect(new Set(cols).size).toBe(5);
    const colVar = (c: number) => {
      let s = 0;
      for (let i = 0; i < 300; i++) s += m.data[i * 128 + c] ** 2;
      return s / 300;
    };
    for (let c = 0; c < 128; c++) {
      const v = colVar(c);
      if (cols.includes(c)) expect(v).toBeGreaterThan(2500 * 0.6);
      else expect(v).toBeLessThan(2);
    }
  });

  it('low-rank: with noise 0 the matrix has rank r (r+1-th Gram eigen-direction is empty)', () => {
    const p = withDefaults(lowRankSource.params, { rows: 40, dim: 30, rank: 3, noise: 0 });
    const m = lowRankSource.generate(p, ctx);
    // Gaussian elimination with partial pivoting on the 40×30 matrix: exactly 3 pivots above tolerance.
    const a = Array.from({ length: 40 }, (_, i) => Array.from(m.data.subarray(i * 30, i * 30 + 30), Number));
    let rank = 0;
    for (let col = 0; col < 30 && rank < 40; col++) {
      let piv = rank;
      for (let i = rank; i < 40; i++) if (Math.abs(a[i][col]) > Math.abs(a[piv][col])) piv = i;
      if (Math.abs(a[piv][col]) < 1e-4) continue;
      [a[rank], a[piv]] = [a[piv], a[rank]];
      for (let i = rank + 1; i < 40; i++) {
        const f = a[i][col] / a[rank][col];
        for (let j = col; j < 30; j++) a[i][j] -= f * a[rank][j];
      }
      rank++;
    }
    expect(rank).toBe(3);
  });

  it('low-rank: unit signal variance per entry plus noise²', () => {
    const p = withDefaults(lowRankSource.params, { rows: 400, dim: 400, rank: 16, noise: 0.5 });
    const { variance } = moments(lowRankSource.generate(p, ctx).data);
    // Signal entries are sums of products of Gaussians: the sample variance over 160k correlated
    // entries of a rank-16 matrix fluctuates by a few percent; 15% is a loose, stated bound.
    expect(Math.abs(variance - 1.25) / 1.25).toBeLessThan(0.15);
  });
});
