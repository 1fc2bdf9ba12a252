/**
 * vNMSE: mean over rows of ‖x−x̂‖² / ‖x‖² (CONTRACT.md §5).
 *
 * The "vector normalized MSE" of DRIVE (Vargaftik et al., NeurIPS 2021, §2) and EDEN (ICML 2022):
 * the expectation of this per-vector ratio is what their theory bounds (D_b for biased EDEN,
 * D_b/(1−D_b) for unbiased EDEN). Dead rows (‖x_i‖ ≤ 1e-12·max_j‖x_j‖, zero rows included;
 * dead-rows.ts) have no meaningful ratio and are skipped; if every row is dead the metric is NaN.
 */
import type { MetricDef } from '../types';
import { liveThreshold, rowNormsSq } from './dead-rows';

export const vnmseMetric: MetricDef = {
  id: 'vnmse',
  label: 'vNMSE',
  description: 'mean over rows of ‖x−x̂‖²/‖x‖²',
  better: 'lower',
  // ‖x−x̂‖² and ‖x‖² (and the dead-row threshold) are norms: unchanged when U maps x and x̂.
  orthogonalInvariance: 'invariant',
  fromSums: (s) => (s.nonzeroRows > 0 ? s.relErrSum / s.nonzeroRows : NaN),
  compute(x, xHat) {
    const { rows, cols, data } = x;
    const thr = liveThreshold(rowNormsSq(x));
    let sum = 0;
    let counted = 0;
    for (let i = 0; i < rows; i++) {
      let err = 0;
      let norm = 0;
      for (let j = i * cols, end = j + cols; j < end; j++) {
        const v = data[j];
        const e = v - xHat[j];
        err += e * e;
        norm += v * v;
      }
      if (norm > thr) {
        sum += err / norm;
        counted++;
      }
    }
    return counted > 0 ? sum / counted : NaN;
  },
};
