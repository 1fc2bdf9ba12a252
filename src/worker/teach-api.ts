/**
 * The teaching views' worker API (src/ui/views/teach): a pipeline run once over the config's data
 * (the same loadData and orchestration order as the lab, so the numbers match), then any row traced
 * from the kept result. Runs in its own worker (workers/teach.worker.ts) so the lab's run pool is
 * never blocked by a teaching page, and in-process in tests.
 *
 * File data (config.data.source "file": a real tensor, recorded in the link by file name, tensor
 * and SHA-256) is read from the files registered here, exactly as the lab worker reads them
 * (browser-files.ts: this worker holds its own registration); engine/file-data.ts refuses a file
 * whose tensor hashes differently from the link.
 */
import { canonicalKey, restoreConfig, type ExperimentConfig } from '../core/config/schema';
import { quantizersById } from '../core/methods';
import type { Params } from '../core/methods/types';
import { createRngFactory } from '../core/rng';
import { quantizerDetail, type DetailStep } from '../core/teaching/detail';
import { axisGrid, type AxisGrid } from '../core/teaching/geometry';
import { prepareTrace, traceRow, type PreparedTrace, type VectorTrace } from '../core/teaching/trace';
import { loadData, type DataSummary } from '../engine/experiment';
import { pythonExport } from '../engine/python-export';
import { loadFileForBrowser, registerFiles, type OpenFileSummary } from './browser-files';
import {
  lloydMaxGaussian,
  lloydMaxSphere,
  lloydSweeps,
  type LloydMaxLaw,
  type LloydState,
} from '../core/linalg/lloydmax';

export interface LloydReply {
  readonly states: readonly LloydState[];
  /** The converged (Newton) codebook of the same law, bits and d. */
  readonly final: LloydState;
}

export interface TraceReply {
  readonly trace: VectorTrace;
  readonly rows: number;
  readonly dim: number;
  /** File data: the file's name, tensor, dtype and the tensor's SHA-256 (recorded in the link). */
  readonly file?: DataSummary['file'];
  /**
   * The quantizer's own sub-steps on this row's quantizer input (core/teaching/detail.ts:
   * normalise, codebook assignment, scale), computed here because they need the Lloyd–Max codebook.
   */
  readonly detail: readonly DetailStep[];
}

/** The step-through's dragged point quantized by the registry kernel, and the grid it rounds to. */
export interface PointReply {
  readonly yHat: Float32Array;
  /** core/teaching/geometry.ts axisGrid: null when the quantizer has no per-axis grid. */
  readonly grid: AxisGrid | null;
}

/** "Reproduce in Python" (engine/python-export.ts) without the in-process PipelineResult. */
export interface PythonReply {
  readonly script: string;
  readonly files: ReadonlyMap<string, Uint8Array>;
}

let kept: { key: string; prepared: PreparedTrace; file?: DataSummary['file'] } | null = null;

/**
 * This worker's caches of theory: the converged codebooks live in lloydmax.ts (one Newton solve
 * per law, bits and d for the worker's life); the plain-Lloyd sweeps of the codebook lab are kept
 * here per (law, bits, d, sweeps), the most recent LLOYD_KEEP of them, so switching back and forth
 * between laws or bit widths does not iterate again (a few hundred kB at most).
 */
const LLOYD_KEEP = 16;
const lloydKept = new Map<string, LloydReply>();
/** Bumped by openFiles, so a trace of file data re-reads after the user opens (another) file. */
let filesEpoch = 0;

export const teachApi = {
  /** Row `row` of pipeline `pipeline` of `config`, stage by stage. */
  async trace(input: ExperimentConfig, pipeline: number, row: number): Promise<TraceReply> {
    const config = restoreConfig(input);
    const fileData = config.data.source === 'file';
    const key = `${canonicalKey(config)}|${pipeline}|${fileData ? filesEpoch : 0}`;
    if (kept?.key !== key) {
      kept = null; // release the previous matrices before loading new ones
      const { matrix, summary } = await loadData(config, loadFileForBrowser);
      kept = { key, prepared: prepareTrace(config, matrix, pipeline), file: summary.file };
    }
    const p = kept.prepared;
    const clamped = Math.min(Math.max(0, Math.floor(row)), p.rows - 1);
    const trace = traceRow(p, clamped);
    // The quantizer's input is the last forward stage (the input row when there is no transform).
    const y = trace.stages.filter((s) => s.kind === 'input' || s.kind === 'forward').at(-1)!.values;
    const detail = quantizerDetail(trace.quantizer.id, trace.quantizer.params, y);
    return { trace, rows: p.rows, dim: p.forward[0].cols, file: kept.file, detail };
  },
  /**
   * One vector `y` (the step-through's 2-D / 3-D point in the rotated frame) quantized as a 1 × d
   * row by the registry kernel with the config's seed, and its per-axis grid. Both may solve a
   * Lloyd–Max codebook (TurboQuant: the sphere law at this d; EDEN: the Gaussian), once per
   * (bits, d) in this worker: lloydmax.ts keeps the solved codebooks.
   */
  point(quantizer: { id: string; params: Params }, seed: number, y: readonly number[]): PointReply {
    const def = quantizersById.get(quantizer.id);
    if (!def) throw new Error(`quantizer: unknown id "${quantizer.id}"`);
    const v = Float32Array.from(y);
    const out = new Float32Array(v.length);
    def.quantize(v, 1, v.length, quantizer.params, { rng: createRngFactory(seed) }, out);
    return { yHat: out, grid: axisGrid(quantizer.id, quantizer.params, v) };
  },
  /** The "Reproduce in Python" script for pipeline `index` (runs the pipeline: off the page). */
  python(input: ExperimentConfig, index: number): PythonReply {
    const { script, files } = pythonExport(input, index);
    return { script, files };
  },
  /** Register the files the user opened (File objects, read by ranged slices); their tensors. */
  async openFiles(files: readonly File[]): Promise<OpenFileSummary> {
    const summary = await registerFiles(files);
    filesEpoch++;
    return summary;
  },
  /**
   * `sweeps` plain Lloyd sweeps and the converged codebook (up to ~0.1 s for b = 5 at d = 2, so
   * off the page's main thread).
   */
  lloyd(law: LloydMaxLaw, bits: number, d: number, sweeps: number): LloydReply {
    const key = `${law}|${bits}|${law === 'gaussian' ? 0 : d}|${sweeps}`;
    const hit = lloydKept.get(key);
    if (hit) {
      lloydKept.delete(key); // most recently used last
      lloydKept.set(key, hit);
      return hit;
    }
    const cb = law === 'gaussian' ? lloydMaxGaussian(bits) : lloydMaxSphere(bits, d);
    const reply: LloydReply = {
      states: lloydSweeps(law, bits, d, sweeps),
      final: { levels: cb.levels.slice(), thresholds: cb.thresholds.slice(), distortion: cb.distortion },
    };
    lloydKept.set(key, reply);
    if (lloydKept.size > LLOYD_KEEP) lloydKept.delete(lloydKept.keys().next().value!);
    return reply;
  },
};

export type TeachApi = typeof teachApi;
