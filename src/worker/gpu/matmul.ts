/**
 * The dense product behind the GPU rotation and sketch kernels (kernels/dense.ts, kernels/qjl.ts):
 * C = A·B or A·Bᵀ in float32, A m×k and C m×n row-major, in 64×64 output tiles through workgroup
 * memory (each 64×16 slab of A and B is read from storage once per workgroup) with 4×4 outputs per
 * thread held in registers (the classic shared-memory, register-blocked GEMM: Kirk & Hwu,
 * "Programming Massively Parallel Processors", 4th ed., ch. 5–6; Volkov & Demmel, SC 2008). Each output is one float32 dot product accumulated in k order, so its error
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

/** Output tile per workgroup (BM = BN = 64), k-slab per step (BK = 16), 16×16 threads of 4×4 outputs. */
const BT = 64;
const BK = 16;

const MATMUL_WGSL = /* wgsl */ `
struct P { m: u32, n: u32, k: u32, transB: u32, mode: u32, pad0: u32, pad1: u32, pad2: u32 }
@group(0) @binding(0) var<storage, read> a: array<f32>;
@group(0) @binding(1) var<storage, read> b: array<f32>;
@group(0) @binding(2) var<storage, read_write> c: array<f32>;
@group(0) @binding(3) var<uniform> p: P;
@group(0) @binding(4) var<storage, read> s: array<f32>;
@group(0) @binding(5) var<storage, read> base: array<f32>;

var<workgroup> ta: array<array<f32, ${BT}>, ${BK}>;
var<workgroup> tb: array<array<f32, ${BT}>, ${BK}>;

// Thread (tx, ty) owns outputs (row0 + ty + 16i, col0 + tx + 16j), i, j < 4: register blocking, so
// each value read from workgroup memory feeds four multiply-adds.
@compute @workgroup_size(16, 16)
fn main(@builtin(workgroup_id) w: vec3u, @builtin(local_invocation_id) l: vec3u,
        @builtin(local_invocation_index) li: u32, @builtin(num_workgroups) nw: vec3u) {
  let tilesN = (p.n + ${BT}u - 1u) / ${BT}u;
  let wid = w.x + w.y * nw.x;
  let row0 = (wid / tilesN) * ${BT}u;
  let col0 = (wid % tilesN) * ${BT}u;
  var acc: array<array<f32, 4>, 4>;
  for (var k0 = 0u; k0 < p.k; k0 += ${BK}u) {
    for (var q = 0u; q < 4u; q++) {
      let e = li + 256u * q;
      // A tile: 64 rows × 16 k, stored k-major.
      let ra = row0 + e / ${BK}u;
      let ka = k0 + e % ${BK}u;
      var va = 0.0;
      if (ra < p.m && ka < p.k) { va = a[ra * p.k + ka]; }
      ta[e % ${BK}u][e / ${BK}u] = va;
      // B tile: 16 k × 64 columns.
      let kb = k0 + e / ${BT}u;
      let cb = col0 + e % ${BT}u;
      var vb = 0.0;
      if (kb < p.k && cb < p.n) {
        if (p.transB == 1u) { vb = b[cb * p.k + kb]; } else { vb = b[kb * p.n + cb]; }
      }
      tb[e / ${BT}u][e % ${BT}u] = vb;
    }
    workgroupBarrier();
    let kmax = min(${BK}u, p.k - k0);
    for (var kk = 0u; kk < kmax; kk++) {
      var av: array<f32, 4>;
      var bv: array<f32, 4>;
      for (var i = 0u; i < 4u; i++) { av[i] = ta[kk][l.y + 16u * i]; bv[i] = tb[kk][l.x + 16u * i]; }
      for (var i = 0u; i < 4u; i++) {
        for (var j = 0u; j < 4u; j++) { acc[i][j] = acc[i][j] + av[i] * bv[j]; }
      }
    }
    workgroupBarrier();
  }
  for (var i = 0u; i < 4u; i++) {
    let r = row0 + l.y + 16u * i;
    if (r >= p.m) { continue; }
    for (var j = 0u; j < 4u; j++) {
      let col = col0 + l.x + 16u * j;
      if (col >= p.n) { continue; }
      let o = r * p.n + col;
      let v = acc[i][j];
      if (p.mode == 1u) { c[o] = select(-1.0, 1.0, v >= 0.0); }
      else if (p.mode == 2u) { c[o] = base[o] + s[r] * v; }
      else { c[o] = v; }
    }
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
    const tiles = Math.ceil(shape.m / BT) * Math.ceil(shape.n / BT);
    await gpu.dispatch(pipe, [bufs.a, bufs.b, bufs.c, uni, s, base], tiles, signal);
  } finally {
    uni.destroy();
    dummy?.destroy();
  }
}
