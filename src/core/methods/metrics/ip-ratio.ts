/**
 * Inner-product ratio: Σ⟨x,x̂⟩ / Σ‖x‖² (CONTRACT.md §5).
 *
 * For an estimator with E[x̂] = x (unbiased EDEN, QJL, TurboQuant_prod) this tends to 1; for
 * MSE-optimal quantizers it shows the shrinkage: E[x̂] = (1 − D_b)·x for S = 1 Lloyd–Max
 * (CATALOGUE.md §2.1), the bias TurboQuant's abstract warns about.
 */
import type { MetricDef } from '../types';

export const ipRatioMetric: MetricDef = {
  id: 'ipRatio',
  label: 'ip ratio',
  description: 'Σ⟨x,x̂⟩/Σ‖x‖² (1 = unbiased, <1 = shrinking)',
  better: 'closer-to-1',
  // Σ⟨x,x̂⟩ / Σ‖x‖²: inner products, unchanged when U maps x and x̂.
  orthogonalInvariance: 'invariant',
  fromSums: (s) => (s.signal > 0 ? s.dot / s.signal : NaN),
  compute(x, xHat) {
    const { data } = x;
    let dot = 0;
    let norm = 0;
    for (let j = 0; j < data.length; j++) {
      const v = data[j];
      dot += v * xHat[j];
      norm += v * v;
    }
    return norm > 0 ? dot / norm : NaN;
  },
};
