/**
 * Truncated SVD by randomized subspace iteration, for the low-rank branches of SVDQuant, EoRA and
 * ResQ's PCA subspace: only matrix–vector products with A and Aᵀ, so a rank-32 branch of a
 * 4096 × 4096 weight costs O(rows·cols·(r + p)·(2q + 2)) instead of a dense O(n³) SVD.
 *
 * Reference: Halko, Martinsson & Tropp, "Finding structure with randomness", SIAM Review 2011,
 * Alg. 4.4 (randomized subspace iteration, re-orthonormalised after every product) and Alg. 5.1
 * (direct SVD of B = QᵀA). The small SVD of B uses the k × k Gram BBᵀ (src/core/linalg/eig.ts);
 * the rank-r approximation is formed as the projection Σ_i u_i u_iᵀ A, which is exact in the
 * span of the computed u_i whatever the conditioning of BBᵀ.
 *
 * Exactness: when rank(A) ≤ k the sampled range is range(A) itself, so an exactly rank-r matrix is
 * reproduced to float64 round-off (the property svdquant's test checks). Orthonormalisation is
 * Gram–Schmidt applied twice ("twice is enough", Giraud et al. 2005); a vector whose norm falls
 * below 1e−10 of its norm before projection is dependent and dropped.
 */
import { symmetricEigen } from '../../linalg/eig';
import type { Rng } from '../../rng';
import type { ParamSpec } from '../types';

/** A linear map ℝ^cols → ℝ^rows given by its products. */
export interface LinearOperator {
  readonly rows: number;
  readonly cols: number;
  /** out (length rows) = A·v (v length cols). */
  apply(v: Float64Array, out: Float64Array): void;
  /** out (length cols) = Aᵀ·u (u length rows). */
  applyT(u: Float64Array, out: Float64Array): void;
}

/** The row-major rows × cols matrix `a` as an operator (float64 accumulation). */
export function matrixOperator(a: ArrayLike<number>, rows: number, cols: number): LinearOperator {
  return {
    rows,
    cols,
    apply(v, out) {
      for (let i = 0; i < rows; i++) {
        let s = 0;
        const base = i * cols;
        for (let t = 0; t < cols; t++) s += a[base + t] * v[t];
        out[i] = s;
      }
    },
    applyT(u, out) {
      out.fill(0);
      for (let i = 0; i < rows; i++) {
        const ui = u[i];
        if (ui === 0) continue;
        const base = i * cols;
        for (let t = 0; t < cols; t++) out[t] += ui * a[base + t];
      }
    },
  };
}

/** Product operator A·B (A: rows × m, B: m × cols). */
export function productOperator(a: LinearOperator, b: LinearOperator): LinearOperator {
  const mid = new Float64Array(a.cols);
  return {
    rows: a.rows,
    cols: b.cols,
    apply(v, out) {
      b.apply(v, mid);
      a.apply(mid, out);
    },
    applyT(u, out) {
      a.applyT(u, mid);
      b.applyT(mid, out);
    },
  };
}

/** Operator of the transpose of the row-major rows × cols matrix `a` (cols × rows). */
export function transposeOperator(a: ArrayLike<number>, rows: number, cols: number): LinearOperator {
  const m = matrixOperator(a, rows, cols);
  return { rows: cols, cols: rows, apply: m.applyT, applyT: m.apply };
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/** Orthonormalise in place order; dependent vectors are dropped (see header). */
export function orthonormalize(vectors: readonly Float64Array[]): Float64Array[] {
  const basis: Float64Array[] = [];
  for (const v of vectors) {
    const n0 = Math.sqrt(dot(v, v));
    if (!(n0 > 0)) continue;
    for (let pass = 0; pass < 2; pass++) {
      for (const q of basis) {
        const c = dot(q, v);
        for (let i = 0; i < v.length; i++) v[i] -= c * q[i];
      }
    }
    const n = Math.sqrt(dot(v, v));
    if (!(n > 1e-10 * n0)) continue;
    for (let i = 0; i < v.length; i++) v[i] /= n;
    basis.push(v);
  }
  return basis;
}

export interface TruncatedSvd {
  /** Singular values, descending, length = number of nonzero ones found (≤ rank). */
  readonly sigma: Float64Array;
  /** Left singular vectors (each length rows). */
  readonly u: readonly Float64Array[];
  /** Right singular vectors (each length cols). */
  readonly v: readonly Float64Array[];
}

export interface TruncatedSvdOptions {
  /** Extra sampled directions p (HMT §4.2 suggests 5–10). */
  readonly oversample?: number;
  /** Subspace iterations q (HMT Alg. 4.4); 2 is ample for the spectra met here. */
  readonly powerIterations?: number;
}

/** The top-`rank` singular triplets of `op` (fewer if its numerical rank is smaller). */
export function truncatedSvd(
  op: LinearOperator,
  rank: number,
  rng: Rng,
  options: TruncatedSvdOptions = {},
): TruncatedSvd {
  const { rows, cols } = op;
  const k = Math.min(rank + (options.oversample ?? 8), rows, cols);
  const q = options.powerIterations ?? 2;
  if (rank <= 0 || k <= 0) return { sigma: new Float64Array(0), u: [], v: [] };
  const sample = (inputs: readonly Float64Array[], fwd: boolean): Float64Array[] =>
    inputs.map((x) => {
      const out = new Float64Array(fwd ? rows : cols);
      if (fwd) op.apply(x, out);
      else op.applyT(x, out);
      return out;
    });
  const omega: Float64Array[] = [];
  for (let j = 0; j < k; j++) {
    const w = new Float64Array(cols);
    for (let t = 0; t < cols; t++) w[t] = rng.normal();
    omega.push(w);
  }
  let basis = orthonormalize(sample(omega, true));
  for (let it = 0; it < q; it++) {
    const z = orthonormalize(sample(basis, false));
    basis = orthonormalize(sample(z, true));
  }
  // B = QᵀA, rows b_j = Aᵀq_j; small SVD through the Gram BBᵀ.
  const b = sample(basis, false);
  const m = b.length;
  const gram = new Float64Array(m * m);
  for (let i = 0; i < m; i++) for (let j = i; j < m; j++) gram[i * m + j] = dot(b[i], b[j]);
  const eig = symmetricEigen(gram, m);
  const vecs = eig.vectors as Float64Array;
  const lambda0 = m > 0 ? eig.values[0] : 0;
  const sig: number[] = [];
  const us: Float64Array[] = [];
  const vs: Float64Array[] = [];
  for (let i = 0; i < Math.min(rank, m); i++) {
    const lam = eig.values[i];
    if (!(lam > 1e-24 * lambda0) || !(lam > 0)) break;
    const s = Math.sqrt(lam);
    const u = new Float64Array(rows);
    const v = new Float64Array(cols);
    for (let j = 0; j < m; j++) {
      const e = vecs[i * m + j];
      if (e === 0) continue;
      const qj = basis[j];
      const bj = b[j];
      for (let t = 0; t < rows; t++) u[t] += e * qj[t];
      for (let t = 0; t < cols; t++) v[t] += (e * bj[t]) / s;
    }
    sig.push(s);
    us.push(u);
    vs.push(v);
  }
  return { sigma: Float64Array.from(sig), u: us, v: vs };
}

/**
 * The exact top-`rank` singular triplets of `op`: the operator is materialised from its smaller
 * side (min(rows, cols) products with unit vectors), and the Gram matrix of that side (AᵀA or AAᵀ,
 * float64) is diagonalised densely (src/core/linalg/eig.ts, Golub & Van Loan §8.3): σ_i = √λ_i,
 * the other side's vectors are A·v_i/σ_i (or Aᵀu_i/σ_i). No randomness. Eigenvalues are accurate
 * to O(ε‖A‖²), so σ_i to O(ε‖A‖²/σ_i): the leading components a low-rank branch keeps are exact
 * to float64 round-off. Components with λ_i ≤ 1e−24·λ_0 are dropped (numerical rank), as in
 * truncatedSvd. Cost: min(rows, cols) operator products + rows·cols·min(rows, cols) for the Gram
 * + O(min(rows, cols)³) for the eigenproblem (≈ seconds at 1024, minutes at 4096 in a tab).
 */
export function exactTruncatedSvd(op: LinearOperator, rank: number): TruncatedSvd {
  const { rows, cols } = op;
  const k = Math.min(rank, rows, cols);
  if (k <= 0) return { sigma: new Float64Array(0), u: [], v: [] };
  const byCols = cols <= rows;
  const n = byCols ? cols : rows;
  const m = byCols ? rows : cols;
  // Slices of the smaller side: slice j = A·e_j (length rows) or Aᵀ·e_j (length cols).
  const slices: Float64Array[] = [];
  const e = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    e[j] = 1;
    const s = new Float64Array(m);
    if (byCols) op.apply(e, s);
    else op.applyT(e, s);
    e[j] = 0;
    slices.push(s);
  }
  const gram = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = i; j < n; j++) {
      const g = dot(slices[i], slices[j]);
      gram[i * n + j] = g;
      gram[j * n + i] = g;
    }
  const eig = symmetricEigen(gram, n);
  const vecs = eig.vectors as Float64Array;
  const lambda0 = eig.values[0];
  const sig: number[] = [];
  const small: Float64Array[] = [];
  const large: Float64Array[] = [];
  for (let i = 0; i < k; i++) {
    const lam = eig.values[i];
    if (!(lam > 1e-24 * lambda0) || !(lam > 0)) break;
    const s = Math.sqrt(lam);
    const a = Float64Array.from(vecs.subarray(i * n, (i + 1) * n));
    const b = new Float64Array(m);
    for (let j = 0; j < n; j++) {
      const c = a[j] / s;
      if (c === 0) continue;
      const sl = slices[j];
      for (let t = 0; t < m; t++) b[t] += c * sl[t];
    }
    sig.push(s);
    small.push(a);
    large.push(b);
  }
  return byCols
    ? { sigma: Float64Array.from(sig), u: large, v: small }
    : { sigma: Float64Array.from(sig), u: small, v: large };
}

/** How the low-rank methods (svdquant, eora, resq) compute their truncated SVD. */
export const SVD_METHODS = ['exact', 'randomized-2'] as const;
export type SvdMethod = (typeof SVD_METHODS)[number];

/**
 * The `svd` param of svdquant, eora and resq. A config written before the param existed omits
 * it and means 'randomized-2' (src/core/config/migrate.ts pins it for v1 configs), so old links keep
 * their numbers; new configs get 'exact'.
 */
export const SVD_PARAM = {
  kind: 'enum',
  default: 'exact',
  options: SVD_METHODS,
  doc: 'exact: dense SVD of the smaller side (no randomness); randomized-2: Halko et al. subspace iteration, 2 power steps (older links).',
} as const satisfies ParamSpec;

/** Truncated SVD by the chosen method (`rng` only feeds 'randomized-2'). */
export function lowRankSvd(method: SvdMethod, op: LinearOperator, rank: number, rng: Rng): TruncatedSvd {
  return method === 'randomized-2' ? truncatedSvd(op, rank, rng) : exactTruncatedSvd(op, rank);
}
