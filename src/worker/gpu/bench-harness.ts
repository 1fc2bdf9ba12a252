/**
 * GPU-vs-CPU timings for `npm run bench:gpu` (scripts/bench-gpu.ts), bundled and run in Chromium
 * with WebGPU. Every registered kernel (registry.ts) runs its cases (cases.ts) through its own
 * `run` and through the core's CPU path for the same stage (runStageOnCpu: TypeScript with the WASM
 * SIMD kernels where they exist) on the same seeded data in this page, then the whole pipeline
 * (RHT, INT4 g128, every metric) runs end to end on rows × d coordinates with the WebGPU stage
 * runner (stages.ts) and on the CPU. Times are the best of `reps` wall times, the GPU's including
 * upload and read-back (what a pipeline stage pays); the pipeline runs on the CPU, with the
 * per-stage runner and with the resident one (resident.ts) in the same page. With SwiftShader (no GPU) the GPU column
 * measures a CPU emulation: only the parity column means something there; on a real adapter both
 * columns are real.
 */
import {
  runExperiment,
  runExperimentAsync,
  type ExperimentSpec,
  type PipelineResult,
  type RunOptions,
} from '../../core/pipeline';
import { withDefaults } from '../../core/methods/params';
import { quantizersById, transformsById } from '../../core/methods';
import { wasmKernels } from '../../core/wasm/kernels';
import { caseData, kernelCases, runCase, type CaseRun } from './cases';
import { GpuKernels } from './kernels';
import { residentRuns } from './resident';
import { gpuStageRunner } from './stages';

/** One way of running the pipeline: best wall time and its largest metric difference to the CPU. */
export interface PipelineRun {
  readonly name: string;
  readonly ms: number;
  /** Which backend ran the transform and the quantizer. */
  readonly backends: string;
  /** Largest relative difference of any metric to the CPU run with the same metrics. */
  readonly maxMetricRelDiff: number;
  /** Resident groups taken per run (0 for the CPU and per-stage runs). */
  readonly residentGroups: number;
}

export interface PipelineBench {
  readonly rows: number;
  readonly d: number;
  readonly runs: PipelineRun[];
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

/** Metrics every run computes in the sums-only variant: those with `fromSums` (no x̂ needed). */
const SUM_METRICS = ['vnmse', 'mse', 'sqnrDb', 'cosine', 'ipRatio'];

/**
 * The pipeline on rows × d: CPU, the per-stage WebGPU runner and the resident one (every metric,
 * ip-nvar's query dots on the GPU too), then the resident one and the CPU with the sum-based
 * metrics only. Best of `reps` wall times each,
 * the GPU's including upload and read-back, all in this page.
 */
async function benchPipeline(gpu: GpuKernels, rows: number, d: number, reps: number): Promise<PipelineBench> {
  const x = { rows, cols: d, data: caseData(rows, d, 11) };
  const spec = pipelineSpec();
  const variants: {
    name: string;
    opts: RunOptions;
    run: (o: RunOptions) => Promise<PipelineResult[]> | PipelineResult[];
    cpu: string;
  }[] = [
    { name: 'CPU', opts: {}, run: (o) => runExperiment(spec, x, o), cpu: 'all' },
    {
      name: 'WebGPU per stage',
      opts: {},
      run: (o) => runExperimentAsync(spec, x, o, gpuStageRunner(gpu, undefined, { resident: false })),
      cpu: 'all',
    },
    {
      name: 'WebGPU resident',
      opts: {},
      run: (o) => runExperimentAsync(spec, x, o, gpuStageRunner(gpu)),
      cpu: 'all',
    },
    {
      name: 'CPU, sum metrics only',
      opts: { metrics: SUM_METRICS },
      run: (o) => runExperiment(spec, x, o),
      cpu: 'sums',
    },
    {
      name: 'WebGPU resident, sum metrics only',
      opts: { metrics: SUM_METRICS },
      run: (o) => runExperimentAsync(spec, x, o, gpuStageRunner(gpu)),
      cpu: 'sums',
    },
  ];
  const best = variants.map(() => Infinity);
  const last: PipelineResult[][] = variants.map(() => []);
  const groups = variants.map(() => 0);
  for (let r = 0; r < Math.max(1, reps); r++)
    for (let v = 0; v < variants.length; v++) {
      const before = residentRuns.groups;
      const t0 = performance.now();
      last[v] = await variants[v].run(variants[v].opts);
      best[v] = Math.min(best[v], performance.now() - t0);
      groups[v] = residentRuns.groups - before;
    }
  const reference = { all: last[0][0], sums: last[3][0] };
  const runs = variants.map((v, k): PipelineRun => {
    const cpu = reference[v.cpu as 'all' | 'sums'];
    const res = last[k][0];
    let worst = 0;
    for (const [id, c] of Object.entries(cpu.metrics)) {
      const g = res.metrics[id];
      const rel = c === g ? 0 : Math.abs(g - c) / Math.abs(c);
      if (!(rel <= worst)) worst = rel;
    }
    const b = res.timingsMs.backend;
    return {
      name: v.name,
      ms: best[k],
      backends: `transform ${b.transform}, quantize ${b.quantize}`,
      maxMetricRelDiff: worst,
      residentGroups: groups[k],
    };
  });
  return { rows, d, runs };
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
