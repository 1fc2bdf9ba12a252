/**
 * Whole-checkpoint sweep (config.sweep): every matching tensor of the opened file(s) through every
 * pipeline, one tensor at a time. Shared by `lab sweep` (src/cli), the page's checkpoint view (in
 * a worker) and the bench.
 *
 * - Same numbers as `lab run`: each tensor runs through `runConfig` with `tensorConfig(config,
 *   tensor)` (the sweep's config with `data.tensor` set and no `sweep`), i.e. exactly the path
 *   `lab run` takes for that tensor alone: same seed, same streams, same layout (checkpoint.test.ts
 *   compares them bit for bit).
 * - Bounded memory: headers are read once (openTensorSet); then one tensor is decoded, run and
 *   dropped before the next is read, so the peak is one tensor's run (the float32 matrix, the
 *   pipeline's y, ŷ, x̂ buffers, and for tensors up to 64 MiB its stored bytes while decoding)
 *   whatever the number of tensors. Only the small per-tensor result rows are kept.
 * - Which tensors: ≥ 2 dimensions, ≥ sweep.minElements elements, name matching sweep.include and
 *   not sweep.exclude, dtype decodable; in listing order. `shard: {index, count}` keeps the tensors
 *   at positions index, index + count, … of that list, so N independent processes (a job array,
 *   a Ray/Dask map) cover a checkpoint with no coordination.
 * - Layout per tensor from data.layout; "auto" resolves per tensor (file-data.ts resolveLayout).
 * - A tensor whose shape a pipeline cannot take (over the coordinate budget, a dense transform's
 *   dimension limit) is reported with `skipped` and the message, and the sweep goes on; a
 *   malformed file stops it (DataFileError, CLI exit 3).
 */
import type { TensorInfo, TensorSet } from '../core/io';
import type { PipelineResult } from '../core/pipeline';
import { AbortError } from '../core/pipeline';
import { countDeadRows } from '../core/methods/metrics/dead-rows';
import { ConfigError } from '../core/config/errors';
import { permalinkHash } from '../core/config/codec';
import { sweepMatcher } from '../core/config/sweep-config';
import { canonicalize, type CanonicalConfig, type ExperimentConfig } from '../core/config/schema';
import { runConfig } from './experiment';
import { loadFileData, resolveLayout } from './file-data';

export interface SweepShard {
  /** 0-based position of this shard, 0 ≤ index < count. */
  readonly index: number;
  readonly count: number;
}

export interface SweepPipelineResult {
  readonly label: string;
  readonly transform: string;
  readonly quantizer: string;
  readonly bitsPerCoord: number;
  readonly metrics: Readonly<Record<string, number>>;
}

export interface SweepTensorResult {
  readonly name: string;
  readonly shape: readonly number[];
  readonly dtype: string;
  readonly file: string;
  /** Parameters of the whole tensor (the weight of this tensor in the summary). */
  readonly parameters: number;
  /** The matrix quantized: rows (vectors) × dim, after layout and maxRows. */
  readonly rows: number;
  readonly dim: number;
  readonly layout: 'rows-first' | 'cols-first';
  /** Rows with ‖x_i‖ ≤ 1e-12·max‖x_j‖ (metrics/dead-rows.ts), left out of vnmse/cosine/ipNvar. */
  readonly deadRows: number;
  /** Mean of x² over the matrix that ran (the summary's SQNR numerator). */
  readonly meanSquare: number;
  readonly subsampled: boolean;
  /** '' in a sweep: tensors are not hashed (a permalink's hash names the tensor in view only). */
  readonly sha256: string;
  readonly results: readonly SweepPipelineResult[];
  /** Why this tensor was not run (its shape exceeds a limit); results is then empty. */
  readonly skipped?: string;
}

export interface SweepPlanEntry {
  readonly info: TensorInfo;
  readonly layout: 'rows-first' | 'cols-first';
}

function meanOfSquares(data: Float32Array): number {
  let s = 0;
  for (let i = 0; i < data.length; i++) s += data[i] * data[i];
  return data.length > 0 ? s / data.length : 0;
}

function numel(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** The tensors a sweep quantizes, in listing order, this shard's share only (module comment). */
export function planSweep(
  config: ExperimentConfig,
  tensors: readonly TensorInfo[],
  shard?: SweepShard,
): SweepPlanEntry[] {
  const sweep = config.sweep;
  if (!sweep) throw new ConfigError('sweep', 'the config has no "sweep" field');
  const keep = sweepMatcher(sweep);
  const all = tensors.filter(
    (t) => t.supported && t.shape.length >= 2 && numel(t.shape) >= sweep.minElements && keep(t.name),
  );
  const mine = shard ? all.filter((_, k) => k % shard.count === shard.index) : all;
  return mine.map((info) => ({ info, layout: resolveLayout(config.data.layout, info) }));
}

/** The single-tensor config whose `lab run` numbers a sweep reports for `name`. */
export function tensorConfig(config: ExperimentConfig, name: string): CanonicalConfig {
  const { sweep: _sweep, ...rest } = config;
  return canonicalize({ ...rest, data: { ...config.data, tensor: name, sha256: '' } });
}

export function resultRow(r: PipelineResult): SweepPipelineResult {
  return {
    label: r.label,
    transform: r.transform,
    quantizer: r.quantizer,
    bitsPerCoord: r.bitsPerCoord,
    metrics: r.metrics,
  };
}

export interface SweepOptions {
  readonly shard?: SweepShard;
  readonly signal?: AbortSignal;
  /** Called after each tensor with its result, its position and the number of tensors. */
  readonly onTensor?: (result: SweepTensorResult, done: number, total: number) => void;
}

/** Run one tensor of the plan (module comment: the `lab run` path, then drop its buffers). */
export async function sweepTensor(
  config: ExperimentConfig,
  set: TensorSet,
  entry: SweepPlanEntry,
  signal?: AbortSignal,
): Promise<SweepTensorResult> {
  const { info, layout } = entry;
  const single = tensorConfig(config, info.name);
  let deadRows = 0;
  let meanSquare = 0;
  let rows = 0;
  let dim = 0;
  let sha256 = '';
  let subsampled = false;
  const base = {
    name: info.name,
    shape: info.shape,
    dtype: info.dtype,
    file: info.file,
    parameters: numel(info.shape),
  };
  try {
    const out = await runConfig(single, {
      signal,
      analysis: false,
      loadFile: async (c) => {
        // No hash (the sweep records none): the tensor is then decoded chunk by chunk (tensor.ts).
        const loaded = await loadFileData(c, [], {
          info,
          read: (opts) => set.read(info.name, { ...opts, hash: false }),
        });
        deadRows = countDeadRows(loaded.matrix);
        meanSquare = meanOfSquares(loaded.matrix.data);
        rows = loaded.matrix.rows;
        dim = loaded.matrix.cols;
        sha256 = loaded.summary.file?.sha256 ?? '';
        subsampled = loaded.summary.file?.subsampled ?? false;
        return loaded;
      },
    });
    return {
      ...base,
      rows,
      dim,
      layout,
      deadRows,
      meanSquare,
      subsampled,
      sha256,
      results: out.results.map(resultRow),
    };
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    // The data loaded but its shape exceeds a limit of some pipeline: report it and go on.
    return {
      ...base,
      rows,
      dim,
      layout,
      deadRows,
      meanSquare,
      subsampled,
      sha256,
      results: [],
      skipped: e.message,
    };
  }
}

export interface SweepOutput {
  readonly config: ExperimentConfig;
  readonly permalink: string;
  readonly shard?: SweepShard;
  readonly tensors: readonly SweepTensorResult[];
  readonly summary: SweepSummary;
}

/** The whole sweep (or one shard of it), tensors one at a time. */
export async function runSweep(
  config: ExperimentConfig,
  set: TensorSet,
  options: SweepOptions = {},
): Promise<SweepOutput> {
  const plan = planSweep(config, set.tensors, options.shard);
  const tensors: SweepTensorResult[] = [];
  for (const entry of plan) {
    if (options.signal?.aborted) throw new AbortError();
    const r = await sweepTensor(config, set, entry, options.signal);
    tensors.push(r);
    options.onTensor?.(r, tensors.length, plan.length);
  }
  return {
    config,
    permalink: permalinkHash(config),
    ...(options.shard ? { shard: options.shard } : {}),
    tensors,
    summary: summarizeSweep(config, tensors),
  };
}

// ───────────────────────────── summary ─────────────────────────────

export interface SweepPipelineSummary {
  readonly label: string;
  /** Tensors this pipeline ran on and their parameters (the weights below). */
  readonly tensors: number;
  readonly parameters: number;
  /** Σ bits / Σ parameters: the checkpoint's storage cost per weight. */
  readonly bitsPerCoord: number;
  /**
   * Parameter-weighted means of vnmse, cosine, ipRatio, ipNvar; mse = Σ squared error / Σ
   * entries; sqnrDb = 10·log10(Σ signal / Σ error) over the whole checkpoint (each tensor's sums
   * from its mse and mean square, scaled to its parameter count when rows were subsampled).
   */
  readonly metrics: Readonly<Record<string, number>>;
  /** The tensors with the highest vnmse (worst first), at most WORST_COUNT. */
  readonly worst: readonly { readonly name: string; readonly vnmse: number; readonly sqnrDb: number }[];
}

export interface SweepSummary {
  readonly tensors: number;
  readonly skipped: number;
  readonly parameters: number;
  readonly deadRows: number;
  readonly pipelines: readonly SweepPipelineSummary[];
}

export const WORST_COUNT = 5;

/** Totals weighted by parameter count, per pipeline (SweepPipelineSummary). */
export function summarizeSweep(
  config: ExperimentConfig,
  tensors: readonly SweepTensorResult[],
): SweepSummary {
  const ran = tensors.filter((t) => !t.skipped);
  const pipelines = config.pipelines.map((_, i): SweepPipelineSummary => {
    let params = 0;
    let bits = 0;
    let err = 0;
    let signal = 0;
    let entries = 0;
    const sums: Record<string, number> = {};
    const weights: Record<string, number> = {};
    const rows: { name: string; vnmse: number; sqnrDb: number }[] = [];
    let label = '';
    for (const t of ran) {
      const r = t.results[i];
      if (!r) continue;
      label = r.label;
      const w = t.parameters;
      params += w;
      bits += r.bitsPerCoord * w;
      const m = r.metrics;
      // Squared error and signal of the matrix that ran, scaled to the whole tensor.
      err += m.mse * w;
      entries += w;
      signal += t.meanSquare * w;
      for (const id of ['vnmse', 'cosine', 'ipRatio', 'ipNvar']) {
        if (!Number.isFinite(m[id])) continue;
        sums[id] = (sums[id] ?? 0) + m[id] * w;
        weights[id] = (weights[id] ?? 0) + w;
      }
      rows.push({ name: t.name, vnmse: m.vnmse, sqnrDb: m.sqnrDb });
    }
    const metrics: Record<string, number> = {};
    for (const id of ['vnmse', 'mse', 'sqnrDb', 'cosine', 'ipRatio', 'ipNvar']) {
      if (id === 'mse') metrics.mse = entries > 0 ? err / entries : NaN;
      else if (id === 'sqnrDb') metrics.sqnrDb = err > 0 ? 10 * Math.log10(signal / err) : Infinity;
      else metrics[id] = weights[id] ? sums[id] / weights[id] : NaN;
    }
    rows.sort((a, b) => (Number.isNaN(a.vnmse) ? 1 : Number.isNaN(b.vnmse) ? -1 : b.vnmse - a.vnmse));
    return {
      label,
      tensors: rows.length,
      parameters: params,
      bitsPerCoord: params > 0 ? bits / params : NaN,
      metrics,
      worst: rows.slice(0, WORST_COUNT),
    };
  });
  return {
    tensors: tensors.length,
    skipped: tensors.length - ran.length,
    parameters: ran.reduce((a, t) => a + t.parameters, 0),
    deadRows: tensors.reduce((a, t) => a + t.deadRows, 0),
    pipelines,
  };
}

/** The `lab sweep --json` object (deterministic: no timings, no hashes beyond the config). */
export function sweepJson(out: SweepOutput): unknown {
  return {
    config: out.config,
    permalink: out.permalink,
    ...(out.shard ? { shard: out.shard } : {}),
    tensors: out.tensors.map((t) => ({
      name: t.name,
      shape: t.shape,
      dtype: t.dtype,
      rows: t.rows,
      dim: t.dim,
      layout: t.layout,
      deadRows: t.deadRows,
      ...(t.subsampled ? { subsampled: true } : {}),
      ...(t.skipped ? { skipped: t.skipped } : {}),
      results: t.results.map((r) => ({ label: r.label, bitsPerCoord: r.bitsPerCoord, metrics: r.metrics })),
    })),
    summary: out.summary,
  };
}
