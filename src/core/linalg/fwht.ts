/**
 * Fast Walsh–Hadamard transform, in place, natural (Hadamard / Sylvester) order.
 *
 * H_n = [[H_{n/2}, H_{n/2}], [H_{n/2}, −H_{n/2}]], H_1 = [1]; the orthonormal transform is
 * H_n/√n, which is symmetric and its own inverse. Cost n·log2(n) additions (Fino & Algazi 1976).
 * Sequency ordering only matters for spectra plots; see `sequencyIndex`.
 *
 * This plain TypeScript version is the readable reference and parity oracle for any WASM/WebGPU
 * kernel (DESIGN.md performance section).
 */

export function isPowerOfTwo(n: number): boolean {
  return Number.isInteger(n) && n >= 1 && (n & (n - 1)) === 0;
}

export function nextPowerOfTwo(n: number): number {
  if (!(n >= 1)) throw new RangeError(`nextPowerOfTwo: n must be ≥ 1, got ${n}`);
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

/**
 * Unnormalised in-place FWHT of `a[offset .. offset+n)`, n a power of two.
 * Radix-2 butterflies with the span loop outermost.
 */
export function fwhtInPlace(a: Float32Array | Float64Array, offset: number, n: number): void {
  if (!isPowerOfTwo(n)) throw new RangeError(`fwht: length must be a power of two, got ${n}`);
  for (let h = 1; h < n; h *= 2) {
    const step = h * 2;
    for (let i = offset; i < offset + n; i += step) {
      for (let j = i; j < i + h; j++) {
        const u = a[j];
        const v = a[j + h];
        a[j] = u + v;
        a[j + h] = u - v;
      }
    }
  }
}

/** Orthonormal in-place FWHT (H/√n) of `a[offset .. offset+n)`. */
export function fwhtOrthonormalInPlace(a: Float32Array | Float64Array, offset: number, n: number): void {
  fwhtInPlace(a, offset, n);
  const s = 1 / Math.sqrt(n);
  for (let i = offset; i < offset + n; i++) a[i] *= s;
}

/**
 * Sequency (number of sign changes) of Hadamard row k in natural order, for spectra plots:
 * sequency = Gray-code inverse of the bit-reversed index.
 */
export function sequencyIndex(k: number, n: number): number {
  const bits = Math.round(Math.log2(n));
  let rev = 0;
  for (let b = 0; b < bits; b++) if (k & (1 << b)) rev |= 1 << (bits - 1 - b);
  // Gray decode: g → binary.
  let s = rev;
  for (let shift = rev >> 1; shift; shift >>= 1) s ^= shift;
  return s;
}
