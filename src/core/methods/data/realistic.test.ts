/** LLM-like weights and AdaHOP-pattern activations against their recipes' closed forms. */
import { describe, expect, it } from 'vitest';
import { createRngFactory } from '../../rng';
import { withDefaults } from '../params';
import { llmWeightsSource } from './llm-weights';
import { activationsSource } from './activations';
import { outlierColumns } from './outlier-channels';

const ctx = { rng: createRngFactory(5) };

function colMeanSquares(data: Float32Array, rows: number, cols: number): Float64Array {
  const out = new Float64Array(cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[j] += data[i * cols + j] ** 2 / rows;
  return out;
}

describe('llm-weights', () => {
  it('unit-variance t entries: kurtosis 3 + 6/(ν−4) = 4 at ν = 10 (no row spread, no outlier columns)', () => {
    const p = withDefaults(llmWeightsSource.params, {
      rows: 400,
      dim: 500,
      nu: 10,
      rowSpread: 0,
      channels: 0,
    });
    const { data } = llmWeightsSource.generate(p, ctx);
    let m2 = 0,
      m4 = 0;
    for (const v of data) {
      m2 += v * v;
      m4 += v ** 4;
    }
    m2 /= data.length;
    m4 /= data.length;
    expect(Math.abs(m2 - 1)).toBeLessThan(0.02);
    // The sample kurtosis of a t10 converges slowly (its 8th moment is large): 10% band at n = 2e5.
    expect(Math.abs(m4 / (m2 * m2) - 4) / 4).toBeLessThan(0.1);
  });

  it('outlier input channels carry scale² the variance; log row scales have σ = rowSpread', () => {
    const rows = 600,
      cols = 256;
    const p = withDefaults(llmWeightsSource.params, {
      rows,
      dim: cols,
      rowSpread: 0.5,
      channels: 4,
      scale: 8,
    });
    const { data } = llmWeightsSource.generate(p, ctx);
    const outliers = outlierColumns(ctx.rng, cols, 4);
    const ms = colMeanSquares(data, rows, cols);
    const inlierMean = ms.reduce((a, v, j) => a + (outliers.includes(j) ? 0 : v), 0) / (cols - 4);
    for (const c of outliers) expect(ms[c] / inlierMean).toBeGreaterThan(64 * 0.7);
    // Row RMS over inlier columns ≈ s_i; log s_i ~ N(0, 0.25).
    const logs: number[] = [];
    for (let i = 0; i < rows; i++) {
      let s = 0;
      for (let j = 0; j < cols; j++) if (!outliers.includes(j)) s += data[i * cols + j] ** 2;
      logs.push(0.5 * Math.log(s / (cols - 4)));
    }
    const mean = logs.reduce((a, b) => a + b, 0) / rows;
    const sd = Math.sqrt(logs.reduce((a, b) => a + (b - mean) ** 2, 0) / (rows - 1));
    expect(Math.abs(sd - 0.5)).toBeLessThan(0.06);
  });
});

describe('activations (AdaHOP patterns)', () => {
  const rows = 128,
    cols = 96;
  const gen = (pattern: string) =>
    activationsSource.generate(
      withDefaults(activationsSource.params, { rows, dim: cols, pattern, count: 3, scale: 50 }),
      ctx,
    );

  it('column-wise: exactly the 3 seeded channels are massive', () => {
    const ms = colMeanSquares(gen('column-wise').data, rows, cols);
    const big = [...ms.keys()].filter((j) => ms[j] > 100);
    expect(big).toEqual(outlierColumns(ctx.rng, cols, 3));
  });

  it('row-wise: exactly 3 tokens are massive, every channel of them', () => {
    const { data } = gen('row-wise');
    const rowMs = Array.from(
      { length: rows },
      (_, i) => data.subarray(i * cols, (i + 1) * cols).reduce((a, v) => a + v * v, 0) / cols,
    );
    expect(rowMs.filter((v) => v > 100).length).toBe(3);
    expect(rowMs.filter((v) => v > 100 || v < 2).length).toBe(rows);
  });

  it('none: no row or column stands out', () => {
    const { data } = gen('none');
    const ms = colMeanSquares(data, rows, cols);
    expect(Math.max(...ms)).toBeLessThan(2);
  });
});
