/**
 * Orthonormal Walsh–Hadamard transform H_n/√n in natural (Sylvester) order, no randomness.
 *
 * Reference: Fino & Algazi, "Unified matrix treatment of the fast Walsh–Hadamard transform",
 * IEEE Trans. Computers C-25, 1976 (the O(n log n) butterflies); CONTRACT.md §3 `wht`.
 *
 * Padding: any dim works. Each row is zero-padded to outDim = nextPow2(dim) and rotated in ℝ^outDim;
 * the inverse returns the first dim coordinates of Hᵀy/√n. The quantizer sees and is charged for
 * all outDim coordinates: the pipeline divides total bits by rows·dim, so padding costs
 * outDim/dim × the quantizer's bits per coordinate (honest accounting).
 *
 * Invariants: ‖forward(x)‖ = ‖x‖; inverse(forward(x)) = x; H/√n is symmetric and involutory.
 * Cost per row: n·log2(n) additions + n scalings, n = outDim.
 */
import { nextPowerOfTwo } from '../../linalg/fwht';
import { SignedHadamard } from '../../linalg/signedHadamard';
import type { TransformDef } from '../types';

export const whtTransform: TransformDef = {
  id: 'wht',
  label: 'Walsh–Hadamard',
  description: 'Orthonormal Walsh–Hadamard transform H/√n (zero-padded to a power of two), O(d log d).',
  reference: 'Fino & Algazi, IEEE Trans. Computers C-25 (1976); CONTRACT.md §3.',
  params: {},
  outDim: (_params, dim) => nextPowerOfTwo(dim),
  prepare(_params, ctx) {
    const n = nextPowerOfTwo(ctx.dim);
    return new SignedHadamard(ctx.dim, n, n, [null]);
  },
};
