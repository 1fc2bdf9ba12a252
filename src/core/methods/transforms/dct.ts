/**
 * Orthonormal DCT-II (forward) and DCT-III (inverse) along each row: a fixed, data-oblivious
 * orthogonal transform that compacts energy of smooth rows into low frequencies.
 *
 * Reference: Ahmed, Natarajan & Rao, "Discrete Cosine Transform", IEEE Trans. Computers C-23(1),
 * 1974; scaling as scipy.fft.dct(type=2, norm='ortho'): X_k = s_k Σ x_n cos(π(2n+1)k/(2N)),
 * s_0 = √(1/N), s_k = √(2/N). CONTRACT.md §3 `dct`.
 *
 * Algorithm: Makhoul 1980 (one complex FFT of length N per row; radix-2 for powers of two,
 * Bluestein otherwise), float64 internally; see src/core/linalg/dct.ts.
 *
 * Padding: none, outDim = dim, any dim ≥ 1. No randomness.
 * Invariants: orthogonal, ‖forward(x)‖ = ‖x‖, inverse(forward(x)) = x.
 * Cost per row: O(N log N) (≈ 5N log2 N flops for a power of two, ≈ 3× that via Bluestein).
 */
import { DctPlan } from '../../linalg/dct';
import type { PreparedTransform, TransformDef } from '../types';

export const dctTransform: TransformDef = {
  id: 'dct',
  label: 'DCT-II',
  description: 'Orthonormal discrete cosine transform (type II), O(d log d) for any d.',
  reference:
    'Ahmed, Natarajan & Rao, IEEE Trans. Computers C-23 (1974); Makhoul, IEEE Trans. ASSP 28 (1980).',
  params: {},
  // DCT-II with norm='ortho' scaling (s_0 = √(1/N), s_k = √(2/N)) is orthonormal; DCT-III is its transpose.
  orthogonal: true,
  outDim: (_params, dim) => dim,
  prepare(_params, ctx): PreparedTransform {
    const dim = ctx.dim;
    // A plan per prepared transform: plans own scratch buffers.
    const plan = new DctPlan(dim);
    return {
      outDim: dim,
      forward(input, rows, out) {
        for (let r = 0; r < rows; r++) plan.forward(input, r * dim, out, r * dim);
      },
      inverse(input, rows, out) {
        for (let r = 0; r < rows; r++) plan.inverse(input, r * dim, out, r * dim);
      },
    };
  },
};
