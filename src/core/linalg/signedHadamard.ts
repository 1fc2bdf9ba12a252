/**
 * Randomized (block) Hadamard kernels shared by the `wht`, `rht` and `block-hadamard` transforms:
 *
 *   R = B_R·D_R ⋯ B_1·D_1,   B = I_{outDim/block} ⊗ (H_block/√block),   D_r = diag(±1) or I,
 *
 * applied to each row zero-padded from `dim` to `outDim` (a multiple of `block`, a power of two).
 * Every factor is orthogonal and B is symmetric, so Rᵀ = D_1·B ⋯ D_R·B and the inverse returns the
 * first `dim` coordinates of Rᵀy (which is exactly x when y = R·[x; 0]).
 *
 * Cost per row: rounds·outDim·(log2(block) + 1) additions. Rows are worked on in a float64 copy so
 * several rounds do not accumulate float32 rounding; one scratch row per prepared transform, no
 * allocation per call.
 */
import { fwhtOrthonormalInPlace, isPowerOfTwo } from './fwht';
import type { Rng } from '../rng';

/** `n` independent fair ±1 signs from `rng` (one 32-bit draw each, in order). */
export function randomSigns(rng: Rng, n: number): Float64Array {
  const s = new Float64Array(n);
  for (let i = 0; i < n; i++) s[i] = rng.sign();
  return s;
}

export class SignedHadamard {
  private readonly work: Float64Array;

  /**
   * @param signs one entry per round: a ±1 vector of length outDim, or null for an unsigned round.
   */
  constructor(
    readonly dim: number,
    readonly outDim: number,
    readonly block: number,
    readonly signs: readonly (Float64Array | null)[],
  ) {
    if (!isPowerOfTwo(block)) throw new RangeError(`hadamard block must be a power of two, got ${block}`);
    if (outDim % block !== 0 || outDim < dim) {
      throw new RangeError(`hadamard: outDim ${outDim} must be a multiple of ${block} and ≥ dim ${dim}`);
    }
    for (const s of signs) {
      if (s && s.length !== outDim)
        throw new RangeError(`hadamard: sign vector length ${s.length} ≠ ${outDim}`);
    }
    this.work = new Float64Array(outDim);
  }

  private blocks(w: Float64Array): void {
    for (let b = 0; b < this.outDim; b += this.block) fwhtOrthonormalInPlace(w, b, this.block);
  }

  /** out (rows × outDim) = R·[x; 0] for each row x of input (rows × dim). */
  forward(input: Float32Array, rows: number, out: Float32Array): void {
    const { dim, outDim } = this;
    const w = this.work;
    for (let r = 0; r < rows; r++) {
      const src = r * dim;
      for (let i = 0; i < dim; i++) w[i] = input[src + i];
      w.fill(0, dim);
      for (const s of this.signs) {
        if (s) for (let i = 0; i < outDim; i++) w[i] *= s[i];
        this.blocks(w);
      }
      const dst = r * outDim;
      for (let i = 0; i < outDim; i++) out[dst + i] = w[i];
    }
  }

  /** out (rows × dim) = first dim coordinates of Rᵀy for each row y of input (rows × outDim). */
  inverse(input: Float32Array, rows: number, out: Float32Array): void {
    const { dim, outDim } = this;
    const w = this.work;
    for (let r = 0; r < rows; r++) {
      const src = r * outDim;
      for (let i = 0; i < outDim; i++) w[i] = input[src + i];
      for (let k = this.signs.length - 1; k >= 0; k--) {
        this.blocks(w);
        const s = this.signs[k];
        if (s) for (let i = 0; i < outDim; i++) w[i] *= s[i];
      }
      const dst = r * dim;
      for (let i = 0; i < dim; i++) out[dst + i] = w[i];
    }
  }
}
