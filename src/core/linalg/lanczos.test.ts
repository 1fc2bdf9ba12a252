/**
 * estimateSpectrum: the SLQ estimate agrees with the exact singular values: the top
 * singular value to high accuracy and the whole distribution in Kolmogorov distance.
 */
import { describe, expect, it } from 'vitest';
import { singularValues } from './eig';
import { estimateSpectrum } from './lanczos';
import { createRngFactory } from '../rng';

function matrix(rows: number, cols: number): Float32Array {
  const a = new Float32Array(rows * cols);
  createRngFactory(4).stream('data', 'slq-test', rows, cols).fillNormal(a);
  // Two planted spikes above the Marchenko–Pastur bulk.
  for (let j = 0; j < cols; j++) {
    a[j] += 3 * Math.sin(j);
    a[cols + j] += 2 * Math.cos(3 * j);
  }
  return a;
}

/** Kolmogorov distance between a weighted discrete measure and the empirical law of `exact`. */
function ksDistance(values: Float64Array, weights: Float64Array, exact: Float64Array): number {
  const pts = [...exact].sort((x, y) => x - y);
  let worst = 0;
  for (const t of pts) {
    let fe = 0;
    for (const v of exact) if (v <= t) fe += 1 / exact.length;
    let fs = 0;
    for (let i = 0; i < values.length; i++) if (values[i] <= t) fs += weights[i];
    worst = Math.max(worst, Math.abs(fe - fs));
  }
  return worst;
}

describe('estimateSpectrum', () => {
  for (const [rows, cols] of [
    [150, 220],
    [220, 150],
  ] as const) {
    it(`${rows}×${cols}: SLQ agrees with the exact singular values`, () => {
      const a = matrix(rows, cols);
      const exact = singularValues(a, rows, cols);
      const est = estimateSpectrum(a, rows, cols, { exactMaxK: 0, probes: 8, steps: 40 });
      expect(est.method).toBe('slq');
      expect(est.k).toBe(150);
      let total = 0;
      for (const w of est.weights) total += w;
      expect(Math.abs(total - 1)).toBeLessThan(1e-9);
      expect(Math.abs(est.values[0] - exact[0]) / exact[0]).toBeLessThan(1e-6);
      expect(ksDistance(est.values, est.weights, exact)).toBeLessThan(0.12);
    });
  }

  it('small matrices take the exact path', () => {
    const a = matrix(20, 30);
    const est = estimateSpectrum(a, 20, 30);
    expect(est.method).toBe('exact');
    expect([...est.values]).toEqual([...singularValues(a, 20, 30)]);
  });
});
