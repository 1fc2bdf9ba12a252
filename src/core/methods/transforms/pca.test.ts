/**
 * PCA's Gram path (rows < dim) against the dense eigendecomposition of XᵀX/rows: same principal
 * subspace and component energies, exactly orthogonal basis.
 */
import { describe, expect, it } from 'vitest';
import { symmetricEigen } from '../../linalg/eig';
import { createRngFactory } from '../../rng';
import { pcaTransform } from './pca';

function data(rows: number, dim: number, seed: number): Float32Array {
  const x = new Float32Array(rows * dim);
  createRngFactory(seed).stream('data', 'pca-test', rows, dim).fillNormal(x);
  // Anisotropic columns so the eigenvalues are well separated.
  for (let r = 0; r < rows; r++) for (let j = 0; j < dim; j++) x[r * dim + j] *= 1 + j / 4;
  return x;
}

describe('pca Gram path (rows < dim)', () => {
  for (const [rows, dim] of [
    [12, 40],
    [5, 33],
  ] as const) {
    it(`${rows}×${dim}: principal subspace and energies match the dense eigensolve; basis orthogonal`, () => {
      const x = data(rows, dim, rows + dim);
      const t = pcaTransform.prepare(
        {},
        { rng: createRngFactory(0), dim, data: { rows, cols: dim, data: x } },
      );
      // Basis columns: forward(e_j) = row j of B, so B[j][i] = cols[j·dim + i].
      const eye = new Float32Array(dim * dim);
      for (let j = 0; j < dim; j++) eye[j * dim + j] = 1;
      const B = new Float32Array(dim * dim);
      t.forward(eye, dim, B);
      // Orthogonality: BᵀB = I.
      for (let a = 0; a < dim; a++) {
        for (let b = 0; b < dim; b++) {
          let s = 0;
          for (let j = 0; j < dim; j++) s += B[j * dim + a] * B[j * dim + b];
          expect(Math.abs(s - (a === b ? 1 : 0))).toBeLessThan(2e-6);
        }
      }
      // Dense reference: eigenvectors of C = XᵀX/rows.
      const C = new Float64Array(dim * dim);
      for (let r = 0; r < rows; r++)
        for (let i = 0; i < dim; i++)
          for (let j = 0; j < dim; j++) C[i * dim + j] += (x[r * dim + i] * x[r * dim + j]) / rows;
      const { values, vectors: vec } = symmetricEigen(C, dim);
      const vectors = vec as Float64Array;
      for (let i = 0; i < rows; i++) {
        // Component i: same direction up to sign (distinct eigenvalues), energy = λ_i.
        let dot = 0;
        for (let j = 0; j < dim; j++) dot += B[j * dim + i] * vectors[i * dim + j];
        expect(Math.abs(Math.abs(dot) - 1)).toBeLessThan(1e-5);
        let e = 0;
        for (let r = 0; r < rows; r++) {
          let y = 0;
          for (let j = 0; j < dim; j++) y += B[j * dim + i] * x[r * dim + j];
          e += (y * y) / rows;
        }
        expect(Math.abs(e - values[i])).toBeLessThan(1e-5 * values[0]);
      }
      // No energy beyond the rank, and the round trip is the identity.
      const y = new Float32Array(rows * dim);
      t.forward(x, rows, y);
      for (let r = 0; r < rows; r++)
        for (let i = rows; i < dim; i++) expect(Math.abs(y[r * dim + i])).toBeLessThan(1e-4);
      const back = new Float32Array(rows * dim);
      t.inverse(y, rows, back);
      for (let k = 0; k < x.length; k++) expect(Math.abs(back[k] - x[k])).toBeLessThan(1e-4);
    });
  }
});
