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
 * Bits: free with basis = 'fused' (V folded into the neighbouring layers); basis = 'stored' charges
 * the dense basis as dim² fp16 entries, sideInfoBits = 16·dim² over the rows × dim matrix.
 * Invariants: orthogonal to float64 precision (‖VᵀV − I‖ ≈ 1e−13 at d = 1024), ‖forward(x)‖ = ‖x‖.
 * Cost (rows ≥ dim, dense path): prepare rows·dim²/2 (second moment) + O(dim³) for the
 * eigenvectors (≈ 6 s in node at dim = 1024, measured); apply dim² multiply-adds per row each way;
 * storage dim² float64.
 *
 * Gram path (rows < dim, ): XᵀX has rank ≤ rows, and its nonzero eigenpairs come from the
 * small Gram matrix G = X·Xᵀ/rows: G·u = λu ⇒ C·(Xᵀu) = λ·(Xᵀu), so v = Xᵀu/‖Xᵀu‖ (Golub & Van
 * Loan §8.6, the "snapshot" method of Sirovich 1987). The r ≤ rows eigenvectors with λ > 0 (same
 * sign convention) are completed to an orthonormal basis of ℝ^dim by the Householder QR of the
 * dim × r block V = Q·R (Golub & Van Loan §5.2): B = H_0⋯H_{r−1}·D with D = sign(diag R) has
 * first r columns = v_i (to rounding) and, being a product of reflections stored in float32 with
 * β recomputed from the stored vector, is exactly orthogonal whatever the rounding; its last
 * dim − r columns span the null space, where the data have no energy, so their order is
 * immaterial (the dense path also picks an arbitrary basis there). Cost: rows²·dim/2 + O(rows³) +
 * O(dim·r²) to prepare, ≈ 2·dim·r multiply-adds per row each way (HouseholderApplier, WASM SIMD
 * when available, in float32 arithmetic when numerics.denseProducts asks for it, CONTRACT.md
 * §5.2); storage ≈ dim·r float32. Both paths agree on the principal subspace
 * (pca.test.ts).
 */
import { symmetricEigen } from '../../linalg/eig';
import { HouseholderApplier, reflectorOffset, type HouseholderRotation } from '../../linalg/householder';
import { defineParams, typedParams } from '../params';
import type { ParamSpec, PreparedTransform, TransformDef } from '../types';

/**
 * Whether a data-dependent basis is fused into the neighbouring layers (free, as PCA/KLT, DuQuant
 * and FlatQuant assume) or stored beside the quantized values (charged as fp16 entries through
 * sideInfoBits). Shared by pca and duquant.
 */
export const BASIS_PARAM = {
  kind: 'enum',
  default: 'fused',
  options: ['fused', 'stored'],
  doc: 'fused: the basis is folded into neighbouring layers (free); stored: its entries are stored in fp16 and charged.',
} as const satisfies ParamSpec;

/** Relative eigenvalue floor of the Gram path: below λ_max·rows·ε the direction is noise. */
const GRAM_RANK_TOL = 2.220446049250313e-16;

/**
 * The Gram-path basis B = H_0⋯H_{r−1}·D (see the header) for rows < dim, as a partial Householder
 * product applied by HouseholderApplier: forward = Bᵀx, inverse = B·y.
 */
export function gramPcaBasis(data: Float32Array, rows: number, dim: number): HouseholderRotation {
  if (!(rows < dim)) throw new RangeError(`gramPcaBasis: needs rows < dim, got ${rows} × ${dim}`);
  // G = X Xᵀ / rows (float64, row dot products).
  const G = new Float64Array(rows * rows);
  const inv = 1 / rows;
  for (let i = 0; i < rows; i++) {
    for (let j = i; j < rows; j++) {
      let s = 0;
      for (let t = 0; t < dim; t++) s += data[i * dim + t] * data[j * dim + t];
      G[i * rows + j] = s * inv;
      G[j * rows + i] = s * inv;
    }
  }
  const { values, vectors } = symmetricEigen(G, rows);
  const U = vectors as Float64Array;
  const lmax = Math.max(values[0], 0);
  let r = 0;
  while (r < rows && values[r] > lmax * rows * GRAM_RANK_TOL) r++;
  // V (dim × r, column i at V[i·dim ..]): v_i = Xᵀu_i normalised, largest component positive.
  const V = new Float64Array(r * dim);
  for (let i = 0; i < r; i++) {
    const vi = V.subarray(i * dim, (i + 1) * dim);
    for (let k = 0; k < rows; k++) {
      const u = U[i * rows + k];
      if (u === 0) continue;
      for (let t = 0; t < dim; t++) vi[t] += u * data[k * dim + t];
    }
    let n2 = 0;
    let best = 0;
    for (let t = 0; t < dim; t++) {
      n2 += vi[t] * vi[t];
      if (Math.abs(vi[t]) > Math.abs(vi[best])) best = t;
    }
    const s = (vi[best] < 0 ? -1 : 1) / Math.sqrt(n2);
    for (let t = 0; t < dim; t++) vi[t] *= s;
  }
  // Householder QR of V: reflector k zeroes column k below row k (stable sign choice).
  // r ≤ rows < dim, so all r columns get a reflector (signs beyond r stay +1).
  const K = r;
  const vectorsOut = new Float32Array(K > 0 ? reflectorOffset(dim, K) : 0);
  const betas = new Float64Array(K);
  const signs = new Float64Array(dim).fill(1);
  const h = new Float64Array(dim);
  for (let k = 0; k < K; k++) {
    const col = V.subarray(k * dim, (k + 1) * dim);
    const m = dim - k;
    let ss = 0;
    for (let i = k; i < dim; i++) ss += col[i] * col[i];
    const norm = Math.sqrt(ss);
    const s0 = col[k] >= 0 ? 1 : -1;
    const off = reflectorOffset(dim, k);
    let vv = 0;
    for (let i = 0; i < m; i++) {
      const hi = Math.fround(i === 0 ? col[k] + s0 * norm : col[k + i]);
      h[i] = hi;
      vectorsOut[off + i] = hi;
      vv += hi * hi;
    }
    const beta = vv > 0 ? 2 / vv : 0;
    betas[k] = beta;
    // R_kk = −s0·‖x‖, so column k of Q·D is +v_k when D_k = −s0.
    signs[k] = -s0;
    for (let j = k + 1; j < r; j++) {
      const cj = V.subarray(j * dim, (j + 1) * dim);
      let dot = 0;
      for (let i = 0; i < m; i++) dot += h[i] * cj[k + i];
      const t = beta * dot;
      for (let i = 0; i < m; i++) cj[k + i] -= t * h[i];
    }
  }
  return { d: dim, vectors: vectorsOut, betas, signs };
}

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

const PCA_PARAMS = defineParams({ basis: BASIS_PARAM });

export const pcaTransform: TransformDef = {
  id: 'pca',
  label: 'PCA (KLT)',
  description: 'Eigenvectors of the data second moment XᵀX/rows (uncentered), by decreasing eigenvalue.',
  reference:
    'Karhunen–Loève transform; Jolliffe, Principal Component Analysis (2002) §1; Golub & Van Loan §8.3.',
  params: PCA_PARAMS,
  // A dense symmetric eigendecomposition is O(d³): beyond 4096 it takes minutes in a tab.
  maxDim: 4096,
  // Vᵀ with V's columns orthonormal eigenvectors (dense path) or a Householder product (Gram path).
  orthogonal: true,
  outDim: (_params, dim) => dim,
  sideInfoBits: (params, _rows, dim) =>
    typedParams(PCA_PARAMS, params).basis === 'stored' ? 16 * dim * dim : 0,
  prepare(_params, ctx): PreparedTransform {
    const dim = ctx.dim;
    const { data } = ctx;
    if (data.cols !== dim) throw new RangeError(`pca: data has ${data.cols} columns, expected dim ${dim}`);
    if (data.rows > 0 && data.rows < dim) {
      // numerics.denseProducts (CONTRACT.md §5.2) sets the Householder products' arithmetic.
      const applier = new HouseholderApplier(gramPcaBasis(data.data, data.rows, dim), ctx.denseProducts);
      return {
        outDim: dim,
        forward: (input, rows, out) => applier.transpose(input, rows, out),
        inverse: (input, rows, out) => applier.forward(input, rows, out),
      };
    }
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
