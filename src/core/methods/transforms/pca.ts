/**
 * PCA / Karhunen–Loève transform: rotate each row into the eigenbasis of the data's second-moment
 * matrix, components ordered by decreasing eigenvalue. The data-dependent optimum for energy
 * compaction (Karhunen 1947, Loève 1948; Jolliffe, "Principal Component Analysis", 2nd ed., §1).
 * CONTRACT.md §3 `pca`.
 *
 * Choice: UNCENTERED second moment C = XᵀX/rows of ctx.data (rows × dim), not the centered
 * covariance. Reason: the transform must be linear and orthogonal (inverse ∘ forward = identity,
 * no stored mean), and what a quantizer sees in coordinate i is E[y_i²] = λ_i exactly under this
 * choice, so the components are ordered by the energy the quantizer must encode. For zero-mean
 * data (gaussian, student-t, outlier-channels, low-rank sources) the two coincide up to sampling.
 *
 * Basis: y = Vᵀx with V's columns the unit eigenvectors of C (src/core/linalg/eig.ts: Householder
 * tridiagonalisation + Wilkinson-shifted implicit QR, float64). Sign convention, for reproducible
 * outputs across platforms: each eigenvector's largest-magnitude component is positive (first one
 * on ties). Repeated eigenvalues (e.g. rank-deficient data, rows < dim) get an arbitrary but
 * deterministic orthonormal basis of their eigenspace.
 *
 * Padding: none, outDim = dim. No randomness (the seed does not enter).
 * Invariants: orthogonal to float64 precision (‖VᵀV − I‖ ≈ 1e−13 at d = 1024), ‖forward(x)‖ = ‖x‖.
 * Cost: prepare rows·dim²/2 (second moment) + O(dim³) for the eigenvectors (≈ 6 s in node at
 * dim = 1024, measured); apply dim² multiply-adds per row each way; storage dim² float64.
 */
import { symmetricEigen } from '../../linalg/eig';
import type { PreparedTransform, TransformDef } from '../types';

/** Uncentered second-moment matrix XᵀX/rows, full symmetric, float64. */
function secondMoment(data: Float32Array, rows: number, dim: number): Float64Array {
  const c = new Float64Array(dim * dim);
  for (let r = 0; r < rows; r++) {
    const base = r * dim;
    for (let i = 0; i < dim; i++) {
      const xi = data[base + i];
      if (xi === 0) continue;
      const ci = i * dim;
      for (let j = i; j < dim; j++) c[ci + j] += xi * data[base + j];
    }
  }
  const inv = rows > 0 ? 1 / rows : 0;
  for (let i = 0; i < dim; i++) {
    for (let j = i; j < dim; j++) {
      const v = c[i * dim + j] * inv;
      c[i * dim + j] = v;
      c[j * dim + i] = v;
    }
  }
  return c;
}

export const pcaTransform: TransformDef = {
  id: 'pca',
  label: 'PCA (KLT)',
  description: 'Eigenvectors of the data second moment XᵀX/rows (uncentered), by decreasing eigenvalue.',
  reference:
    'Karhunen–Loève transform; Jolliffe, Principal Component Analysis (2002) §1; Golub & Van Loan §8.3.',
  params: {},
  // A dense symmetric eigendecomposition is O(d³): beyond 4096 it takes minutes in a tab.
  maxDim: 4096,
  outDim: (_params, dim) => dim,
  prepare(_params, ctx): PreparedTransform {
    const dim = ctx.dim;
    const { data } = ctx;
    if (data.cols !== dim) throw new RangeError(`pca: data has ${data.cols} columns, expected dim ${dim}`);
    const { vectors } = symmetricEigen(secondMoment(data.data, data.rows, dim), dim);
    const V = vectors as Float64Array; // rows of V = eigenvectors, descending eigenvalue
    for (let i = 0; i < dim; i++) {
      let best = 0;
      for (let j = 1; j < dim; j++) if (Math.abs(V[i * dim + j]) > Math.abs(V[i * dim + best])) best = j;
      if (V[i * dim + best] < 0) for (let j = 0; j < dim; j++) V[i * dim + j] = -V[i * dim + j];
    }
    const x = new Float64Array(dim);
    const acc = new Float64Array(dim);
    return {
      outDim: dim,
      forward(input, rows, out) {
        for (let r = 0; r < rows; r++) {
          const base = r * dim;
          for (let j = 0; j < dim; j++) x[j] = input[base + j];
          for (let i = 0; i < dim; i++) {
            const vi = i * dim;
            let s = 0;
            for (let j = 0; j < dim; j++) s += V[vi + j] * x[j];
            out[base + i] = s;
          }
        }
      },
      inverse(input, rows, out) {
        for (let r = 0; r < rows; r++) {
          const base = r * dim;
          acc.fill(0);
          for (let i = 0; i < dim; i++) {
            const yi = input[base + i];
            if (yi === 0) continue;
            const vi = i * dim;
            for (let j = 0; j < dim; j++) acc[j] += yi * V[vi + j];
          }
          for (let j = 0; j < dim; j++) out[base + j] = acc[j];
        }
      },
    };
  },
};
