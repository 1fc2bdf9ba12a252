/**
 * GPU-vs-CPU timings for `npm run bench:gpu` (scripts/bench-gpu.ts), bundled and run in Chromium
 * with WebGPU. Every registered kernel (registry.ts) runs its cases (cases.ts) through its own
 * `run` and through the core's CPU path for the same stage (runStageOnCpu: TypeScript with the WASM
 * SIMD kernels where they exist) on the same seeded data in this page, then the whole pipeline
 * (RHT, INT4 g128, every metric) runs end to end on rows × d coordinates with the WebGPU stage
 * runner (stages.ts) and on the CPU. Times are the best of `reps` wall times, the GPU's including
 * upload and read-back (what a pipeline stage pays). With SwiftShader (no GPU) the GPU column
 * measures a CPU emulation: only the parity column means something there; on a real adapter both
 * columns are real.
 */
import {
  runExperiment,
  runExperimentAsync,
  type ExperimentSpec,
  type PipelineResult,
} from '../../core/pipeline';
import { withDefaults } from '../../core/methods/params';
import { quantizersById, transformsById } from '../../core/methods';
import { wasmKernels } from '../../core/wasm/kernels';
import { caseData, kernelCases, runCase, type CaseRun } from './cases';
import { GpuKernels } from './kernels';
import { gpuStageRunner } from './stages';

export interface PipelineBench {
  readonly rows: number;
  readonly d: number;
  readonly gpuMs: number;
  readonly cpuMs: number;
  /** Which backend ran the transform and the quantizer in the GPU run. */
  readonly backends: string;
  /** Largest relative difference of any metric between the two runs. */
  readonly maxMetricRelDiff: number;
}

export interface GpuBenchReport {
  readonly adapter: string | null;
  readonly cpuWasm: boolean;
  readonly rows: CaseRun[];
  readonly pipeline: PipelineBench | null;
}

function pipelineSpec(): ExperimentSpec {
  const rht = transformsById.get('rht');
  const int = quantizersById.get('int');
  if (!rht || !int) throw new Error('core methods rht / int missing');
  return {
    seed: 1,
    pipelines: [
      {
        transforms: [{ id: 'rht', params: withDefaults(rht.params, {}) }],
        quantizer: {
          id: 'int',
          params: withDefaults(int.params, { bits: 4, granularity: 'group', group: 128, symmetric: true }),
        },
      },
    ],
  };
}

async function benchPipeline(gpu: GpuKernels, rows: number, d: number, reps: number): Promise<PipelineBench> {
  const x = { rows, cols: d, data: caseData(rows, d, 11) };
  const spec = pipelineSpec();
  let cpu: PipelineResult[] = [];
  let viaGpu: PipelineResult[] = [];
  let cpuMs = Infinity;
  let gpuMs = Infinity;
  for (let r = 0; r < Math.max(1, reps); r++) {
    let t0 = performance.now();
    cpu = runExperiment(spec, x);
    cpuMs = Math.min(cpuMs, performance.now() - t0);
    t0 = performance.now();
    viaGpu = await runExperimentAsync(spec, x, {}, gpuStageRunner(gpu));
    gpuMs = Math.min(gpuMs, performance.now() - t0);
  }
  let worst = 0;
  for (const [k, v] of Object.entries(cpu[0].metrics)) {
    const g = viaGpu[0].metrics[k];
    const rel = v === g ? 0 : Math.abs(g - v) / Math.abs(v);
    if (!(rel <= worst)) worst = rel;
  }
  const b = viaGpu[0].timingsMs.backend;
  return {
    rows,
    d,
    gpuMs,
    cpuMs,
    backends: `transform ${b.transform}, quantize ${b.quantize}`,
    maxMetricRelDiff: worst,
  };
}

export async function runGpuBench(
  rows: number,
  d: number,
  reps: number,
  pipeline: { rows: number; d: number } | null,
): Promise<GpuBenchReport> {
  const gpu = await GpuKernels.create();
  const cpuWasm = wasmKernels() !== null;
  if (!gpu) return { adapter: null, cpuWasm, rows: [], pipeline: null };
  try {
    const out: CaseRun[] = [];
    for (const c of kernelCases()) out.push(await runCase(gpu, c, { rows, d }, reps));
    const pipe = pipeline ? await benchPipeline(gpu, pipeline.rows, pipeline.d, reps) : null;
    return { adapter: gpu.adapterLabel, cpuWasm, rows: out, pipeline: pipe };
  } finally {
    gpu.destroy();
  }
}
