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
import { Sha256 } from '../core/io/sha256';
import type { PipelineResult } from '../core/pipeline';
import { AbortError } from '../core/pipeline';
import { countDeadRows } from '../core/methods/metrics/dead-rows';
import { ConfigError } from '../core/config/errors';
import { permalinkHash } from '../core/config/codec';
import { sweepMatcher } from '../core/config/sweep-config';
import { fileParams } from '../core/config/data-params';
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
  /**
   * SHA-256 of the tensor's stored bytes when the sweep hashes (SweepOptions.hash: `lab sweep
   * --hash`), '' otherwise: hashing costs a pass over every byte (WebCrypto, or the streaming hash
   * above 64 MiB), so sweeps skip it unless asked.
   */
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
  return mine.map((info) => ({ info, layout: resolveLayout(fileParams(config.data).layout, info) }));
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
  /**
   * Called between tensors to reclaim the last tensor's buffers now (node: a full GC). Without it
   * the runtime may keep a dead tensor's matrix and pipeline buffers while the next one is
   * decoded, which measured as one to two extra copies of the largest tensor at the peak.
   */
  readonly reclaim?: () => void;
  /** Hash every tensor's stored bytes (SweepTensorResult.sha256, the summary's digest). */
  readonly hash?: boolean;
}

/** Run one tensor of the plan (module comment: the `lab run` path, then drop its buffers). */
export async function sweepTensor(
  config: ExperimentConfig,
  set: TensorSet,
  entry: SweepPlanEntry,
  signal?: AbortSignal,
  hash = false,
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
        // Without a hash the tensor is decoded chunk by chunk (tensor.ts), never read whole.
        const loaded = await loadFileData(c, [], {
          info,
          read: (opts) => set.read(info.name, { ...opts, hash }),
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
  /**
   * With hashing: SHA-256 of the lines "name<TAB>sha256<LF>" of every swept tensor in plan order,
   * one digest that names the exact checkpoint contents the numbers came from.
   */
  readonly sha256?: string;
  readonly shard?: SweepShard;
  readonly tensors: readonly SweepTensorResult[];
  readonly summary: SweepSummary;
}

/** Tensors whose float32 matrix is at least this big are reclaimed before the next one. */
export const RECLAIM_BYTES = 8 * 2 ** 20;

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
    // Only after a tensor big enough to matter: a full collection costs milliseconds.
    const last = tensors[tensors.length - 1];
    if (last && last.rows * last.dim * 4 >= RECLAIM_BYTES) options.reclaim?.();
    const r = await sweepTensor(config, set, entry, options.signal, options.hash);
    tensors.push(r);
    options.onTensor?.(r, tensors.length, plan.length);
  }
  return {
    config,
    permalink: permalinkHash(config),
    ...(options.hash ? { sha256: checkpointDigest(tensors) } : {}),
    ...(options.shard ? { shard: options.shard } : {}),
    tensors,
    summary: summarizeSweep(config, tensors),
  };
}

/** SweepOutput.sha256: one digest over the tensors' names and hashes, in plan order. */
export function checkpointDigest(tensors: readonly SweepTensorResult[]): string {
  const h = new Sha256();
  h.update(new TextEncoder().encode(tensors.map((t) => `${t.name}\t${t.sha256}\n`).join('')));
  return h.hex();
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
    ...(out.sha256 ? { sha256: out.sha256 } : {}),
    ...(out.shard ? { shard: out.shard } : {}),
    tensors: out.tensors.map((t) => ({
      name: t.name,
      shape: t.shape,
      dtype: t.dtype,
      file: t.file,
      rows: t.rows,
      dim: t.dim,
      layout: t.layout,
      deadRows: t.deadRows,
      // The summary's SQNR numerator: with it, shard outputs merge into the exact totals.
      meanSquare: t.meanSquare,
      ...(t.sha256 ? { sha256: t.sha256 } : {}),
      ...(t.subsampled ? { subsampled: true } : {}),
      ...(t.skipped ? { skipped: t.skipped } : {}),
      results: t.results.map((r) => ({ label: r.label, bitsPerCoord: r.bitsPerCoord, metrics: r.metrics })),
    })),
    summary: out.summary,
  };
}

// ───────────────────────────── merging shards ─────────────────────────────

/**
 * The outputs of `lab sweep --shard I/N` for I = 0 … N−1, put back together: the tensors in the
 * unsharded plan's order (shard I holds plan positions I, I+N, …, so position k is entry ⌊k/N⌋ of
 * shard k mod N) and the summary recomputed from them, so the result equals one unsharded sweep of
 * the same config (checkpoint.test.ts checks it through the JSON). Refused, naming the problem:
 * parts of different configs or shard counts, a shard given twice or missing, an unsharded part,
 * and shard lengths that no plan could give.
 */
export function mergeSweepShards(parts: readonly SweepOutput[], names: readonly string[] = []): SweepOutput {
  const name = (i: number) => names[i] ?? `part ${i + 1}`;
  if (parts.length === 0) throw new ConfigError('shards', 'no shard outputs to merge');
  const first = parts[0];
  const count = first.shard?.count;
  if (count === undefined)
    throw new ConfigError('shards', `${name(0)} is not a shard (no "shard" field): nothing to merge`);
  const byIndex: (SweepOutput | undefined)[] = new Array<SweepOutput | undefined>(count);
  parts.forEach((part, i) => {
    if (!part.shard)
      throw new ConfigError('shards', `${name(i)} is not a shard (no "shard" field): nothing to merge`);
    if (part.permalink !== first.permalink)
      throw new ConfigError(
        'shards',
        `${name(i)} was made from another config (permalink ${part.permalink.slice(0, 24)}… vs ${first.permalink.slice(0, 24)}…)`,
      );
    if (part.shard.count !== count)
      throw new ConfigError(
        'shards',
        `${name(i)} is shard ${part.shard.index}/${part.shard.count}; the others are of ${count}`,
      );
    if (byIndex[part.shard.index])
      throw new ConfigError('shards', `shard ${part.shard.index}/${count} is given twice (${name(i)})`);
    byIndex[part.shard.index] = part;
  });
  const missing = [...byIndex.keys()].filter((k) => !byIndex[k]);
  if (missing.length)
    throw new ConfigError(
      'shards',
      `missing shard${missing.length > 1 ? 's' : ''} ${missing.slice(0, 10).join(', ')}${missing.length > 10 ? ', …' : ''} of ${count}`,
    );
  const shards = byIndex as SweepOutput[];
  // Shard k of a plan of T tensors holds ⌈(T − k)/N⌉: lengths never grow with k and differ by ≤ 1.
  const total = shards.reduce((a, sh) => a + sh.tensors.length, 0);
  const l0 = shards[0].tensors.length;
  shards.forEach((sh, k) => {
    const n = sh.tensors.length;
    const prev = k > 0 ? shards[k - 1].tensors.length : n;
    if (n > prev || n < l0 - 1)
      throw new ConfigError(
        'shards',
        `shard ${k}/${count} holds ${n} tensors after ${prev} in shard ${k - 1}: no plan gives that (a part is truncated or from another file)`,
      );
  });
  const tensors: SweepTensorResult[] = [];
  for (let pos = 0; pos < total; pos++) tensors.push(shards[pos % count].tensors[Math.floor(pos / count)]);
  // Hashed parts (lab sweep --hash) merge into the digest one hashed sweep prints; a mix is refused.
  const hashed = tensors.filter((t) => t.sha256 !== '').length;
  if (hashed > 0 && hashed < tensors.length)
    throw new ConfigError(
      'shards',
      `${hashed} of ${tensors.length} tensors carry a SHA-256: run every shard with --hash, or none`,
    );
  return {
    config: first.config,
    permalink: first.permalink,
    ...(hashed > 0 ? { sha256: checkpointDigest(tensors) } : {}),
    tensors,
    summary: summarizeSweep(first.config, tensors),
  };
}
