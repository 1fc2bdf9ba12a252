/**
 * Cosine similarity: mean over rows of ⟨x,x̂⟩ / (‖x‖‖x̂‖) (CONTRACT.md §5). Dead rows
 * (‖x_i‖ ≤ 1e-12·max_j‖x_j‖, zero rows included; dead-rows.ts) are skipped; a zero
 * reconstruction of a live row scores 0.
 */
import type { MetricDef } from '../types';
import { liveThreshold, rowNormsSq } from './dead-rows';

export const cosineMetric: MetricDef = {
  id: 'cosine',
  label: 'cosine',
  description: 'mean over rows of ⟨x,x̂⟩/(‖x‖‖x̂‖)',
  better: 'higher',
  // Inner products and norms per row (and the dead-row threshold): unchanged by U.
  orthogonalInvariance: 'invariant',
  fromSums: (s) => (s.nonzeroRows > 0 ? s.cosineSum / s.nonzeroRows : NaN),
  compute(x, xHat) {
    const { rows, cols, data } = x;
    const thr = liveThreshold(rowNormsSq(x));
    let sum = 0;
    let counted = 0;
    for (let i = 0; i < rows; i++) {
      let dot = 0;
      let nx = 0;
      let nh = 0;
      for (let j = i * cols, end = j + cols; j < end; j++) {
        const a = data[j];
        const b = xHat[j];
        dot += a * b;
        nx += a * a;
        nh += b * b;
      }
      if (nx > thr) {
        sum += nh > 0 ? dot / Math.sqrt(nx * nh) : 0;
        counted++;
      }
    }
    return counted > 0 ? sum / counted : NaN;
  },
};
