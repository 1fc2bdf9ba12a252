/**
 * Exact (deterministic, non-randomized) truncated SVD of a dense rows × cols matrix, for methods
 * whose low-rank part must be the best rank-r approximation itself (Eckart–Young), not a sketch:
 * GEAR's residual and Palu's projection.
 *
 * Algorithm: the symmetric eigendecomposition (src/core/linalg/eig.ts, Golub & Van Loan §8.3) of
 * the Gram matrix of the smaller side, G = AᵀA (cols ≤ rows) or AAᵀ (rows < cols): its
 * eigenvalues are σ_i², its eigenvectors the right (resp. left) singular vectors, and the other
 * side follows as u_i = A v_i / σ_i (resp. v_i = Aᵀu_i / σ_i). Cost O(rows·cols·min + min³).
 *
 * Precision: the Gram squares the condition number, so σ_i below ≈ 1e−8·σ_max lose relative
 * accuracy (see `singularValues`); directions with σ_i² ≤ 1e−24·σ_max² are dropped as numerically
 * zero. The rank-r approximation Σ_{i<r} σ_i u_i v_iᵀ is formed by callers as the projection
 * A·V_r·V_rᵀ (or U_r·U_rᵀ·A), which is exact in the span of the computed vectors.
 */
import { symmetricEigen } from './eig';

export interface ExactSvd {
  /** Singular values, descending (at most k; numerically zero ones dropped). */
  readonly sigma: Float64Array;
  /** Left singular vectors, each of length rows. */
  readonly u: readonly Float64Array[];
  /** Right singular vectors, each of length cols. */
  readonly v: readonly Float64Array[];
}

/** The top-k singular triplets of the row-major rows × cols matrix `a`. */
export function exactTruncatedSvd(a: ArrayLike<number>, rows: number, cols: number, k: number): ExactSvd {
  if (a.length < rows * cols)
    throw new RangeError(`exactTruncatedSvd: ${a.length} entries < ${rows}×${cols}`);
  const n = Math.min(rows, cols);
  const want = Math.max(0, Math.min(k, n));
  if (want === 0) return { sigma: new Float64Array(0), u: [], v: [] };
  const rightGram = cols <= rows;
  const G = new Float64Array(n * n);
  if (rightGram) {
    for (let r = 0; r < rows; r++) {
      const base = r * cols;
      for (let i = 0; i < cols; i++) {
        const ai = a[base + i];
        if (ai === 0) continue;
        const gi = i * n;
        for (let j = i; j < cols; j++) G[gi + j] += ai * a[base + j];
      }
    }
  } else {
    for (let i = 0; i < rows; i++)
      for (let j = i; j < rows; j++) {
        let s = 0;
        for (let t = 0; t < cols; t++) s += a[i * cols + t] * a[j * cols + t];
        G[i * n + j] = s;
      }
  }
  const eig = symmetricEigen(G, n);
  const vecs = eig.vectors as Float64Array;
  const top = eig.values[0];
  const sigma: number[] = [];
  const us: Float64Array[] = [];
  const vs: Float64Array[] = [];
  for (let i = 0; i < want; i++) {
    const lam = eig.values[i];
    if (!(lam > 0) || !(lam > 1e-24 * top)) break;
    const s = Math.sqrt(lam);
    const e = vecs.slice(i * n, (i + 1) * n);
    if (rightGram) {
      const u = new Float64Array(rows);
      for (let r = 0; r < rows; r++) {
        let acc = 0;
        for (let t = 0; t < cols; t++) acc += a[r * cols + t] * e[t];
        u[r] = acc / s;
      }
      us.push(u);
      vs.push(e);
    } else {
      const v = new Float64Array(cols);
      for (let r = 0; r < rows; r++) {
        const er = e[r];
        if (er === 0) continue;
        for (let t = 0; t < cols; t++) v[t] += er * a[r * cols + t];
      }
      for (let t = 0; t < cols; t++) v[t] /= s;
      us.push(e);
      vs.push(v);
    }
    // Sign convention (header): the largest-magnitude entry of v_i is positive.
    const v = vs[vs.length - 1];
    const u = us[us.length - 1];
    let arg = 0;
    for (let t = 1; t < cols; t++) if (Math.abs(v[t]) > Math.abs(v[arg])) arg = t;
    if (v[arg] < 0) {
      for (let t = 0; t < cols; t++) v[t] = -v[t];
      for (let r = 0; r < rows; r++) u[r] = -u[r];
    }
    sigma.push(s);
  }
  return { sigma: Float64Array.from(sigma), u: us, v: vs };
}
