/**
 * Identity transform: no rotation, the quantizer sees the data as is. The baseline every rotation
 * is compared against (CONTRACT.md §3).
 *
 * Invariants: outDim = dim, forward and inverse copy. Cost: one copy per coordinate. No padding,
 * no randomness.
 */
import type { PreparedTransform, TransformDef } from '../types';

export const identityTransform: TransformDef = {
  id: 'identity',
  label: 'Identity',
  description: 'No transform: quantize the data in its original coordinates.',
  reference: 'Baseline (CONTRACT.md §3).',
  params: {},
  // The identity map is orthogonal (a copy).
  orthogonal: true,
  outDim: (_params, dim) => dim,
  prepare(_params, ctx): PreparedTransform {
    const dim = ctx.dim;
    return {
      outDim: dim,
      forward(input, rows, out) {
        out.set(input.subarray(0, rows * dim));
      },
      inverse(input, rows, out) {
        out.set(input.subarray(0, rows * dim));
      },
    };
  },
};
