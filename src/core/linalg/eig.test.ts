import { describe, it } from 'vitest';
import fixtures from '../testing/fixtures/transforms.json';
import { expectArrayClose, expectClose } from '../testing/expect';
import { singularValues, symmetricEigen } from './eig';

/** max |A v_i − λ_i v_i| and max |VᵀV − I| for a full decomposition. */
function residuals(a: ArrayLike<number>, n: number, values: Float64Array, vectors: Float64Array) {
  let res = 0;
  let orth = 0;
  for (let i = 0; i < n; i++) {
    for (let r = 0; r < n; r++) {
      let s = 0;
      for (let c = 0; c < n; c++) s += a[r * n + c] * vectors[i * n + c];
      res = Math.max(res, Math.abs(s - values[i] * vectors[i * n + r]));
    }
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let c = 0; c < n; c++) s += vectors[i * n + c] * vectors[j * n + c];
      orth = Math.max(orth, Math.abs(s - (i === j ? 1 : 0)));
    }
  }
  return { res, orth };
}

function lcg(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 16807) % 2147483647;
    return s / 2147483647 - 0.5;
  };
}

describe('symmetricEigen', () => {
  it('matches numpy.linalg.eigh values and vectors (up to sign)', () => {
    for (const f of fixtures.eigh) {
      const { values, vectors } = symmetricEigen(f.a, f.n);
      expectArrayClose(values, f.values, 1e-12, `values n=${f.n}`);
      const V = vectors as Float64Array;
      for (let i = 0; i < f.n; i++) {
        let dot = 0;
        for (let j = 0; j < f.n; j++) dot += V[i * f.n + j] * f.vectors[i * f.n + j];
        const sgn = dot >= 0 ? 1 : -1;
        const mine = Array.from(V.subarray(i * f.n, (i + 1) * f.n), (v) => v * sgn);
        expectArrayClose(mine, f.vectors.slice(i * f.n, (i + 1) * f.n), 1e-10, `vector ${i} n=${f.n}`);
      }
    }
  });

  it('diagonal matrix: values are the sorted diagonal, vectors the permuted basis', () => {
    const d = [3, -1, 7, 0, 2];
    const n = d.length;
    const a = new Float64Array(n * n);
    d.forEach((v, i) => (a[i * n + i] = v));
    const { values, vectors } = symmetricEigen(a, n);
    expectArrayClose(values, [7, 3, 2, 0, -1], 0, 'values');
    const V = vectors as Float64Array;
    const expectedIndex = [2, 0, 4, 3, 1];
    expectedIndex.forEach((j, i) => expectClose(Math.abs(V[i * n + j]), 1, 1e-15, `|v_${i}[${j}]|`));
  });

  it('rank-1 + identity: λ = 1 + ‖u‖² (vector ∝ u) and 1 with multiplicity n−1', () => {
    const n = 60;
    const rnd = lcg(7);
    const u = Float64Array.from({ length: n }, rnd);
    let uu = 0;
    for (const v of u) uu += v * v;
    const a = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) a[i * n + j] = u[i] * u[j] + (i === j ? 1 : 0);
    const { values, vectors } = symmetricEigen(a, n);
    expectClose(values[0], 1 + uu, 1e-12 * (1 + uu), 'top eigenvalue');
    for (let i = 1; i < n; i++) expectClose(values[i], 1, 1e-13, `λ_${i}`);
    const V = vectors as Float64Array;
    let dot = 0;
    for (let j = 0; j < n; j++) dot += V[j] * u[j];
    expectClose(Math.abs(dot), Math.sqrt(uu), 1e-12, '|⟨v₁, u⟩| = ‖u‖');
    const { res, orth } = residuals(a, n, values, V);
    expectClose(res, 0, 1e-12, 'residual');
    expectClose(orth, 0, 1e-13, 'orthogonality');
  });

  it('random 150×150 and a graded/rank-deficient matrix: small residuals, orthonormal vectors', () => {
    const n = 150;
    const rnd = lcg(11);
    const a = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = i; j < n; j++) a[i * n + j] = a[j * n + i] = rnd();
    const r1 = symmetricEigen(a, n);
    const q1 = residuals(a, n, r1.values, r1.vectors as Float64Array);
    expectClose(q1.res, 0, 1e-12, 'random residual');
    expectClose(q1.orth, 0, 1e-13, 'random orthogonality');
    // Gram matrix of 10 vectors in ℝ^n: rank 10, 140 zero eigenvalues.
    const g = new Float64Array(n * n);
    const x = Float64Array.from({ length: 10 * n }, rnd);
    for (let r = 0; r < 10; r++)
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) g[i * n + j] += x[r * n + i] * x[r * n + j];
    const r2 = symmetricEigen(g, n);
    const q2 = residuals(g, n, r2.values, r2.vectors as Float64Array);
    expectClose(q2.res, 0, 1e-12, 'rank-deficient residual');
    expectClose(q2.orth, 0, 1e-13, 'rank-deficient orthogonality');
    for (let i = 10; i < n; i++) expectClose(r2.values[i], 0, 1e-12, `null eigenvalue ${i}`);
  });

  it('values-only mode returns the same values and no vectors', () => {
    const f = fixtures.eigh[4];
    const r = symmetricEigen(f.a, f.n, { vectors: false });
    expectArrayClose(r.values, f.values, 1e-12, 'values');
    if (r.vectors !== null) throw new Error('vectors should be null');
  });

  it('handles n = 0 and n = 1', () => {
    expectClose(symmetricEigen([], 0).values.length, 0, 0, 'n=0');
    expectArrayClose(symmetricEigen([-2.5], 1).values, [-2.5], 0, 'n=1');
  });
});

describe('singularValues', () => {
  it('matches numpy.linalg.svd for tall, wide and square matrices', () => {
    for (const f of fixtures.svd) {
      const s = singularValues(f.a, f.rows, f.cols);
      expectArrayClose(s, f.s, 1e-12, `σ ${f.rows}×${f.cols}`);
    }
  });
});
