/**
 * Symmetric eigendecomposition and singular values, float64 throughout.
 *
 * Algorithm (Golub & Van Loan, "Matrix Computations", 4th ed.):
 *  1. Householder tridiagonalisation A = Q T Qᵀ (§8.3.1, Alg. 8.3.1), using the symmetric rank-2
 *     update A₂₂ ← A₂₂ − v wᵀ − w vᵀ with p = βA₂₂v, w = p − (βpᵀv/2)v. ≈ 4n³/3 flops.
 *  2. Q is accumulated backwards, Qᵀ = P_{n−3} ⋯ P_0 built by right-multiplication so each step
 *     only touches the trailing block (§5.1.6), ≈ 2n³/3 flops; rows of the working matrix are
 *     eigenvector candidates, so all updates are contiguous row operations.
 *  3. Implicit symmetric QR steps with the Wilkinson shift on the tridiagonal (§8.3.5,
 *     Alg. 8.3.2/8.3.3), deflating when |e_i| ≤ ε(|d_i| + |d_{i+1}|); Givens rotations are applied
 *     to pairs of rows of the eigenvector matrix. Converges cubically; ≈ 6n³ flops with vectors.
 *
 * Backward stable: computed eigenvalues are exact for A + E with ‖E‖₂ = O(ε‖A‖₂), so each
 * eigenvalue is accurate to O(ε‖A‖₂) in absolute terms; eigenvectors of well-separated eigenvalues
 * are accurate to O(ε‖A‖₂/gap).
 *
 * Speed: the tridiagonalisation (step 1) and the Gram matrix of `singularValues` run in the WASM
 * SIMD kernels `tridiagonalize` and `gram_upper` when available. They add every sum in the same
 * order as the loops here, so results are bit-identical (src/core/wasm/kernels.test.ts); see the
 * kernel comments for why the column-wise product of step 1 is still the reference's row sum.
 *
 * `singularValues` uses the Gram matrix of the smaller side (see its comment for the precision
 * trade-off) so it is O(min(r,c)²·max(r,c)) plus one small eigenproblem.
 */

import { allFinite, claim, noteWasmHit, wasmKernels } from '../wasm/kernels';

export interface SymmetricEigen {
  /** Eigenvalues sorted in descending order. */
  readonly values: Float64Array;
  /**
   * Eigenvectors as rows, n × n row-major: vectors[i·n + j] is component j of the unit eigenvector
   * for values[i]. Together they form an orthogonal matrix Vᵀ with A = V diag(values) Vᵀ.
   * Null when not requested.
   */
  readonly vectors: Float64Array | null;
}

export interface EigOptions {
  /** Compute eigenvectors (default true). Values only is about 4× faster. */
  readonly vectors?: boolean;
}

const EPS = 2.220446049250313e-16;

/**
 * Eigen-decomposition of the symmetric n × n matrix `a` (row-major; only the upper triangle is
 * read, so an exactly symmetric input is not required). `a` is not modified.
 */
export function symmetricEigen(a: ArrayLike<number>, n: number, opts: EigOptions = {}): SymmetricEigen {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`eig: n must be an integer ≥ 0, got ${n}`);
  if (a.length < n * n) throw new RangeError(`eig: matrix has ${a.length} entries, expected ${n * n}`);
  const wantVectors = opts.vectors ?? true;
  // Symmetrise from the upper triangle.
  const A = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = i; j < n; j++) {
      const v = a[i * n + j];
      A[i * n + j] = v;
      A[j * n + i] = v;
    }
  }
  const diag = new Float64Array(n);
  const off = new Float64Array(Math.max(n - 1, 0)); // off[i] = T[i, i+1]
  const betas = new Float64Array(Math.max(n - 2, 0));
  // Householder vectors of step k occupy A[k, k+1 .. n) after the step (the row is no longer needed).
  const p = new Float64Array(n);
  const viaWasm = tridiagonalizeWasm(A, n, diag, off, betas);
  for (let k = 0; k < n - 2 && !viaWasm; k++) {
    const m = n - k - 1;
    const row = k * n + k + 1; // x = A[k, k+1 .. n) = A[k+1 .., k] by symmetry
    let tail = 0;
    for (let i = 1; i < m; i++) tail += A[row + i] * A[row + i];
    const x0 = A[row];
    diag[k] = A[k * n + k];
    if (tail === 0) {
      // Already tridiagonal in this column: P_k = I.
      off[k] = x0;
      betas[k] = 0;
      continue;
    }
    const norm = Math.sqrt(x0 * x0 + tail);
    const alpha = x0 >= 0 ? -norm : norm;
    // v = x − αe₁ (no cancellation: α has the opposite sign of x₀); P x = αe₁.
    const v0 = x0 - alpha;
    A[row] = v0;
    const beta = 2 / (v0 * v0 + tail);
    betas[k] = beta;
    off[k] = alpha;
    // p = β A₂₂ v, A₂₂ = A[k+1.., k+1..]
    let pv = 0;
    for (let i = 0; i < m; i++) {
      const ri = (k + 1 + i) * n + k + 1;
      let s = 0;
      for (let j = 0; j < m; j++) s += A[ri + j] * A[row + j];
      s *= beta;
      p[i] = s;
      pv += s * A[row + i];
    }
    const K = (beta * pv) / 2;
    for (let i = 0; i < m; i++) p[i] -= K * A[row + i]; // w
    for (let i = 0; i < m; i++) {
      const ri = (k + 1 + i) * n + k + 1;
      const vi = A[row + i];
      const wi = p[i];
      for (let j = 0; j < m; j++) A[ri + j] -= vi * p[j] + wi * A[row + j];
    }
  }
  if (n >= 2) {
    diag[n - 2] = A[(n - 2) * n + n - 2];
    off[n - 2] = A[(n - 2) * n + n - 1];
  }
  if (n >= 1) diag[n - 1] = A[(n - 1) * n + n - 1];

  // Z = Qᵀ = P_{n−3} ⋯ P_0: start from I and right-multiply by P_k for k descending. Before the
  // step, Z differs from I only in rows/columns ≥ k+2, so only rows k+1 .. n−1 change.
  let Z: Float64Array | null = null;
  if (wantVectors) {
    Z = new Float64Array(n * n);
    for (let i = 0; i < n; i++) Z[i * n + i] = 1;
    for (let k = n - 3; k >= 0; k--) {
      const beta = betas[k];
      if (beta === 0) continue;
      const row = k * n + k + 1;
      const m = n - k - 1;
      for (let i = k + 1; i < n; i++) {
        const zi = i * n + k + 1;
        let s = 0;
        for (let j = 0; j < m; j++) s += Z[zi + j] * A[row + j];
        s *= beta;
        if (s === 0) continue;
        for (let j = 0; j < m; j++) Z[zi + j] -= s * A[row + j];
      }
    }
  }

  tridiagonalQr(diag, off, Z, n);

  // Sort descending (stable on ties by original index, so results are deterministic).
  const order = Array.from({ length: n }, (_, i) => i);
  order.sort((i, j) => diag[j] - diag[i] || i - j);
  const values = new Float64Array(n);
  for (let i = 0; i < n; i++) values[i] = diag[order[i]];
  let vectors: Float64Array | null = null;
  if (Z) {
    vectors = new Float64Array(n * n);
    for (let i = 0; i < n; i++) vectors.set(Z.subarray(order[i] * n, order[i] * n + n), i * n);
  }
  return { values, vectors };
}

/**
 * Diagonalise the symmetric tridiagonal (d, e) in place by implicit Wilkinson-shifted QR steps;
 * if Z is given, apply every rotation G to it as Z ← Gᵀ Z (rows k, k+1), so Z's rows end as the
 * eigenvectors of Zᵀ T Z's original matrix.
 */
function tridiagonalQr(d: Float64Array, e: Float64Array, Z: Float64Array | null, n: number): void {
  const maxSweeps = 50 * Math.max(n, 1);
  let sweeps = 0;
  let hi = n - 1;
  while (hi > 0) {
    // Deflate negligible off-diagonals.
    for (let i = 0; i < hi; i++) {
      if (Math.abs(e[i]) <= EPS * (Math.abs(d[i]) + Math.abs(d[i + 1]))) e[i] = 0;
    }
    while (hi > 0 && e[hi - 1] === 0) hi--;
    if (hi === 0) break;
    let lo = hi - 1;
    while (lo > 0 && e[lo - 1] !== 0) lo--;
    if (++sweeps > maxSweeps) throw new Error(`eig: QR iteration did not converge (n = ${n})`);

    // Wilkinson shift from the trailing 2×2 block of the unreduced block [lo, hi].
    const delta = (d[hi - 1] - d[hi]) / 2;
    const b2 = e[hi - 1] * e[hi - 1];
    const sgn = delta >= 0 ? 1 : -1;
    const mu = d[hi] - b2 / (delta + sgn * Math.hypot(delta, e[hi - 1]));
    let x = d[lo] - mu;
    let z = e[lo];
    for (let k = lo; k < hi; k++) {
      // Givens with c·x − s·z = r, s·x + c·z = 0.
      const r = Math.hypot(x, z);
      const c = r === 0 ? 1 : x / r;
      const s = r === 0 ? 0 : -z / r;
      if (k > lo) e[k - 1] = r;
      const ak = d[k];
      const ak1 = d[k + 1];
      const bk = e[k];
      const cc = c * c;
      const ss = s * s;
      const cs = c * s;
      d[k] = cc * ak - 2 * cs * bk + ss * ak1;
      d[k + 1] = ss * ak + 2 * cs * bk + cc * ak1;
      e[k] = cs * (ak - ak1) + (cc - ss) * bk;
      if (k < hi - 1) {
        // The rotation pushes the bulge to (k, k+2).
        z = -s * e[k + 1];
        e[k + 1] *= c;
        x = e[k];
      }
      if (Z) {
        const r0 = k * n;
        const r1 = r0 + n;
        for (let j = 0; j < n; j++) {
          const zk = Z[r0 + j];
          const zk1 = Z[r1 + j];
          Z[r0 + j] = c * zk - s * zk1;
          Z[r1 + j] = s * zk + c * zk1;
        }
      }
    }
  }
}

/**
 * Singular values (descending) of a rows × cols row-major matrix, through the eigenvalues of the
 * Gram matrix of the smaller side (A·Aᵀ if rows ≤ cols, else Aᵀ·A), accumulated in float64:
 * σ_i = √max(λ_i, 0).
 *
 * Precision trade-off: squaring the matrix squares its condition number. Eigenvalues are accurate
 * to O(ε·σ_max²) absolutely, so σ_i has absolute error ≈ ε·σ_max²/σ_i: relative accuracy is lost
 * for σ_i below ≈ √ε·σ_max ≈ 1.5e−8·σ_max, and those come out as ≈ 1e−8·σ_max noise (or 0). For
 * spectra of float32 data (whose own precision is 6e−8) this is immaterial, and it turns an
 * O(rows·cols·min) SVD into one small symmetric eigenproblem. Use a true SVD (bidiagonalisation)
 * if singular values far below √ε·σ_max matter. Returns min(rows, cols) values.
 */
export function singularValues(data: ArrayLike<number>, rows: number, cols: number): Float64Array {
  if (data.length < rows * cols)
    throw new RangeError(`singularValues: ${data.length} entries < ${rows}×${cols}`);
  const k = Math.min(rows, cols);
  const G = new Float64Array(k * k);
  if (gramWasm(data, rows, cols, G)) {
    // G's upper triangle filled by the WASM kernel (same sums, same order).
  } else if (rows <= cols) {
    // G = A Aᵀ: dot products of rows (contiguous).
    for (let i = 0; i < rows; i++) {
      for (let j = i; j < rows; j++) {
        let s = 0;
        for (let t = 0; t < cols; t++) s += data[i * cols + t] * data[j * cols + t];
        G[i * k + j] = s;
      }
    }
  } else {
    // G = Aᵀ A: rank-1 updates row by row (upper triangle only).
    for (let r = 0; r < rows; r++) {
      const base = r * cols;
      for (let i = 0; i < cols; i++) {
        const ai = data[base + i];
        if (ai === 0) continue;
        const gi = i * k;
        for (let j = i; j < cols; j++) G[gi + j] += ai * data[base + j];
      }
    }
  }
  const { values } = symmetricEigen(G, k, { vectors: false });
  const out = new Float64Array(k);
  for (let i = 0; i < k; i++) out[i] = Math.sqrt(Math.max(values[i], 0));
  return out;
}

/**
 * Step 1 of symmetricEigen in the WASM kernel (bit-identical): fills diag/off/betas and leaves A as
 * the TypeScript loop would. False (nothing done) when WebAssembly is unavailable or n < 3.
 */
function tridiagonalizeWasm(
  A: Float64Array,
  n: number,
  diag: Float64Array,
  off: Float64Array,
  betas: Float64Array,
): boolean {
  const k = wasmKernels();
  if (!k || n < 3) return false;
  const { ptrs } = claim(k, tridiagonalizeWasm, [n * n * 8, n * 8, (n - 1) * 8, (n - 2) * 8, n * 8]);
  const [aP, dP, oP, bP, pP] = ptrs;
  const mem = k.memory.buffer;
  new Float64Array(mem, aP, n * n).set(A);
  // Short calls (see the kernel): V8 only switches to optimised WASM code between calls.
  for (let k0 = 0; k0 < n - 2; k0 += 4) k.tridiagonalize(aP, n, k0, Math.min(n - 2, k0 + 4), dP, oP, bP, pP);
  A.set(new Float64Array(mem, aP, n * n));
  diag.set(new Float64Array(mem, dP, n));
  off.set(new Float64Array(mem, oP, n - 1));
  betas.set(new Float64Array(mem, bP, n - 2));
  noteWasmHit('eig.tridiagonalize');
  return true;
}

/** Rows of P per pass of gram_upper: the panel (GRAM_T_BLOCK × k float32) stays in cache. */
const GRAM_T_BLOCK = 128;

/**
 * The upper triangle of singularValues' Gram matrix by the WASM kernel (bit-identical for finite
 * float32 data, see allFinite; other inputs stay on TypeScript). The kernel wants the shared dimension t outermost: P[t, i] = X[i, t] with
 * X = A (rows ≤ cols, so A is transposed on the way in) or Aᵀ (rows > cols, a plain copy), k padded
 * to a multiple of 4 with zero columns. False when not applicable.
 */
function gramWasm(data: ArrayLike<number>, rows: number, cols: number, G: Float64Array): boolean {
  const kern = wasmKernels();
  const k = Math.min(rows, cols);
  if (!kern || k < 4 || !(data instanceof Float32Array) || !allFinite(data)) return false;
  const n = rows + cols - k;
  const kp = (k + 3) & ~3;
  const { ptrs } = claim(kern, gramWasm, [n * kp * 4, kp * kp * 8]);
  const [pP, gP] = ptrs;
  const mem = kern.memory.buffer;
  const P = new Float32Array(mem, pP, n * kp);
  const Gw = new Float64Array(mem, gP, kp * kp);
  P.fill(0);
  Gw.fill(0);
  if (rows <= cols) {
    for (let i = 0; i < rows; i++) {
      const base = i * cols;
      for (let t = 0; t < cols; t++) P[t * kp + i] = data[base + t];
    }
  } else {
    for (let t = 0; t < rows; t++) {
      const base = t * cols;
      for (let i = 0; i < cols; i++) P[t * kp + i] = data[base + i];
    }
  }
  for (let t0 = 0; t0 < n; t0 += GRAM_T_BLOCK) {
    const t1 = Math.min(n, t0 + GRAM_T_BLOCK);
    for (let i0 = 0; i0 < kp; i0 += 64) kern.gram_upper(pP, kp, t0, t1, i0, Math.min(kp, i0 + 64), gP);
  }
  for (let i = 0; i < k; i++) G.set(Gw.subarray(i * kp + i, i * kp + k), i * k + i);
  noteWasmHit('eig.gram');
  return true;
}
