/**
 * The shape of a GPU kernel entry: one file per kernel under `kernels/`, one line in
 * `registry.ts`, keyed by the core method id it reproduces (docs/DESIGN.md: "WebGPU kernels
 * registered under the same method ids; CPU is the reference"). Each entry declares the parity
 * tolerance that e2e/gpu-parity.webgpu.spec.ts holds it to against the core.
 */
import type { StageRequest } from '../../core/pipeline';
import type { Matrix } from '../../core/methods/types';
import type { ReconstructionSums } from '../../core/methods/metrics/sums';
import type { Params } from '../../core/methods/types';
import type { GpuKernels } from './kernels';

/** How far the GPU result may be from the core's, and why (WGSL has no float64). */
export type GpuParityTolerance =
  /** Bit-identical to the CPU reference. */
  | { readonly kind: 'exact'; readonly why: string }
  /** max |gpu − cpu| / ‖row‖ ≤ ulps · log2(d) · 2⁻²⁴ (float32 butterflies vs float64). */
  | { readonly kind: 'relative-log2d'; readonly ulps: number; readonly why: string }
  /** At most `fraction` of the elements one grid step away (division ties in float32). */
  | { readonly kind: 'mismatch-fraction'; readonly fraction: number; readonly why: string }
  /**
   * |gpu − cpu| ≤ bound·‖cpu row‖ for all but `fraction` of the elements (float32 scales or sums:
   * every element a few ulps off, a rare element at a decision boundary a whole step).
   */
  | { readonly kind: 'row-relative'; readonly bound: number; readonly fraction: number; readonly why: string }
  /** Every reduced quantity within `bound` (relative) of its float64 CPU value. */
  | { readonly kind: 'sums-relative'; readonly bound: number; readonly why: string };

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

/**
 * A reduction behind the metrics: the per-row sums of src/core/methods/metrics/sums.ts
 * (reconstructionSums), from which every metric with `fromSums` follows. methodId names that core
 * function; `metrics` lists the metric ids it serves.
 */
export interface GpuMetricsKernel {
  readonly methodId: 'reconstruction-sums';
  readonly stage: 'metrics';
  readonly metrics: readonly string[];
  readonly tolerance: GpuParityTolerance;
  /** The sums of x and xHat (rows × cols), or null when this shape is not handled. */
  run(
    gpu: GpuKernels,
    x: Matrix,
    xHat: Float32Array,
    signal?: AbortSignal,
  ): Promise<ReconstructionSums | null>;
}

export type GpuKernelEntry = GpuTransformKernel | GpuQuantizerKernel | GpuMetricsKernel;
