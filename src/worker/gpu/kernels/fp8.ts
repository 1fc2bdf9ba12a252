/**
 * 'fp8' on the GPU: OCP OFP8 rev 1.0 E4M3 / E5M2 with an fp32 scale per tensor or row, as
 * src/core/methods/quantizers/fp8.ts: s = fp32(amax/max_fmt) (amax exact on the GPU, s computed
 * here in float64 and rounded as the reference does), x̂ = s·FP8(x/s), round to nearest even on
 * the format's grid (subnormals kept: quantum 2^(emin−M) below 2^emin), saturating at ±max_fmt.
 * The grid value r has at most M + 1 significant bits, so the float32 product r·s is the
 * reference's float64 product rounded once: identical whenever the grid value is.
 */
import { E4M3, E5M2 } from '../../../core/formats/minifloat';
import { str } from '../../../core/methods/params';
import type { GpuQuantizerKernel } from '../kernel-types';

const WG = 64;

const FP8_WGSL = /* wgsl */ `
struct P { d: u32, n: u32, mbits: u32, emin: i32, maxf: f32, pad0: u32, pad1: u32, pad2: u32 }
@group(0) @binding(0) var<storage, read_write> x: array<f32>;
@group(0) @binding(1) var<uniform> p: P;
@group(0) @binding(2) var<storage, read> s: array<f32>;

// x ← s·FP8(x/s) with the row's scale (0 → zeros); p.n = rows·d.
@compute @workgroup_size(${WG})
fn apply(@builtin(global_invocation_id) gi: vec3u, @builtin(num_workgroups) nw: vec3u) {
  let i = gi.x + gi.y * nw.x * ${WG}u;
  if (i >= p.n) { return; }
  let sc = s[i / p.d];
  if (sc == 0.0) { x[i] = 0.0; return; }
  let t = x[i] / sc;
  if (t != t) { return; }
  let a = abs(t);
  // Binade of a from its exponent field (exact); below 2^emin the subnormal quantum applies.
  var e = p.emin;
  if (a >= ldexp(1.0, p.emin)) { e = i32((bitcast<u32>(a) >> 23u) & 0xffu) - 127; }
  let sh = i32(p.mbits) - e;
  let r = min(ldexp(round(ldexp(a, sh)), -sh), p.maxf);
  x[i] = select(r, -r, t < 0.0) * sc;
}
`;

export const fp8GpuKernel: GpuQuantizerKernel = {
  methodId: 'fp8',
  stage: 'quantize',
  tolerance: {
    kind: 'mismatch-fraction',
    fraction: 1e-4,
    why:
      'x/s in float32 (WGSL division within 2.5 ulp) vs float64: only an element within a few float32 ' +
      'ulps of a rounding midpoint of the FP8 grid can land one step away',
  },
  supports: (params) => params.rounding !== 'stochastic',
  async run(gpu, req, signal) {
    const params = req.quantizer.params;
    if (str(params, 'rounding') === 'stochastic') return false;
    const f = str(params, 'format') === 'e5m2' ? E5M2 : E4M3;
    const { rows, outDim: d } = req;
    const n = rows * d;
    if (n * 4 > gpu.maxBindingBytes) return false;
    const pipe = await gpu.pipeline(FP8_WGSL, 'apply');
    const x = gpu.upload(req.y.subarray(0, n));
    const uni = gpu.uniform([d, n, f.mbits, f.emin >>> 0], [f.maxFinite, 0, 0, 0]);
    let s = null;
    try {
      const amax = await gpu.groupAbsmax(x, rows, d, d, signal);
      const scales = new Float32Array(rows);
      if (str(params, 'granularity') === 'tensor') {
        let m = 0;
        for (let r = 0; r < rows; r++) if (amax[r] > m) m = amax[r];
        scales.fill(Math.fround(m / f.maxFinite));
      } else for (let r = 0; r < rows; r++) scales[r] = Math.fround(amax[r] / f.maxFinite);
      s = gpu.upload(scales);
      await gpu.dispatch(pipe, [x, uni, s], Math.ceil(n / WG), signal);
      req.yHat.set(await gpu.download(x, n));
      return true;
    } finally {
      x.destroy();
      s?.destroy();
      uni.destroy();
    }
  },
};
