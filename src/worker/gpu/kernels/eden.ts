/**
 * 'eden' on the GPU: EDEN (Vargaftik et al., ICML 2022, §3; DRIVE at b = 1 unbiased) as
 * src/core/methods/quantizers/eden.ts, one workgroup per row:
 *   q = Q_b(√d·y/‖y‖) (Gaussian Lloyd–Max levels, the index = number of thresholds below, ties low),
 *   ŷ = S·q,  S = ⟨y,q⟩/‖q‖² ('mse') or ‖y‖²/⟨y,q⟩ ('unbiased'); a zero row gives zeros.
 * The codebook is the core's (lloydMaxGaussian), levels stored as float32 as the reference stores
 * them. The three row sums are float32 tree reductions on the GPU (the CPU sums in float64).
 */
import { lloydMaxGaussian } from '../../../core/linalg/lloydmax';
import { paramReader } from '../../../core/methods/param-reader';
import { edenQuantizer } from '../../../core/methods/quantizers/eden';
import { runInPlace, type GpuQuantizerKernel } from '../kernel-types';

const readEden = paramReader(edenQuantizer, { bits: 'number', scale: ['mse', 'unbiased'] });

const WG = 256;

const EDEN_WGSL = /* wgsl */ `
struct P { rows: u32, d: u32, nthr: u32, unbiased: u32 }
@group(0) @binding(0) var<storage, read_write> x: array<f32>;
@group(0) @binding(1) var<uniform> p: P;
@group(0) @binding(2) var<storage, read> thr: array<f32>;
@group(0) @binding(3) var<storage, read> levels: array<f32>;

var<workgroup> red: array<vec2f, ${WG}>;

// Number of thresholds strictly below z (binary search over the sorted thresholds).
fn level(z: f32) -> f32 {
  var lo = 0u;
  var hi = p.nthr;
  while (lo < hi) {
    let mid = (lo + hi) / 2u;
    if (z > thr[mid]) { lo = mid + 1u; } else { hi = mid; }
  }
  return levels[lo];
}

fn reduce(l: u32, v: vec2f) -> vec2f {
  red[l] = v;
  workgroupBarrier();
  for (var s = ${WG / 2}u; s > 0u; s >>= 1u) {
    if (l < s) { red[l] = red[l] + red[l + s]; }
    workgroupBarrier();
  }
  let out = red[0];
  workgroupBarrier();
  return out;
}

@compute @workgroup_size(${WG})
fn rows(@builtin(workgroup_id) w: vec3u, @builtin(local_invocation_index) l: u32,
        @builtin(num_workgroups) nw: vec3u) {
  let row = w.x + w.y * nw.x;
  let live = row < p.rows;
  let base = row * p.d;
  var acc = vec2f(0.0);
  if (live) { for (var j = l; j < p.d; j += ${WG}u) { let y = x[base + j]; acc.x += y * y; } }
  let n2 = reduce(l, acc).x;
  let k = sqrt(f32(p.d) / n2);
  acc = vec2f(0.0);
  if (live && n2 > 0.0) {
    for (var j = l; j < p.d; j += ${WG}u) {
      let y = x[base + j];
      let q = level(y * k);
      acc += vec2f(y * q, q * q);
    }
  }
  let dots = reduce(l, acc);
  if (!live) { return; }
  if (!(n2 > 0.0)) {
    for (var j = l; j < p.d; j += ${WG}u) { x[base + j] = 0.0; }
    return;
  }
  let s = select(dots.x / dots.y, n2 / dots.x, p.unbiased == 1u);
  for (var j = l; j < p.d; j += ${WG}u) { x[base + j] = level(x[base + j] * k) * s; }
}
`;

const edenInPlace: NonNullable<GpuQuantizerKernel['inPlace']> = async (gpu, x, rows, d, params, signal) => {
  const p = readEden(params);
  const cb = lloydMaxGaussian(p.bits);
  const unbiased = p.scale === 'unbiased';
  const pipe = await gpu.pipeline(EDEN_WGSL, 'rows');
  const thr = gpu.upload(Float32Array.from(cb.thresholds));
  const lev = gpu.upload(Float32Array.from(cb.levels));
  const uni = gpu.uniform([rows, d, cb.thresholds.length, unbiased ? 1 : 0], []);
  try {
    await gpu.dispatch(pipe, [x, uni, thr, lev], rows, signal);
    return true;
  } finally {
    thr.destroy();
    lev.destroy();
    uni.destroy();
  }
};

export const edenGpuKernel: GpuQuantizerKernel = {
  methodId: 'eden',
  stage: 'quantize',
  tolerance: {
    kind: 'row-relative',
    bound: 2 ** -18,
    fraction: 1e-4,
    why:
      'float32 row sums (‖y‖², ⟨y,q⟩, ‖q‖²) and √d/‖y‖ vs float64: S within ≈ log2(256)+d/256 float32 ulps, ' +
      'so every element within 2⁻¹⁸ of the row norm; an element within that of a threshold may pick the neighbouring level',
  },
  supports: () => true,
  run: (gpu, req, signal) => runInPlace(gpu, req, edenInPlace, signal),
  inPlace: edenInPlace,
};
