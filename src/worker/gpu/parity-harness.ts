/**
 * GPU-vs-CPU parity cases for e2e/gpu-parity.webgpu.spec.ts: bundled by the spec and run in
 * Chromium with --enable-unsafe-webgpu. Each case runs a WGSL kernel and its CPU reference on the
 * same seeded data and reports the largest errors; the spec holds them to the tolerances stated in
 * src/worker/gpu/kernels.ts.
 */
import { fwhtInPlace } from '../../core/linalg/fwht';
import { intQuantizer } from '../../core/methods/quantizers/int';
import { mxfp4Quantizer } from '../../core/methods/quantizers/mxfp4';
import { createRngFactory } from '../../core/rng';
import { GpuKernels } from './kernels';

export interface ParityCase {
  readonly name: string;
  readonly n: number;
  /** max |gpu − cpu| / (max |cpu| over the case). */
  readonly maxRelErr: number;
  /** Elements that differ at all. */
  readonly mismatches: number;
}

export interface ParityReport {
  readonly adapter: string | null;
  readonly cases: ParityCase[];
}

function compare(name: string, gpu: Float32Array, cpu: ArrayLike<number>): ParityCase {
  let scale = 0;
  for (let i = 0; i < cpu.length; i++) scale = Math.max(scale, Math.abs(cpu[i]));
  let worst = 0;
  let mismatches = 0;
  for (let i = 0; i < cpu.length; i++) {
    const e = Math.abs(gpu[i] - cpu[i]);
    if (!(e === 0)) mismatches++;
    if (!(e <= worst)) worst = e;
  }
  return { name, n: cpu.length, maxRelErr: scale > 0 ? worst / scale : worst, mismatches };
}

export async function runGpuParity(): Promise<ParityReport> {
  const gpu = await GpuKernels.create();
  if (!gpu) return { adapter: null, cases: [] };
  try {
    const rows = 64;
    const d = 1024;
    const x = new Float32Array(rows * d);
    createRngFactory(7).stream('data', 'gpu-parity').fillNormal(x);
    for (let i = 0; i < rows * d; i += 97) x[i] *= 40; // outliers, so MX/INT scales vary per block
    const cases: ParityCase[] = [];

    // FWHT (float32 butterflies in the same order: the CPU float32 reference is the oracle).
    const ref = x.slice();
    for (let r = 0; r < rows; r++) fwhtInPlace(ref, r * d, d);
    cases.push(compare('fwht', await gpu.fwht(x, rows, d), ref));

    // One RHT round against a float64 CPU evaluation of H·diag(s)·x/√d.
    const signs = new Float32Array(d);
    const srng = createRngFactory(8).stream('rotation', 'gpu-parity');
    for (let j = 0; j < d; j++) signs[j] = srng.sign();
    const ref64 = new Float64Array(rows * d);
    for (let i = 0; i < rows * d; i++) ref64[i] = x[i] * signs[i % d];
    for (let r = 0; r < rows; r++) fwhtInPlace(ref64, r * d, d);
    for (let i = 0; i < rows * d; i++) ref64[i] /= Math.sqrt(d);
    cases.push(compare('rht', await gpu.fwht(x, rows, d, { signs }), ref64));

    const rng = createRngFactory(1);
    const mx = new Float32Array(rows * d);
    mxfp4Quantizer.quantize(x, rows, d, { rounding: 'nearest' }, { rng }, mx);
    cases.push(compare('mxfp4', await gpu.mxfp4(x, rows, d), mx));

    for (const [bits, group] of [
      [4, 128],
      [8, 32],
      [3, d],
    ] as const) {
      const q = new Float32Array(rows * d);
      const params = {
        bits,
        granularity: group >= d ? 'row' : 'group',
        group: group >= d ? 128 : group,
        symmetric: true,
        rounding: 'nearest',
      };
      intQuantizer.quantize(x, rows, d, params, { rng }, q);
      cases.push(compare(`int b=${bits} g=${group}`, await gpu.intSymmetric(x, rows, d, bits, group), q));
    }
    return { adapter: gpu.adapterLabel, cases };
  } finally {
    gpu.destroy();
  }
}
