/**
 * Haar (uniformly random) rotation of ℝ^dim, the ideal against which structured rotations are
 * measured (CONTRACT.md §3 `haar`; ALGORITHMS.md "Hadamard transforms").
 *
 * Construction: Q = H_0 ⋯ H_{d−2}·D, a product of d−1 random Householder reflections of decreasing
 * size with sign corrections (Stewart, SIAM J. Numer. Anal. 17(3), 1980, §3). It is exactly the Q
 * factor of a Gaussian matrix's QR with the sign fix Q·diag(sign(diag R)) of Mezzadri (Notices AMS
 * 54(5), 2007, §5), hence exactly Haar, without a dense d×d QR (which costs seconds in JS at
 * d = 1024, DESIGN.md performance section). See src/core/linalg/householder.ts.
 *
 * Randomness: ctx.rng.stream('rotation', 'haar', dim): the same seed gives the same rotation in
 * every pipeline. Rotations are memoised by (stream fingerprint, dim) in a small LRU.
 *
 * Padding: none, outDim = dim (any dim ≥ 1; dim = 1 gives a random sign).
 *
 * Invariants: orthogonal, ‖forward(x)‖ = ‖x‖, inverse = transpose; for a fixed unit x every
 * coordinate of Qx follows f(t) ∝ (1 − t²)^((d−3)/2) on [−1, 1].
 * Arithmetic: float64 products, or float32 ones (householder_tiled_f32, twice the SIMD lanes) when
 * the config's numerics.denseProducts asks for them (ctx.denseProducts, CONTRACT.md §5.2).
 *
 * Cost: generation d²/2 normals (once per seed and dim); apply ≈ d² multiply-adds per row each way;
 * storage ≈ d²/2 float32.
 */
import { HouseholderApplier, householderRotation } from '../../linalg/householder';
import type { PreparedTransform, TransformDef } from '../types';

export const haarTransform: TransformDef = {
  id: 'haar',
  label: 'Haar rotation',
  description:
    'Uniformly random rotation (exactly Haar: Householder product with sign correction), O(d²) per row.',
  reference:
    'Stewart, "The efficient generation of random orthogonal matrices…", SIAM J. Numer. Anal. 1980, §3; Mezzadri, Notices AMS 2007, §5.',
  params: {},
  // Stewart factors hold d²/2 floats (128 MiB at d = 8192) and cost O(d²) per row.
  maxDim: 8192,
  // A product of Householder reflections and a sign diagonal: orthogonal.
  orthogonal: true,
  outDim: (_params, dim) => dim,
  prepare(_params, ctx): PreparedTransform {
    const dim = ctx.dim;
    const q = householderRotation(() => ctx.rng.stream('rotation', 'haar', dim), dim);
    // numerics.denseProducts (CONTRACT.md §5.2): float64 unless the config asks for float32.
    const applier = new HouseholderApplier(q, ctx.denseProducts);
    return {
      outDim: dim,
      forward: (input, rows, out) => applier.forward(input, rows, out),
      inverse: (input, rows, out) => applier.transpose(input, rows, out),
    };
  },
};
