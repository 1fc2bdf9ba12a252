/**
 * WebGPU compute kernels (WGSL) for the hot element-wise stages, keyed by the CPU method ids they
 * mirror: the FWHT behind 'wht' / 'rht' (radix-2 butterflies, one dispatch per stage, as
 * src/core/linalg/fwht.ts) and quantize–dequantize for 'mxfp4' (OCP MX v1.0 §5, §6.3, as
 * src/core/methods/quantizers/mxfp4.ts) and 'int' (symmetric absmax, round to nearest even, as
 * src/core/methods/quantizers/int.ts). DESIGN.md data flow ("core kernels (CPU) or gpu/").
 * The CPU code stays the reference; e2e/gpu-parity.webgpu.spec.ts checks agreement in Chromium.
 * The other kernels (nvfp4, nf4, fp8, eden, haar, qjl, turboquant-prod, the metric sums) bring
 * their WGSL in their own files under kernels/ and use this class's device plumbing (`pipeline`,
 * `dispatch`, `upload`, `download`, `groupAbsmax`).
 *
 * Precision (WGSL has no float64): the CPU transforms work in float64 per row, these in float32, so
 * FWHT/RHT agree to a relative error of about log2(d)·2⁻²⁴ of the row norm. MXFP4 is exact: its
 * scales are powers of two, so x·2⁻ᵉ is exact in float32 and E2M1 rounding (ties to even) sees the
 * same value as on the CPU (except for blocks whose scaled output is float32-subnormal, which a GPU
 * may flush to zero). INT computes each group's absmax on the GPU (exact), rounds the scale to fp16
 * on the CPU with the reference's roundScaleToFp16, and rounds x/s from a float32 quotient
 * corrected by exact comparisons with the midpoints (q ± ½)·s (at most 20 significant bits, exact
 * in float32): the reference's decisions, ties to even included, so INT is exact too.
 *
 * Cancellation is cooperative: the AbortSignal is checked before every submission, and each is
 * awaited, so an aborted run stops after at most one more submission (one FWHT, all its stages).
 */
import { roundScaleToFp16 } from '../../core/formats/fp16';
import {
  BufferUsage,
  MapMode,
  navigatorGpu,
  type GpuBuffer,
  type GpuComputePipeline,
  type GpuDevice,
} from './webgpu';

/** Below this many coordinates the CPU (WASM) path is faster than the upload, dispatches and
 * readback (measured: WASM FWHT of 2^20 float32 takes ≈ 4 ms, a round trip to a discrete GPU
 * ≈ 1–3 ms of fixed cost plus transfer). */
export const GPU_MIN_COORDS = 1 << 20;

const WG = 64;

const FWHT_WGSL = /* wgsl */ `
struct Params { d: u32, h: u32, n: u32, c: f32 }
@group(0) @binding(0) var<storage, read_write> x: array<f32>;
@group(0) @binding(1) var<uniform> p: Params;
@group(0) @binding(2) var<storage, read> v: array<f32>;

fn gid1(g: vec3u, nw: vec3u) -> u32 { return g.x + g.y * nw.x * ${WG}u; }

// One radix-2 stage of span h: butterfly k of each row (p.n = rows·d/2 butterflies).
@compute @workgroup_size(${WG})
fn stage(@builtin(global_invocation_id) g: vec3u, @builtin(num_workgroups) nw: vec3u) {
  let t = gid1(g, nw);
  if (t >= p.n) { return; }
  let half = p.d / 2u;
  let row = t / half;
  let k = t % half;
  let i = row * p.d + (k / p.h) * 2u * p.h + (k % p.h);
  let a = x[i];
  let b = x[i + p.h];
  x[i] = a + b;
  x[i + p.h] = a - b;
}

// x[i] ← x[i]·v[i mod d]·c (signs before an RHT, 1/√d after it; p.n = rows·d).
@compute @workgroup_size(${WG})
fn scale(@builtin(global_invocation_id) g: vec3u, @builtin(num_workgroups) nw: vec3u) {
  let t = gid1(g, nw);
  if (t >= p.n) { return; }
  x[t] = x[t] * v[t % p.d] * p.c;
}
`;

const MXFP4_WGSL = /* wgsl */ `
struct Params { d: u32, blocks: u32, n: u32, pad: u32 }
@group(0) @binding(0) var<storage, read_write> x: array<f32>;
@group(0) @binding(1) var<uniform> p: Params;

// A private copy: WGSL const arrays may only be indexed by constant expressions.
var<private> GRID: array<f32, 8> = array<f32, 8>(0.0, 0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0);

// Nearest E2M1 value, ties to the even code (even grid index = even mantissa), saturating at 6.
fn round_e2m1(x: f32) -> f32 {
  let a = abs(x);
  var idx = 0u;
  for (var i = 0u; i < 7u; i++) {
    let mid = (GRID[i] + GRID[i + 1u]) * 0.5;
    if (a > mid || (a == mid && ((i + 1u) & 1u) == 0u)) { idx = i + 1u; }
  }
  let r = GRID[idx];
  return select(r, -r, (bitcast<u32>(x) >> 31u) == 1u);
}

// One MX block of 32 (the last block of a row may be shorter); p.n = rows·blocks.
@compute @workgroup_size(${WG})
fn block(@builtin(global_invocation_id) g: vec3u, @builtin(num_workgroups) nw: vec3u) {
  let t = g.x + g.y * nw.x * ${WG}u;
  if (t >= p.n) { return; }
  let row = t / p.blocks;
  let first = row * p.d + (t % p.blocks) * 32u;
  let to = min(first + 32u, (row + 1u) * p.d);
  var amax = 0.0;
  for (var i = first; i < to; i++) { amax = max(amax, abs(x[i])); }
  if (amax == 0.0) {
    for (var i = first; i < to; i++) { x[i] = 0.0; }
    return;
  }
  // floor(log2 amax) from the exponent field; subnormal amax clamps to the E8M0 minimum anyway.
  let e = max(i32((bitcast<u32>(amax) >> 23u) & 0xffu) - 127 - 2, -127);
  for (var i = first; i < to; i++) { x[i] = ldexp(round_e2m1(ldexp(x[i], -e)), e); }
}
`;

const INT_WGSL = /* wgsl */ `
struct Params { d: u32, groups: u32, n: u32, g: u32, qmax: f32, pad0: u32, pad1: u32, pad2: u32 }
@group(0) @binding(0) var<storage, read_write> x: array<f32>;
@group(0) @binding(1) var<uniform> p: Params;
@group(0) @binding(2) var<storage, read_write> s: array<f32>;

// Absmax of group t (groups of p.g within a row, the last one may be shorter); p.n = rows·groups.
@compute @workgroup_size(${WG})
fn absmax(@builtin(global_invocation_id) gi: vec3u, @builtin(num_workgroups) nw: vec3u) {
  let t = gi.x + gi.y * nw.x * ${WG}u;
  if (t >= p.n) { return; }
  let row = t / p.groups;
  let first = row * p.d + (t % p.groups) * p.g;
  let to = min(first + p.g, (row + 1u) * p.d);
  var amax = 0.0;
  for (var i = first; i < to; i++) { amax = max(amax, abs(x[i])); }
  s[t] = amax;
}

// x ← clamp(round_even(x/s), −qmax−1, qmax)·s with the group's fp16 scale (0 → zeros); p.n = rows·d.
@compute @workgroup_size(${WG})
fn apply(@builtin(global_invocation_id) gi: vec3u, @builtin(num_workgroups) nw: vec3u) {
  let t = gi.x + gi.y * nw.x * ${WG}u;
  if (t >= p.n) { return; }
  let row = t / p.d;
  let sc = s[row * p.groups + (t % p.d) / p.g];
  if (sc == 0.0) { x[t] = 0.0; return; }
  // round(x/s) from a float32 quotient, then corrected by exact comparisons: (q ± ½)·s has at most
  // 9 + 11 significant bits (fp16 scale), so it is exact in float32 and x is compared with the true
  // midpoints (ties to even), as the reference's float64 x/s, which cannot cross one, decides.
  let v = x[t];
  var q = round(v / sc);
  let up = (q + 0.5) * sc;
  let dn = (q - 0.5) * sc;
  if (v > up || (v == up && fract((q + 1.0) * 0.5) == 0.0)) { q = q + 1.0; }
  else if (v < dn || (v == dn && fract((q - 1.0) * 0.5) == 0.0)) { q = q - 1.0; }
  q = clamp(q, -p.qmax - 1.0, p.qmax);
  x[t] = q * sc;
}
`;

interface BatchStep {
  readonly pipe: GpuComputePipeline;
  readonly u32s: number[];
  readonly f32s: number[];
  readonly threads: number;
  readonly extra?: GpuBuffer;
}

export class AbortError extends Error {
  constructor() {
    super('run cancelled');
    this.name = 'AbortError';
  }
}

/** Compiled pipelines on one device. Create with `GpuKernels.create()` (null without WebGPU). */
export class GpuKernels {
  private readonly stagePipe: GpuComputePipeline;
  private readonly scalePipe: GpuComputePipeline;
  private readonly mxPipe: GpuComputePipeline;
  private readonly absmaxPipe: GpuComputePipeline;
  private readonly applyPipe: GpuComputePipeline;
  /** Pipelines of the kernel files, by entry point and WGSL source (`pipeline`). */
  private readonly pipes = new Map<string, GpuComputePipeline>();

  private constructor(
    readonly device: GpuDevice,
    /** Adapter description for the status line, e.g. "swiftshader (fallback)". */
    readonly adapterLabel: string,
  ) {
    const pipe = (code: string, entryPoint: string) =>
      device.createComputePipeline({
        layout: 'auto',
        compute: { module: device.createShaderModule({ code }), entryPoint },
      });
    this.stagePipe = pipe(FWHT_WGSL, 'stage');
    this.scalePipe = pipe(FWHT_WGSL, 'scale');
    this.mxPipe = pipe(MXFP4_WGSL, 'block');
    this.absmaxPipe = pipe(INT_WGSL, 'absmax');
    this.applyPipe = pipe(INT_WGSL, 'apply');
  }

  /** Request an adapter and device; null when navigator.gpu is absent or gives no adapter. */
  static async create(): Promise<GpuKernels | null> {
    const gpu = navigatorGpu();
    if (!gpu) return null;
    const adapter = await gpu.requestAdapter();
    if (!adapter) return null;
    const device = await adapter.requestDevice();
    const info = adapter.info;
    const name = info?.description || info?.architecture || info?.vendor || 'webgpu';
    // A shader or pipeline error would otherwise only be logged, and every dispatch would silently
    // do nothing: check the compilation here and fail loudly.
    device.pushErrorScope('validation');
    const kernels = new GpuKernels(device, `${name}${adapter.isFallbackAdapter ? ' (fallback)' : ''}`);
    const error = await device.popErrorScope();
    if (error) {
      device.destroy();
      throw new Error(`WebGPU kernels failed to compile: ${error.message}`);
    }
    return kernels;
  }

  /**
   * In-place FWHT of each length-d row (d a power of two). With `signs`, computes the orthonormal
   * signed transform H·diag(signs)·x/√d of one RHT round instead (the CPU 'rht' forward pass).
   */
  async fwht(
    data: Float32Array,
    rows: number,
    d: number,
    opts: { signs?: Float32Array; signal?: AbortSignal } = {},
  ): Promise<Float32Array> {
    if (d < 1 || (d & (d - 1)) !== 0) throw new RangeError(`gpu fwht: d must be a power of two, got ${d}`);
    const x = this.upload(data);
    const ones = new Float32Array(d).fill(1);
    const vec = this.upload(opts.signs ?? ones, BufferUsage.STORAGE);
    const unit = this.upload(ones, BufferUsage.STORAGE);
    try {
      const n = rows * d;
      // All log2(d) butterfly stages (and the sign/scale passes) in one submission: one round trip
      // instead of one per stage (dispatches within a pass see each other's writes, WebGPU §23.2).
      const steps: BatchStep[] = [];
      if (opts.signs)
        steps.push({ pipe: this.scalePipe, u32s: [d, 0, n], f32s: [1], threads: n, extra: vec });
      for (let h = 1; h < d; h <<= 1)
        steps.push({ pipe: this.stagePipe, u32s: [d, h, n / 2], f32s: [0], threads: n / 2 });
      if (opts.signs)
        steps.push({
          pipe: this.scalePipe,
          u32s: [d, 0, n],
          f32s: [1 / Math.sqrt(d)],
          threads: n,
          extra: unit,
        });
      await this.runBatch(x, steps, opts.signal);
      return await this.download(x, n);
    } finally {
      x.destroy();
      vec.destroy();
      unit.destroy();
    }
  }

  /**
   * The rounds of a full-width signed Hadamard transform (one per entry of `rounds`: its ±1 signs,
   * or null for an unsigned round) on rows × d values already on the device, in place, in one
   * submission. Forward, per round in order: the same passes as `fwht` with signs (diag(s), the
   * butterflies, 1/√d), so the values equal the per-stage path's bit for bit. Inverse, per round in
   * reverse: the butterflies, then s/√d in one pass (H is symmetric and (H/√d)² = I, so the
   * inverse of H·diag(s)/√d is diag(s)·H/√d), as SignedHadamard.inverse orders it.
   */
  async hadamardRounds(
    x: GpuBuffer,
    rows: number,
    d: number,
    rounds: readonly (GpuBuffer | null)[],
    inverse: boolean,
    signal?: AbortSignal,
  ): Promise<void> {
    if (d < 1 || (d & (d - 1)) !== 0) throw new RangeError(`gpu fwht: d must be a power of two, got ${d}`);
    const unit = this.upload(new Float32Array(d).fill(1), BufferUsage.STORAGE);
    try {
      const n = rows * d;
      const c = 1 / Math.sqrt(d);
      const steps: BatchStep[] = [];
      const butterflies = () => {
        for (let h = 1; h < d; h <<= 1)
          steps.push({ pipe: this.stagePipe, u32s: [d, h, n / 2], f32s: [0], threads: n / 2 });
      };
      const scale = (v: GpuBuffer, f: number) =>
        steps.push({ pipe: this.scalePipe, u32s: [d, 0, n], f32s: [f], threads: n, extra: v });
      if (!inverse)
        for (const s of rounds) {
          if (s) scale(s, 1);
          butterflies();
          scale(unit, c);
        }
      else
        for (let k = rounds.length - 1; k >= 0; k--) {
          butterflies();
          scale(rounds[k] ?? unit, c);
        }
      await this.runBatch(x, steps, signal);
    } finally {
      unit.destroy();
    }
  }

  /** MXFP4 quantize–dequantize (round to nearest even) of rows × d values. */
  async mxfp4(data: Float32Array, rows: number, d: number, signal?: AbortSignal): Promise<Float32Array> {
    const x = this.upload(data);
    try {
      await this.mxfp4InPlace(x, rows, d, signal);
      return await this.download(x, rows * d);
    } finally {
      x.destroy();
    }
  }

  /** `mxfp4` on rows × d values already on the device, in place. */
  async mxfp4InPlace(x: GpuBuffer, rows: number, d: number, signal?: AbortSignal): Promise<void> {
    const blocks = Math.ceil(d / 32);
    await this.run(this.mxPipe, x, [d, blocks, rows * blocks, 0], [], rows * blocks, signal);
  }

  /**
   * INT quantize–dequantize, symmetric absmax grid with fp16 scales, round to nearest even, one
   * scale per `group` coordinates of a row (group ≥ d: per row).
   */
  async intSymmetric(
    data: Float32Array,
    rows: number,
    d: number,
    bits: number,
    group: number,
    signal?: AbortSignal,
  ): Promise<Float32Array> {
    const x = this.upload(data);
    try {
      await this.intSymmetricInPlace(x, rows, d, bits, group, signal);
      return await this.download(x, rows * d);
    } finally {
      x.destroy();
    }
  }

  /** `intSymmetric` on rows × d values already on the device, in place. */
  async intSymmetricInPlace(
    x: GpuBuffer,
    rows: number,
    d: number,
    bits: number,
    group: number,
    signal?: AbortSignal,
  ): Promise<void> {
    const g = Math.min(group, d);
    const groups = Math.ceil(d / g);
    const qmax = 2 ** (bits - 1) - 1;
    const s = this.device.createBuffer({
      size: Math.max(16, rows * groups * 4),
      usage: BufferUsage.STORAGE | BufferUsage.COPY_SRC | BufferUsage.COPY_DST,
    });
    try {
      const nG = rows * groups;
      await this.run(this.absmaxPipe, x, [d, groups, nG, g], [qmax, 0, 0, 0], nG, signal, s);
      // The fp16 scale rounding is the CPU reference's own function, in float64 (exact parity).
      const amax = await this.download(s, nG);
      const scales = new Float32Array(nG);
      for (let i = 0; i < nG; i++) scales[i] = amax[i] > 0 ? roundScaleToFp16(amax[i] / qmax) : 0;
      this.device.queue.writeBuffer(s, 0, scales);
      const n = rows * d;
      await this.run(this.applyPipe, x, [d, groups, n, g], [qmax, 0, 0, 0], n, signal, s);
    } finally {
      s.destroy();
    }
  }

  /** dst ← the first `floats` values of src, on the device (queued; later submissions see it). */
  copy(src: GpuBuffer, dst: GpuBuffer, floats: number): void {
    const enc = this.device.createCommandEncoder();
    enc.copyBufferToBuffer(src, 0, dst, 0, floats * 4);
    this.device.queue.submit([enc.finish()]);
  }

  /** Waits for everything submitted so far (a stage boundary the resident path times). */
  async flush(signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) throw new AbortError();
    await this.device.queue.onSubmittedWorkDone();
  }

  destroy(): void {
    this.device.destroy();
  }

  /**
   * A compute pipeline for one WGSL module and entry point, compiled once per device (the kernel
   * files of kernels/ bring their own WGSL). A compilation or validation error throws, so the stage
   * runner falls back to the CPU instead of dispatching a pipeline that silently does nothing.
   */
  async pipeline(code: string, entryPoint: string): Promise<GpuComputePipeline> {
    const key = `${entryPoint}\u0000${code}`;
    const hit = this.pipes.get(key);
    if (hit) return hit;
    this.device.pushErrorScope('validation');
    const pipe = this.device.createComputePipeline({
      layout: 'auto',
      compute: { module: this.device.createShaderModule({ code }), entryPoint },
    });
    const error = await this.device.popErrorScope();
    if (error) throw new Error(`WebGPU kernel ${entryPoint} failed to compile: ${error.message}`);
    this.pipes.set(key, pipe);
    return pipe;
  }

  /**
   * One dispatch of `workgroups` workgroups (a 2-D grid past the per-dimension limit: the WGSL
   * side linearises workgroup_id as x + y·num_workgroups.x), bindings 0… in order, awaited.
   * Validation errors of the dispatch (a binding too large for the device) throw.
   */
  async dispatch(
    pipe: GpuComputePipeline,
    buffers: readonly GpuBuffer[],
    workgroups: number,
    signal?: AbortSignal,
  ): Promise<void> {
    if (signal?.aborted) throw new AbortError();
    const groups = Math.max(1, workgroups);
    const gx = Math.min(groups, this.device.limits.maxComputeWorkgroupsPerDimension);
    const gy = Math.ceil(groups / gx);
    this.device.pushErrorScope('validation');
    const bind = this.device.createBindGroup({
      layout: pipe.getBindGroupLayout(0),
      entries: buffers.map((buffer, binding) => ({ binding, resource: { buffer } })),
    });
    const enc = this.device.createCommandEncoder();
    const pass = enc.beginComputePass();
    pass.setPipeline(pipe);
    pass.setBindGroup(0, bind);
    pass.dispatchWorkgroups(gx, gy);
    pass.end();
    this.device.queue.submit([enc.finish()]);
    const error = await this.device.popErrorScope();
    await this.device.queue.onSubmittedWorkDone();
    if (error) throw new Error(`WebGPU dispatch failed: ${error.message}`);
  }

  /** A zeroed storage buffer of `floats` 32-bit words (read-write, copyable both ways). */
  storage(floats: number): GpuBuffer {
    return this.device.createBuffer({
      size: Math.max(16, floats * 4),
      usage: BufferUsage.STORAGE | BufferUsage.COPY_SRC | BufferUsage.COPY_DST,
    });
  }

  /** Largest storage binding this device accepts, in bytes (kernels check before uploading). */
  get maxBindingBytes(): number {
    return this.device.limits.maxStorageBufferBindingSize;
  }

  /**
   * Absolute maximum of each group of `g` coordinates within the rows of `x` (rows × d on the GPU;
   * the last group of a row may be shorter), read back: rows·⌈d/g⌉ values. Max is exact and
   * order-free, so these equal the CPU's block absmax bit for bit.
   */
  async groupAbsmax(
    x: GpuBuffer,
    rows: number,
    d: number,
    g: number,
    signal?: AbortSignal,
  ): Promise<Float32Array> {
    const gg = Math.min(g, d);
    const groups = Math.ceil(d / gg);
    const nG = rows * groups;
    const s = this.storage(nG);
    try {
      await this.run(this.absmaxPipe, x, [d, groups, nG, gg], [0, 0, 0, 0], nG, signal, s);
      return await this.download(s, nG);
    } finally {
      s.destroy();
    }
  }

  upload(data: Float32Array, usage: number = BufferUsage.STORAGE | BufferUsage.COPY_SRC): GpuBuffer {
    const buf = this.device.createBuffer({
      size: Math.max(16, Math.ceil(data.byteLength / 4) * 4),
      usage: usage | BufferUsage.COPY_DST,
    });
    this.device.queue.writeBuffer(buf, 0, data);
    return buf;
  }

  /** A 16- or 32-byte uniform: u32 fields then f32 fields (padded to 4 or 8 words). */
  uniform(u32s: number[], f32s: number[]): GpuBuffer {
    const words = u32s.length + f32s.length <= 4 ? 4 : 8;
    const raw = new ArrayBuffer(words * 4);
    new Uint32Array(raw, 0, u32s.length).set(u32s);
    new Float32Array(raw, u32s.length * 4, f32s.length).set(f32s);
    const buf = this.device.createBuffer({
      size: words * 4,
      usage: BufferUsage.UNIFORM | BufferUsage.COPY_DST,
    });
    this.device.queue.writeBuffer(buf, 0, new Uint8Array(raw));
    return buf;
  }

  /**
   * One dispatch of `threads` invocations through `dispatch` (its 2-D grid and validation check),
   * awaited. Bindings: 0 = data, 1 = a uniform of the given words, 2 = `extra` when the entry point
   * uses it.
   */
  private async run(
    pipe: GpuComputePipeline,
    data: GpuBuffer,
    u32s: number[],
    f32s: number[],
    threads: number,
    signal: AbortSignal | undefined,
    extra?: GpuBuffer,
  ): Promise<void> {
    if (signal?.aborted) throw new AbortError();
    const uni = this.uniform(u32s, f32s);
    try {
      await this.dispatch(pipe, extra ? [data, uni, extra] : [data, uni], Math.ceil(threads / WG), signal);
    } finally {
      uni.destroy();
    }
  }

  /** Dispatches on one data buffer, encoded in one pass and submitted together, awaited once. */
  private async runBatch(data: GpuBuffer, steps: readonly BatchStep[], signal: AbortSignal | undefined) {
    if (signal?.aborted) throw new AbortError();
    const unis: GpuBuffer[] = [];
    try {
      const enc = this.device.createCommandEncoder();
      const pass = enc.beginComputePass();
      for (const st of steps) {
        const uni = this.uniform(st.u32s, st.f32s);
        unis.push(uni);
        const buffers = st.extra ? [data, uni, st.extra] : [data, uni];
        const groups = Math.max(1, Math.ceil(st.threads / WG));
        const gx = Math.min(groups, this.device.limits.maxComputeWorkgroupsPerDimension);
        pass.setPipeline(st.pipe);
        pass.setBindGroup(
          0,
          this.device.createBindGroup({
            layout: st.pipe.getBindGroupLayout(0),
            entries: buffers.map((buffer, binding) => ({ binding, resource: { buffer } })),
          }),
        );
        pass.dispatchWorkgroups(gx, Math.ceil(groups / gx));
      }
      pass.end();
      this.device.queue.submit([enc.finish()]);
      await this.device.queue.onSubmittedWorkDone();
    } finally {
      for (const u of unis) u.destroy();
    }
  }

  /** The first n float32 values of a storage buffer. */
  async download(src: GpuBuffer, n: number): Promise<Float32Array> {
    const read = this.device.createBuffer({
      size: Math.max(16, n * 4),
      usage: BufferUsage.MAP_READ | BufferUsage.COPY_DST,
    });
    const enc = this.device.createCommandEncoder();
    enc.copyBufferToBuffer(src, 0, read, 0, n * 4);
    this.device.queue.submit([enc.finish()]);
    await read.mapAsync(MapMode.READ);
    const out = new Float32Array(read.getMappedRange().slice(0, n * 4));
    read.unmap();
    read.destroy();
    return out;
  }
}
