/**
 * The dense product behind the GPU rotation and sketch kernels (kernels/dense.ts, kernels/qjl.ts):
 * C = A·B or A·Bᵀ in float32, A m×k and C m×n row-major, tiled 16×16 through workgroup memory
 * (each tile of A and B is read from storage once per workgroup instead of once per output; the
 * classic shared-memory GEMM, e.g. Kirk & Hwu, "Programming Massively Parallel Processors",
 * 4th ed., ch. 5). Each output is one float32 dot product accumulated in k order, so its error
 * against a float64 evaluation is at most k·2⁻²⁴·Σ|aᵢ||bᵢ| (Higham, "Accuracy and Stability of
 * Numerical Algorithms", 2nd ed., §3.1), typically √k·2⁻²⁴ of it.
 *
 * Epilogues (one pass, no extra dispatch): 'plain' stores the product; 'sign' stores +1 where the
 * product is ≥ 0 and −1 elsewhere (the QJL bit, sign(0) = +1 as src/core/methods/quantizers/qjl.ts);
 * 'scale-add' stores base[i,j] + s[i]·product (the QJL reconstruction √(π/2)/m·‖y‖·Sᵀsign(Sy), added
 * to the TurboQuant_mse part for turboquant-prod).
 */
import type { GpuBuffer } from './webgpu';
import type { GpuKernels } from './kernels';

const T = 16;

const MATMUL_WGSL = /* wgsl */ `
struct P { m: u32, n: u32, k: u32, transB: u32, mode: u32, pad0: u32, pad1: u32, pad2: u32 }
@group(0) @binding(0) var<storage, read> a: array<f32>;
@group(0) @binding(1) var<storage, read> b: array<f32>;
@group(0) @binding(2) var<storage, read_write> c: array<f32>;
@group(0) @binding(3) var<uniform> p: P;
@group(0) @binding(4) var<storage, read> s: array<f32>;
@group(0) @binding(5) var<storage, read> base: array<f32>;

var<workgroup> ta: array<array<f32, ${T}>, ${T}>;
var<workgroup> tb: array<array<f32, ${T}>, ${T}>;

@compute @workgroup_size(${T}, ${T})
fn main(@builtin(workgroup_id) w: vec3u, @builtin(local_invocation_id) l: vec3u,
        @builtin(num_workgroups) nw: vec3u) {
  let tilesN = (p.n + ${T}u - 1u) / ${T}u;
  let wid = w.x + w.y * nw.x;
  let r = (wid / tilesN) * ${T}u + l.y;
  let col = (wid % tilesN) * ${T}u + l.x;
  var acc = 0.0;
  for (var k0 = 0u; k0 < p.k; k0 += ${T}u) {
    let ka = k0 + l.x;
    var va = 0.0;
    if (r < p.m && ka < p.k) { va = a[r * p.k + ka]; }
    ta[l.y][l.x] = va;
    let kb = k0 + l.y;
    var vb = 0.0;
    if (kb < p.k && col < p.n) {
      if (p.transB == 1u) { vb = b[col * p.k + kb]; } else { vb = b[kb * p.n + col]; }
    }
    tb[l.y][l.x] = vb;
    workgroupBarrier();
    let kmax = min(${T}u, p.k - k0);
    for (var kk = 0u; kk < kmax; kk++) { acc = acc + ta[l.y][kk] * tb[kk][l.x]; }
    workgroupBarrier();
  }
  if (r < p.m && col < p.n) {
    let i = r * p.n + col;
    if (p.mode == 1u) { c[i] = select(-1.0, 1.0, acc >= 0.0); }
    else if (p.mode == 2u) { c[i] = base[i] + s[r] * acc; }
    else { c[i] = acc; }
  }
}
`;

export type MatmulEpilogue =
  | { readonly kind: 'plain' }
  | { readonly kind: 'sign' }
  | { readonly kind: 'scale-add'; readonly rowScale: GpuBuffer; readonly base: GpuBuffer };

/**
 * c ← epilogue(a·b) with a m×k, b k×n (or n×k with transB), c m×n, all on the device. The
 * buffers stay owned by the caller.
 */
export async function matmul(
  gpu: GpuKernels,
  bufs: { a: GpuBuffer; b: GpuBuffer; c: GpuBuffer },
  shape: { m: number; n: number; k: number; transB: boolean },
  epilogue: MatmulEpilogue,
  signal?: AbortSignal,
): Promise<void> {
  const pipe = await gpu.pipeline(MATMUL_WGSL, 'main');
  const mode = epilogue.kind === 'plain' ? 0 : epilogue.kind === 'sign' ? 1 : 2;
  const uni = gpu.uniform([shape.m, shape.n, shape.k, shape.transB ? 1 : 0, mode, 0, 0, 0], []);
  const dummy = epilogue.kind === 'scale-add' ? null : gpu.storage(4);
  try {
    const s = epilogue.kind === 'scale-add' ? epilogue.rowScale : (dummy as GpuBuffer);
    const base = epilogue.kind === 'scale-add' ? epilogue.base : (dummy as GpuBuffer);
    const tiles = Math.ceil(shape.m / T) * Math.ceil(shape.n / T);
    await gpu.dispatch(pipe, [bufs.a, bufs.b, bufs.c, uni, s, base], tiles, signal);
  } finally {
    uni.destroy();
    dummy?.destroy();
  }
}
