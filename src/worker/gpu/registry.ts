/**
 * GPU kernels, one line each, keyed by the core method id they reproduce (kernel-types.ts). A
 * stage runs on the GPU when its method has an entry here that supports its params and the block
 * is large enough to be worth the transfer (GPU_MIN_COORDS); anything else runs on the CPU
 * reference.
 */
import type { Params } from '../../core/methods/types';
import { GPU_MIN_COORDS } from './kernels';
import type { GpuKernelEntry, GpuQuantizerKernel, GpuTransformKernel } from './kernel-types';
import { rhtGpuKernel, whtGpuKernel } from './kernels/fwht';
import { mxfp4GpuKernel } from './kernels/mxfp4';
import { intGpuKernel } from './kernels/int';

export const GPU_KERNELS: readonly GpuKernelEntry[] = [
  whtGpuKernel,
  rhtGpuKernel,
  mxfp4GpuKernel,
  intGpuKernel,
];

export const GPU_METHOD_IDS: readonly string[] = GPU_KERNELS.map((k) => k.methodId);

export function gpuKernelFor(stage: 'forward', id: string): GpuTransformKernel | undefined;
export function gpuKernelFor(stage: 'quantize', id: string): GpuQuantizerKernel | undefined;
export function gpuKernelFor(stage: GpuKernelEntry['stage'], id: string): GpuKernelEntry | undefined {
  return GPU_KERNELS.find((k) => k.stage === stage && k.methodId === id);
}

/** Whether a method with these params on a rows × d block has a GPU kernel worth using. */
export function gpuSupports(
  stage: GpuKernelEntry['stage'],
  id: string,
  params: Params,
  rows: number,
  d: number,
): boolean {
  if (rows * d < GPU_MIN_COORDS) return false;
  const kernel = stage === 'forward' ? gpuKernelFor('forward', id) : gpuKernelFor('quantize', id);
  return kernel?.supports(params, rows, d) ?? false;
}
