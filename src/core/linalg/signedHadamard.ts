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
 *
 * Speed: when WebAssembly SIMD is available, forward/inverse run the `signed_hadamard` kernel
 * (wasm/assembly/kernels.ts), which performs the same float64 operations in the same order, so the
 * output is bit-for-bit the one of the TypeScript loops below (kept as the reference; parity in
 * src/core/wasm/kernels.test.ts). Rows stream through WASM memory in chunks of ≈ CHUNK_BYTES.
 */
import { fwhtOrthonormalInPlace, isPowerOfTwo } from './fwht';
import { CHUNK_BYTES, claim, noteWasmHit, wasmKernels } from '../wasm/kernels';
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

  /** All rounds' signs as one rounds × outDim float64 block (ones for unsigned rounds), for WASM. */
  private packedSigns: Float64Array | null = null;

  /** The WASM path; false when WebAssembly is unavailable (the caller then runs the TS loops). */
  private runWasm(input: Float32Array, rows: number, out: Float32Array, inverse: boolean): boolean {
    const k = wasmKernels();
    if (!k || rows === 0) return k !== null;
    const { dim, outDim, block } = this;
    const rounds = this.signs.length;
    if (!this.packedSigns) {
      const packed = new Float64Array(rounds * outDim).fill(1);
      this.signs.forEach((s, r) => {
        if (s) packed.set(s, r * outDim);
      });
      this.packedSigns = packed;
    }
    const inLen = inverse ? outDim : dim;
    const outLen = inverse ? dim : outDim;
    const chunk = Math.max(1, Math.min(rows, Math.floor(CHUNK_BYTES / (4 * outDim))));
    const { ptrs, kept } = claim(k, this, [
      rounds * outDim * 8,
      outDim * 8,
      chunk * inLen * 4,
      chunk * outLen * 4,
    ]);
    const [signsP, workP, inP, outP] = ptrs;
    if (!kept) new Float64Array(k.memory.buffer, signsP, rounds * outDim).set(this.packedSigns);
    const inView = new Float32Array(k.memory.buffer, inP, chunk * inLen);
    const outView = new Float32Array(k.memory.buffer, outP, chunk * outLen);
    for (let r0 = 0; r0 < rows; r0 += chunk) {
      const n = Math.min(chunk, rows - r0);
      inView.set(input.subarray(r0 * inLen, (r0 + n) * inLen));
      k.signed_hadamard(inP, n, dim, outDim, block, signsP, rounds, outP, workP, inverse ? 1 : 0);
      out.set(outView.subarray(0, n * outLen), r0 * outLen);
    }
    noteWasmHit('signedHadamard');
    return true;
  }

  private blocks(w: Float64Array): void {
    for (let b = 0; b < this.outDim; b += this.block) fwhtOrthonormalInPlace(w, b, this.block);
  }

  /** out (rows × outDim) = R·[x; 0] for each row x of input (rows × dim). */
  forward(input: Float32Array, rows: number, out: Float32Array): void {
    if (this.runWasm(input, rows, out, false)) return;
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
    if (this.runWasm(input, rows, out, true)) return;
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
