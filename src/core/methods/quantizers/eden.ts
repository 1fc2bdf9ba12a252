/**
 * EDEN (and DRIVE as its 1-bit unbiased case).
 * Vargaftik, Ben Basat, Portnoy, Mendelson, Ben-Itzhak, Mitzenmacher, "EDEN: Communication-Efficient
 * and Robust Distributed Mean Estimation for Federated Learning", ICML 2022 (PMLR 162), §3: after a
 * random rotation, quantize every coordinate of √d·y/‖y‖ with the Lloyd–Max codebook of N(0,1) and
 * send one scale S per vector. DRIVE (Vargaftik et al., "DRIVE: One-bit Distributed Mean
 * Estimation", NeurIPS 2021) is b = 1 with the unbiased scale: ŷ = (‖y‖²/‖y‖₁)·sign(y).
 * The MSE-optimal scale is the one the EDEN/TurboQuant note (arXiv 2604.18555) calls biased EDEN.
 *
 * The pipeline has already rotated the rows; this file only quantizes y:
 *   q = Q_b(√d·y/‖y‖)  (nearest level of the Gaussian Lloyd–Max codebook, coordinate-wise)
 *   ŷ = S·q,  S_mse = ⟨y,q⟩/‖q‖² (least squares: minimises ‖y − S·q‖),
 *             S_unbiased = ‖y‖²/⟨y,q⟩ (so ⟨y,ŷ⟩ = ‖y‖² and, over the rotation, E⟨x̂,z⟩ = ⟨x,z⟩).
 * Since the codebook is symmetric with a threshold at 0, q_j has the sign of y_j, so ⟨y,q⟩ > 0 for
 * every y ≠ 0 and both scales are finite; rows with ‖y‖ = 0 reconstruct to exactly 0.
 *
 * Large-d limits for a Haar rotation (z ≈ i.i.d. N(0,1), centroid condition E[z·Q(z)] = E[Q(z)²] = 1−D_b):
 * vNMSE_mse → D_b and vNMSE_unbiased → D_b/(1 − D_b) (π/2 − 1 at b = 1).
 *
 * Cost: one pass for ‖y‖, one for q and the two dot products, one to scale: O(d·b) per row.
 * Speed: the WASM kernel `eden_rows` runs the same float64 operations in the same order (index by
 * a branch-free threshold count), so its output is bit-identical (src/core/wasm/kernels.test.ts).
 * Bits per coordinate: b + 32/d (one fp32 S per row).
 */
import { lloydMaxGaussian, nearestLevelIndex } from '../../linalg/lloydmax';
import { defineParams, typedParams } from '../params';
import type { Params, QuantizerDef } from '../types';
import { CHUNK_BYTES, claim, noteWasmHit, wasmKernels } from '../../wasm/kernels';

export const EDEN_PARAMS = defineParams({
  bits: { kind: 'int', default: 2, min: 1, max: 8, step: 1, doc: 'bits per coordinate b (2^b levels)' },
  scale: {
    kind: 'enum',
    default: 'mse',
    options: ['mse', 'unbiased'],
    doc: 'mse: S = ⟨y,q⟩/‖q‖² (least squares); unbiased: S = ‖y‖²/⟨y,q⟩',
  },
});

export const edenQuantizer: QuantizerDef = {
  id: 'eden',
  label: 'EDEN',
  description:
    'Gaussian Lloyd–Max codebook on √d·y/‖y‖ with one scale per vector (bits=1 + unbiased is DRIVE)',
  reference:
    'Vargaftik et al., "EDEN: Communication-Efficient and Robust Distributed Mean Estimation for Federated Learning", ICML 2022, §3; DRIVE, NeurIPS 2021',
  params: EDEN_PARAMS,
  quantize(input, rows, d, params, _ctx, out) {
    const p = typedParams(EDEN_PARAMS, params);
    const cb = lloydMaxGaussian(p.bits);
    const unbiased = p.scale === 'unbiased';
    // The levels as stored (fp32): S is computed from exactly what is kept, as before, without
    // reading each value back from `out`.
    const levels = Float32Array.from(cb.levels);
    const thr = cb.thresholds;
    if (edenWasm(input, rows, d, thr, levels, unbiased, out)) return;
    const dots = new Float64Array(2);
    for (let r = 0; r < rows; r++) {
      const off = r * d;
      let n2 = 0;
      for (let j = 0; j < d; j++) n2 += input[off + j] * input[off + j];
      if (n2 === 0) {
        out.fill(0, off, off + d);
        continue;
      }
      const k = Math.sqrt(d / n2);
      if (thr.length <= 7) levelsByCount(input, off, d, k, thr, levels, out, dots);
      else levelsBySearch(input, off, d, k, thr, levels, out, dots);
      const yq = dots[0];
      const qq = dots[1];
      const s = unbiased ? n2 / yq : yq / qq;
      for (let j = 0; j < d; j++) out[off + j] *= s;
    }
  },
  // One scale per vector, deterministic codebook.
  rowLocal: () => true,
  bitsPerCoord(params: Params, _rows: number, d: number): number {
    const p = typedParams(EDEN_PARAMS, params);
    return p.bits + 32 / d;
  },
  describe(params) {
    const p = typedParams(EDEN_PARAMS, params);
    return `b=${p.bits} ${p.scale}`;
  },
};

/**
 * out[off+j] = levels[index of y·k], dots = [⟨y,q⟩, ‖q‖²] for b ≤ 3 (at most 7 thresholds): the
 * index is the count of thresholds below y·k, taken without branches. For sorted thresholds this is
 * the index nearestLevelIndex's binary search returns (ties low, NaN → 0), but the search's
 * data-dependent branches mispredict about half the time on Gaussian input. The row loops live in
 * small functions of their own so V8 optimises each with complete type feedback (one large
 * function with both loops was deoptimised and recompiled repeatedly in the bench).
 */
function levelsByCount(
  input: Float32Array,
  off: number,
  d: number,
  k: number,
  thr: Float64Array,
  levels: Float32Array,
  out: Float32Array,
  dots: Float64Array,
): void {
  const n = thr.length;
  const t0 = thr[0];
  const t1 = n > 1 ? thr[1] : Infinity;
  const t2 = n > 2 ? thr[2] : Infinity;
  const t3 = n > 3 ? thr[3] : Infinity;
  const t4 = n > 4 ? thr[4] : Infinity;
  const t5 = n > 5 ? thr[5] : Infinity;
  const t6 = n > 6 ? thr[6] : Infinity;
  let yq = 0;
  let qq = 0;
  for (let j = off, end = off + d; j < end; j++) {
    const y = input[j];
    const z = y * k;
    const q =
      levels[
        (z > t0 ? 1 : 0) +
          (z > t1 ? 1 : 0) +
          (z > t2 ? 1 : 0) +
          (z > t3 ? 1 : 0) +
          (z > t4 ? 1 : 0) +
          (z > t5 ? 1 : 0) +
          (z > t6 ? 1 : 0)
      ];
    out[j] = q;
    yq += y * q;
    qq += q * q;
  }
  dots[0] = yq;
  dots[1] = qq;
}

/** As levelsByCount, for larger codebooks: binary search (`bits` comparisons). */
function levelsBySearch(
  input: Float32Array,
  off: number,
  d: number,
  k: number,
  thr: Float64Array,
  levels: Float32Array,
  out: Float32Array,
  dots: Float64Array,
): void {
  let yq = 0;
  let qq = 0;
  for (let j = off, end = off + d; j < end; j++) {
    const y = input[j];
    const q = levels[nearestLevelIndex(thr, y * k)];
    out[j] = q;
    yq += y * q;
    qq += q * q;
  }
  dots[0] = yq;
  dots[1] = qq;
}

/** The WASM path of `quantize` (bit-identical), streaming rows in chunks; false if unavailable. */
function edenWasm(
  input: Float32Array,
  rows: number,
  d: number,
  thr: Float64Array,
  levels: Float32Array,
  unbiased: boolean,
  out: Float32Array,
): boolean {
  const k = wasmKernels();
  if (!k || rows === 0 || d === 0) return false;
  const chunkRows = Math.max(1, Math.min(rows, Math.floor(CHUNK_BYTES / (d * 4))));
  const { ptrs } = claim(k, edenWasm, [
    thr.length * 8,
    levels.length * 4,
    chunkRows * d * 4,
    chunkRows * d * 4,
  ]);
  const [thrP, levP, inP, outP] = ptrs;
  new Float64Array(k.memory.buffer, thrP, thr.length).set(thr);
  new Float32Array(k.memory.buffer, levP, levels.length).set(levels);
  const src = new Float32Array(k.memory.buffer, inP, chunkRows * d);
  const dst = new Float32Array(k.memory.buffer, outP, chunkRows * d);
  for (let r0 = 0; r0 < rows; r0 += chunkRows) {
    const n = Math.min(chunkRows, rows - r0);
    src.set(input.subarray(r0 * d, (r0 + n) * d));
    k.eden_rows(inP, n, d, thrP, thr.length, levP, unbiased ? 1 : 0, outP);
    out.set(dst.subarray(0, n * d), r0 * d);
  }
  noteWasmHit('eden');
  return true;
}
