/**
 * The QJL sketch products on the GPU (Zandieh, Daliri & Han, arXiv 2406.03482, §3):
 * ŷ = √(π/2)/m·‖y‖·Sᵀ sign(S·y) as two dense products (src/worker/gpu/matmul.ts): Z = Y·Sᵀ with the
 * sign in its epilogue (sign(0) = +1), then sign(Z)·S scaled per row. 'qjl' quantizes y itself
 * (src/core/methods/quantizers/qjl.ts); 'turboquant-prod' (Zandieh et al., arXiv 2504.19874, §3.2)
 * runs the (b−1)-bit TurboQuant_mse part on the CPU (the core's turboquantMseRows, O(d·b) per row)
 * and the QJL of its residual here, as src/core/methods/quantizers/turboquant-prod.ts.
 *
 * The sketch S is the core's (makeSketch: the same stream and cache, so the same numbers); the row
 * norms are taken here in float64 in the reference's order, so the scales are the reference's,
 * rounded to float32.
 */
import { makeSketch, qjlQuantizer, sketchRows } from '../../../core/methods/quantizers/qjl';
import { turboquantMseRows } from '../../../core/methods/quantizers/turboquant-mse';
import { paramReader } from '../../../core/methods/param-reader';
import { turboquantProdQuantizer } from '../../../core/methods/quantizers/turboquant-prod';
import { matmul } from '../matmul';
import type { GpuQuantizerKernel, GpuParityTolerance } from '../kernel-types';
import type { GpuKernels } from '../kernels';

const SQRT_HALF_PI = Math.sqrt(Math.PI / 2);

const TOLERANCE: GpuParityTolerance = {
  kind: 'row-relative',
  bound: 2 ** -14,
  fraction: 2e-3,
  why:
    'S·y and Sᵀ·sign in float32 (the CPU accumulates in float64): each output within m·2⁻²⁴ of √(π/2)/m·‖y‖·Σ|S| ' +
    '(≲ 2⁻¹⁴ of ‖y‖ for m ≤ 4096); a dot product within float32 rounding of 0 flips one sign and moves its whole row',
};

/**
 * out ← base + √(π/2)/m·‖r‖·Sᵀsign(S·r) for the rows of r (float32 here; the residual of
 * turboquant-prod is y − ŷ_mse rounded once). base null: 0.
 */
async function qjlRows(
  gpu: GpuKernels,
  r: Float32Array,
  base: Float32Array | null,
  rows: number,
  d: number,
  sketch: Float32Array,
  m: number,
  out: Float32Array,
  signal?: AbortSignal,
): Promise<boolean> {
  const big = Math.max(rows * d, rows * m, m * d) * 4;
  if (big > gpu.maxBindingBytes) return false;
  const scale = new Float32Array(rows);
  for (let k = 0; k < rows; k++) {
    let n2 = 0;
    for (let j = k * d, end = j + d; j < end; j++) n2 += r[j] * r[j];
    scale[k] = (SQRT_HALF_PI / m) * Math.sqrt(n2);
  }
  const a = gpu.upload(r);
  const s = gpu.upload(sketch);
  const z = gpu.storage(rows * m);
  const c = gpu.storage(rows * d);
  const sc = gpu.upload(scale);
  const b = base ? gpu.upload(base) : gpu.storage(rows * d);
  try {
    await matmul(gpu, { a, b: s, c: z }, { m: rows, n: m, k: d, transB: true }, { kind: 'sign' }, signal);
    await matmul(
      gpu,
      { a: z, b: s, c },
      { m: rows, n: d, k: m, transB: false },
      { kind: 'scale-add', rowScale: sc, base: b },
      signal,
    );
    out.set(await gpu.download(c, rows * d));
    return true;
  } finally {
    for (const buf of [a, s, z, c, sc, b]) buf.destroy();
  }
}

const readQjl = paramReader(qjlQuantizer, { sketch: 'number' });
const readProd = paramReader(turboquantProdQuantizer, { bits: 'number' });

export const qjlGpuKernel: GpuQuantizerKernel = {
  methodId: 'qjl',
  stage: 'quantize',
  tolerance: TOLERANCE,
  supports: () => true,
  async run(gpu, req, signal) {
    const { rows, outDim: d } = req;
    const m = sketchRows(readQjl(req.quantizer.params).sketch, d);
    const sketch = makeSketch({ rng: req.rng }, m, d);
    return qjlRows(gpu, req.y.subarray(0, rows * d), null, rows, d, sketch, m, req.yHat, signal);
  },
};

export const turboquantProdGpuKernel: GpuQuantizerKernel = {
  methodId: 'turboquant-prod',
  stage: 'quantize',
  tolerance: TOLERANCE,
  supports: (_params, _rows, d) => d > 1,
  async run(gpu, req, signal) {
    const { rows, outDim: d } = req;
    const n = rows * d;
    const mse = new Float32Array(n);
    turboquantMseRows(req.y, rows, d, readProd(req.quantizer.params).bits - 1, mse);
    const resid = new Float32Array(n);
    for (let i = 0; i < n; i++) resid[i] = req.y[i] - mse[i];
    const sketch = makeSketch({ rng: req.rng }, d, d);
    return qjlRows(gpu, resid, mse, rows, d, sketch, d, req.yHat, signal);
  },
};
