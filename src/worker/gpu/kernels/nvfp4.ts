/**
 * 'nvfp4' on the GPU: NVIDIA NVFP4 (16-element E2M1 blocks, UE4M3 block scale, fp32 tensor scale;
 * NVIDIA PTX ISA block-scaled MMA, scale vector size 16), as src/core/methods/quantizers/nvfp4.ts:
 *   s_t = fp32(amax(tensor)/(448·6)),  s_b = UE4M3(amax(block)/6/s_t),  x̂ = (s_b·s_t)·E2M1(x/(s_b·s_t)).
 * The block absmax runs on the GPU (exact); s_t and s_b are computed here in float64 with the
 * core's own roundValue (identical scales); the elements are rounded on the GPU, ties to even,
 * saturating at ±6, each decision an exact comparison (no division: see the WGSL). The output is (q·s_b)·s_t in float32: q·s_b has at most 7 significant bits
 * (exact), so the one rounding of the product equals the reference's float64 q·X rounded to float32.
 */
import { UE4M3, roundValue } from '../../../core/formats/minifloat';
import { paramReader } from '../../../core/methods/param-reader';
import { NV_BLOCK, nvfp4Quantizer } from '../../../core/methods/quantizers/nvfp4';
import { runInPlace, type GpuQuantizerKernel } from '../kernel-types';
import { CMP_EXACT_WGSL } from '../wgsl-exact';

const readNvfp4 = paramReader(nvfp4Quantizer, { rounding: ['nearest', 'stochastic'] });

const WG = 64;

const NVFP4_WGSL = /* wgsl */ `
struct P { d: u32, blocks: u32, n: u32, pad0: u32, st: f32, pad1: u32, pad2: u32, pad3: u32 }
@group(0) @binding(0) var<storage, read_write> x: array<f32>;
@group(0) @binding(1) var<uniform> p: P;
@group(0) @binding(2) var<storage, read> sb: array<f32>;

var<private> GRID: array<f32, 8> = array<f32, 8>(0.0, 0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0);

// cmp_exact (../wgsl-exact.ts): here c·sh and c·sl have ≤ 7 + 12 significant bits.
${CMP_EXACT_WGSL}

// x ← (q·s_b)·s_t, q = E2M1(x/(s_b·s_t)), with the block's UE4M3 scale (0 → zeros); p.n = rows·d.
// The decision compares |x| with midpoint·s_b·s_t exactly (s_t split into 12 + 12 bits), so it
// is the real-number rounding of x/X, ties to even: the reference's, whose float64 quotient of a
// 24-bit x by a ≤ 28-bit X cannot cross or land on a midpoint it is not on.
@compute @workgroup_size(${WG})
fn apply(@builtin(global_invocation_id) gi: vec3u, @builtin(num_workgroups) nw: vec3u) {
  let i = gi.x + gi.y * nw.x * ${WG}u;
  if (i >= p.n) { return; }
  let b = sb[(i / p.d) * p.blocks + (i % p.d) / ${NV_BLOCK}u];
  if (b == 0.0) { x[i] = 0.0; return; }
  let v = x[i];
  if (v != v) { return; }
  let a = abs(v);
  let sh = bitcast<f32>(bitcast<u32>(p.st) & 0xfffff000u);
  let sl = p.st - sh;
  var idx = 0u;
  for (var k = 0u; k < 7u; k++) {
    let c = (GRID[k] + GRID[k + 1u]) * 0.5 * b;
    let o = cmp_exact(a, c, sh, sl);
    if (o > 0 || (o == 0 && ((k + 1u) & 1u) == 0u)) { idx = k + 1u; }
  }
  let q = GRID[idx];
  x[i] = (select(q, -q, v < 0.0) * b) * p.st;
}
`;

const nvfp4InPlace: NonNullable<GpuQuantizerKernel['inPlace']> = async (gpu, x, rows, d, params, signal) => {
  if (readNvfp4(params).rounding === 'stochastic') return false;
  const n = rows * d;
  const pipe = await gpu.pipeline(NVFP4_WGSL, 'apply');
  let s = null;
  let uni = null;
  try {
    const amax = await gpu.groupAbsmax(x, rows, d, NV_BLOCK, signal);
    // The tensor absmax is the largest block absmax (max is exact and order-free).
    let tmax = 0;
    for (let b = 0; b < amax.length; b++) if (amax[b] > tmax) tmax = amax[b];
    const st = Math.fround(tmax / (448 * 6));
    if (st === 0) {
      gpu.device.queue.writeBuffer(x, 0, new Float32Array(n));
      return true;
    }
    const sbs = new Float32Array(amax.length);
    for (let b = 0; b < amax.length; b++) sbs[b] = roundValue(UE4M3, amax[b] / 6 / st);
    s = gpu.upload(sbs);
    uni = gpu.uniform([d, Math.ceil(d / NV_BLOCK), n, 0], [st, 0, 0, 0]);
    await gpu.dispatch(pipe, [x, uni, s], Math.ceil(n / WG), signal);
    return true;
  } finally {
    s?.destroy();
    uni?.destroy();
  }
};

export const nvfp4GpuKernel: GpuQuantizerKernel = {
  methodId: 'nvfp4',
  stage: 'quantize',
  tolerance: {
    kind: 'exact',
    why:
      'identical scales, element decisions by exact comparison with midpoint·s_b·s_t, and an output ' +
      'product rounded once (float32-subnormal outputs excepted, which a GPU may flush)',
  },
  supports: (params) => readNvfp4(params).rounding !== 'stochastic',
  run: (gpu, req, signal) => runInPlace(gpu, req, nvfp4InPlace, signal),
  inPlace: nvfp4InPlace,
};
