/**
 * Step-through of one vector: a row of the data through one pipeline, stage by stage, with the
 * same preparation, random streams and quantizer call as the orchestrator (src/core/pipeline.ts,
 * DESIGN.md "pairing": streams depend on (seed, purpose, keys), chain stage k on chainRng), so the
 * reconstruction shown for the row equals the experiment's x̂ row bit for bit (trace.test.ts).
 *
 * Data-dependent stages (PCA, SmoothQuant) are fitted on the whole matrix and tensor-level scales
 * (NVFP4's fp32 tensor scale) see the whole tensor, exactly as in a run; only the chosen row is
 * returned. Forward stages are orthogonal or invertible maps, so the error appears at the
 * quantizer and is then carried back by the inverses: each inverse stage reports its distance to
 * the forward vector of the same domain.
 */
import { chainRng, pipelineLabel, transformLabel, type ExperimentSpec } from '../pipeline';
import { quantizersById, transformsById } from '../methods';
import type { Matrix, Params, PreparedTransform } from '../methods/types';
import { createRngFactory } from '../rng';

export interface TraceStage {
  readonly kind: 'input' | 'forward' | 'quantize' | 'inverse';
  readonly label: string;
  readonly values: Float32Array;
  /** ‖v − reference‖ / ‖reference‖ against the forward vector of the same domain (0 for forward stages). */
  readonly relError: number;
  readonly norm: number;
}

export interface VectorTrace {
  readonly pipeline: string;
  readonly row: number;
  readonly stages: readonly TraceStage[];
  /** max |y| over the whole quantizer input (NVFP4's tensor amax). */
  readonly tensorAmax: number;
  /** Quantizer id and params, for the per-quantizer detail views. */
  readonly quantizer: { readonly id: string; readonly params: Params };
}

function norm(v: Float32Array): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i] * v[i];
  return Math.sqrt(s);
}

function relErr(v: Float32Array, ref: Float32Array): number {
  let s = 0;
  const n = Math.min(v.length, ref.length);
  for (let i = 0; i < n; i++) s += (v[i] - ref[i]) ** 2;
  const r = norm(ref);
  return r > 0 ? Math.sqrt(s) / r : Math.sqrt(s);
}

/** A pipeline run once over the whole matrix, kept so any row can be traced without recomputing. */
export interface PreparedTrace {
  readonly spec: ExperimentSpec;
  readonly index: number;
  readonly rows: number;
  /** Forward matrices: x, then the output of each transform. */
  readonly forward: readonly Matrix[];
  readonly prepared: readonly PreparedTransform[];
  readonly yHat: Float32Array;
  readonly tensorAmax: number;
}

/** Run pipeline `index` of `spec` on `x` stage by stage, as the orchestrator does. */
export function prepareTrace(spec: ExperimentSpec, x: Matrix, index: number): PreparedTrace {
  const p = spec.pipelines[index];
  if (!p)
    throw new RangeError(`trace: pipeline ${index} does not exist (config has ${spec.pipelines.length})`);
  const rng = createRngFactory(spec.seed);
  const { rows } = x;
  const prepared: PreparedTransform[] = [];
  const forward: Matrix[] = [x];
  let current: Matrix = x;
  p.transforms.forEach((ref, k) => {
    const def = transformsById.get(ref.id);
    if (!def) throw new Error(`unknown transform "${ref.id}"`);
    const t = def.prepare(ref.params, { rng: chainRng(rng, k), dim: current.cols, data: current });
    const out = new Float32Array(rows * t.outDim);
    t.forward(current.data, rows, out);
    prepared.push(t);
    current = { rows, cols: t.outDim, data: out };
    forward.push(current);
  });
  const q = quantizersById.get(p.quantizer.id);
  if (!q) throw new Error(`unknown quantizer "${p.quantizer.id}"`);
  let tensorAmax = 0;
  for (let i = 0; i < current.data.length; i++) tensorAmax = Math.max(tensorAmax, Math.abs(current.data[i]));
  const yHat = new Float32Array(current.data.length);
  q.quantize(current.data, rows, current.cols, p.quantizer.params, { rng }, yHat);
  return { spec, index, rows, forward, prepared, yHat, tensorAmax };
}

/** The stages of one row of a prepared trace. */
export function traceRow(t: PreparedTrace, row: number): VectorTrace {
  if (!(Number.isInteger(row) && row >= 0 && row < t.rows))
    throw new RangeError(`trace: row ${row} is outside 0…${t.rows - 1}`);
  const p = t.spec.pipelines[t.index];
  const q = quantizersById.get(p.quantizer.id)!;
  const slice = (m: Matrix) => m.data.slice(row * m.cols, (row + 1) * m.cols);
  const forward = t.forward.map(slice);
  const stages: TraceStage[] = [
    { kind: 'input', label: 'x (input row)', values: forward[0], relError: 0, norm: norm(forward[0]) },
  ];
  p.transforms.forEach((ref, k) => {
    const v = forward[k + 1];
    stages.push({
      kind: 'forward',
      label: `after ${transformLabel(ref)}`,
      values: v,
      relError: 0,
      norm: norm(v),
    });
  });
  const outDim = t.forward[t.forward.length - 1].cols;
  let cur = t.yHat.slice(row * outDim, (row + 1) * outDim);
  stages.push({
    kind: 'quantize',
    label: `quantized by ${q.label}`,
    values: cur,
    relError: relErr(cur, forward[forward.length - 1]),
    norm: norm(cur),
  });
  for (let k = t.prepared.length - 1; k >= 0; k--) {
    const out = new Float32Array(forward[k].length);
    t.prepared[k].inverse(cur, 1, out);
    cur = out;
    stages.push({
      kind: 'inverse',
      label:
        k === 0
          ? `x̂ (inverse ${transformLabel(p.transforms[k])})`
          : `inverse ${transformLabel(p.transforms[k])}`,
      values: cur,
      relError: relErr(cur, forward[k]),
      norm: norm(cur),
    });
  }
  return {
    pipeline: pipelineLabel(p),
    row,
    stages,
    tensorAmax: t.tensorAmax,
    quantizer: { id: p.quantizer.id, params: p.quantizer.params },
  };
}

/** Trace row `row` of `x` through pipeline `index` of `spec`. */
export function traceVector(spec: ExperimentSpec, x: Matrix, index: number, row: number): VectorTrace {
  return traceRow(prepareTrace(spec, x, index), row);
}
