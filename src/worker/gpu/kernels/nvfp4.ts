/**
 * 'nvfp4' on the GPU: NVIDIA NVFP4 (16-element E2M1 blocks, UE4M3 block scale, fp32 tensor scale;
 * NVIDIA PTX ISA block-scaled MMA, scale vector size 16), as src/core/methods/quantizers/nvfp4.ts:
 *   s_t = fp32(amax(tensor)/(448·6)),  s_b = UE4M3(amax(block)/6/s_t),  x̂ = (s_b·s_t)·E2M1(x/(s_b·s_t)).
 * The block absmax runs on the GPU (exact); s_t and s_b are computed here in float64 with the
 * core's own roundValue (identical scales); the elements are rounded on the GPU, ties to even,
 * saturating at ±6. The output is (q·s_b)·s_t in float32: q·s_b has at most 7 significant bits
 * (exact), so the one rounding of the product equals the reference's float64 q·X rounded to float32.
 */
import { UE4M3, roundValue } from '../../../core/formats/minifloat';
import { str } from '../../../core/methods/params';
import { NV_BLOCK } from '../../../core/methods/quantizers/nvfp4';
import type { GpuQuantizerKernel } from '../kernel-types';

const WG = 64;

const NVFP4_WGSL = /* wgsl */ `
struct P { d: u32, blocks: u32, n: u32, pad0: u32, st: f32, pad1: u32, pad2: u32, pad3: u32 }
@group(0) @binding(0) var<storage, read_write> x: array<f32>;
@group(0) @binding(1) var<uniform> p: P;
@group(0) @binding(2) var<storage, read> sb: array<f32>;

var<private> GRID: array<f32, 8> = array<f32, 8>(0.0, 0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0);

// Nearest E2M1 magnitude index, ties to the even code (even grid index), saturating at 6.
fn e2m1_index(a: f32) -> u32 {
  var idx = 0u;
  for (var i = 0u; i < 7u; i++) {
    let mid = (GRID[i] + GRID[i + 1u]) * 0.5;
    if (a > mid || (a == mid && ((i + 1u) & 1u) == 0u)) { idx = i + 1u; }
  }
  return idx;
}

// x ← (q·s_b)·s_t, q = E2M1(x/(s_b·s_t)), with the block's UE4M3 scale (0 → zeros); p.n = rows·d.
@compute @workgroup_size(${WG})
fn apply(@builtin(global_invocation_id) gi: vec3u, @builtin(num_workgroups) nw: vec3u) {
  let i = gi.x + gi.y * nw.x * ${WG}u;
  if (i >= p.n) { return; }
  let b = sb[(i / p.d) * p.blocks + (i % p.d) / ${NV_BLOCK}u];
  if (b == 0.0) { x[i] = 0.0; return; }
  let t = x[i] / (b * p.st);
  if (t != t) { return; }
  let q = GRID[e2m1_index(abs(t))];
  x[i] = (select(q, -q, t < 0.0) * b) * p.st;
}
`;

export const nvfp4GpuKernel: GpuQuantizerKernel = {
  methodId: 'nvfp4',
  stage: 'quantize',
  tolerance: {
    kind: 'mismatch-fraction',
    fraction: 1e-4,
    why:
      'scales identical, but x/(s_b·s_t) in float32 (a rounded product and a division within 2.5 ulp) ' +
      'vs float64: only an element within a few ulps of an E2M1 midpoint can land one step away',
  },
  supports: (params) => params.rounding !== 'stochastic',
  async run(gpu, req, signal) {
    if (str(req.quantizer.params, 'rounding') === 'stochastic') return false;
    const { rows, outDim: d } = req;
    const n = rows * d;
    if (n * 4 > gpu.maxBindingBytes) return false;
    const pipe = await gpu.pipeline(NVFP4_WGSL, 'apply');
    const x = gpu.upload(req.y.subarray(0, n));
    let s = null;
    let uni = null;
    try {
      const amax = await gpu.groupAbsmax(x, rows, d, NV_BLOCK, signal);
      // The tensor absmax is the largest block absmax (max is exact and order-free).
      let tmax = 0;
      for (let b = 0; b < amax.length; b++) if (amax[b] > tmax) tmax = amax[b];
      const st = Math.fround(tmax / (448 * 6));
      if (st === 0) {
        req.yHat.fill(0, 0, n);
        return true;
      }
      const sbs = new Float32Array(amax.length);
      for (let b = 0; b < amax.length; b++) sbs[b] = roundValue(UE4M3, amax[b] / 6 / st);
      s = gpu.upload(sbs);
      uni = gpu.uniform([d, Math.ceil(d / NV_BLOCK), n, 0], [st, 0, 0, 0]);
      await gpu.dispatch(pipe, [x, uni, s], Math.ceil(n / WG), signal);
      req.yHat.set(await gpu.download(x, n));
      return true;
    } finally {
      x.destroy();
      s?.destroy();
      uni?.destroy();
    }
  },
};
