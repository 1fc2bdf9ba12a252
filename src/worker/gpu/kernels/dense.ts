/**
 * 'haar' forward on the GPU as one dense product Y = X·M with M = Qᵀ, the rotation's d×d matrix
 * (Stewart, SIAM J. Numer. Anal. 17(3), 1980, §3: Q = H_0⋯H_{d−2}·D, src/core/linalg/householder.ts).
 * The d − 1 reflections are a sequential chain per row, a poor fit for a GPU; their product is one
 * GEMM (src/worker/gpu/matmul.ts).
 *
 * M is read off the prepared transform itself: forward(I) gives the rows Q·eᵢ, i.e. M = Qᵀ with
 * y = x·M for every row x, in the CPU's own float64 arithmetic rounded once to float32. That costs
 * d rows of the CPU path once; M is kept (a small LRU keyed by d and a 1-row probe of the
 * transform, so every pipeline and recompute with the same seed reuses it), so only the first run
 * of a rotation pays it, and the kernel is offered only when rows ≥ d (otherwise building M costs
 * as much as the CPU path it replaces).
 */
import { matmul } from '../matmul';
import type { GpuTransformKernel } from '../kernel-types';
import type { PreparedTransform } from '../../../core/methods/types';

/** Rotations kept (each d² float32: 64 MiB at d = 4096). */
const CACHE_MAX_BYTES = 256 * 2 ** 20;
const cache = new Map<string, Float32Array>();

/** A fingerprint of the linear map: d and its image of one fixed irrational probe row. */
function fingerprint(p: PreparedTransform, d: number): string {
  const probe = new Float32Array(d);
  for (let i = 0; i < d; i++) probe[i] = Math.fround(Math.sin(1 + i * 0.7548776662466927));
  const y = new Float32Array(p.outDim);
  p.forward(probe, 1, y);
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193;
  const bits = new Uint32Array(y.buffer);
  for (let i = 0; i < bits.length; i++) {
    h1 = Math.imul(h1 ^ bits[i], 0x01000193) >>> 0;
    h2 = Math.imul(h2 + bits[i], 0x85ebca6b) >>> 0;
  }
  return `${d}:${h1.toString(16)}:${h2.toString(16)}`;
}

/** M = forward(I) (row i = image of eᵢ), memoised by fingerprint. */
export function denseMatrixOf(p: PreparedTransform, d: number): Float32Array {
  const key = fingerprint(p, d);
  const hit = cache.get(key);
  if (hit) {
    cache.delete(key);
    cache.set(key, hit);
    return hit;
  }
  const eye = new Float32Array(d * d);
  for (let i = 0; i < d; i++) eye[i * d + i] = 1;
  const m = new Float32Array(d * p.outDim);
  p.forward(eye, d, m);
  cache.set(key, m);
  let bytes = 0;
  for (const v of cache.values()) bytes += v.byteLength;
  for (const [k, v] of cache) {
    if (bytes <= CACHE_MAX_BYTES || k === key) break;
    cache.delete(k);
    bytes -= v.byteLength;
  }
  return m;
}

export const haarGpuKernel: GpuTransformKernel = {
  methodId: 'haar',
  stage: 'forward',
  tolerance: {
    kind: 'row-relative',
    bound: 2 ** -17,
    fraction: 0,
    why:
      'float32 GEMM against float64 reflections: each output is a length-d float32 dot product of ' +
      'M (rounded once) and x, error ≲ √d·2⁻²⁴·‖x‖ in practice (Higham §3.1); 2⁻¹⁷ ≥ 4·√4096·2⁻²⁴ of the row norm',
  },
  // M (d² float32) must fit one storage binding; d ≤ 4096 keeps it at 64 MiB.
  supports: (_params, rows, d) => d <= 4096 && rows >= d,
  async run(gpu, req, signal) {
    const p = req.prepared;
    const { rows, cols: d } = req.x;
    if (p.outDim !== d || d * d * 4 > gpu.maxBindingBytes || rows * d * 4 > gpu.maxBindingBytes) return false;
    const m = denseMatrixOf(p, d);
    const a = gpu.upload(req.x.data);
    const b = gpu.upload(m);
    const c = gpu.storage(rows * d);
    try {
      await matmul(gpu, { a, b, c }, { m: rows, n: d, k: d, transB: false }, { kind: 'plain' }, signal);
      req.y.set(await gpu.download(c, rows * d));
      return true;
    } finally {
      a.destroy();
      b.destroy();
      c.destroy();
    }
  },
  // Resident: M uploaded once per group; the inverse is X = Y·Mᵀ (M orthogonal), the same GEMM
  // reading M transposed.
  resident(gpu, p, rows, d) {
    if (p.outDim !== d || d > 4096 || rows < d || d * d * 4 > gpu.maxBindingBytes) return null;
    const m = gpu.upload(denseMatrixOf(p, d));
    const shape = (transB: boolean) => ({ m: rows, n: d, k: d, transB });
    return {
      forward: (src, dst, signal) =>
        matmul(gpu, { a: src, b: m, c: dst }, shape(false), { kind: 'plain' }, signal),
      inverse: (src, dst, signal) =>
        matmul(gpu, { a: src, b: m, c: dst }, shape(true), { kind: 'plain' }, signal),
      destroy: () => m.destroy(),
    };
  },
};
