/**
 * Cholesky factorisation of a symmetric positive definite matrix, and the upper Cholesky factor of
 * its inverse (what GPTQ propagates errors with), float64 throughout.
 * A pivot below n·ε times its diagonal entry is treated as zero (numerically singular).
 *
 * Reference: Golub & Van Loan, "Matrix Computations", 4th ed., §4.2.5 (Alg. 4.2.2, the "gaxpy"
 * Cholesky A = LLᵀ, n³/3 flops) and §3.1 (triangular inversion by substitution). A non-positive
 * pivot means A is not positive definite (to working precision); the error names the column.
 */

/** Lower-triangular L with A = LLᵀ (n × n row-major; the strict upper part of the result is 0). */
export function choleskyLower(a: ArrayLike<number>, n: number): Float64Array {
  const l = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    let s = a[j * n + j];
    for (let k = 0; k < j; k++) s -= l[j * n + k] * l[j * n + k];
    // A pivot at round-off level of the diagonal (n·ε·a_jj) means a numerically singular A.
    if (!(s > n * 2.220446049250313e-16 * Math.abs(a[j * n + j])))
      throw new RangeError(`cholesky: matrix is not positive definite (pivot ${s} at column ${j} of ${n})`);
    const ljj = Math.sqrt(s);
    l[j * n + j] = ljj;
    for (let i = j + 1; i < n; i++) {
      let t = a[i * n + j];
      const li = i * n;
      const lj = j * n;
      for (let k = 0; k < j; k++) t -= l[li + k] * l[lj + k];
      l[li + j] = t / ljj;
    }
  }
  return l;
}

/** L⁻¹ of a lower-triangular L (forward substitution on the identity), lower triangular. */
export function invertLower(l: Float64Array, n: number): Float64Array {
  const inv = new Float64Array(n * n);
  for (let c = 0; c < n; c++) {
    inv[c * n + c] = 1 / l[c * n + c];
    for (let i = c + 1; i < n; i++) {
      let s = 0;
      for (let k = c; k < i; k++) s += l[i * n + k] * inv[k * n + c];
      inv[i * n + c] = -s / l[i * n + i];
    }
  }
  return inv;
}

/**
 * Upper-triangular U with A⁻¹ = UᵀU, for symmetric positive definite A: A⁻¹ = L⁻ᵀL⁻¹ is formed
 * explicitly, then U = chol(A⁻¹)ᵀ (the order of the GPTQ reference code: cholesky,
 * cholesky_inverse, cholesky upper).
 */
export function upperCholeskyOfInverse(a: ArrayLike<number>, n: number): Float64Array {
  const li = invertLower(choleskyLower(a, n), n);
  // A⁻¹_ij = Σ_k (L⁻¹)_ki (L⁻¹)_kj, k ≥ max(i, j); t = (L⁻¹)ᵀ keeps the sums contiguous.
  const t = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let k = 0; k < n; k++) t[i * n + k] = li[k * n + i];
  const ainv = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = i; j < n; j++) {
      let s = 0;
      for (let k = j; k < n; k++) s += t[i * n + k] * t[j * n + k];
      ainv[i * n + j] = s;
      ainv[j * n + i] = s;
    }
  }
  const lc = choleskyLower(ainv, n);
  const u = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = i; j < n; j++) u[i * n + j] = lc[j * n + i];
  return u;
}
