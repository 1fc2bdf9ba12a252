/**
 * The per-run chart artifacts, collected from the buffers runExperiment lends through
 * RunOptions.collect: nothing is recomputed and no pipeline buffer is kept.
 *
 * Cost per pipeline, N = rows·dim coordinates: about eight streaming passes over N values
 * (row norms, two summary passes and one histogram pass for y and for x̂ − x, one absmax pass) plus
 * the inner products of ≤ 250 rows with 8 queries, O(250·8·dim). The raw data's share ("before") is
 * computed once per experiment.
 *
 * Randomness: the scatter positions come from rng('analysis', 'sample', rows, dim) and the queries
 * are the first IP_SCATTER_QUERIES of the ipNvar metric's rng('queries', d, 64) queries, so every
 * pipeline is sampled at the same positions and queried with the same vectors (paired, like the
 * metrics, CONTRACT.md §1).
 */
import { createRngFactory } from '../rng';
import type { Matrix } from '../methods/types';
import { IP_QUERY_COUNT, unitQueries } from '../methods/metrics/ip-nvar';
import type { PipelineBuffers } from '../pipeline';
import { channelAbsmax, differenceDistribution, normalizedRowsDistribution } from './distribution';
import { MAX_SAMPLE } from './types';
import type { ExperimentArtifacts, InnerProducts, PipelineArtifacts } from './types';

export const IP_SCATTER_QUERIES = 8;

/**
 * ⟨q,x_i⟩ and ⟨q,x̂_i⟩ for `queries` (count × d unit vectors, row-major) and an evenly strided set
 * of ≤ maxPoints/count rows; slope = Σab/Σa², the least-squares line through the origin (a
 * multiplicative bias: E⟨q,x̂⟩ = s·⟨q,x⟩ for a shrinking estimator such as EDEN-mse, s ≈ 1 − D_b).
 */
export function innerProducts(
  x: Float32Array,
  xHat: Float32Array,
  rows: number,
  d: number,
  queries: Float64Array,
  count: number,
  maxPoints = MAX_SAMPLE,
): InnerProducts {
  const rowsUsed = Math.max(0, Math.min(rows, Math.floor(maxPoints / count)));
  const exact = new Float32Array(rowsUsed * count);
  const estimate = new Float32Array(rowsUsed * count);
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let k = 0; k < rowsUsed; k++) {
    const r = Math.floor((k * rows) / rowsUsed);
    const base = r * d;
    for (let q = 0; q < count; q++) {
      const qb = q * d;
      let a = 0;
      let b = 0;
      for (let j = 0; j < d; j++) {
        a += queries[qb + j] * x[base + j];
        b += queries[qb + j] * xHat[base + j];
      }
      exact[k * count + q] = a;
      estimate[k * count + q] = b;
      sab += a * b;
      saa += a * a;
      sbb += b * b;
    }
  }
  const slope = saa > 0 ? sab / saa : NaN;
  // Uncentred R² of b ≈ s·a: 1 − Σ(b − sa)²/Σb² = s·Σab/Σb².
  const r2 = sbb > 0 ? (slope * sab) / sbb : NaN;
  return { exact, estimate, slope, r2, queries: count, rowsUsed };
}

/** Seeded coordinate positions for the x-vs-x̂ scatter: all of them when n ≤ max. */
export function samplePositions(seed: number, rows: number, dim: number, max = MAX_SAMPLE): Uint32Array {
  const n = rows * dim;
  if (n <= max) return Uint32Array.from({ length: n }, (_, i) => i);
  const rng = createRngFactory(seed).stream('analysis', 'sample', rows, dim);
  // With replacement: a duplicate (probability ≈ max²/2n, tiny for the sizes where n > max matters)
  // only redraws the same point.
  const out = new Uint32Array(max);
  for (let i = 0; i < max; i++) out[i] = rng.int(n);
  out.sort();
  return out;
}

export interface ArtifactCollector {
  /** Pass as RunOptions.collect. */
  readonly collect: (buffers: PipelineBuffers) => void;
  /** The artifacts, pipelines in config order. */
  result(): ExperimentArtifacts;
}

export function createArtifactCollector(x: Matrix, seed: number, pipelineCount: number): ArtifactCollector {
  const { rows, cols: dim } = x;
  const before = normalizedRowsDistribution(x.data, rows, dim);
  const beforeAbsmax = channelAbsmax(x.data, rows, dim);
  const positions = samplePositions(seed, rows, dim);
  const queries = unitQueries(createRngFactory(seed), dim, IP_QUERY_COUNT).subarray(
    0,
    IP_SCATTER_QUERIES * dim,
  );
  const pipelines = new Array<PipelineArtifacts | undefined>(pipelineCount).fill(undefined);
  return {
    collect({ index, y, xHat, outDim }) {
      const sampleX = new Float32Array(positions.length);
      const sampleXHat = new Float32Array(positions.length);
      for (let i = 0; i < positions.length; i++) {
        sampleX[i] = x.data[positions[i]];
        sampleXHat[i] = xHat[positions[i]];
      }
      pipelines[index] = {
        index,
        after: normalizedRowsDistribution(y, rows, outDim),
        afterAbsmax: channelAbsmax(y, rows, outDim),
        error: differenceDistribution(x.data, xHat, rows * dim),
        sampleX,
        sampleXHat,
        innerProducts: innerProducts(x.data, xHat, rows, dim, queries, IP_SCATTER_QUERIES),
      };
    },
    result() {
      const done = pipelines.filter((p): p is PipelineArtifacts => p !== undefined);
      if (done.length !== pipelineCount)
        throw new Error(`artifacts: ${done.length} of ${pipelineCount} pipelines collected`);
      return { before, beforeAbsmax, dim, pipelines: done };
    },
  };
}

/** Every ArrayBuffer in the artifacts (distinct), for Comlink.transfer. */
export function artifactBuffers(value: unknown, out: Set<ArrayBuffer> = new Set()): ArrayBuffer[] {
  collectBuffers(value, out, 0);
  return [...out];
}

function collectBuffers(value: unknown, out: Set<ArrayBuffer>, depth: number): void {
  if (depth > 8 || value === null || typeof value !== 'object') return;
  if (ArrayBuffer.isView(value)) {
    if (value.buffer instanceof ArrayBuffer) out.add(value.buffer);
    return;
  }
  for (const v of Array.isArray(value) ? value : Object.values(value)) collectBuffers(v, out, depth + 1);
}
