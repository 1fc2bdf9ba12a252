/**
 * The metric reductions on the GPU: the per-row sums of src/core/methods/metrics/sums.ts
 * (Σ(x − x̂)², Σx², Σx·x̂, Σx̂² for every row), one workgroup per row, from which the CPU finishes
 * reconstructionSums in float64 (dead-row threshold, Σ‖e‖²/‖x‖ over live rows, cosines, the
 * totals) and so every metric with `fromSums`: vnmse, mse, sqnrDb, cosine, ipRatio.
 *
 * Precision: each of the 256 threads of a row accumulates its strided coordinates in float32, then
 * a float32 tree reduction (Blanchard, Higham & Mary, "A class of fast and accurate summation
 * algorithms", SIAM J. Sci. Comput. 42(3), 2020: blocked summation error ≲ (d/256 + log2 256)·u
 * per sum of non-negative terms, u = 2⁻²⁴); the CPU adds the float32 row sums in float64. For the
 * sums of squares that is a relative error below (d/256 + 8)·2⁻²⁴ (2⁻¹⁸ at d = 4096 … 16384), and
 * the metrics built from them inherit it; Σx·x̂ is bounded relative to Σ|x·x̂|, which is within a
 * factor 1/cos of it (cos ≥ 0.5 for any quantizer of interest). Declared: 2⁻¹⁶ relative on every
 * derived sum and metric, for d ≤ 16384.
 */
import { liveThreshold } from '../../../core/methods/metrics/dead-rows';
import type { ReconstructionSums } from '../../../core/methods/metrics/sums';
import type { GpuMetricsKernel } from '../kernel-types';
import type { GpuKernels } from '../kernels';
import type { GpuBuffer } from '../webgpu';

const WG = 256;

const SUMS_WGSL = /* wgsl */ `
struct P { rows: u32, d: u32, pad0: u32, pad1: u32 }
@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> h: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<vec4f>;
@group(0) @binding(3) var<uniform> p: P;

var<workgroup> red: array<vec4f, ${WG}>;

// out[row] = (Σ(x−x̂)², Σx², Σx·x̂, Σx̂²) of one row.
@compute @workgroup_size(${WG})
fn rows(@builtin(workgroup_id) w: vec3u, @builtin(local_invocation_index) l: u32,
        @builtin(num_workgroups) nw: vec3u) {
  let row = w.x + w.y * nw.x;
  var acc = vec4f(0.0);
  if (row < p.rows) {
    let base = row * p.d;
    for (var j = l; j < p.d; j += ${WG}u) {
      let v = x[base + j];
      let e = v - h[base + j];
      acc += vec4f(e * e, v * v, v * h[base + j], h[base + j] * h[base + j]);
    }
  }
  red[l] = acc;
  workgroupBarrier();
  for (var s = ${WG / 2}u; s > 0u; s >>= 1u) {
    if (l < s) { red[l] = red[l] + red[l + s]; }
    workgroupBarrier();
  }
  if (l == 0u && row < p.rows) { out[row] = red[0]; }
}
`;

export const sumsGpuKernel: GpuMetricsKernel = {
  methodId: 'reconstruction-sums',
  stage: 'metrics',
  metrics: ['vnmse', 'mse', 'sqnrDb', 'cosine', 'ipRatio'],
  tolerance: {
    kind: 'sums-relative',
    bound: 2 ** -16,
    why: 'float32 per-thread sums and tree reduction per row vs one float64 chain: ≲ (d/256 + 8)·2⁻²⁴ relative',
  },
  async run(gpu, x, xHat, signal) {
    const { rows, cols: d } = x;
    if (d > 16384 || rows * d * 4 > gpu.maxBindingBytes || x.data.length !== rows * d) return null;
    const xb = gpu.upload(x.data);
    const hb = gpu.upload(xHat.subarray(0, rows * d));
    try {
      return finishSums(await rowSumsOnDevice(gpu, xb, hb, rows, d, signal), rows, d);
    } finally {
      xb.destroy();
      hb.destroy();
    }
  },
};

/**
 * The four per-row float32 sums (Σ(x − x̂)², Σx², Σx·x̂, Σx̂², 4 per row) of device buffers x and
 * x̂ (rows × d, d ≤ 16384), read back: the only read-back of the resident path (resident.ts).
 */
export async function rowSumsOnDevice(
  gpu: GpuKernels,
  xb: GpuBuffer,
  hb: GpuBuffer,
  rows: number,
  d: number,
  signal?: AbortSignal,
): Promise<Float32Array> {
  const pipe = await gpu.pipeline(SUMS_WGSL, 'rows');
  const ob = gpu.storage(rows * 4);
  const uni = gpu.uniform([rows, d, 0, 0], []);
  try {
    await gpu.dispatch(pipe, [xb, hb, ob, uni], rows, signal);
    return await gpu.download(ob, rows * 4);
  } finally {
    ob.destroy();
    uni.destroy();
  }
}

/** reconstructionSums from the per-row sums, finished in float64 as the core does it. */
export function finishSums(s: Float32Array, rows: number, d: number): ReconstructionSums {
  // The float64 finish, as reconstructionSums does it from its row sums.
  const norms = new Float64Array(rows);
  let err = 0;
  let signalSum = 0;
  let dot = 0;
  for (let i = 0; i < rows; i++) {
    norms[i] = s[4 * i + 1];
    err += s[4 * i];
    signalSum += s[4 * i + 1];
    dot += s[4 * i + 2];
  }
  const thr = liveThreshold(norms);
  let relErrSum = 0;
  let cosineSum = 0;
  let nonzeroRows = 0;
  for (let i = 0; i < rows; i++) {
    if (!(norms[i] > thr)) continue;
    const hat = s[4 * i + 3];
    relErrSum += s[4 * i] / norms[i];
    cosineSum += hat > 0 ? s[4 * i + 2] / Math.sqrt(norms[i] * hat) : 0;
    nonzeroRows++;
  }
  const sums: ReconstructionSums = {
    entries: rows * d,
    relErrSum,
    nonzeroRows,
    deadRows: rows - nonzeroRows,
    cosineSum,
    err,
    signal: signalSum,
    dot,
  };
  return sums;
}
