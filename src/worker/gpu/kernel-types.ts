/**
 * The shape of a GPU kernel entry: one file per kernel under `kernels/`, one line in
 * `registry.ts`, keyed by the core method id it reproduces (docs/DESIGN.md: "WebGPU kernels
 * registered under the same method ids; CPU is the reference"). Each entry declares the parity
 * tolerance that e2e/gpu-parity.webgpu.spec.ts holds it to against the core.
 */
import type { StageRequest } from '../../core/pipeline';
import type { Matrix } from '../../core/methods/types';
import type { ReconstructionSums } from '../../core/methods/metrics/sums';
import type { Params, PreparedTransform } from '../../core/methods/types';
import type { GpuKernels } from './kernels';
import type { GpuBuffer } from './webgpu';

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

/**
 * A prepared transform set up on the device for the GPU-resident group path (resident.ts): both
 * directions between device buffers of rows × outDim values (src is left as it was or reused as
 * scratch by the caller; src ≠ dst), and `destroy` for what it uploaded.
 */
export interface ResidentTransform {
  forward(src: GpuBuffer, dst: GpuBuffer, signal?: AbortSignal): Promise<void>;
  inverse(src: GpuBuffer, dst: GpuBuffer, signal?: AbortSignal): Promise<void>;
  destroy(): void;
}

export interface GpuTransformKernel extends GpuKernelBase {
  readonly stage: 'forward';
  /** Writes req.y; false when the prepared transform is not the shape this kernel handles. */
  run(
    gpu: GpuKernels,
    req: Extract<StageRequest, { kind: 'forward' }>,
    signal?: AbortSignal,
  ): Promise<boolean>;
  /**
   * The transform on device buffers, forward and inverse (dim = outDim only), for the resident
   * path; null when the prepared transform is not this shape. Absent: the kernel has no inverse.
   */
  resident?(
    gpu: GpuKernels,
    prepared: PreparedTransform,
    rows: number,
    dim: number,
  ): ResidentTransform | null;
}

export interface GpuQuantizerKernel extends GpuKernelBase {
  readonly stage: 'quantize';
  /** Writes req.yHat; false when these params are not handled after all. */
  run(
    gpu: GpuKernels,
    req: Extract<StageRequest, { kind: 'quantize' }>,
    signal?: AbortSignal,
  ): Promise<boolean>;
  /**
   * Quantize–dequantize rows × d values already on the device, in place (the resident path, with
   * the same WGSL and scales as `run`, so the same values); false when these params are not
   * handled. Absent: the kernel needs host data (e.g. a CPU part), so it has no resident form.
   */
  inPlace?(
    gpu: GpuKernels,
    x: GpuBuffer,
    rows: number,
    d: number,
    params: Params,
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

/** A quantizer stage through its kernel's in-place form: upload y, quantize on the device, read ŷ. */
export async function runInPlace(
  gpu: GpuKernels,
  req: Extract<StageRequest, { kind: 'quantize' }>,
  inPlace: NonNullable<GpuQuantizerKernel['inPlace']>,
  signal?: AbortSignal,
): Promise<boolean> {
  const n = req.rows * req.outDim;
  if (n * 4 > gpu.maxBindingBytes) return false;
  const x = gpu.upload(req.y.subarray(0, n));
  try {
    if (!(await inPlace(gpu, x, req.rows, req.outDim, req.quantizer.params, signal))) return false;
    req.yHat.set(await gpu.download(x, n));
    return true;
  } finally {
    x.destroy();
  }
}
