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
import type { Matrix, Params } from './methods/types';
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
  /** Wall-clock milliseconds per stage (the transform's time is shared by its group). */
  readonly timingsMs: {
    readonly transform: number;
    readonly quantize: number;
    readonly inverse: number;
    readonly metrics: number;
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

export function runExperiment(spec: ExperimentSpec, x: Matrix, options: RunOptions = {}): PipelineResult[] {
  const { signal, onProgress, collect } = options;
  const { rows, cols: dim } = x;
  const rng = createRngFactory(spec.seed);
  const n = spec.pipelines.length;
  const totalStages = n * 3;
  let done = 0;
  const step = (stage: string) => {
    done++;
    onProgress?.(done, totalStages, stage);
  };

  // Group pipelines by transform (id + params) so each rotation is built and applied once.
  const groups = new Map<string, number[]>();
  spec.pipelines.forEach((p, i) => {
    const key = JSON.stringify([p.transform.id, p.transform.params]);
    const list = groups.get(key);
    if (list) list.push(i);
    else groups.set(key, [i]);
  });

  const results: PipelineResult[] = new Array<PipelineResult>(n);
  const xHat = new Float32Array(rows * dim);
  for (const indices of groups.values()) {
    checkAbort(signal);
    const tRef = spec.pipelines[indices[0]].transform;
    const tDef = transformsById.get(tRef.id);
    if (!tDef) throw new Error(`unknown transform "${tRef.id}"`);
    const t0 = now();
    const prepared = tDef.prepare(tRef.params, { rng, dim, data: x });
    const outDim = prepared.outDim;
    const y = new Float32Array(rows * outDim);
    prepared.forward(x.data, rows, y);
    const transformMs = now() - t0;
    const yHat = new Float32Array(rows * outDim);
    for (const i of indices) {
      const p = spec.pipelines[i];
      step(`${pipelineLabel(p)}: transform`);
      checkAbort(signal);
      const qDef = quantizersById.get(p.quantizer.id);
      if (!qDef) throw new Error(`unknown quantizer "${p.quantizer.id}"`);
      const t1 = now();
      qDef.quantize(y, rows, outDim, p.quantizer.params, { rng }, yHat);
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
      results[i] = {
        transform: p.transform.id,
        quantizer: p.quantizer.id,
        label: pipelineLabel(p),
        bitsPerCoord:
          ((qDef.bitsPerCoordOf?.(y, rows, outDim, p.quantizer.params) ??
            qDef.bitsPerCoord(p.quantizer.params, rows, outDim)) *
            outDim) /
          dim,
        metrics,
        timingsMs: { transform: transformMs, quantize: t2 - t1, inverse: t3 - t2, metrics: t4 - t3 },
      };
      step(`${pipelineLabel(p)}: metrics`);
    }
  }
  return results;
}
