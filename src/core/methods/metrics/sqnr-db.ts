/**
 * SQNR in dB: 10·log10(Σx² / Σ(x−x̂)²) (CONTRACT.md §5). Signal-to-quantization-noise ratio over
 * the whole tensor; +Infinity for an exact reconstruction. Each extra bit of a good scalar
 * quantizer adds ≈ 6.02 dB (20·log10 2).
 */
import type { MetricDef } from '../types';

export const sqnrDbMetric: MetricDef = {
  id: 'sqnrDb',
  label: 'SQNR (dB)',
  description: '10·log10(Σx² / Σ(x−x̂)²)',
  better: 'higher',
  // Σx² / Σ(x−x̂)²: squared norms, unchanged when U maps x and x̂.
  orthogonalInvariance: 'invariant',
  fromSums: (s) => (s.err === 0 ? (s.signal > 0 ? Infinity : NaN) : 10 * Math.log10(s.signal / s.err)),
  compute(x, xHat) {
    const { data } = x;
    let signal = 0;
    let err = 0;
    for (let j = 0; j < data.length; j++) {
      const v = data[j];
      const e = v - xHat[j];
      signal += v * v;
      err += e * e;
    }
    if (err === 0) return signal > 0 ? Infinity : NaN;
    return 10 * Math.log10(signal / err);
  },
};
