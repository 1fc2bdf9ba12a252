/**
 * Exactly Haar-distributed random rotations of ℝ^d as a product of d − 1 random Householder
 * reflections of decreasing size, with sign corrections.
 *
 * Source: G. W. Stewart, "The efficient generation of random orthogonal matrices with an
 * application to condition estimators", SIAM J. Numer. Anal. 17(3), 1980, §3. The Householder QR
 * of a d×d matrix G of i.i.d. N(0,1) entries reflects the first column g₁ with H₁ (which depends on
 * g₁ only); because H₁ is orthogonal and independent of the other columns, the trailing
 * (d−1)×(d−1) block of H₁G is again i.i.d. Gaussian and independent of H₁. So the QR never needs
 * G: step k just draws a fresh Gaussian vector of length d−k. The Q factor is Haar only after the
 * sign fix Q·diag(sign(diag R)) (Mezzadri, "How to generate random matrices from the classical
 * compact groups", Notices AMS 54(5), 2007, §5); without it Q₁₁ = −|x₁|/‖x‖ is always negative.
 *
 * With the reflector H_k = I − β_k v_k v_kᵀ chosen so that H_k x = −sign(x₁)‖x‖e₁ (the stable
 * choice), diag(R)_k = −sign(x₁⁽ᵏ⁾), and the last diagonal entry of R is a fresh Gaussian whose
 * sign is an independent fair coin. Hence
 *
 *     Q = H_0 · H_1 ⋯ H_{d−2} · D,   D = diag(s_0, …, s_{d−1}),  s_k = −sign(x₁⁽ᵏ⁾), s_{d−1} = ±1,
 *
 * where H_k acts on coordinates k … d−1.
 *
 * Storage: the reflection vectors packed in one Float32Array of Σ_{k=0}^{d−2}(d−k) = d(d+1)/2 − 1
 * floats (≈ d²/2), plus β_k in float64 recomputed from the *rounded* float32 vector, so every
 * stored reflector I − β v vᵀ is exactly orthogonal in real arithmetic whatever the rounding of v.
 *
 * Cost: generation d²/2 normals; applying Q or Qᵀ to one vector Σ 2(d−k) ≈ d² multiply-adds.
 * Rows are processed in chunks with float64 working copies, and each reflection is applied to all
 * rows of a chunk before the next (so the reflector stays in L1 and the chunk in L2).
 *
 * Speed: with WebAssembly SIMD available, HouseholderApplier runs the `householder_tiled` kernel
 * (wasm/assembly/kernels.ts): rows sit in SIMD lanes (groups of HOUSEHOLDER_TILE_ROWS held
 * transposed), so every row's dot products and updates keep the order of `reflectRows` and the
 * output is bit-for-bit the TS one (parity in src/core/wasm/kernels.test.ts). Each reflection's
 * update shares its pass over the rows with the next reflection's dot product, and a call holds
 * as many groups as fit TILE_BYTES so a reflector is fetched once per call.
 *
 * Float32 mode (config `numerics.denseProducts: 'float32'`, CONTRACT.md §5.2): the same reflectors,
 * β_k rounded to float32, and every product, sum and update of `reflectRows` rounded to binary32 in
 * the same order (`reflectRowsF32`), one running float32 dot product per row, as a float32 GEMM on
 * a GPU or PyTorch would. The WASM kernel `householder_tiled_f32` keeps that order with f32x4 lanes
 * (16 rows per group), twice the lanes of the float64 kernel, bit-identical to the reference.
 * Rounding the binary64 result of one operation on binary32 operands to binary32 gives the
 * correctly rounded binary32 result (53 ≥ 2·24 + 2: Figueroa, "When is double rounding
 * innocuous?", SIGNUM 1995), so Math.fround emulates float32 arithmetic exactly. Accuracy against
 * the float64 mode: src/core/linalg/householder-f32.test.ts.
 *
 * Partial products: the applier uses `betas.length` reflectors, so a product of K < d − 1
 * reflectors (the basis completion of the PCA Gram path, src/core/methods/transforms/pca.ts) is
 * applied by the same code in O(K·d) per row.
 *
 * Memoisation: generation is deterministic in the random stream, so `householderRotation` caches
 * by a 128-bit fingerprint of the stream (its first four words) and d in a small LRU (at most
 * CACHE_MAX_ENTRIES rotations and CACHE_MAX_FLOATS stored floats) so that re-running an experiment
 * (a slider move) does not redraw d²/2 normals.
 */
import type { DenseProducts } from '../methods/types';
import type { Rng } from '../rng';
import {
  claim,
  HOUSEHOLDER_TILE_ROWS,
  HOUSEHOLDER_TILE_ROWS_F32,
  noteWasmHit,
  wasmKernels,
} from '../wasm/kernels';

/** Bytes of float64 row groups per call of the WASM kernel: the working set kept in L2. */
const TILE_BYTES = 1 << 20;

/** A stored Haar rotation Q = H_0 ⋯ H_{d−2}·D (see the header). Immutable once built. */
export interface HouseholderRotation {
  readonly d: number;
  /** Reflection vectors, v_k of length d−k at offset(k) = Σ_{j<k}(d−j) (for k < betas.length). */
  readonly vectors: Float32Array;
  /** β_k = 2/‖v_k‖² (0 when x⁽ᵏ⁾ was exactly zero, i.e. H_k = I); its length is the number K of
   * reflectors (d − 1 for a Haar rotation). */
  readonly betas: Float64Array;
  /** Sign corrections s_k ∈ {−1, +1}. */
  readonly signs: Float64Array;
}

/** Offset of v_k in the packed `vectors` array: Σ_{j<k} (d − j) = k·d − k(k−1)/2. */
export function reflectorOffset(d: number, k: number): number {
  return k * d - (k * (k - 1)) / 2;
}

/**
 * Draw a Haar rotation of ℝ^d from `rng` (Stewart 1980). Consumes, in order, for k = 0 … d−2 the
 * d−k normals of x⁽ᵏ⁾, then one sign for s_{d−1}. Not memoised; see `householderRotation`.
 */
export function generateHouseholderRotation(rng: Rng, d: number): HouseholderRotation {
  if (!Number.isInteger(d) || d < 1) throw new RangeError(`householder: d must be an integer ≥ 1, got ${d}`);
  const nVec = d > 1 ? reflectorOffset(d, d - 1) : 0;
  const vectors = new Float32Array(nVec);
  const betas = new Float64Array(Math.max(d - 1, 0));
  const signs = new Float64Array(d);
  const x = new Float64Array(d);
  for (let k = 0; k < d - 1; k++) {
    const m = d - k;
    const off = reflectorOffset(d, k);
    let ss = 0;
    for (let i = 0; i < m; i++) {
      const g = rng.normal();
      x[i] = g;
      ss += g * g;
    }
    const norm = Math.sqrt(ss);
    const s0 = x[0] >= 0 ? 1 : -1;
    // H x = −s0‖x‖e₁ with v = x + s0‖x‖e₁ (no cancellation in v₀); diag(R)_k = −s0.
    x[0] += s0 * norm;
    signs[k] = -s0;
    let vv = 0;
    for (let i = 0; i < m; i++) {
      const vi = Math.fround(x[i]);
      vectors[off + i] = vi;
      vv += vi * vi;
    }
    betas[k] = vv > 0 ? 2 / vv : 0;
  }
  signs[d - 1] = rng.sign();
  return { d, vectors, betas, signs };
}

/** Rows per chunk of the batched apply: 32 rows × d ≤ 4096 float64 = 1 MiB of working set. */
const CHUNK_ROWS = 32;

/**
 * Apply reflector k to `rows` rows of `w` (row stride d), in place. Two rows per pass share each
 * load of v (the loop is load-bound), with float64 accumulators.
 */
function reflectRows(q: HouseholderRotation, k: number, w: Float64Array, rows: number): void {
  const d = q.d;
  const beta = q.betas[k];
  if (beta === 0) return;
  const off = reflectorOffset(d, k);
  const m = d - k;
  const v = q.vectors.subarray(off, off + m);
  let r = 0;
  for (; r + 1 < rows; r += 2) {
    const a = r * d + k;
    const b = a + d;
    let da = 0;
    let db = 0;
    for (let i = 0; i < m; i++) {
      const vi = v[i];
      da += vi * w[a + i];
      db += vi * w[b + i];
    }
    const ta = beta * da;
    const tb = beta * db;
    for (let i = 0; i < m; i++) {
      const vi = v[i];
      w[a + i] -= ta * vi;
      w[b + i] -= tb * vi;
    }
  }
  if (r < rows) {
    const a = r * d + k;
    let da = 0;
    for (let i = 0; i < m; i++) da += v[i] * w[a + i];
    const ta = beta * da;
    for (let i = 0; i < m; i++) w[a + i] -= ta * v[i];
  }
}

/**
 * reflectRows in float32 arithmetic (the float32 dense-products mode, see the header): the same
 * operations in the same order, each rounded to binary32; `beta` is β_k rounded to float32. This
 * is the reference of the WASM kernel `householder_tiled_f32`.
 */
function reflectRowsF32(
  q: HouseholderRotation,
  beta: number,
  k: number,
  w: Float32Array,
  rows: number,
): void {
  if (beta === 0) return;
  const d = q.d;
  const off = reflectorOffset(d, k);
  const m = d - k;
  const v = q.vectors.subarray(off, off + m);
  const f = Math.fround;
  for (let r = 0; r < rows; r++) {
    const a = r * d + k;
    let da = 0;
    for (let i = 0; i < m; i++) da = f(da + f(v[i] * w[a + i]));
    const ta = f(beta * da);
    // The Float32Array store rounds w − t·v to binary32.
    for (let i = 0; i < m; i++) w[a + i] = w[a + i] - f(ta * v[i]);
  }
}

/** β_k rounded to float32, per rotation (the float32 mode's reflectors; shared by its appliers). */
const betas32 = new WeakMap<HouseholderRotation, Float32Array>();

function float32Betas(q: HouseholderRotation): Float32Array {
  let b = betas32.get(q);
  if (!b) {
    b = Float32Array.from(q.betas);
    betas32.set(q, b);
  }
  return b;
}

/**
 * Reusable applier of one rotation: owns a scratch of CHUNK_ROWS × d (float64, or float32 in the
 * float32 mode), so forward and transpose allocate nothing per call. `precision` is the config's
 * `numerics.denseProducts` (CONTRACT.md §5.2): 'float64' (default, every saved link) or 'float32'.
 */
export class HouseholderApplier {
  readonly q: HouseholderRotation;
  readonly precision: DenseProducts;
  private readonly work: Float64Array;
  private readonly work32: Float32Array;

  constructor(q: HouseholderRotation, precision: DenseProducts = 'float64') {
    this.q = q;
    this.precision = precision;
    this.work = new Float64Array(precision === 'float64' ? CHUNK_ROWS * q.d : 0);
    this.work32 = new Float32Array(precision === 'float32' ? CHUNK_ROWS * q.d : 0);
  }

  /** The float32 mode's TypeScript reference (forward: Q·x; transpose: Qᵀ·x). */
  private applyF32(
    input: Float32Array,
    rows: number,
    out: Float32Array,
    inStride: number,
    outStride: number,
    transpose: boolean,
  ): void {
    if (this.runWasm(input, rows, out, inStride, outStride, transpose)) return;
    const { d, signs } = this.q;
    const betas = float32Betas(this.q);
    const w = this.work32;
    for (let r0 = 0; r0 < rows; r0 += CHUNK_ROWS) {
      const n = Math.min(CHUNK_ROWS, rows - r0);
      // Signs are ±1: signed coordinates are exact in float32.
      for (let r = 0; r < n; r++) {
        const src = (r0 + r) * inStride;
        for (let i = 0; i < d; i++) w[r * d + i] = transpose ? input[src + i] : signs[i] * input[src + i];
      }
      if (transpose) for (let k = 0; k < betas.length; k++) reflectRowsF32(this.q, betas[k], k, w, n);
      else for (let k = betas.length - 1; k >= 0; k--) reflectRowsF32(this.q, betas[k], k, w, n);
      for (let r = 0; r < n; r++) {
        const dst = (r0 + r) * outStride;
        for (let i = 0; i < d; i++) out[dst + i] = transpose ? signs[i] * w[r * d + i] : w[r * d + i];
      }
    }
  }

  /**
   * The WASM path (see the header); false when WebAssembly is unavailable. Rows are copied densely
   * (stride d) through WASM memory in chunks of whole groups: `householder_tiled` (float64 working
   * copy, groups of HOUSEHOLDER_TILE_ROWS) or, in the float32 mode, `householder_tiled_f32` (float32
   * working copy and β, groups of HOUSEHOLDER_TILE_ROWS_F32: the same bytes per group).
   */
  private runWasm(
    input: Float32Array,
    rows: number,
    out: Float32Array,
    inStride: number,
    outStride: number,
    transpose: boolean,
  ): boolean {
    const k = wasmKernels();
    if (!k || rows === 0) return k !== null;
    const { d, vectors, signs } = this.q;
    const f32 = this.precision === 'float32';
    const betas = f32 ? float32Betas(this.q) : this.q.betas;
    const tileRows = f32 ? HOUSEHOLDER_TILE_ROWS_F32 : HOUSEHOLDER_TILE_ROWS;
    // Rows per call: whole groups whose working copy fits TILE_BYTES (L2), so each reflector is
    // read once per call and the groups stay in cache.
    const groupBytes = tileRows * d * betas.BYTES_PER_ELEMENT;
    const groups = Math.max(1, Math.min(Math.floor(TILE_BYTES / groupBytes), Math.ceil(rows / tileRows)));
    const chunk = groups * tileRows;
    // Claimed under the rotation (float64) or its float32 β (float32): a switch of mode re-copies.
    const { ptrs, kept } = claim(k, f32 ? betas : this.q, [
      vectors.length * 4,
      betas.byteLength,
      d * 8,
      groups * (groupBytes + 128) + (f32 ? 0 : 2 * d * 8),
      chunk * d * 4,
      chunk * d * 4,
    ]);
    const [vecP, betaP, signP, workP, inP, outP] = ptrs;
    if (!kept) {
      new Float32Array(k.memory.buffer, vecP, vectors.length).set(vectors);
      if (f32) new Float32Array(k.memory.buffer, betaP, betas.length).set(betas);
      else new Float64Array(k.memory.buffer, betaP, betas.length).set(betas);
      new Float64Array(k.memory.buffer, signP, d).set(signs);
    }
    const kernel = f32 ? k.householder_tiled_f32 : k.householder_tiled;
    const inView = new Float32Array(k.memory.buffer, inP, chunk * d);
    const outView = new Float32Array(k.memory.buffer, outP, chunk * d);
    for (let r0 = 0; r0 < rows; r0 += chunk) {
      const n = Math.min(chunk, rows - r0);
      if (inStride === d) inView.set(input.subarray(r0 * d, (r0 + n) * d));
      else
        for (let r = 0; r < n; r++)
          inView.set(input.subarray((r0 + r) * inStride, (r0 + r) * inStride + d), r * d);
      kernel(vecP, betaP, betas.length, signP, d, inP, d, n, outP, d, workP, transpose ? 1 : 0);
      if (outStride === d) out.set(outView.subarray(0, n * d), r0 * d);
      else for (let r = 0; r < n; r++) out.set(outView.subarray(r * d, (r + 1) * d), (r0 + r) * outStride);
    }
    noteWasmHit(f32 ? 'householder-f32' : 'householder');
    return true;
  }

  /**
   * out[r] = Q·in[r] for `rows` rows of length d (row strides inStride / outStride, so a caller
   * can read or write a prefix of wider rows). `input` and `out` may alias when the strides are
   * equal (each chunk is copied into the scratch before it is written).
   */
  forward(
    input: Float32Array,
    rows: number,
    out: Float32Array,
    inStride = this.q.d,
    outStride = this.q.d,
  ): void {
    if (this.precision === 'float32') return this.applyF32(input, rows, out, inStride, outStride, false);
    if (this.runWasm(input, rows, out, inStride, outStride, false)) return;
    const { d, signs } = this.q;
    const w = this.work;
    for (let r0 = 0; r0 < rows; r0 += CHUNK_ROWS) {
      const n = Math.min(CHUNK_ROWS, rows - r0);
      for (let r = 0; r < n; r++) {
        const src = (r0 + r) * inStride;
        for (let i = 0; i < d; i++) w[r * d + i] = signs[i] * input[src + i];
      }
      // Q x = H_0 (H_1 ⋯ (H_{K−1} (D x))): smallest reflector first.
      for (let k = this.q.betas.length - 1; k >= 0; k--) reflectRows(this.q, k, w, n);
      for (let r = 0; r < n; r++) {
        const dst = (r0 + r) * outStride;
        for (let i = 0; i < d; i++) out[dst + i] = w[r * d + i];
      }
    }
  }

  /** out[r] = Qᵀ·in[r]; the exact inverse of `forward` (Qᵀ = D H_{d−2} ⋯ H_0). Same aliasing
   * rule as `forward`. */
  transpose(
    input: Float32Array,
    rows: number,
    out: Float32Array,
    inStride = this.q.d,
    outStride = this.q.d,
  ): void {
    if (this.precision === 'float32') return this.applyF32(input, rows, out, inStride, outStride, true);
    if (this.runWasm(input, rows, out, inStride, outStride, true)) return;
    const { d, signs } = this.q;
    const w = this.work;
    for (let r0 = 0; r0 < rows; r0 += CHUNK_ROWS) {
      const n = Math.min(CHUNK_ROWS, rows - r0);
      for (let r = 0; r < n; r++) {
        const src = (r0 + r) * inStride;
        for (let i = 0; i < d; i++) w[r * d + i] = input[src + i];
      }
      for (let k = 0; k < this.q.betas.length; k++) reflectRows(this.q, k, w, n);
      for (let r = 0; r < n; r++) {
        const dst = (r0 + r) * outStride;
        for (let i = 0; i < d; i++) out[dst + i] = signs[i] * w[r * d + i];
      }
    }
  }
}

// ───────────────────────────── memoisation ─────────────────────────────

const CACHE_MAX_ENTRIES = 4;
/** ≈ 100 MB of float32 reflectors: two d = 4096 rotations (8.4 M floats each) plus small ones. */
const CACHE_MAX_FLOATS = 25_000_000;
const cache = new Map<string, HouseholderRotation>();

/**
 * The Haar rotation drawn from the stream `makeRng()` in dimension d, memoised. `makeRng` must
 * return a fresh stream at its start each time it is called (RngFactory.stream does); it is called
 * once for a 128-bit fingerprint and, on a cache miss, once more to generate.
 */
export function householderRotation(makeRng: () => Rng, d: number): HouseholderRotation {
  const probe = makeRng();
  const key = `${d}|${probe.nextU32()}|${probe.nextU32()}|${probe.nextU32()}|${probe.nextU32()}`;
  const hit = cache.get(key);
  if (hit) {
    // Map iteration order is insertion order: re-insert to mark as most recently used.
    cache.delete(key);
    cache.set(key, hit);
    return hit;
  }
  const q = generateHouseholderRotation(makeRng(), d);
  cache.set(key, q);
  let total = 0;
  for (const v of cache.values()) total += v.vectors.length;
  for (const [k, v] of cache) {
    if (cache.size <= CACHE_MAX_ENTRIES && total <= CACHE_MAX_FLOATS) break;
    if (k === key) continue; // never evict the rotation just built
    cache.delete(k);
    total -= v.vectors.length;
  }
  return q;
}

/** Number of rotations currently memoised (for tests). */
export function householderCacheSize(): number {
  return cache.size;
}

/** Drop all memoised rotations (for tests and memory pressure). */
export function clearHouseholderCache(): void {
  cache.clear();
}
