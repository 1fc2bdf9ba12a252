/**
 * 'fp8' on the GPU: OCP OFP8 rev 1.0 E4M3 / E5M2 with an fp32 scale per tensor or row, as
 * src/core/methods/quantizers/fp8.ts: s = fp32(amax/max_fmt) (amax exact on the GPU, s computed
 * here in float64 and rounded as the reference does), x̂ = s·FP8(x/s), round to nearest even on
 * the format's grid (subnormals kept: quantum 2^(emin−M) below 2^emin), saturating at ±max_fmt.
 * Each rounding decision is an exact comparison (see the WGSL). The grid value r has at most
 * M + 1 significant bits, so the float32 product r·s is the
 * reference's float64 product rounded once: identical whenever the grid value is.
 */
import { E4M3, E5M2 } from '../../../core/formats/minifloat';
import { paramReader } from '../../../core/methods/param-reader';
import { fp8Quantizer } from '../../../core/methods/quantizers/fp8';
import { runInPlace, type GpuQuantizerKernel } from '../kernel-types';
import { CMP_EXACT_WGSL } from '../wgsl-exact';

const readFp8 = paramReader(fp8Quantizer, {
  format: ['e4m3', 'e5m2'],
  granularity: ['tensor', 'row'],
  rounding: ['nearest', 'stochastic'],
});

const WG = 64;

const FP8_WGSL = /* wgsl */ `
struct P { d: u32, n: u32, mbits: u32, emin: i32, maxf: f32, pad0: u32, pad1: u32, pad2: u32 }
@group(0) @binding(0) var<storage, read_write> x: array<f32>;
@group(0) @binding(1) var<uniform> p: P;
@group(0) @binding(2) var<storage, read> s: array<f32>;

// cmp_exact (../wgsl-exact.ts): here c·sh and c·sl have ≤ M + 2 + 12 significant bits.
${CMP_EXACT_WGSL}

// Grid spacing of the binade holding g (g ≥ 0; the subnormal range shares the first binade's).
fn quantum(g: f32) -> f32 {
  var e = p.emin;
  if (g >= ldexp(1.0, p.emin)) { e = i32((bitcast<u32>(g) >> 23u) & 0xffu) - 127; }
  return ldexp(1.0, e - i32(p.mbits));
}

fn is_even(g: f32, q: f32) -> bool { return fract(g / q * 0.5) == 0.0; }

// x ← s·FP8(x/s) with the row's scale (0 → zeros); p.n = rows·d. A float32 quotient gives a grid
// candidate; exact comparisons of |x| with the midpoints to its neighbours, times s (split into
// 12 + 12 bits), then move it where the real quotient rounds (ties to even): the reference's
// decision, since its float64 quotient of a 24-bit x by a 24-bit s cannot cross a midpoint.
@compute @workgroup_size(${WG})
fn apply(@builtin(global_invocation_id) gi: vec3u, @builtin(num_workgroups) nw: vec3u) {
  let i = gi.x + gi.y * nw.x * ${WG}u;
  if (i >= p.n) { return; }
  let sc = s[i / p.d];
  if (sc == 0.0) { x[i] = 0.0; return; }
  let v = x[i];
  if (v != v) { return; }
  let a = abs(v);
  let sh = bitcast<f32>(bitcast<u32>(sc) & 0xfffff000u);
  let sl = sc - sh;
  let t = a / sc;
  let q0 = quantum(t);
  var r = round(t / q0) * q0;
  let qu = quantum(r);
  let o = cmp_exact(a, r + 0.5 * qu, sh, sl);
  if (o > 0 || (o == 0 && is_even(r + qu, qu))) {
    r = r + qu;
  } else if (r > 0.0) {
    var qd = qu;
    if (r == qu * ldexp(1.0, i32(p.mbits)) && r > ldexp(1.0, p.emin)) { qd = 0.5 * qu; }
    let od = cmp_exact(a, r - 0.5 * qd, sh, sl);
    if (od < 0 || (od == 0 && is_even(r - qd, qd))) { r = r - qd; }
  }
  r = min(r, p.maxf);
  x[i] = select(r, -r, v < 0.0) * sc;
}
`;

const fp8InPlace: NonNullable<GpuQuantizerKernel['inPlace']> = async (gpu, x, rows, d, params, signal) => {
  const p = readFp8(params);
  if (p.rounding === 'stochastic') return false;
  const f = p.format === 'e5m2' ? E5M2 : E4M3;
  const n = rows * d;
  const pipe = await gpu.pipeline(FP8_WGSL, 'apply');
  const uni = gpu.uniform([d, n, f.mbits, f.emin >>> 0], [f.maxFinite, 0, 0, 0]);
  let s = null;
  try {
    const amax = await gpu.groupAbsmax(x, rows, d, d, signal);
    const scales = new Float32Array(rows);
    if (p.granularity === 'tensor') {
      let m = 0;
      for (let r = 0; r < rows; r++) if (amax[r] > m) m = amax[r];
      scales.fill(Math.fround(m / f.maxFinite));
    } else for (let r = 0; r < rows; r++) scales[r] = Math.fround(amax[r] / f.maxFinite);
    s = gpu.upload(scales);
    await gpu.dispatch(pipe, [x, uni, s], Math.ceil(n / WG), signal);
    return true;
  } finally {
    s?.destroy();
    uni.destroy();
  }
};

export const fp8GpuKernel: GpuQuantizerKernel = {
  methodId: 'fp8',
  stage: 'quantize',
  tolerance: {
    kind: 'exact',
    why:
      'identical fp32 scales, grid decisions by exact comparison with midpoint·s, and r·s rounded once ' +
      '(float32-subnormal outputs excepted, which a GPU may flush)',
  },
  supports: (params) => readFp8(params).rounding !== 'stochastic',
  run: (gpu, req, signal) => runInPlace(gpu, req, fp8InPlace, signal),
  inPlace: fp8InPlace,
};
