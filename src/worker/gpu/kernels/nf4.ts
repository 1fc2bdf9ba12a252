/**
 * 'nf4' on the GPU: QLoRA 4-bit NormalFloat (Dettmers et al., NeurIPS 2023, §3; bitsandbytes NF4
 * table, src/core/formats/nf4.ts) with one absmax per block, as src/core/methods/quantizers/nf4.ts:
 * A = max|x| of the block (exact on the GPU), t = x/A, the nearest table level (an exact tie goes
 * to the lower level), x̂ = NF4[code]·A (the table entries are float32 values, so the float32
 * product is the reference's float64 product rounded once: identical for the same code).
 */
import { NF4_VALUES } from '../../../core/formats/nf4';
import { paramReader } from '../../../core/methods/param-reader';
import { nf4Quantizer } from '../../../core/methods/quantizers/nf4';
import { runInPlace, type GpuQuantizerKernel } from '../kernel-types';

const readNf4 = paramReader(nf4Quantizer, { block: 'number', rounding: ['nearest', 'stochastic'] });

const WG = 64;
const table = Array.from(NF4_VALUES, (v) => `${v.toPrecision(17)}`).join(', ');

const NF4_WGSL = /* wgsl */ `
struct P { d: u32, groups: u32, n: u32, g: u32 }
@group(0) @binding(0) var<storage, read_write> x: array<f32>;
@group(0) @binding(1) var<uniform> p: P;
@group(0) @binding(2) var<storage, read> s: array<f32>;

var<private> NF: array<f32, 16> = array<f32, 16>(${table});

// x ← NF4[nearest(x/A)]·A with the block's absmax A (0 → zeros); p.n = rows·d.
@compute @workgroup_size(${WG})
fn apply(@builtin(global_invocation_id) gi: vec3u, @builtin(num_workgroups) nw: vec3u) {
  let i = gi.x + gi.y * nw.x * ${WG}u;
  if (i >= p.n) { return; }
  let amax = s[(i / p.d) * p.groups + (i % p.d) / p.g];
  if (amax == 0.0) { x[i] = 0.0; return; }
  let t = x[i] / amax;
  if (t != t) { return; } // a NaN input stays NaN
  var code = 0u;
  if (t >= 1.0) { code = 15u; }
  else if (t > -1.0) {
    var lo = 0u;
    var hi = 15u;
    while (hi - lo > 1u) {
      let mid = (lo + hi) / 2u;
      if (NF[mid] <= t) { lo = mid; } else { hi = mid; }
    }
    code = select(lo, lo + 1u, t - NF[lo] > NF[lo + 1u] - t);
  }
  x[i] = NF[code] * amax;
}
`;

const nf4InPlace: NonNullable<GpuQuantizerKernel['inPlace']> = async (gpu, x, rows, d, params, signal) => {
  const p = readNf4(params);
  if (p.rounding === 'stochastic') return false;
  const g = Math.min(p.block, d);
  const groups = Math.ceil(d / g);
  const n = rows * d;
  const pipe = await gpu.pipeline(NF4_WGSL, 'apply');
  let s = null;
  const uni = gpu.uniform([d, groups, n, g], []);
  try {
    const amax = await gpu.groupAbsmax(x, rows, d, g, signal);
    s = gpu.upload(amax);
    await gpu.dispatch(pipe, [x, uni, s], Math.ceil(n / WG), signal);
    return true;
  } finally {
    s?.destroy();
    uni.destroy();
  }
};

export const nf4GpuKernel: GpuQuantizerKernel = {
  methodId: 'nf4',
  stage: 'quantize',
  tolerance: {
    kind: 'mismatch-fraction',
    fraction: 1e-4,
    why:
      'x/A and the midpoint test t − a > b − t in float32 (the CPU in float64): only an element within ' +
      'a few float32 ulps of a midpoint between two levels can pick the other level',
  },
  supports: (params) => readNf4(params).rounding !== 'stochastic',
  run: (gpu, req, signal) => runInPlace(gpu, req, nf4InPlace, signal),
  inPlace: nf4InPlace,
};
