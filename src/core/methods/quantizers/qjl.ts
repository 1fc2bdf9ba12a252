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
import { claim, noteWasmHit, wasmKernels } from '../../wasm/kernels';
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
 * The sketch products acc[k·d ..] ← Sᵀ sign(S·r_k), unscaled, for the dense-products mode `dense`.
 * Both modes run the float64 kernels (qjl_tiled and its reference below), so the QJL family gives
 * the float64 mode's numbers in either mode; this function is where a float32 sketch kernel is
 * selected for 'float32'.
 */
function sketchProducts(
  _dense: DenseProducts,
  sketch: Float32Array,
  m: number,
  d: number,
  src: Float64Array,
  count: number,
  acc: Float64Array,
): void {
  if (!qjlSketchProductsWasm(sketch, m, d, src, count, acc)) qjlSketchProducts(sketch, m, d, src, count, acc);
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
