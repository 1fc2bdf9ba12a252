/**
 * `npm run -s lab -- merge SHARD.json... [--json|--csv]`: the outputs of `lab sweep --json
 * --shard I/N` (one per machine of a job array, a Ray/Dask map, …) merged into the output one
 * unsharded `lab sweep` gives: tensors in plan order and the parameter-weighted summary recomputed
 * from every tensor (src/engine/checkpoint.ts mergeSweepShards).
 *
 * Every part is checked before anything is merged: its size (≤ MAX_SHARD_BYTES), JSON, the shape
 * of the sweep object (zod; the path of the first bad field is named), its config (the same
 * validation as `lab run`), and then that the parts form exactly one set of shards of one config.
 * Problems exit 2 naming the file. JSON has no NaN or Infinity: `lab sweep --json` prints null for
 * them, read back here as NaN (the summary leaves non-finite values out either way).
 */
import { readFile, stat } from 'node:fs/promises';
import { z } from '../core/config/zod';
import { ConfigError } from '../core/config/errors';
import { restoreConfig } from '../core/config/schema';
import { mergeSweepShards, type SweepOutput, type SweepTensorResult } from '../engine/checkpoint';

/** A shard's JSON is a few bytes per tensor × pipeline; refuse anything absurd before reading it. */
export const MAX_SHARD_BYTES = 256 * 2 ** 20;

const metricValue = z.union([z.number(), z.null()]).transform((v) => (v === null ? NaN : v));

const resultSchema = z.object({
  label: z.string().max(4096),
  bitsPerCoord: metricValue,
  metrics: z.record(z.string().max(64), metricValue),
});

const tensorSchema = z.object({
  name: z.string().max(65536),
  shape: z.array(z.number().int().nonnegative()).max(16),
  dtype: z.string().max(64),
  file: z.string().max(65536).optional(),
  rows: z.number().int().nonnegative(),
  dim: z.number().int().nonnegative(),
  layout: z.enum(['rows-first', 'cols-first']),
  deadRows: z.number().int().nonnegative(),
  meanSquare: metricValue,
  sha256: z
    .string()
    .regex(/^[0-9a-f]{64}$/)
    .optional(),
  subsampled: z.boolean().optional(),
  skipped: z.string().max(65536).optional(),
  results: z.array(resultSchema).max(1024),
});

const shardSchema = z.object({
  config: z.unknown(),
  permalink: z.string().max(1 << 20),
  shard: z.object({ index: z.number().int().nonnegative(), count: z.number().int().positive() }).optional(),
  tensors: z.array(tensorSchema),
});

function numel(shape: readonly number[]): number {
  return shape.reduce((a, d) => a * d, 1);
}

/** One part, parsed and validated; `file` names it in every message. */
export function parseShardOutput(text: string, file: string): SweepOutput {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new ConfigError('shards', `${file} is not JSON: ${(e as Error).message}`);
  }
  if (raw === null || typeof raw !== 'object' || !('tensors' in raw) || !('permalink' in raw)) {
    throw new ConfigError(
      'shards',
      `${file} is not the output of lab sweep --json (no "tensors" and "permalink" fields)`,
    );
  }
  const parsed = shardSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue.path.length ? issue.path.join('.') : '(top level)';
    throw new ConfigError(
      'shards',
      `${file}: ${where}: ${issue.message}${where.endsWith('meanSquare') ? ' (made by an older lab sweep: re-run it)' : ''}`,
    );
  }
  const p = parsed.data;
  let config;
  try {
    config = restoreConfig(p.config);
  } catch (e) {
    throw new ConfigError('shards', `${file}: its config is invalid: ${(e as Error).message}`);
  }
  const tensors = p.tensors.map((t): SweepTensorResult => ({
    name: t.name,
    shape: t.shape,
    dtype: t.dtype,
    file: t.file ?? '',
    parameters: numel(t.shape),
    rows: t.rows,
    dim: t.dim,
    layout: t.layout,
    deadRows: t.deadRows,
    meanSquare: t.meanSquare,
    subsampled: t.subsampled ?? false,
    sha256: t.sha256 ?? '',
    results: t.results.map((r) => ({
      label: r.label,
      transform: '',
      quantizer: '',
      bitsPerCoord: r.bitsPerCoord,
      metrics: r.metrics,
    })),
    ...(t.skipped !== undefined ? { skipped: t.skipped } : {}),
  }));
  return {
    config,
    permalink: p.permalink,
    ...(p.shard ? { shard: p.shard } : {}),
    tensors,
    summary: { tensors: 0, skipped: 0, parameters: 0, deadRows: 0, pipelines: [] },
  };
}

export async function mergeForCli(files: readonly string[]): Promise<SweepOutput> {
  const parts: SweepOutput[] = [];
  for (const file of files) {
    let size: number;
    try {
      size = (await stat(file)).size;
    } catch (e) {
      throw new ConfigError('shards', `cannot read ${file}: ${(e as Error).message}`);
    }
    if (size > MAX_SHARD_BYTES)
      throw new ConfigError(
        'shards',
        `${file} is ${size} bytes, over the ${MAX_SHARD_BYTES}-byte limit for a shard output`,
      );
    parts.push(parseShardOutput(await readFile(file, 'utf8'), file));
  }
  return mergeSweepShards(parts, files);
}
