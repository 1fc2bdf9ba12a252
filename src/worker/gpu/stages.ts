/**
 * The WebGPU stage runner the worker hands to runExperimentAsync (src/core/pipeline.ts): a stage
 * whose method has a WGSL kernel (registry.ts) and is large enough (GPU_MIN_COORDS) runs on the
 * GPU, everything else on the CPU reference. Issue 5: "used when navigator.gpu gives an adapter
 * and the size is worth it, with CPU fallback".
 *
 * - Transforms: 'wht' and 'rht' whose prepared form is one full-width SignedHadamard (block =
 *   outDim = dim, a power of two, so no padding): each round is one GPU pass H·diag(s)·x/√d
 *   (GpuKernels.fwht with the round's signs, ones for wht). Float32 on the GPU vs float64 on the
 *   CPU: kernels.ts "Precision".
 * - Quantizers: 'mxfp4' and symmetric 'int' at row or group granularity (tensor granularity needs
 *   one absmax over the whole block, which the kernel does not compute).
 * - A GPU error other than cancellation (device lost, out of memory) reruns the stage on the CPU;
 *   the result records which backend produced the numbers.
 */
import { runStageOnCpu, type Backend, type StageRequest } from '../../core/pipeline';
import { SignedHadamard } from '../../core/linalg/signedHadamard';
import { num, str } from '../../core/methods/params';
import { gpuSupports } from './registry';
import { AbortError, type GpuKernels } from './kernels';

async function onGpu(gpu: GpuKernels, req: StageRequest, signal: AbortSignal | undefined): Promise<boolean> {
  if (req.kind === 'forward') {
    const p = req.prepared;
    const { rows, cols } = req.x;
    if (!(p instanceof SignedHadamard) || p.block !== p.outDim || p.dim !== p.outDim) return false;
    if (!gpuSupports(req.transform.id, req.transform.params, rows, cols)) return false;
    const ones = new Float32Array(p.outDim).fill(1);
    let cur = req.x.data;
    for (const s of p.signs)
      cur = await gpu.fwht(cur, rows, p.outDim, { signs: s ? Float32Array.from(s) : ones, signal });
    req.y.set(cur);
    return true;
  }
  const { quantizer, rows, outDim } = req;
  if (!gpuSupports(quantizer.id, quantizer.params, rows, outDim)) return false;
  if (quantizer.id === 'mxfp4') {
    req.yHat.set(await gpu.mxfp4(req.y, rows, outDim, signal));
    return true;
  }
  const granularity = str(quantizer.params, 'granularity');
  if (granularity !== 'row' && granularity !== 'group') return false;
  const group = granularity === 'row' ? outDim : num(quantizer.params, 'group');
  req.yHat.set(await gpu.intSymmetric(req.y, rows, outDim, num(quantizer.params, 'bits'), group, signal));
  return true;
}

export function gpuStageRunner(
  gpu: GpuKernels,
  signal?: AbortSignal,
): (req: StageRequest) => Promise<Backend> {
  return async (req) => {
    try {
      if (await onGpu(gpu, req, signal)) return 'gpu';
    } catch (e) {
      if (e instanceof AbortError) throw e;
    }
    return runStageOnCpu(req);
  };
}
