/**
 * Randomized Hadamard transform: `rounds` × (random ±1 diagonal D_r, then orthonormal WHT),
 * R = (H/√n)·D_R ⋯ (H/√n)·D_1.
 *
 * References: rounds = 1 is the RHT of QuIP# (Tseng et al., ICML 2024, §3 "incoherence processing
 * with the randomized Hadamard transform") and QuaRot (Ashkboos et al., NeurIPS 2024, §3, Hadamard
 * rotations with random signs); rounds = 2 is the two-block structured rotation H·D₂·H·D₁/n of
 * "Approximating Uniform Random Rotations by Two-Block Structured Hadamard Rotations in High
 * Dimensions" (seed 003; CATALOGUE §1.A.3): each output coordinate's law approaches that of a
 * Haar rotation (shifted Beta) in Kolmogorov distance at rate d^(−1/5), while one block maps e₁ to
 * a vector of ±1/√n (Kolmogorov distance ≈ 0.34 for every d).
 *
 * Randomness: round r (0-based) draws its n signs from ctx.rng.stream('rotation', 'rht', n,
 * 'round', r), so the same seed and params give the same rotation in every pipeline, and rounds = 1
 * and rounds = 2 share the first round's signs (rounds = 2 is rounds = 1 followed by one more block).
 *
 * Padding: each row is zero-padded to outDim = n = nextPow2(dim); the inverse returns the first dim
 * coordinates of Rᵀy. The quantizer is charged for all n coordinates (the pipeline divides total
 * bits by rows·dim).
 *
 * size = 'exact': n = the smallest Hadamard order K·2^j ≥ dim (see wht.ts and linalg/hadamardK.ts),
 * each round (H_K ⊗ H_{2^j})/√n·D_r with the same stream keys (n in the key); identical to 'pad'
 * when that n is a power of two.
 *
 * Invariants: orthogonal, ‖forward(x)‖ = ‖x‖, inverse(forward(x)) = x. Cost per row:
 * rounds·n·(log2 n + 2) operations; storage rounds·n signs.
 */
import { isPowerOfTwo } from '../../linalg/fwht';
import { KronHadamardTransform } from '../../linalg/hadamardK';
import { randomSigns, SignedHadamard } from '../../linalg/signedHadamard';
import { defineParams, typedParams } from '../params';
import { HADAMARD_SIZE_PARAM, hadamardLength } from './wht';
import type { TransformDef } from '../types';

export const RHT_PARAMS = defineParams({
  rounds: {
    kind: 'int',
    default: 1,
    min: 1,
    max: 4,
    step: 1,
    doc: 'Number of (random signs, Hadamard) blocks. 1 = RHT (QuIP#/QuaRot), 2 = two-block structured rotation.',
  },
  size: HADAMARD_SIZE_PARAM,
});

export const rhtTransform: TransformDef = {
  id: 'rht',
  label: 'Randomized Hadamard',
  description:
    'rounds × (random ±1 signs, then orthonormal WHT), zero-padded to a power of two; rounds=2 is the two-block structured rotation.',
  reference:
    'QuIP# (Tseng et al., ICML 2024) §3; QuaRot (Ashkboos et al., NeurIPS 2024) §3; two-block: "Approximating Uniform Random Rotations by Two-Block Structured Hadamard Rotations in High Dimensions" (seed 003).',
  params: RHT_PARAMS,
  // Products of orthonormal Hadamard blocks and ±1 diagonals: orthogonal.
  orthogonal: true,
  outDim: (params, dim) => hadamardLength(typedParams(RHT_PARAMS, params).size, dim),
  prepare(params, ctx) {
    const p = typedParams(RHT_PARAMS, params);
    const rounds = p.rounds;
    const n = hadamardLength(p.size, ctx.dim);
    const signs: Float64Array[] = [];
    for (let r = 0; r < rounds; r++)
      signs.push(randomSigns(ctx.rng.stream('rotation', 'rht', n, 'round', r), n));
    if (isPowerOfTwo(n)) return new SignedHadamard(ctx.dim, n, n, signs);
    return new KronHadamardTransform(ctx.dim, n, [n], signs);
  },
};
