/**
 * ip-nvar on the GPU for the resident group path (resident.ts), so no x̂ has to come back for it:
 * the metric of src/core/methods/metrics/ip-nvar.ts (CONTRACT.md §5), d · mean over live rows i and
 * the Q = 64 seeded unit queries q of ⟨q, x̂ᵢ − xᵢ⟩² / ‖xᵢ‖².
 *
 * E = x̂ − x on the device (one float32 rounding per element; the CPU forms it in float64), then
 * the dots Z = E·Qᵀ (rows × 64) as one float32 GEMM (matmul.ts) with the core's queries
 * (unitQueries: the same stream, rounded once to float32), read back (rows·64 floats: 1 MiB at
 * 4096 rows) and finished here in float64 in the reference's order, with the row norms ‖xᵢ‖² of
 * the metric sums (float32 on the device) deciding liveness as the sums do. Each dot is within
 * d·2⁻²⁴·Σ|q||e| of its float64 value (Higham §3.1), typically √d·2⁻²⁴ of it, and the mean over
 * 64·rows terms averages those errors: within RESIDENT_TOLERANCE (resident.ts) of the CPU value.
 * Not a registry entry (registry.ts keys stage kernels): resident.ts calls it for ipNvarMetric.
 */
import { IP_QUERY_COUNT, unitQueries } from '../../../core/methods/metrics/ip-nvar';
import { liveThreshold } from '../../../core/methods/metrics/dead-rows';
import type { RngFactory } from '../../../core/rng';
import { matmul } from '../matmul';
import type { GpuKernels } from '../kernels';
import type { GpuBuffer } from '../webgpu';

const WG = 64;

const DIFF_WGSL = /* wgsl */ `
struct P { n: u32, pad0: u32, pad1: u32, pad2: u32 }
@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> h: array<f32>;
@group(0) @binding(2) var<storage, read_write> e: array<f32>;
@group(0) @binding(3) var<uniform> p: P;

// e ← x̂ − x, element-wise; p.n = rows·d.
@compute @workgroup_size(${WG})
fn diff(@builtin(global_invocation_id) g: vec3u, @builtin(num_workgroups) nw: vec3u) {
  let i = g.x + g.y * nw.x * ${WG}u;
  if (i >= p.n) { return; }
  e[i] = h[i] - x[i];
}
`;

/**
 * ip-nvar of x and x̂ (device buffers, rows × d); `scratch` (rows × d) receives E; `rowSums` are
 * the metric sums' per-row float32 sums (Σx² at 4·i + 1).
 */
export async function ipNvarOnDevice(
  gpu: GpuKernels,
  xb: GpuBuffer,
  hb: GpuBuffer,
  scratch: GpuBuffer,
  rows: number,
  d: number,
  rng: RngFactory,
  rowSums: Float32Array,
  signal?: AbortSignal,
): Promise<number> {
  const n = rows * d;
  const Q = IP_QUERY_COUNT;
  const pipe = await gpu.pipeline(DIFF_WGSL, 'diff');
  const uni = gpu.uniform([n, 0, 0, 0], []);
  const qb = gpu.upload(Float32Array.from(unitQueries(rng, d)));
  const zb = gpu.storage(rows * Q);
  let z: Float32Array;
  try {
    await gpu.dispatch(pipe, [xb, hb, scratch, uni], Math.ceil(n / WG), signal);
    await matmul(
      gpu,
      { a: scratch, b: qb, c: zb },
      { m: rows, n: Q, k: d, transB: true },
      { kind: 'plain' },
      signal,
    );
    z = await gpu.download(zb, rows * Q);
  } finally {
    uni.destroy();
    qb.destroy();
    zb.destroy();
  }
  const norms = new Float64Array(rows);
  for (let i = 0; i < rows; i++) norms[i] = rowSums[4 * i + 1];
  const thr = liveThreshold(norms);
  let sum = 0;
  let counted = 0;
  for (let i = 0; i < rows; i++) {
    if (!(norms[i] > thr)) continue;
    let acc = 0;
    for (let k = i * Q, end = k + Q; k < end; k++) acc += z[k] * z[k];
    sum += acc / Q / norms[i];
    counted++;
  }
  return counted > 0 ? (d * sum) / counted : NaN;
}
