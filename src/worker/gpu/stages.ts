/**
 * The WebGPU stage runner the worker hands to runExperimentAsync (src/core/pipeline.ts): a stage
 * whose method has a WGSL kernel (registry.ts) and is large enough (GPU_MIN_COORDS) runs on the
 * GPU, everything else on the CPU reference (used when navigator.gpu gives an adapter and the size
 * is worth it).
 *
 * - Transforms: 'wht' and 'rht' whose prepared form is one full-width SignedHadamard (block =
 *   outDim = dim, a power of two, so no padding): each round is one GPU pass H·diag(s)·x/√d
 *   (GpuKernels.fwht with the round's signs, ones for wht). Float32 on the GPU vs float64 on the
 *   CPU: kernels.ts "Precision".
 * - Transforms also: 'haar' as one dense float32 product X·Qᵀ (kernels/dense.ts) when rows ≥ d.
 * - Quantizers: 'mxfp4', symmetric 'int' at row or group granularity, 'nvfp4', 'nf4', 'fp8', 'eden',
 *   'qjl' and 'turboquant-prod' (their sketch products), nearest rounding (registry.ts lists them,
 *   each kernel file states what it covers and its parity tolerance).
 * - Metrics: the per-row sums behind vnmse, mse, sqnrDb, cosine and ipRatio (kernels/sums.ts),
 *   float32 partials finished in float64 on the CPU.
 * - A whole transform group (StageRequest 'group') whose every stage has a resident form stays on
 *   the GPU from upload to the metric row sums (resident.ts); the others run stage by stage.
 * - A GPU error other than cancellation (device lost, out of memory) reruns the stage on the CPU;
 *   the result records which backend produced the numbers.
 */
import { runStageOnCpu, type Backend, type StageRequest } from '../../core/pipeline';
import { gpuKernelFor, gpuSupports } from './registry';
import { AbortError, GPU_MIN_COORDS, type GpuKernels } from './kernels';
import { runGroupOnGpu } from './resident';

async function onGpu(
  gpu: GpuKernels,
  req: StageRequest,
  signal: AbortSignal | undefined,
  resident: boolean,
): Promise<boolean> {
  if (req.kind === 'group') return resident && runGroupOnGpu(gpu, req, signal);
  if (req.kind === 'forward') {
    const { id, params } = req.transform;
    const kernel = gpuKernelFor('forward', id);
    if (!kernel || !gpuSupports('forward', id, params, req.x.rows, req.x.cols)) return false;
    return kernel.run(gpu, req, signal);
  }
  if (req.kind === 'sums') {
    const kernel = gpuKernelFor('metrics', 'reconstruction-sums');
    if (!kernel || req.x.rows * req.x.cols < GPU_MIN_COORDS) return false;
    const sums = await kernel.run(gpu, req.x, req.xHat, signal);
    if (sums) req.out.sums = sums;
    return sums !== null;
  }
  const { id, params } = req.quantizer;
  const kernel = gpuKernelFor('quantize', id);
  if (!kernel || !gpuSupports('quantize', id, params, req.rows, req.outDim)) return false;
  return kernel.run(gpu, req, signal);
}

/** opts.resident = false: never take a whole group (the per-stage path, for `npm run bench:gpu`). */
export function gpuStageRunner(
  gpu: GpuKernels,
  signal?: AbortSignal,
  opts: { resident?: boolean } = {},
): (req: StageRequest) => Promise<Backend> {
  return async (req) => {
    try {
      if (await onGpu(gpu, req, signal, opts.resident ?? true)) return 'gpu';
    } catch (e) {
      if (e instanceof AbortError) throw e;
    }
    return runStageOnCpu(req);
  };
}
