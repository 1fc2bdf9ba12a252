/**
 * GPU-vs-CPU timings for `npm run bench:gpu` (scripts/bench-gpu.ts), bundled and run in Chromium
 * with WebGPU. Each WGSL kernel (src/worker/gpu/kernels.ts) and the core's CPU path for the same work
 * (TypeScript, with the WASM SIMD kernels where they exist) run on the same seeded data in this
 * page; times are the best of `reps` wall times, the GPU's including upload and read-back (what a
 * pipeline stage pays). With SwiftShader (no GPU) the GPU column measures a CPU emulation: only the
 * parity column means something there; on a real adapter both columns are real.
 */
import { fwhtInPlace } from '../../core/linalg/fwht';
import { intQuantizer } from '../../core/methods/quantizers/int';
import { mxfp4Quantizer } from '../../core/methods/quantizers/mxfp4';
import { createRngFactory } from '../../core/rng';
import { wasmKernels } from '../../core/wasm/kernels';
import { GpuKernels } from './kernels';

export interface GpuBenchRow {
  readonly kernel: string;
  readonly n: number;
  readonly gpuMs: number;
  readonly cpuMs: number;
  /** max |gpu − cpu| / max |cpu|: the parity of this run (0 when bit-identical). */
  readonly maxRelErr: number;
}

export interface GpuBenchReport {
  readonly adapter: string | null;
  readonly cpuWasm: boolean;
  readonly rows: GpuBenchRow[];
}

async function bestMs<T>(reps: number, fn: () => T | Promise<T>): Promise<[number, T]> {
  let best = Infinity;
  let last = await fn(); // warm-up (pipeline compilation, JIT, WASM tier-up)
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    last = await fn();
    best = Math.min(best, performance.now() - t0);
  }
  return [best, last];
}

function relErr(gpu: Float32Array, cpu: ArrayLike<number>): number {
  let scale = 0;
  let worst = 0;
  for (let i = 0; i < cpu.length; i++) {
    scale = Math.max(scale, Math.abs(cpu[i]));
    const e = Math.abs(gpu[i] - cpu[i]);
    if (!(e <= worst)) worst = e;
  }
  return scale > 0 ? worst / scale : worst;
}

export async function runGpuBench(rows: number, d: number, reps: number): Promise<GpuBenchReport> {
  const gpu = await GpuKernels.create();
  const cpuWasm = wasmKernels() !== null;
  if (!gpu) return { adapter: null, cpuWasm, rows: [] };
  try {
    const n = rows * d;
    const x = new Float32Array(n);
    createRngFactory(7).stream('data', 'gpu-bench').fillNormal(x);
    const out: GpuBenchRow[] = [];
    const rng = createRngFactory(1);

    const [fg, fwGpu] = await bestMs(reps, () => gpu.fwht(x, rows, d));
    const [fc, fwCpu] = await bestMs(reps, () => {
      const y = x.slice();
      for (let r = 0; r < rows; r++) fwhtInPlace(y, r * d, d);
      return y;
    });
    out.push({ kernel: 'fwht (float32)', n, gpuMs: fg, cpuMs: fc, maxRelErr: relErr(fwGpu, fwCpu) });

    const [mg, mxGpu] = await bestMs(reps, () => gpu.mxfp4(x, rows, d));
    const [mc, mxCpu] = await bestMs(reps, () => {
      const y = new Float32Array(n);
      mxfp4Quantizer.quantize(x, rows, d, { rounding: 'nearest' }, { rng }, y);
      return y;
    });
    out.push({ kernel: 'mxfp4', n, gpuMs: mg, cpuMs: mc, maxRelErr: relErr(mxGpu, mxCpu) });

    const params = { bits: 4, granularity: 'group', group: 128, symmetric: true, rounding: 'nearest' };
    const [ig, inGpu] = await bestMs(reps, () => gpu.intSymmetric(x, rows, d, 4, 128));
    const [ic, inCpu] = await bestMs(reps, () => {
      const y = new Float32Array(n);
      intQuantizer.quantize(x, rows, d, params, { rng }, y);
      return y;
    });
    out.push({ kernel: 'int b=4 g128 sym', n, gpuMs: ig, cpuMs: ic, maxRelErr: relErr(inGpu, inCpu) });
    return { adapter: gpu.adapterLabel, cpuWasm, rows: out };
  } finally {
    gpu.destroy();
  }
}
