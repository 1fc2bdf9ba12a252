/**
 * One run of a registered GPU kernel and of the core's CPU path on the same request, shared by the
 * parity harness (e2e/gpu-parity.webgpu.spec.ts) and the GPU bench (`npm run bench:gpu`). The CPU
 * side is exactly what a pipeline stage runs without a GPU (runStageOnCpu: TypeScript with the WASM
 * kernels where they exist), and the GPU side is the registry entry's own `run`, so what these
 * check and time is what the stage runner (stages.ts) uses.
 */
import { METRICS } from '../../core/methods/metrics';
import { reconstructionSums, type ReconstructionSums } from '../../core/methods/metrics/sums';
import { quantizersById, transformsById } from '../../core/methods';
import { withDefaults } from '../../core/methods/params';
import type { ParamValue } from '../../core/methods/types';
import { runStageOnCpu, type StageRequest } from '../../core/pipeline';
import { createRngFactory } from '../../core/rng';
import type { GpuKernelEntry } from './kernel-types';
import type { GpuKernels } from './kernels';
import { GPU_KERNELS } from './registry';
import { checkParity, checkSums } from './tolerance';

export interface KernelCase {
  readonly kernel: GpuKernelEntry;
  /** Shown name, e.g. "int bits=8 group=32". */
  readonly name: string;
  readonly params: Readonly<Record<string, ParamValue>>;
  /** rows × d of this case, from the requested size (haar needs rows ≥ d). */
  shape(rows: number, d: number): { rows: number; d: number };
  /** 'ties': values on the rounding midpoints (tieData) instead of Gaussian data. */
  readonly data?: 'ties';
}

/** Parameter sets run per method id; a registered kernel without an entry runs with defaults. */
const PARAMS: Readonly<Record<string, readonly Readonly<Record<string, ParamValue>>[]>> = {
  int: [
    { bits: 4, granularity: 'group', group: 128 },
    { bits: 8, granularity: 'group', group: 32 },
    { bits: 3, granularity: 'row' },
  ],
  nf4: [{ block: 64 }, { block: 100 }],
  fp8: [
    { format: 'e4m3', granularity: 'tensor' },
    { format: 'e5m2', granularity: 'row' },
  ],
  eden: [
    { bits: 2, scale: 'mse' },
    { bits: 4, scale: 'unbiased' },
    { bits: 1, scale: 'unbiased' },
  ],
  // sketch = 100: n and k of the two products not multiples of the GEMM tiles (64, 16).
  qjl: [{ sketch: 0 }, { sketch: 100 }],
  'turboquant-prod': [{ bits: 3 }],
};

const same = (rows: number, d: number) => ({ rows, d });

/**
 * Ties, where ties-to-even decides: every row holds its absmax first (448 for fp8 e4m3 rows, 7 for
 * int4 rows, so the scale is exactly 1), then ±(m + ½)/8 for integers m, half of which are exact
 * midpoints of the FP8 grid in [1, 448) and all of which are midpoints of the int grid after ×4.
 */
const TIE_CASES: readonly { id: string; params: Readonly<Record<string, ParamValue>> }[] = [
  { id: 'fp8', params: { format: 'e4m3', granularity: 'row' } },
  { id: 'int', params: { bits: 4, granularity: 'row' } },
];

export function tieData(methodId: string, rows: number, d: number): Float32Array {
  const x = new Float32Array(rows * d);
  const rng = createRngFactory(13).stream('data', 'gpu-ties');
  const int = methodId === 'int';
  for (let r = 0; r < rows; r++) {
    x[r * d] = int ? 7 : 448;
    for (let j = 1; j < d; j++) {
      const m = Math.floor(rng.uniform() * (int ? 7 : 3583));
      const v = int ? m + 0.5 : (m + 0.5) / 8;
      x[r * d + j] = rng.uniform() < 0.5 ? -v : v;
    }
  }
  return x;
}

export function kernelCases(): KernelCase[] {
  const out: KernelCase[] = [];
  for (const kernel of GPU_KERNELS) {
    const sets = PARAMS[kernel.methodId] ?? [{}];
    for (const params of sets) {
      const tail = Object.entries(params)
        .map(([k, v]) => `${k}=${String(v)}`)
        .join(' ');
      const dense =
        kernel.methodId === 'haar' || kernel.methodId === 'qjl' || kernel.methodId === 'turboquant-prod';
      out.push({
        kernel,
        name: tail ? `${kernel.methodId} ${tail}` : kernel.methodId,
        params,
        // The dense O(d²)-per-row kernels run at d/4 (haar with rows ≥ d, as it is offered).
        shape: dense
          ? (rows, d) => {
              const dd = Math.max(16, d >> 2);
              return { rows: kernel.methodId === 'haar' ? Math.max(rows, dd) : rows, d: dd };
            }
          : same,
      });
    }
  }
  for (const t of TIE_CASES) {
    const kernel = GPU_KERNELS.find((k) => k.stage === 'quantize' && k.methodId === t.id);
    if (kernel) out.push({ kernel, name: `${t.id} ties`, params: t.params, shape: same, data: 'ties' });
  }
  return out;
}

/** Seeded Gaussian data with every 97th value ×40, so block and row scales vary. */
export function caseData(rows: number, d: number, seed = 7): Float32Array {
  const x = new Float32Array(rows * d);
  createRngFactory(seed).stream('data', 'gpu-cases').fillNormal(x);
  for (let i = 0; i < x.length; i += 97) x[i] *= 40;
  return x;
}

export interface CaseRun {
  readonly name: string;
  readonly methodId: string;
  readonly rows: number;
  readonly d: number;
  /** False when the kernel declined these params (then nothing was compared). */
  readonly ran: boolean;
  readonly ok: boolean;
  readonly limit: string;
  readonly mismatches: number;
  readonly outside: number;
  readonly maxRelErr: number;
  readonly maxRowRelErr: number;
  readonly gpuMs: number;
  readonly cpuMs: number;
}

async function bestMs(reps: number, fn: () => unknown): Promise<number> {
  let best = Infinity;
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    await fn();
    best = Math.min(best, performance.now() - t0);
  }
  return best;
}

function sumsRecord(s: ReconstructionSums): Record<string, number> {
  const rec: Record<string, number> = {
    relErrSum: s.relErrSum,
    cosineSum: s.cosineSum,
    err: s.err,
    signal: s.signal,
    dot: s.dot,
  };
  for (const m of METRICS) if (m.fromSums) rec[m.id] = m.fromSums(s);
  return rec;
}

/**
 * Run one case on rows × d (before its shape rule): the CPU reference once plus `reps` timed runs,
 * the GPU kernel once (compiling its pipelines) plus `reps` timed runs; parity from the last runs.
 * reps = 0: one run each, untimed (parity only).
 */
export async function runCase(
  gpu: GpuKernels,
  c: KernelCase,
  size: { rows: number; d: number },
  reps: number,
): Promise<CaseRun> {
  const { rows, d } = c.shape(size.rows, size.d);
  const data = c.data === 'ties' ? tieData(c.kernel.methodId, rows, d) : caseData(rows, d);
  const k = c.kernel;
  const base = { name: c.name, methodId: k.methodId, rows, d };
  const none = { ...base, ran: false, ok: false, limit: '', mismatches: 0, outside: 0 };
  if (k.stage === 'metrics') {
    // x against a coarse reconstruction of it (int3 per row), as after a quantizer.
    const xHat = new Float32Array(rows * d);
    const q = quantizersById.get('int');
    if (!q) throw new Error('core quantizer "int" missing');
    const qp = withDefaults(q.params, { bits: 3, granularity: 'row' });
    q.quantize(data, rows, d, qp, { rng: createRngFactory(1) }, xHat);
    const x = { rows, cols: d, data };
    let cpu = reconstructionSums(x, xHat);
    let g = await k.run(gpu, x, xHat);
    if (!g) return { ...none, maxRelErr: 0, maxRowRelErr: 0, gpuMs: NaN, cpuMs: NaN };
    const cpuMs = reps ? await bestMs(reps, () => (cpu = reconstructionSums(x, xHat))) : NaN;
    const gpuMs = reps ? await bestMs(reps, async () => (g = await k.run(gpu, x, xHat))) : NaN;
    if (!g) throw new Error('sums kernel declined on a repeat run');
    const tol = k.tolerance.kind === 'sums-relative' ? k.tolerance.bound : 0;
    const r = checkSums(sumsRecord(g), sumsRecord(cpu), tol);
    return {
      ...base,
      ran: true,
      ok: r.ok,
      limit: `each sum and metric within ${tol.toExponential(2)} relative (${r.detail})`,
      mismatches: r.worst === 0 ? 0 : 1,
      outside: r.ok ? 0 : 1,
      maxRelErr: r.worst,
      maxRowRelErr: r.worst,
      gpuMs,
      cpuMs,
    };
  }
  if (k.stage === 'forward') {
    const def = transformsById.get(k.methodId);
    if (!def) throw new Error(`core transform "${k.methodId}" missing`);
    const params = withDefaults(def.params, c.params);
    const x = { rows, cols: d, data };
    const prepared = def.prepare(params, { rng: createRngFactory(3), dim: d, data: x });
    const cpuOut = new Float32Array(rows * prepared.outDim);
    const gpuOut = new Float32Array(rows * prepared.outDim);
    const transform = { id: k.methodId, params };
    const cq: StageRequest = { kind: 'forward', transform, prepared, x, y: cpuOut };
    const gq = { kind: 'forward', transform, prepared, x, y: gpuOut } as const;
    if (!k.supports(params, rows, d) || !(await k.run(gpu, gq)))
      return { ...none, maxRelErr: 0, maxRowRelErr: 0, gpuMs: NaN, cpuMs: NaN };
    runStageOnCpu(cq);
    const cpuMs = reps ? await bestMs(reps, () => runStageOnCpu(cq)) : NaN;
    const gpuMs = reps ? await bestMs(reps, () => k.run(gpu, gq)) : NaN;
    const s = checkParity(gpuOut, cpuOut, rows, prepared.outDim, k.tolerance);
    return { ...base, ran: true, ...s, gpuMs, cpuMs };
  }
  const def = quantizersById.get(k.methodId);
  if (!def) throw new Error(`core quantizer "${k.methodId}" missing`);
  const params = withDefaults(def.params, c.params);
  const cpuOut = new Float32Array(rows * d);
  const gpuOut = new Float32Array(rows * d);
  const quantizer = { id: k.methodId, params };
  const common = {
    kind: 'quantize',
    quantizer,
    def,
    y: data,
    rows,
    outDim: d,
    rng: createRngFactory(5),
  } as const;
  const cq: StageRequest = { ...common, yHat: cpuOut };
  const gq = { ...common, yHat: gpuOut };
  if (!k.supports(params, rows, d) || !(await k.run(gpu, gq)))
    return { ...none, maxRelErr: 0, maxRowRelErr: 0, gpuMs: NaN, cpuMs: NaN };
  runStageOnCpu(cq);
  const cpuMs = reps ? await bestMs(reps, () => runStageOnCpu(cq)) : NaN;
  const gpuMs = reps ? await bestMs(reps, () => k.run(gpu, gq)) : NaN;
  const s = checkParity(gpuOut, cpuOut, rows, d, k.tolerance);
  return { ...base, ran: true, ...s, gpuMs, cpuMs };
}
