/**
 * The shape of a GPU kernel entry: one file per kernel under `kernels/`, one line in
 * `registry.ts`, keyed by the core method id it reproduces (docs/DESIGN.md: "WebGPU kernels
 * registered under the same method ids; CPU is the reference"). Each entry declares the parity
 * tolerance that e2e/gpu-parity.webgpu.spec.ts holds it to against the core.
 */
import type { StageRequest } from '../../core/pipeline';
import type { Params } from '../../core/methods/types';
import type { GpuKernels } from './kernels';

/** How far the GPU result may be from the core's, and why (WGSL has no float64). */
export type GpuParityTolerance =
  /** Bit-identical to the CPU reference. */
  | { readonly kind: 'exact'; readonly why: string }
  /** max |gpu − cpu| / ‖row‖ ≤ ulps · log2(d) · 2⁻²⁴ (float32 butterflies vs float64). */
  | { readonly kind: 'relative-log2d'; readonly ulps: number; readonly why: string }
  /** At most `fraction` of the elements one grid step away (division ties in float32). */
  | { readonly kind: 'mismatch-fraction'; readonly fraction: number; readonly why: string };

interface GpuKernelBase {
  /** The core method id this kernel reproduces. */
  readonly methodId: string;
  readonly tolerance: GpuParityTolerance;
  /** Whether this method with these params on a rows × d block can run on the GPU. */
  supports(params: Params, rows: number, d: number): boolean;
}

export interface GpuTransformKernel extends GpuKernelBase {
  readonly stage: 'forward';
  /** Writes req.y; false when the prepared transform is not the shape this kernel handles. */
  run(
    gpu: GpuKernels,
    req: Extract<StageRequest, { kind: 'forward' }>,
    signal?: AbortSignal,
  ): Promise<boolean>;
}

export interface GpuQuantizerKernel extends GpuKernelBase {
  readonly stage: 'quantize';
  /** Writes req.yHat; false when these params are not handled after all. */
  run(
    gpu: GpuKernels,
    req: Extract<StageRequest, { kind: 'quantize' }>,
    signal?: AbortSignal,
  ): Promise<boolean>;
}

export type GpuKernelEntry = GpuTransformKernel | GpuQuantizerKernel;
