/**
 * GPU implementations registered under the CPU method ids they reproduce (DESIGN.md: "WebGPU
 * kernels registered under the same method ids; CPU is the reference"). `gpuSupports` says whether
 * a method with these params has a GPU kernel and the block is large enough to be worth the
 * transfer (GPU_MIN_COORDS); anything else runs on the CPU.
 */
import type { Params } from '../../core/methods/types';
import { GPU_MIN_COORDS } from './kernels';

/** Method ids with a WGSL kernel: the wht/rht transforms' FWHT and two quantizers. */
export const GPU_METHOD_IDS = ['wht', 'rht', 'mxfp4', 'int'] as const;
export type GpuMethodId = (typeof GPU_METHOD_IDS)[number];

export function gpuSupports(id: string, params: Params, rows: number, d: number): id is GpuMethodId {
  if (rows * d < GPU_MIN_COORDS) return false;
  switch (id) {
    case 'wht':
    case 'rht':
      return (d & (d - 1)) === 0;
    case 'mxfp4':
      return params.rounding !== 'stochastic';
    case 'int':
      // Tensor granularity needs one absmax over the whole block, which the kernel does not compute.
      return (
        params.symmetric !== false && params.rounding !== 'stochastic' && params.granularity !== 'tensor'
      );
    default:
      return false;
  }
}
