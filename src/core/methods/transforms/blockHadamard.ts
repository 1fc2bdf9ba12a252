/**
 * Block-diagonal randomized Hadamard transform: random ±1 signs on every coordinate, then an
 * orthonormal WHT of size `block` on each consecutive block, R = (I ⊗ H_block/√block)·D.
 *
 * References: SAW-INT4 ("token-wise INT4 quantization with block-diagonal Hadamard rotation",
 * seeds CATALOGUE §1.F.3) and DuQuant++ (rotation block equal to the MXFP4 group, B = 32, so a
 * single outlier no longer inflates other groups' scales; CATALOGUE §1.B.2); CONTRACT.md §3
 * `block-hadamard`. With block = nextPow2(dim) it is the one-round RHT (different stream key).
 *
 * Randomness: outDim signs from ctx.rng.stream('rotation', 'block-hadamard', outDim, block), so
 * pipelines with the same params share the rotation.
 *
 * Padding: each row is zero-padded to outDim = ⌈dim/block⌉·block; the inverse returns the first dim
 * coordinates of Rᵀy. The quantizer is charged for all outDim coordinates (the pipeline divides
 * total bits by rows·dim).
 *
 * size = 'exact': full blocks of `block`, and a last partial block of r = dim mod block
 * coordinates is padded only to the smallest Hadamard order N_r ≥ r (a power of two or K·2^j,
 * linalg/hadamardK.ts) instead of to `block`: outDim = ⌊dim/block⌋·block + N_r. Same stream key
 * (with that outDim); identical to 'pad' when block divides dim.
 *
 * Invariants: orthogonal; an outlier is spread only within its block. Cost per row:
 * outDim·(log2(block) + 2) operations.
 */
import { isPowerOfTwo } from '../../linalg/fwht';
import { KronHadamardTransform, smallestHadamardOrder } from '../../linalg/hadamardK';
import { randomSigns, SignedHadamard } from '../../linalg/signedHadamard';
import { defineParams, typedParams } from '../params';
import type { TransformDef } from '../types';
import { HADAMARD_SIZE_PARAM } from './wht';

function paddedDim(dim: number, block: number, exact: boolean): number {
  if (!isPowerOfTwo(block))
    throw new RangeError(`block-hadamard: block must be a power of two, got ${block}`);
  const full = Math.floor(dim / block) * block;
  if (full === dim) return dim;
  return full + (exact ? smallestHadamardOrder(dim - full) : block);
}

export const BLOCK_HADAMARD_PARAMS = defineParams({
  block: {
    kind: 'int',
    default: 32,
    min: 2,
    max: 4096,
    step: 1,
    powerOfTwo: true,
    doc: 'Hadamard block size (a power of two); dim is zero-padded to a multiple of it.',
  },
  size: HADAMARD_SIZE_PARAM,
});

export const blockHadamardTransform: TransformDef = {
  id: 'block-hadamard',
  label: 'Block Hadamard',
  description: 'Block-diagonal randomized Hadamard: random signs, then an orthonormal WHT on each block.',
  reference:
    'SAW-INT4: System-Aware 4-Bit KV-Cache Quantization (block-diagonal Hadamard); DuQuant++ (B = 32 rotation for MXFP4); CONTRACT.md §3.',
  params: BLOCK_HADAMARD_PARAMS,
  outDim(params, dim) {
    const p = typedParams(BLOCK_HADAMARD_PARAMS, params);
    return paddedDim(dim, p.block, p.size === 'exact');
  },
  // (I ⊗ H_block/√block)·D: a block-diagonal product of orthogonal maps.
  orthogonal: true,
  prepare(params, ctx) {
    const p = typedParams(BLOCK_HADAMARD_PARAMS, params);
    const block = p.block;
    const outDim = paddedDim(ctx.dim, block, p.size === 'exact');
    const signs = randomSigns(ctx.rng.stream('rotation', 'block-hadamard', outDim, block), outDim);
    if (outDim % block === 0) return new SignedHadamard(ctx.dim, outDim, block, [signs]);
    const sizes: number[] = [];
    for (let off = 0; off < outDim; off += block) sizes.push(Math.min(block, outDim - off));
    return new KronHadamardTransform(ctx.dim, outDim, sizes, [signs]);
  },
};
