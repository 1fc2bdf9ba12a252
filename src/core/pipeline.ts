/**
 * runExperiment: the only orchestrator (DESIGN.md). For each pipeline: y = R·x (transform),
 * ŷ = Q(y) (quantize–dequantize in the transformed domain), x̂ = Rᵀ·ŷ, then every metric of
 * CONTRACT.md §5 on (x, x̂) in the original domain.
 *
 * - Pairing: random streams come from (seed, purpose, keys) and never from a pipeline's position,
 *   so pipelines sharing a transform see the same rotation (CONTRACT.md §1). Pipelines are grouped
 *   by transform so each distinct rotation is prepared and applied once, and only one transformed
 *   copy is alive at a time (memory: x, y, ŷ, x̂ and the transform's own state).
 * - Honest bits: a transform that pads dim → outDim makes the quantizer store outDim coordinates
 *   per row, so bits/coordinate = quantizer.bitsPerCoord(rows, outDim) · outDim / dim.
 * - Cancellation: the AbortSignal is checked between stages (a stale CPU run in a worker is
 *   terminated outright by src/compute; this keeps in-process runs responsive too).
 */
import { createRngFactory } from './rng';
import { METRICS, quantizersById, transformsById } from './methods';
import type { Matrix, Params, PreparedTransform, QuantizerDef } from './methods/types';
import type { RngFactory } from './rng';
import { reconstructionSums } from './methods/metrics/sums';

export interface MethodRef {
  readonly id: string;
  readonly params: Params;
}

export interface PipelineSpec {
  readonly transform: MethodRef;
  readonly quantizer: MethodRef;
  readonly label?: string;
}

export interface ExperimentSpec {
  readonly seed: number;
  readonly pipelines: readonly PipelineSpec[];
}

export type MetricValues = Record<string, number>;

export interface PipelineResult {
  readonly transform: string;
  readonly quantizer: string;
  readonly label: string;
  readonly bitsPerCoord: number;
  readonly metrics: MetricValues;
  /** Caveats the transform and quantizer state about this run (their `note`s), shown with the label. */
  readonly note?: string;
  /** Wall-clock milliseconds per stage (the transform's time is shared by its group). */
  readonly timingsMs: {
    readonly transform: number;
    readonly quantize: number;
    readonly inverse: number;
    readonly metrics: number;
    /** Which backend ran the transform's forward pass and the quantizer (never in the CLI JSON). */
    readonly backend: { readonly transform: Backend; readonly quantize: Backend };
  };
}

/** Buffers of one pipeline, lent to a collector while they are alive (charts, analysis). */
export interface PipelineBuffers {
  readonly index: number;
  readonly x: Matrix;
  /** Transformed rows, rows × outDim. */
  readonly y: Float32Array;
  /** Quantized transformed rows, rows × outDim. */
  readonly yHat: Float32Array;
  /** Reconstruction in the original domain, rows × dim. */
  readonly xHat: Float32Array;
  readonly outDim: number;
}

export interface RunOptions {
  readonly signal?: AbortSignal;
  /** Called after each stage: done/total stages and a short description. */
  readonly onProgress?: (done: number, total: number, stage: string) => void;
  /** Sees each pipeline's buffers before they are released. Must not keep references. */
  readonly collect?: (buffers: PipelineBuffers) => void;
  /**
   * Compute only these pipeline indices (a worker pool's share of a run); results come back for
   * them, in pipeline order. The streams depend on (seed, purpose, keys) only, so a pipeline's
   * numbers do not depend on which others run beside it.
   */
  readonly only?: readonly number[];
}

export class AbortError extends Error {
  constructor() {
    super('run cancelled');
    this.name = 'AbortError';
  }
}

function checkAbort(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new AbortError();
}

function formatParam(v: unknown): string {
  return typeof v === 'number' ? String(v) : String(v);
}

/** "haar → eden b=2 mse", "rht×2 → turboquant-prod b=3", "block-hadamard(32) → int b=4 g128". */
export function pipelineLabel(p: PipelineSpec): string {
  if (p.label) return p.label;
  const t = p.transform;
  let tLabel = t.id;
  if (t.id === 'rht') tLabel = Number(t.params.rounds) > 1 ? `rht×${formatParam(t.params.rounds)}` : 'rht';
  else if (t.id === 'block-hadamard') tLabel = `block-hadamard(${formatParam(t.params.block)})`;
  if (t.params.basis === 'stored') tLabel += '(stored basis)';
  const q = quantizersById.get(p.quantizer.id);
  const qDesc = q ? q.describe(p.quantizer.params) : '';
  return `${tLabel} → ${p.quantizer.id}${qDesc ? ` ${qDesc}` : ''}`;
}

export function bitsPerCoordinate(p: PipelineSpec, rows: number, dim: number): number {
  const t = transformsById.get(p.transform.id);
  const q = quantizersById.get(p.quantizer.id);
  if (!t || !q) throw new Error(`unknown method in pipeline ${pipelineLabel(p)}`);
  const outDim = t.outDim(p.transform.params, dim);
  return (q.bitsPerCoord(p.quantizer.params, rows, outDim) * outDim) / dim;
}

function now(): number {
  return typeof performance !== 'undefined' ? performance.now() : Date.now();
}

/** Where a stage ran: 'cpu' (TypeScript or WASM SIMD kernels) or 'gpu' (src/gpu WGSL kernels). */
export type Backend = 'cpu' | 'gpu';

/** A stage the orchestrator hands to its driver (the CPU driver runs it; a GPU driver may). */
export type StageRequest =
  | {
      readonly kind: 'forward';
      readonly transform: MethodRef;
      readonly prepared: PreparedTransform;
      readonly x: Matrix;
      /** Output, rows × prepared.outDim. */
      readonly y: Float32Array;
    }
  | {
      readonly kind: 'quantize';
      readonly quantizer: MethodRef;
      readonly def: QuantizerDef;
      readonly y: Float32Array;
      readonly rows: number;
      readonly outDim: number;
      readonly rng: RngFactory;
      /** Output, rows × outDim. */
      readonly yHat: Float32Array;
    };

/** Runs a stage on the CPU (the reference for every backend). */
export function runStageOnCpu(req: StageRequest): Backend {
  if (req.kind === 'forward') req.prepared.forward(req.x.data, req.x.rows, req.y);
  else req.def.quantize(req.y, req.rows, req.outDim, req.quantizer.params, { rng: req.rng }, req.yHat);
  return 'cpu';
}

/** Pipeline indices `runExperiment` computes: options.only (ascending, deduplicated) or all. */
export function selectedPipelines(n: number, only: readonly number[] | undefined): number[] {
  if (!only) return Array.from({ length: n }, (_, i) => i);
  const out = [...new Set(only)].sort((a, b) => a - b);
  for (const i of out)
    if (!Number.isInteger(i) || i < 0 || i >= n)
      throw new RangeError(`pipeline index ${i} not in 0…${n - 1}`);
  return out;
}

/**
 * Groups of pipeline indices sharing a transform (id + params), in first-appearance order: each
 * group's rotation is prepared and applied once. Also the unit the worker pool splits a run by
 * (src/compute/client.ts), so no rotation is built twice.
 */
export function transformGroups(spec: ExperimentSpec, indices: readonly number[]): number[][] {
  const groups = new Map<string, number[]>();
  for (const i of indices) {
    const p = spec.pipelines[i];
    const key = JSON.stringify([p.transform.id, p.transform.params]);
    const list = groups.get(key);
    if (list) list.push(i);
    else groups.set(key, [i]);
  }
  return [...groups.values()];
}

/**
 * The orchestrator, written once as a generator that yields the two stages a backend may take over
 * (transform forward, quantize–dequantize) and receives which backend ran them: the synchronous CPU
 * driver (runExperiment: CLI, tests, in-process fallback) and the asynchronous one
 * (runExperimentAsync: the worker, with WebGPU) then cannot drift apart. Everything else (inverse,
 * metrics, artifacts) stays on the CPU.
 */
function* experimentSteps(
  spec: ExperimentSpec,
  x: Matrix,
  options: RunOptions,
): Generator<StageRequest, PipelineResult[], Backend> {
  const { signal, onProgress, collect } = options;
  const { rows, cols: dim } = x;
  const rng = createRngFactory(spec.seed);
  const selected = selectedPipelines(spec.pipelines.length, options.only);
  const totalStages = selected.length * 3;
  let done = 0;
  const step = (stage: string) => {
    done++;
    onProgress?.(done, totalStages, stage);
  };

  const results = new Map<number, PipelineResult>();
  const xHat = new Float32Array(rows * dim);
  for (const indices of transformGroups(spec, selected)) {
    checkAbort(signal);
    const tRef = spec.pipelines[indices[0]].transform;
    const tDef = transformsById.get(tRef.id);
    if (!tDef) throw new Error(`unknown transform "${tRef.id}"`);
    const t0 = now();
    const prepared = tDef.prepare(tRef.params, { rng, dim, data: x });
    const outDim = prepared.outDim;
    const y = new Float32Array(rows * outDim);
    const transformBackend = yield { kind: 'forward', transform: tRef, prepared, x, y };
    const transformMs = now() - t0;
    const yHat = new Float32Array(rows * outDim);
    for (const i of indices) {
      const p = spec.pipelines[i];
      step(`${pipelineLabel(p)}: transform`);
      checkAbort(signal);
      const qDef = quantizersById.get(p.quantizer.id);
      if (!qDef) throw new Error(`unknown quantizer "${p.quantizer.id}"`);
      const t1 = now();
      const quantizeBackend = yield {
        kind: 'quantize',
        quantizer: p.quantizer,
        def: qDef,
        y,
        rows,
        outDim,
        rng,
        yHat,
      };
      const t2 = now();
      step(`${pipelineLabel(p)}: quantize`);
      checkAbort(signal);
      prepared.inverse(yHat, rows, xHat);
      const t3 = now();
      const metrics: MetricValues = {};
      // One fused pass for the sum-based metrics (bit-identical to their own loops, sums.ts).
      const sums = x.data.length === rows * dim ? reconstructionSums(x, xHat) : null;
      for (const m of METRICS)
        metrics[m.id] = sums && m.fromSums ? m.fromSums(sums) : m.compute(x, xHat, { rng });
      const t4 = now();
      collect?.({ index: i, x, y, yHat, xHat, outDim });
      const note = [prepared.note, qDef.note?.(p.quantizer.params, { rng })].filter(Boolean).join('; ');
      results.set(i, {
        ...(note ? { note } : {}),
        transform: p.transform.id,
        quantizer: p.quantizer.id,
        label: pipelineLabel(p),
        bitsPerCoord:
          ((qDef.bitsPerCoordOf?.(y, rows, outDim, p.quantizer.params) ??
            qDef.bitsPerCoord(p.quantizer.params, rows, outDim)) *
            outDim) /
          dim,
        metrics,
        timingsMs: {
          transform: transformMs,
          quantize: t2 - t1,
          inverse: t3 - t2,
          metrics: t4 - t3,
          backend: { transform: transformBackend, quantize: quantizeBackend },
        },
      });
      step(`${pipelineLabel(p)}: metrics`);
    }
  }
  return selected.map((i) => {
    const r = results.get(i);
    if (!r) throw new Error(`pipeline ${i} produced no result`);
    return r;
  });
}

/** Every selected pipeline on the CPU, synchronously; results in pipeline order. */
export function runExperiment(spec: ExperimentSpec, x: Matrix, options: RunOptions = {}): PipelineResult[] {
  const steps = experimentSteps(spec, x, options);
  let next = steps.next();
  while (!next.done) next = steps.next(runStageOnCpu(next.value));
  return next.value;
}

/**
 * The same orchestration with an asynchronous stage runner (e.g. WebGPU with CPU fallback, which
 * returns the backend that ran the stage). Same streams, same order; only the two stages may move.
 */
export async function runExperimentAsync(
  spec: ExperimentSpec,
  x: Matrix,
  options: RunOptions,
  runStage: (req: StageRequest) => Promise<Backend>,
): Promise<PipelineResult[]> {
  const steps = experimentSteps(spec, x, options);
  let next = steps.next();
  while (!next.done) next = steps.next(await runStage(next.value));
  return next.value;
}
