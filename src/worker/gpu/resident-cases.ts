/**
 * The resident group path (resident.ts) against the CPU pipeline, for e2e/gpu-parity.webgpu.spec.ts
 * (parity-harness.ts) and `npm run bench:gpu`: each covered chain runs one group of every covered
 * quantizer through runExperimentAsync with a runner that must take the group whole (below the
 * app's size threshold, so small shapes suffice), and every metric is held to RESIDENT_TOLERANCE
 * against runExperiment on the same data. `residentRuns` proves the group was taken.
 */
import { quantizersById, transformsById } from '../../core/methods';
import { withDefaults } from '../../core/methods/params';
import type { ParamValue } from '../../core/methods/types';
import {
  runExperiment,
  runExperimentAsync,
  runStageOnCpu,
  type ExperimentSpec,
  type MethodRef,
  type PipelineResult,
} from '../../core/pipeline';
import { caseData } from './cases';
import type { GpuKernels } from './kernels';
import { RESIDENT_TOLERANCE, residentRuns, runGroupOnGpu } from './resident';
import { checkSums } from './tolerance';

function ref(kind: 't' | 'q', id: string, params: Readonly<Record<string, ParamValue>> = {}): MethodRef {
  const def = kind === 't' ? transformsById.get(id) : quantizersById.get(id);
  if (!def) throw new Error(`core method "${id}" missing`);
  return { id, params: withDefaults(def.params, params) };
}

/** Every quantizer with an in-place GPU form, one parameter set each. */
export function residentQuantizers(): MethodRef[] {
  return [
    ref('q', 'int', { bits: 4, granularity: 'group', group: 128 }),
    ref('q', 'mxfp4'),
    ref('q', 'nvfp4'),
    ref('q', 'nf4', { block: 64 }),
    ref('q', 'fp8', { format: 'e4m3', granularity: 'row' }),
    ref('q', 'eden', { bits: 2 }),
  ];
}

export interface ResidentChain {
  readonly name: string;
  readonly transforms: readonly MethodRef[];
  /** rows × d of the case from the requested size (haar: d/4 and rows ≥ d, as it is offered). */
  shape(rows: number, d: number): { rows: number; d: number };
}

export function residentChains(): ResidentChain[] {
  const same = (rows: number, d: number) => ({ rows, d });
  return [
    { name: 'rht', transforms: [ref('t', 'rht')], shape: same },
    { name: 'wht', transforms: [ref('t', 'wht')], shape: same },
    { name: 'wht → rht×2', transforms: [ref('t', 'wht'), ref('t', 'rht', { rounds: 2 })], shape: same },
    {
      name: 'haar',
      transforms: [ref('t', 'haar')],
      shape: (rows, d) => {
        const dd = Math.max(16, d >> 2);
        return { rows: Math.max(rows, dd), d: dd };
      },
    },
  ];
}

export interface ResidentCaseRun {
  readonly name: string;
  readonly rows: number;
  readonly d: number;
  /** Groups the resident path took during this case (1 when it ran). */
  readonly taken: number;
  /** Pipelines whose ip-nvar ran on the device, and x̂ read-backs (none: no collector here). */
  readonly ipNvarOnGpu: number;
  readonly xHatReadBacks: number;
  readonly ok: boolean;
  readonly worst: number;
  readonly limit: string;
  readonly detail: string;
}

/** A runner that takes groups on the GPU whatever their size (minCoords 0) and fails otherwise. */
export function residentOnlyRunner(gpu: GpuKernels) {
  return async (req: Parameters<typeof runStageOnCpu>[0]) => {
    if (req.kind === 'group') return (await runGroupOnGpu(gpu, req, undefined, 0)) ? 'gpu' : 'cpu';
    return runStageOnCpu(req);
  };
}

/** Largest relative difference of each metric between two runs, per pipeline. */
export function metricParity(gpu: readonly PipelineResult[], cpu: readonly PipelineResult[]) {
  let worst = 0;
  const parts: string[] = [];
  let ok = true;
  cpu.forEach((c, i) => {
    const r = checkSums(
      gpu[i].metrics,
      c.metrics,
      RESIDENT_TOLERANCE.kind === 'sums-relative' ? RESIDENT_TOLERANCE.bound : 0,
    );
    ok &&= r.ok;
    worst = Math.max(worst, r.worst);
    const ip = Math.abs(gpu[i].metrics.ipNvar - c.metrics.ipNvar) / Math.abs(c.metrics.ipNvar);
    parts.push(`${c.label}: ${r.worst.toExponential(1)} (ip-nvar ${ip.toExponential(1)})`);
  });
  return { ok, worst, detail: parts.join('; ') };
}

export async function runResidentCases(gpu: GpuKernels, rows: number, d: number): Promise<ResidentCaseRun[]> {
  const out: ResidentCaseRun[] = [];
  const bound = RESIDENT_TOLERANCE.kind === 'sums-relative' ? RESIDENT_TOLERANCE.bound : 0;
  for (const chain of residentChains()) {
    const shape = chain.shape(rows, d);
    const x = { rows: shape.rows, cols: shape.d, data: caseData(shape.rows, shape.d, 17) };
    const spec: ExperimentSpec = {
      seed: 3,
      pipelines: residentQuantizers().map((quantizer) => ({ transforms: chain.transforms, quantizer })),
    };
    const before = { ...residentRuns };
    const viaGpu = await runExperimentAsync(spec, x, {}, residentOnlyRunner(gpu));
    const taken = residentRuns.groups - before.groups;
    const ipNvarOnGpu = residentRuns.ipNvarOnGpu - before.ipNvarOnGpu;
    const xHatReadBacks = residentRuns.xHatReadBacks - before.xHatReadBacks;
    const cpu = runExperiment(spec, x);
    const r = metricParity(viaGpu, cpu);
    out.push({
      name: `${chain.name} → {${spec.pipelines.map((p) => p.quantizer.id).join(', ')}}`,
      ...shape,
      taken,
      ipNvarOnGpu,
      xHatReadBacks,
      ok: r.ok && taken === 1 && ipNvarOnGpu === spec.pipelines.length && xHatReadBacks === 0,
      worst: r.worst,
      limit: `every metric within ${bound.toExponential(1)} relative`,
      detail: r.detail,
    });
  }
  return out;
}
