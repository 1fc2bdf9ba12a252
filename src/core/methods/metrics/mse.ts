/**
 * MSE: mean over all entries of (x − x̂)² (CONTRACT.md §5). Scale-dependent, unlike vNMSE; on
 * unit-variance data the two agree in expectation.
 */
import type { MetricDef } from '../types';

export const mseMetric: MetricDef = {
  id: 'mse',
  label: 'MSE',
  description: 'mean over all entries of (x−x̂)²',
  better: 'lower',
  // Σ(x−x̂)² over rows·dim entries: a sum of squared row norms, unchanged by U (outDim = dim).
  orthogonalInvariance: 'invariant',
  fromSums: (s) => (s.entries > 0 ? s.err / s.entries : NaN),
  compute(x, xHat) {
    const { data } = x;
    let err = 0;
    for (let j = 0; j < data.length; j++) {
      const e = data[j] - xHat[j];
      err += e * e;
    }
    return data.length > 0 ? err / data.length : NaN;
  },
};
