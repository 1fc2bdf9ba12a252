import { describe, expect, it } from 'vitest';
import { fwhtInPlace, fwhtOrthonormalInPlace, nextPowerOfTwo, sequencyIndex } from './fwht';
import { expectArrayClose } from '../testing/expect';

/** Sylvester's construction H_{2n} = [[H, H], [H, −H]] as an explicit dense matrix (independent of the butterflies). */
function sylvester(n: number): number[][] {
  let h = [[1]];
  while (h.length < n) {
    const m = h.length;
    const next: number[][] = [];
    for (let i = 0; i < 2 * m; i++) {
      next.push([]);
      for (let j = 0; j < 2 * m; j++) next[i].push(h[i % m][j % m] * (i >= m && j >= m ? -1 : 1));
    }
    h = next;
  }
  return h;
}

describe('fwht', () => {
  it('equals multiplication by the Sylvester Hadamard matrix for n = 1..64', () => {
    for (const n of [1, 2, 4, 8, 16, 64]) {
      const x = Float64Array.from({ length: n }, (_, i) => Math.sin(i + 1) * 3 + i * 0.25);
      const h = sylvester(n);
      const expected = h.map((row) => row.reduce((s, v, j) => s + v * x[j], 0));
      const a = Float64Array.from(x);
      fwhtInPlace(a, 0, n);
      expectArrayClose(a, expected, 1e-9, `H_${n}·x`);
    }
  });

  it('orthonormal version preserves the norm and is an involution', () => {
    const n = 1024;
    const x = Float32Array.from({ length: n }, (_, i) => Math.cos(i * 0.37) + (i % 7));
    const a = Float32Array.from(x);
    fwhtOrthonormalInPlace(a, 0, n);
    const nx = x.reduce((s, v) => s + v * v, 0);
    const na = a.reduce((s, v) => s + v * v, 0);
    expect(Math.abs(na / nx - 1)).toBeLessThan(1e-5);
    fwhtOrthonormalInPlace(a, 0, n);
    expectArrayClose(a, x, 1e-4, 'H(Hx)');
  });

  it('works on a sub-range and rejects non powers of two', () => {
    const a = new Float64Array([9, 1, 2, 9]);
    fwhtInPlace(a, 1, 2);
    expect(Array.from(a)).toEqual([9, 3, -1, 9]);
    expect(() => fwhtInPlace(new Float64Array(3), 0, 3)).toThrow(/power of two/);
  });

  it('nextPowerOfTwo and sequency order', () => {
    expect([1, 2, 3, 1000, 1024, 1025].map(nextPowerOfTwo)).toEqual([1, 2, 4, 1024, 1024, 2048]);
    // Sequency = number of sign changes along each Sylvester row (counted directly).
    const n = 16;
    const h = sylvester(n);
    for (let k = 0; k < n; k++) {
      let changes = 0;
      for (let j = 1; j < n; j++) if (h[k][j] !== h[k][j - 1]) changes++;
      expect(sequencyIndex(k, n)).toBe(changes);
    }
  });
});
