/**
 * GPU kernels, one line each, keyed by the core method id they reproduce (kernel-types.ts). A
 * stage runs on the GPU when its method has an entry here that supports its params and the block
 * is large enough to be worth the transfer (GPU_MIN_COORDS); anything else runs on the CPU
 * reference.
 */
import type { Params } from '../../core/methods/types';
import { GPU_MIN_COORDS } from './kernels';
import type {
  GpuKernelEntry,
  GpuMetricsKernel,
  GpuQuantizerKernel,
  GpuTransformKernel,
} from './kernel-types';
import { rhtGpuKernel, whtGpuKernel } from './kernels/fwht';
import { mxfp4GpuKernel } from './kernels/mxfp4';
import { intGpuKernel } from './kernels/int';
import { nvfp4GpuKernel } from './kernels/nvfp4';
import { nf4GpuKernel } from './kernels/nf4';
import { fp8GpuKernel } from './kernels/fp8';
import { edenGpuKernel } from './kernels/eden';
import { haarGpuKernel } from './kernels/dense';
import { qjlGpuKernel, turboquantProdGpuKernel } from './kernels/qjl';
import { sumsGpuKernel } from './kernels/sums';

export const GPU_KERNELS: readonly GpuKernelEntry[] = [
  whtGpuKernel,
  rhtGpuKernel,
  mxfp4GpuKernel,
  intGpuKernel,
  nvfp4GpuKernel,
  nf4GpuKernel,
  fp8GpuKernel,
  edenGpuKernel,
  haarGpuKernel,
  qjlGpuKernel,
  turboquantProdGpuKernel,
  sumsGpuKernel,
];

export const GPU_METHOD_IDS: readonly string[] = GPU_KERNELS.map((k) => k.methodId);

export function gpuKernelFor(stage: 'forward', id: string): GpuTransformKernel | undefined;
export function gpuKernelFor(stage: 'quantize', id: string): GpuQuantizerKernel | undefined;
export function gpuKernelFor(stage: 'metrics', id: string): GpuMetricsKernel | undefined;
export function gpuKernelFor(stage: GpuKernelEntry['stage'], id: string): GpuKernelEntry | undefined {
  return GPU_KERNELS.find((k) => k.stage === stage && k.methodId === id);
}

/** Whether a method with these params on a rows × d block has a GPU kernel worth using. */
export function gpuSupports(
  stage: 'forward' | 'quantize',
  id: string,
  params: Params,
  rows: number,
  d: number,
): boolean {
  if (rows * d < GPU_MIN_COORDS) return false;
  const kernel = stage === 'forward' ? gpuKernelFor('forward', id) : gpuKernelFor('quantize', id);
  return kernel?.supports(params, rows, d) ?? false;
}
