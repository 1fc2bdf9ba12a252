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
 * size = 'exact' (linalg/hadamardK.ts): outDim = the smallest order N ≥ dim with a Hadamard matrix
 * here, a power of two or K·2^j (K ∈ {12, 20, 28, 36, 40, 52, 60, 108, 140, 156, 172}, QuaRot §3),
 * and the map is (H_K ⊗ H_{2^j})/√N: 120 → 120 = 60·2 (pad: 128), 11008 → 172·64 (pad: 16384),
 * 2880 → 3072 = 12·256 (2880 = 180·16 and 180 is not among the K here; pad: 4096). When N is a
 * power of two it is the same transform as 'pad' (bit for bit). The pipeline label shows "[exact]".
 *
 * Invariants: ‖forward(x)‖ = ‖x‖; inverse(forward(x)) = x; H/√n is symmetric and involutory
 * (H_K ⊗ H_{2^j} is orthogonal but not symmetric for Paley I K: the inverse uses the transpose).
 * Cost per row: n·log2(n) additions + n scalings, n = outDim (exact: N·(log2(N/K) + K)).
 */
import { isPowerOfTwo, nextPowerOfTwo } from '../../linalg/fwht';
import { KronHadamardTransform, smallestHadamardOrder } from '../../linalg/hadamardK';
import { SignedHadamard } from '../../linalg/signedHadamard';
import { defineParams, typedParams, type ParamValueOf } from '../params';
import type { ParamSpec, TransformDef } from '../types';

/** The `size` param shared by wht, rht and block-hadamard. */
export const HADAMARD_SIZE_PARAM = {
  kind: 'enum',
  default: 'pad',
  options: ['pad', 'exact'],
  doc: 'pad: zero-pad to a power of two; exact: the smallest Hadamard order K·2^n ≥ dim (K = 12 … 172), padding only to it.',
} as const satisfies ParamSpec;

/** Transform length for wht / rht: the next power of two ('pad') or the smallest K·2^n ('exact'). */
export function hadamardLength(size: ParamValueOf<typeof HADAMARD_SIZE_PARAM>, dim: number): number {
  return size === 'exact' ? smallestHadamardOrder(dim) : nextPowerOfTwo(dim);
}

const WHT_PARAMS = defineParams({ size: HADAMARD_SIZE_PARAM });

export const whtTransform: TransformDef = {
  id: 'wht',
  label: 'Walsh–Hadamard',
  description: 'Orthonormal Walsh–Hadamard transform H/√n (zero-padded to a power of two), O(d log d).',
  reference: 'Fino & Algazi, IEEE Trans. Computers C-25 (1976); CONTRACT.md §3.',
  params: WHT_PARAMS,
  // H/√n (and (H_K ⊗ H_2^j)/√N) is orthogonal; padding makes it an isometry into ℝ^outDim.
  orthogonal: true,
  outDim: (params, dim) => hadamardLength(typedParams(WHT_PARAMS, params).size, dim),
  prepare(params, ctx) {
    const n = hadamardLength(typedParams(WHT_PARAMS, params).size, ctx.dim);
    if (isPowerOfTwo(n)) return new SignedHadamard(ctx.dim, n, n, [null]);
    return new KronHadamardTransform(ctx.dim, n, [n], [null]);
  },
};
