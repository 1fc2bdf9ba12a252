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
import type { Matrix, PreparedTransform } from '../methods/types';
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
  readonly quantizer: { readonly id: string; readonly params: Readonly<Record<string, unknown>> };
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

/** Trace row `row` of `x` through pipeline `index` of `spec`. */
export function traceVector(spec: ExperimentSpec, x: Matrix, index: number, row: number): VectorTrace {
  const p = spec.pipelines[index];
  if (!p) throw new RangeError(`trace: pipeline ${index} does not exist (config has ${spec.pipelines.length})`);
  if (!(Number.isInteger(row) && row >= 0 && row < x.rows))
    throw new RangeError(`trace: row ${row} is outside 0…${x.rows - 1}`);
  const rng = createRngFactory(spec.seed);
  const { rows } = x;
  const prepared: PreparedTransform[] = [];
  let current: Matrix = x;
  const slice = (m: Matrix) => m.data.slice(row * m.cols, (row + 1) * m.cols);
  const forward: Float32Array[] = [slice(x)];
  const stages: TraceStage[] = [
    { kind: 'input', label: 'x (input row)', values: forward[0], relError: 0, norm: norm(forward[0]) },
  ];
  p.transforms.forEach((ref, k) => {
    const def = transformsById.get(ref.id);
    if (!def) throw new Error(`unknown transform "${ref.id}"`);
    const t = def.prepare(ref.params, { rng: chainRng(rng, k), dim: current.cols, data: current });
    const out = new Float32Array(rows * t.outDim);
    t.forward(current.data, rows, out);
    prepared.push(t);
    current = { rows, cols: t.outDim, data: out };
    const v = slice(current);
    forward.push(v);
    stages.push({ kind: 'forward', label: `after ${transformLabel(ref)}`, values: v, relError: 0, norm: norm(v) });
  });
  const q = quantizersById.get(p.quantizer.id);
  if (!q) throw new Error(`unknown quantizer "${p.quantizer.id}"`);
  let tensorAmax = 0;
  for (let i = 0; i < current.data.length; i++) tensorAmax = Math.max(tensorAmax, Math.abs(current.data[i]));
  const yHat = new Float32Array(current.data.length);
  q.quantize(current.data, rows, current.cols, p.quantizer.params, { rng }, yHat);
  let cur = yHat.slice(row * current.cols, (row + 1) * current.cols);
  stages.push({
    kind: 'quantize',
    label: `quantized by ${q.label}`,
    values: cur,
    relError: relErr(cur, forward[forward.length - 1]),
    norm: norm(cur),
  });
  for (let k = prepared.length - 1; k >= 0; k--) {
    const out = new Float32Array(forward[k].length);
    prepared[k].inverse(cur, 1, out);
    cur = out;
    stages.push({
      kind: 'inverse',
      label: k === 0 ? 'x̂ (after inverse ' + transformLabel(p.transforms[k]) + ')' : `inverse ${transformLabel(p.transforms[k])}`,
      values: cur,
      relError: relErr(cur, forward[k]),
      norm: norm(cur),
    });
  }
  return {
    pipeline: pipelineLabel(p),
    row,
    stages,
    tensorAmax,
    quantizer: { id: p.quantizer.id, params: p.quantizer.params },
  };
}
