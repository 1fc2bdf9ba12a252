/**
 * QJL: the 1-bit Quantized Johnson–Lindenstrauss transform.
 * Zandieh, Daliri, Han, "QJL: 1-Bit Quantized JL Transform for KV Cache Quantization with Zero
 * Overhead", arXiv 2406.03482 (AAAI 2025), §3 (definition of the QJL map and its unbiased
 * inner-product estimator); also the residual stage of TurboQuant_prod (arXiv 2504.19874 §3.2).
 *
 * Store sign(S·y) ∈ {±1}^m and ‖y‖ (fp32), with S ∈ ℝ^{m×d} i.i.d. N(0,1); reconstruct
 *   ŷ = √(π/2)/m · ‖y‖ · Sᵀ sign(S·y).
 *
 * Invariants and exact moments (derived here, checked statistically in qjl.test.ts). Write
 * u = y/‖y‖, s_i the rows of S, g_i = ⟨s_i,u⟩ ~ N(0,1), and w_i = s_i − g_i·u ⊥ u. Then
 * Sᵀsign(Su) = (Σ|g_i|)·u + Σ sign(g_i)·w_i, with the w_i independent of the g_i. Since
 * E|g| = √(2/π) the estimate is unbiased, E ŷ = y, hence E⟨z,ŷ⟩ = ⟨z,y⟩ for every query z. With
 * c = √(π/2), Var|g| = 1 − 2/π and E‖w_i‖² = d − 1:
 *   E‖ŷ − y‖²/‖y‖² = (c²/m)·Var|g| + (c²/m²)·m·(d−1) = (π/2 − 1)/m + (π/2)(d−1)/m = ((π/2)·d − 1)/m,
 * exactly, for every y (the radial part plus the d−1 orthogonal directions); for m = d this is
 * π/2 − 1/d. The error is isotropic in the same sense, so for a uniform unit query q
 * independent of y, d·E⟨q, ŷ−y⟩²/‖y‖² takes the same value ((π/2)·d − 1)/m.
 *
 * Randomness: S comes from ctx.rng.stream('sketch', m, d), filled row-major, so standalone QJL and
 * the residual stage of turboquant-prod use the same sketch for the same (m, d) (paired
 * comparisons, CONTRACT.md §1). S is generated once per call (m·d fp32) and reused for every row.
 *
 * Cost: 2·m·d multiply-adds per row, in blocks of 16 rows so the sketch is read once per block. Rows with ‖y‖ = 0 reconstruct to exactly 0.
 * Bits per coordinate: m/d (signs) + 32/d (the fp32 norm).
 */
import { defineParams, typedParams } from '../params';
import type { DenseProducts, Params, QuantizerContext, QuantizerDef } from '../types';
import { claim, noteWasmHit, SLICE_ELEMS, wasmKernels } from '../../wasm/kernels';
import { ByteLru, streamFingerprint } from '../../memo';

/** Largest sketch we allocate: 2^28 fp32 entries = 1 GiB. */
const QJL_PARAMS = defineParams({
  sketch: {
    kind: 'int',
    default: 0,
    min: 0,
    max: 16384,
    step: 1,
    doc: 'sketch rows m (0 means m = d); costs m/d bits per coordinate',
  },
});

export const MAX_SKETCH_ENTRIES = 2 ** 28;

const SQRT_HALF_PI = Math.sqrt(Math.PI / 2);

/** Sketch rows m for a `sketch` param value (0 means m = d). */
export function sketchRows(sketch: number, d: number): number {
  return sketch === 0 ? d : sketch;
}

/**
 * Sketches kept per process/worker (src/core/memo.ts): every QJL-based pipeline of an experiment,
 * and every recompute after an edit, reuses the one m×d Gaussian draw (1M normals at d = 1024)
 * instead of regenerating it. 256 MiB: the d = 4096 sketch (64 MiB) and several smaller ones.
 */
export const sketchCache = new ByteLru<Float32Array>(256 * 2 ** 20);

/** The m×d Gaussian sketch of (seed, m, d), row-major; memoised by stream (shared: read only). */
export function makeSketch(ctx: QuantizerContext, m: number, d: number): Float32Array {
  if (m * d > MAX_SKETCH_ENTRIES) {
    throw new RangeError(`qjl: sketch m×d = ${m}×${d} exceeds ${MAX_SKETCH_ENTRIES} entries (1 GiB)`);
  }
  const stream = () => ctx.rng.stream('sketch', m, d);
  return sketchCache.get(`${m}|${d}|${streamFingerprint(stream)}`, m * d * 4, () => {
    const s = new Float32Array(m * d);
    stream().fillNormal(s);
    return s;
  });
}

/** Data rows processed together, so each sketch row is read once per block (cache reuse). */
export const QJL_BLOCK_ROWS = 16;

/**
 * QJL reconstruction of a block of `count` ≤ QJL_BLOCK_ROWS rows held in `src` (count × d, float64):
 * acc[k·d .. (k+1)·d) ← √(π/2)/m · ‖r_k‖ · Sᵀ sign(S·r_k). `acc` (≥ count·d) is overwritten; rows with
 * ‖r_k‖ = 0 give exactly 0. Loops run sketch row outermost so the m×d sketch streams through the
 * cache once per block instead of once per row. No allocation.
 *
 * `dense` is the config's numerics.denseProducts (QuantizerContext.denseProducts, CONTRACT.md
 * §5.2), which qjl, turboquant-prod and qjl-kv each pass from their context: the one place where
 * the sketch products' arithmetic is chosen (`sketchProducts`).
 */
export function qjlEstimateBlock(
  sketch: Float32Array,
  m: number,
  d: number,
  src: Float64Array,
  count: number,
  acc: Float64Array,
  dense: DenseProducts = 'float64',
): void {
  sketchProducts(dense, sketch, m, d, src, count, acc);
  for (let k = 0; k < count; k++) {
    const off = k * d;
    let n2 = 0;
    for (let j = 0; j < d; j++) n2 += src[off + j] * src[off + j];
    const scale = (SQRT_HALF_PI / m) * Math.sqrt(n2);
    for (let j = 0; j < d; j++) acc[off + j] *= scale;
  }
}

/**
 * acc[k·d ..] ← Sᵀ sign(S·r_k) with the WASM SIMD kernel `qjl_tiled` (wasm/assembly/kernels.ts),
 * which keeps this file's summation order (the (d0,d1)/(d2,d3) partial sums are its two vector
 * lanes; four sketch rows share each pass over a data row, and each output still receives ±s_i in
 * increasing i), so the result is bit-for-bit that of `qjlSketchProducts`. The sketch stays in
 * WASM memory across the blocks of one quantize call; the scratch holds the current four sketch
 * rows in float64 and their negations. False when WebAssembly is unavailable.
 */
function qjlSketchProductsWasm(
  sketch: Float32Array,
  m: number,
  d: number,
  src: Float64Array,
  count: number,
  acc: Float64Array,
): boolean {
  const k = wasmKernels();
  if (!k) return false;
  const rows = Math.max(count, QJL_BLOCK_ROWS);
  const { ptrs, kept } = claim(k, sketch, [m * d * 4, rows * d * 8, rows * d * 8, 8 * d * 8]);
  const [sketchP, srcP, accP, scratchP] = ptrs;
  if (!kept) new Float32Array(k.memory.buffer, sketchP, m * d).set(sketch.subarray(0, m * d));
  new Float64Array(k.memory.buffer, srcP, count * d).set(src.subarray(0, count * d));
  k.qjl_tiled(sketchP, m, d, srcP, count, accP, scratchP);
  acc.set(new Float64Array(k.memory.buffer, accP, count * d));
  noteWasmHit('qjl');
  return true;
}

/**
 * The sketch products acc[k·d ..] ← Sᵀ sign(S·r_k), unscaled, for the dense-products mode `dense`:
 * 'float64' runs qjl_tiled (or its reference below), 'float32' the float32 definition further down
 * (qjl_tiled_f32 or qjlSketchProductsF32, same bits).
 */
function sketchProducts(
  dense: DenseProducts,
  sketch: Float32Array,
  m: number,
  d: number,
  src: Float64Array,
  count: number,
  acc: Float64Array,
): void {
  if (dense === 'float32') qjlSketchProductsF32Block(sketch, m, d, src, count, acc);
  else if (!qjlSketchProductsWasm(sketch, m, d, src, count, acc))
    qjlSketchProducts(sketch, m, d, src, count, acc);
}

/** The TypeScript reference of the sketch products: acc[k·d ..] ← Sᵀ sign(S·r_k), unscaled. */
function qjlSketchProducts(
  sketch: Float32Array,
  m: number,
  d: number,
  src: Float64Array,
  count: number,
  acc: Float64Array,
): void {
  acc.fill(0, 0, count * d);
  for (let i = 0; i < m; i++) {
    const base = i * d;
    for (let k = 0; k < count; k++) {
      const off = k * d;
      // Four partial sums: breaks the floating-point add dependency chain (≈2× faster in V8).
      let d0 = 0;
      let d1 = 0;
      let d2 = 0;
      let d3 = 0;
      let j = 0;
      for (; j + 3 < d; j += 4) {
        d0 += sketch[base + j] * src[off + j];
        d1 += sketch[base + j + 1] * src[off + j + 1];
        d2 += sketch[base + j + 2] * src[off + j + 2];
        d3 += sketch[base + j + 3] * src[off + j + 3];
      }
      for (; j < d; j++) d0 += sketch[base + j] * src[off + j];
      const dot = d0 + d1 + (d2 + d3);
      // sign(0) = +1: a measure-zero event for r ≠ 0; any fixed choice keeps the estimator unbiased.
      if (dot >= 0) for (let t = 0; t < d; t++) acc[off + t] += sketch[base + t];
      else for (let t = 0; t < d; t++) acc[off + t] -= sketch[base + t];
    }
  }
}

// ───────────── float32 numeric mode (config numerics.denseProducts: 'float32', new links) ─────────────
//
// The same estimator, ŷ = √(π/2)/m · ‖r‖ · Sᵀ sign(S·r), with the sketch products in float32
// arithmetic, so that WASM SIMD runs four lanes per instruction instead of two (float64 without
// fused multiply-add is bounded at about 6 flops per cycle; README "Dense products"). Defined by its
// TypeScript reference, qjlSketchProductsF32, in this fixed order (every op rounded to float32 with
// Math.fround; one float32 op on float32 operands computed in float64 and rounded once is the
// correctly rounded float32 result, since 53 ≥ 2·24 + 2):
//   x_j = fround(r_j)                                 (the data row, rounded once)
//   dot_i: four partial sums p_l over j ≡ l (mod 4), j < 4⌊d/4⌋, each p_l ← fround(p_l + fround(S_ij·x_j))
//          in increasing j; the tail j ≥ 4⌊d/4⌋ goes into p_0 in increasing j;
//          dot_i = fround(fround(p_0 + p_1) + fround(p_2 + p_3))
//   acc_t ← fround(acc_t ± S_it) for i = 0, 1, …, m − 1 in turn (+ when dot_i ≥ 0: sign(0) = +1)
// The norm and the scale stay float64 exactly as in qjlEstimateBlock (‖r‖² summed in float64 over
// the caller's float64 row, scale = (√(π/2)/m)·‖r‖, ŷ_t = acc_t · scale in float64): they cost O(d)
// per row beside the O(m·d) products, so moving them to float32 would buy no speed, and keeping
// them makes the two modes differ only in Sᵀ sign(S·r).
//
// Difference from float64 (checked in kernels.test.ts): the float32 dot differs from the exact
// Σ_j S_ij r_j by at most γ_{⌊d/4⌋+7}·Σ_j |S_ij r_j| (γ_n = n·u/(1 − n·u), u = 2⁻²⁴: one rounding of
// r_j, one of the product, at most ⌊d/4⌋ + 3 in its partial sum, two in the combination), so a sign
// can differ from the float64 path's only where |S·r|_i is below that bound; with the same signs,
// |acc32_t − acc64_t| ≤ γ_m·Σ_i |S_it| (float64's own error is 2²⁹ times smaller).

/** Float32 dot product of sketch row `base` (offset) with x[off .. off + d) in the order above. */
export function qjlDotF32(
  sketch: Float32Array,
  base: number,
  x: Float32Array,
  off: number,
  d: number,
): number {
  const f = Math.fround;
  let p0 = 0;
  let p1 = 0;
  let p2 = 0;
  let p3 = 0;
  let j = 0;
  for (; j + 3 < d; j += 4) {
    p0 = f(p0 + f(sketch[base + j] * x[off + j]));
    p1 = f(p1 + f(sketch[base + j + 1] * x[off + j + 1]));
    p2 = f(p2 + f(sketch[base + j + 2] * x[off + j + 2]));
    p3 = f(p3 + f(sketch[base + j + 3] * x[off + j + 3]));
  }
  for (; j < d; j++) p0 = f(p0 + f(sketch[base + j] * x[off + j]));
  return f(f(p0 + p1) + f(p2 + p3));
}

/**
 * The TypeScript reference of the float32 sketch products: acc[k·d ..] ← Sᵀ sign(S·x_k) in float32,
 * unscaled, for the float32 rows x_k (count × d). `acc` (≥ count·d) is overwritten.
 */
export function qjlSketchProductsF32(
  sketch: Float32Array,
  m: number,
  d: number,
  x: Float32Array,
  count: number,
  acc: Float32Array,
): void {
  acc.fill(0, 0, count * d);
  for (let i = 0; i < m; i++) {
    const base = i * d;
    for (let k = 0; k < count; k++) {
      const off = k * d;
      // Float32Array stores round each sum to float32: acc[t] ← fround(acc[t] ± S_it).
      if (qjlDotF32(sketch, base, x, off, d) >= 0)
        for (let t = 0; t < d; t++) acc[off + t] += sketch[base + t];
      else for (let t = 0; t < d; t++) acc[off + t] -= sketch[base + t];
    }
  }
}

/** Sketch rows per call of qjl_tiled_f32: about SLICE_ELEMS sketch entries, in whole blocks of 8. */
export function qjlF32SliceRows(d: number): number {
  return QJL_F32_PASS_ROWS * Math.max(1, Math.floor(SLICE_ELEMS / (QJL_F32_PASS_ROWS * d)));
}

/** Sketch rows per pass over a data row in qjl_tiled_f32 (its QR). */
const QJL_F32_PASS_ROWS = 8;

/** Scratch bytes of qjl_tiled_f32: the negations of one pass's sketch rows and 16 dot products. */
export function qjlF32ScratchBytes(d: number): number {
  return 4 * (QJL_F32_PASS_ROWS * d + 16);
}

/**
 * qjlSketchProductsF32 with the WASM SIMD kernel `qjl_tiled_f32` (wasm/assembly/kernels.ts), called
 * in slices of sketch rows that add into the same accumulators (the order per output is still
 * i = 0, 1, …), so the result is bit-for-bit the reference's. The sketch stays in WASM memory
 * across the blocks of one quantize call. False when WebAssembly is unavailable.
 */
function qjlSketchProductsF32Wasm(
  sketch: Float32Array,
  m: number,
  d: number,
  x: Float32Array,
  count: number,
  acc: Float32Array,
): boolean {
  const k = wasmKernels();
  if (!k) return false;
  const rows = Math.max(count, QJL_BLOCK_ROWS);
  const { ptrs, kept } = claim(k, sketch, [m * d * 4, rows * d * 4, rows * d * 4, qjlF32ScratchBytes(d)]);
  const [sketchP, srcP, accP, negP] = ptrs;
  if (!kept) new Float32Array(k.memory.buffer, sketchP, m * d).set(sketch.subarray(0, m * d));
  new Float32Array(k.memory.buffer, srcP, count * d).set(x.subarray(0, count * d));
  new Float32Array(k.memory.buffer, accP, count * d).fill(0);
  const step = qjlF32SliceRows(d);
  for (let i0 = 0; i0 < m; i0 += step)
    k.qjl_tiled_f32(sketchP, d, i0, Math.min(m, i0 + step), srcP, count, accP, negP);
  acc.set(new Float32Array(k.memory.buffer, accP, count * d));
  noteWasmHit('qjlF32');
  return true;
}

let f32Rows = new Float32Array(0);
let f32Acc = new Float32Array(0);

/**
 * The float32 mode's sketch products with the float64 interface of the float64 path's:
 * acc[k·d ..] ← Sᵀ sign(S·x_k), unscaled, x_k = the rows of `src` rounded to float32, computed in
 * float32 as defined above (WASM SIMD when available, else qjlSketchProductsF32; same bits) and
 * widened exactly into `acc` (≥ count·d, overwritten).
 */
export function qjlSketchProductsF32Block(
  sketch: Float32Array,
  m: number,
  d: number,
  src: Float64Array,
  count: number,
  acc: Float64Array,
): void {
  const n = count * d;
  if (f32Rows.length < n) {
    f32Rows = new Float32Array(n);
    f32Acc = new Float32Array(n);
  }
  for (let j = 0; j < n; j++) f32Rows[j] = src[j];
  if (!qjlSketchProductsF32Wasm(sketch, m, d, f32Rows, count, f32Acc))
    qjlSketchProductsF32(sketch, m, d, f32Rows, count, f32Acc);
  for (let j = 0; j < n; j++) acc[j] = f32Acc[j];
}

/** qjlEstimateBlock in the float32 numeric mode (the parity and bound tests' entry). */
export function qjlEstimateBlockF32(
  sketch: Float32Array,
  m: number,
  d: number,
  src: Float64Array,
  count: number,
  acc: Float64Array,
): void {
  qjlEstimateBlock(sketch, m, d, src, count, acc, 'float32');
}

export const qjlQuantizer: QuantizerDef = {
  id: 'qjl',
  label: 'QJL',
  description: 'Quantized JL: sign(S·y) with S Gaussian m×d plus the fp32 norm; unbiased inner products',
  reference:
    'Zandieh, Daliri, Han, "QJL: 1-Bit Quantized JL Transform for KV Cache Quantization", arXiv 2406.03482, §3',
  params: QJL_PARAMS,
  quantize(input, rows, d, params, ctx, out) {
    const p = typedParams(QJL_PARAMS, params);
    const m = sketchRows(p.sketch, d);
    const sketch = makeSketch(ctx, m, d);
    const block = new Float64Array(QJL_BLOCK_ROWS * d);
    const acc = new Float64Array(QJL_BLOCK_ROWS * d);
    for (let r0 = 0; r0 < rows; r0 += QJL_BLOCK_ROWS) {
      const count = Math.min(QJL_BLOCK_ROWS, rows - r0);
      for (let j = 0; j < count * d; j++) block[j] = input[r0 * d + j];
      // Sketch products in the config's arithmetic (numerics.denseProducts, CONTRACT.md §5.2).
      qjlEstimateBlock(sketch, m, d, block, count, acc, ctx.denseProducts);
      for (let j = 0; j < count * d; j++) out[r0 * d + j] = acc[j];
    }
  },
  // One norm per row and a sketch drawn from its own stream ('sketch', m, d), the same for every
  // row: no statistic across rows and no stream consumed by them (memoised, so blocks reuse it).
  rowLocal: () => true,
  bitsPerCoord(params: Params, _rows: number, d: number): number {
    const p = typedParams(QJL_PARAMS, params);
    return (sketchRows(p.sketch, d) + 32) / d;
  },
  describe(params) {
    const p = typedParams(QJL_PARAMS, params);
    const s = p.sketch;
    return s === 0 ? 'm=d' : `m=${s}`;
  },
};
