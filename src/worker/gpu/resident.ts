/**
 * The GPU-resident path for a whole transform group (StageRequest 'group', src/core/pipeline.ts):
 * x is uploaded once; the forward chain, then for each pipeline the quantizer, the inverse chain
 * and the metric row sums run on device buffers; only the per-row sums come back (rows × 4
 * float32; ip-nvar's rows × 64 query dots, kernels/ipnvar.ts), x̂ only for a wanted metric with
 * neither `fromSums` nor a GPU form (none today), and y, ŷ and x̂ when a
 * collector wants the buffers (the app's charts: then y once per group, ŷ and x̂ per pipeline).
 * The per-stage path (stages.ts) moves the whole matrix four times per pipeline (y up, ŷ down, x
 * and x̂ up for the sums), twice per transform round, and inverts on the CPU.
 *
 * Taken when every stage of the chain has a resident form (wht, rht: full-width SignedHadamard,
 * forward and inverse; haar: one GEMM each way with Q kept on the device) and every quantizer an
 * in-place one (int symmetric row/group, mxfp4, nvfp4, nf4, fp8, eden; nearest rounding), on at
 * least GPU_MIN_COORDS coordinates; otherwise declined, and the stages run one by one. The same
 * WGSL and scales as the per-stage kernels, so the forward values and the quantizer's decisions
 * on them are those of the per-stage GPU path; what differs from the CPU is RESIDENT_TOLERANCE.
 *
 * Device memory: x, y, ŷ and x̂ (4 · rows · d float32: 256 MiB at 4096²) plus haar's Q (d² float32).
 */
import { chainRng, type GroupStageOutput, type StageRequest } from '../../core/pipeline';
import { transformsById } from '../../core/methods';
import type { GpuParityTolerance, ResidentTransform } from './kernel-types';
import { GPU_MIN_COORDS, type GpuKernels } from './kernels';
import { finishSums, rowSumsOnDevice } from './kernels/sums';
import { ipNvarOnDevice } from './kernels/ipnvar';
import { ipNvarMetric } from '../../core/methods/metrics/ip-nvar';
import { gpuKernelFor } from './registry';
import type { GpuBuffer } from './webgpu';

export type GroupRequest = Extract<StageRequest, { kind: 'group' }>;

/**
 * How far a resident group's sums and metrics may be from the CPU pipeline's, and why. Checked by
 * e2e/gpu-parity.webgpu.spec.ts (parity-harness.ts) on every covered chain × quantizer.
 */
export const RESIDENT_TOLERANCE: GpuParityTolerance = {
  kind: 'sums-relative',
  bound: 1e-4,
  why:
    'float32 forward and inverse rotations (each ≤ 4·log2(d)·2⁻²⁴ of the row norm per round, the FWHT ' +
    'kernel’s bound; haar’s GEMM ≤ 2⁻¹⁷) perturb x̂ by rounding noise δ uncorrelated with the quantization ' +
    'error e, so ‖e+δ‖² moves by ≈ 2⟨e,δ⟩ ≪ ‖e‖·‖δ‖; a coordinate within δ of a rounding boundary takes ' +
    'the neighbouring level, which leaves its squared error (half a step either way) but flips its sign, ' +
    'which ip-nvar’s projections ⟨q,e⟩ see (the per-stage GPU path flips the same ones: measured 3e-5 ' +
    'relative on ip-nvar at 1M coordinates with outliers, ≤ 2e-7 on the sum metrics); ip-nvar’s float32 ' +
    'dots (kernels/ipnvar.ts) add ≲ √d·2⁻²⁴ per dot, averaged over 64·rows; and the sums are float32 ' +
    '(2⁻¹⁶). 1e-4 relative on every metric, for formats of ≤ 8 bits',
};

/**
 * How often the resident path ran, and how often it computed ip-nvar on the device or read x̂
 * back (parity tests assert what ran, as the WASM hit counters do).
 */
export const residentRuns = { groups: 0, pipelines: 0, ipNvarOnGpu: 0, xHatReadBacks: 0 };

const now = () => performance.now();

/**
 * Runs the group on the GPU and sets req.out.group; false (nothing set) when a stage has no
 * resident form or the size is below `minCoords`. A GPU error throws (the runner then declines
 * the group and the stages run one by one).
 */
export async function runGroupOnGpu(
  gpu: GpuKernels,
  req: GroupRequest,
  signal?: AbortSignal,
  minCoords = GPU_MIN_COORDS,
): Promise<boolean> {
  const { x, rng } = req;
  const { rows, cols: dim } = x;
  const n = rows * dim;
  if (n < minCoords || n * 4 > gpu.maxBindingBytes || x.data.length !== n || dim > 16384) return false;
  const quantizers = req.pipelines.map((p) => gpuKernelFor('quantize', p.quantizer.id));
  for (let k = 0; k < quantizers.length; k++) {
    const q = quantizers[k];
    if (!q?.inPlace || !q.supports(req.pipelines[k].quantizer.params, rows, dim)) return false;
  }
  const kernels = req.transforms.map((t) => gpuKernelFor('forward', t.id));
  if (kernels.some((k, i) => !k?.resident || !k.supports(req.transforms[i].params, rows, dim))) return false;

  const t0 = now();
  // Only data-independent transforms have resident forms (their rotation comes from the seed), so
  // preparing each stage on x gives what the orchestrator prepares on the previous stage's output.
  const stages = req.transforms.map((t, k) => {
    const def = transformsById.get(t.id);
    if (!def) throw new Error(`unknown transform "${t.id}"`);
    return def.prepare(t.params, { rng: chainRng(rng, k), dim, data: x });
  });
  const plans: ResidentTransform[] = [];
  const buffers: GpuBuffer[] = [];
  try {
    for (let k = 0; k < stages.length; k++) {
      const plan = kernels[k]?.resident?.(gpu, stages[k], rows, dim) ?? null;
      if (!plan) return false;
      plans.push(plan);
    }
    const xb = gpu.upload(x.data);
    let yb = gpu.storage(n);
    let hb = gpu.storage(n);
    const rb = gpu.storage(n);
    buffers.push(xb, yb, hb, rb);
    // Forward chain x → y (ŷ's buffer as scratch between stages).
    let src = xb;
    for (const plan of plans) {
      await plan.forward(src, yb, signal);
      src = yb;
      if (plan !== plans[plans.length - 1]) [yb, hb] = [hb, yb];
    }
    await gpu.flush(signal);
    const transformMs = now() - t0;
    const y = req.needBuffers ? await gpu.download(yb, n) : undefined;

    const out: GroupStageOutput['pipelines'][number][] = [];
    for (let k = 0; k < req.pipelines.length; k++) {
      const t1 = now();
      gpu.copy(yb, hb, n);
      const q = quantizers[k];
      if (!q?.inPlace || !(await q.inPlace(gpu, hb, rows, dim, req.pipelines[k].quantizer.params, signal)))
        return false;
      // A collector's ŷ before the inverse chain, which may use ŷ's buffer as scratch.
      const yHat = req.needBuffers ? await gpu.download(hb, n) : undefined;
      await gpu.flush(signal);
      const t2 = now();
      // Inverse chain ŷ → x̂, stages reversed; ŷ's buffer is scratch (the next pipeline recopies y).
      let a = hb;
      let b = rb;
      for (let s = plans.length - 1; s >= 0; s--) {
        await plans[s].inverse(a, b, signal);
        [a, b] = [b, a];
      }
      await gpu.flush(signal);
      const t3 = now();
      const rowSums = await rowSumsOnDevice(gpu, xb, a, rows, dim, signal);
      const sums = finishSums(rowSums, rows, dim);
      // ip-nvar on the device too (b is free scratch now); any other x̂ metric needs x̂ itself.
      const metrics: Record<string, number> = {};
      if (req.xHatMetrics.includes(ipNvarMetric.id)) {
        metrics[ipNvarMetric.id] = await ipNvarOnDevice(gpu, xb, a, b, rows, dim, rng, rowSums, signal);
        residentRuns.ipNvarOnGpu++;
      }
      const needXHat = req.needBuffers || req.xHatMetrics.some((id) => metrics[id] === undefined);
      const xHat = needXHat ? await gpu.download(a, n) : undefined;
      if (xHat) residentRuns.xHatReadBacks++;
      out.push({
        sums,
        ...(xHat ? { xHat } : {}),
        ...(yHat ? { yHat } : {}),
        metrics,
        quantizeMs: t2 - t1,
        inverseMs: t3 - t2,
        metricsMs: now() - t3,
      });
    }
    req.out.group = { stages, transformMs, ...(y ? { y } : {}), pipelines: out };
    residentRuns.groups++;
    residentRuns.pipelines += out.length;
    return true;
  } finally {
    for (const p of plans) p.destroy();
    for (const b of buffers) b.destroy();
  }
}
