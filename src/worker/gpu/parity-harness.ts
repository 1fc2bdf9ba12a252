/**
 * GPU-vs-CPU parity for e2e/gpu-parity.webgpu.spec.ts: bundled by the spec and run in Chromium
 * with --enable-unsafe-webgpu. Every registered kernel (registry.ts) runs its cases (cases.ts)
 * through its own `run` and the core's runStageOnCpu on the same seeded data, held to the tolerance
 * it declares (tolerance.ts). One extra case keeps the raw FWHT butterflies bit-identical to the
 * CPU's float32 fwhtInPlace (same order, same float32 arithmetic). Then each resident chain
 * (resident-cases.ts) runs a whole group on the device against the CPU pipeline.
 */
import { fwhtInPlace } from '../../core/linalg/fwht';
import { createRngFactory } from '../../core/rng';
import { kernelCases, runCase, type CaseRun } from './cases';
import { GpuKernels } from './kernels';
import { runResidentCases, type ResidentCaseRun } from './resident-cases';
import { checkParity } from './tolerance';

export interface ParityReport {
  readonly adapter: string | null;
  readonly cases: CaseRun[];
  /** Whole groups on the resident path (resident-cases.ts) against the CPU pipeline. */
  readonly resident: ResidentCaseRun[];
}

export async function runGpuParity(rows = 64, d = 1024): Promise<ParityReport> {
  const gpu = await GpuKernels.create();
  if (!gpu) return { adapter: null, cases: [], resident: [] };
  try {
    const cases: CaseRun[] = [];
    const x = new Float32Array(rows * d);
    createRngFactory(7).stream('data', 'gpu-parity').fillNormal(x);
    const ref = x.slice();
    for (let r = 0; r < rows; r++) fwhtInPlace(ref, r * d, d);
    const s = checkParity(await gpu.fwht(x, rows, d), ref, rows, d, { kind: 'exact', why: 'same order' });
    cases.push({ name: 'fwht float32', methodId: 'fwht', rows, d, ran: true, ...s, gpuMs: NaN, cpuMs: NaN });
    for (const c of kernelCases()) cases.push(await runCase(gpu, c, { rows, d }, 0));
    const resident = await runResidentCases(gpu, rows, d);
    return { adapter: gpu.adapterLabel, cases, resident };
  } finally {
    gpu.destroy();
  }
}
