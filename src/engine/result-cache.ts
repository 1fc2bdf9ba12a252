/**
 * Results cached per (data, pipeline), so editing one pipeline recomputes that pipeline only
 * (src/ui/bridge/client.ts). A pipeline's numbers and chart artifacts depend on the seed, the data
 * and its own transform and quantizer only: every random stream derives from (seed, purpose, keys),
 * never from a pipeline's position or its neighbours (docs/DESIGN.md, "paired comparisons"), so a
 * cached result is bit-identical to a recomputed one (result-cache.test.ts checks it).
 *
 * Keys are canonical JSON (fixed key order, every param spelled out): {seed, data, transform,
 * quantizer} per pipeline (the label is presentation and re-applied), {seed, data} for the data
 * summary and data-level chart artifacts, and the whole canonical config for `config.analysis`,
 * which may compare pipelines. The cache is bounded by entries and by the bytes of its typed
 * arrays, least recently used first out.
 */
import { canonicalize, canonicalKey, type ExperimentConfig } from '../core/config/schema';
import { permalinkHash } from '../core/config/codec';
import { pipelineLabel, type PipelineResult } from '../core/pipeline';
import type { ChannelAbsmax, Distribution, PipelineArtifacts } from '../core/artifacts/types';
import { artifactBuffers } from '../core/artifacts/artifacts';
import type { AnalysisOutput } from '../core/analyses/outputs';
import type { DataSummary, ExperimentOutput } from './experiment';

export function dataKey(config: ExperimentConfig): string {
  const c = canonicalize(config);
  return JSON.stringify({ seed: c.seed, data: c.data });
}

export function pipelineKey(config: ExperimentConfig, index: number): string {
  const c = canonicalize(config);
  const p = c.pipelines[index];
  // Calibration activations change what calibrated methods compute, so they are part of the key.
  return JSON.stringify({
    seed: c.seed,
    data: c.data,
    calibration: c.calibration ?? null,
    transforms: p.transforms,
    quantizer: p.quantizer,
    // Where its metrics are computed changes them within rounding: a different result.
    ...(c.numerics ? { numerics: c.numerics } : {}),
  });
}

/** The whole config but the baselines (a presentation choice no analysis reads). */
export function analysisKey(config: ExperimentConfig): string {
  const { baseline: _baseline, baselineConfig: _saved, ...rest } = config;
  return canonicalKey(rest);
}

/** Bytes held by the typed arrays in a value (plus a small constant per entry). */
export function approxBytes(value: unknown): number {
  return 256 + artifactBuffers(value).reduce((a, b) => a + b.byteLength, 0);
}

/** A least-recently-used map bounded by entry count and total size. */
export class BoundedCache<V> {
  private readonly map = new Map<string, { value: V; bytes: number }>();
  private total = 0;

  constructor(
    readonly maxEntries: number,
    readonly maxBytes: number,
    private readonly size: (v: V) => number = approxBytes,
  ) {}

  get(key: string): V | undefined {
    const e = this.map.get(key);
    if (!e) return undefined;
    this.map.delete(key); // refresh recency
    this.map.set(key, e);
    return e.value;
  }

  has(key: string): boolean {
    return this.map.has(key);
  }

  set(key: string, value: V): void {
    const old = this.map.get(key);
    if (old) {
      this.total -= old.bytes;
      this.map.delete(key);
    }
    const bytes = this.size(value);
    if (bytes > this.maxBytes) return; // never cache what alone exceeds the budget
    this.map.set(key, { value, bytes });
    this.total += bytes;
    while (this.map.size > this.maxEntries || this.total > this.maxBytes) {
      const oldest = this.map.keys().next().value as string;
      this.total -= this.map.get(oldest)?.bytes ?? 0;
      this.map.delete(oldest);
    }
  }

  get entries(): number {
    return this.map.size;
  }

  get bytes(): number {
    return this.total;
  }

  clear(): void {
    this.map.clear();
    this.total = 0;
  }
}

export interface CachedPipeline {
  readonly result: PipelineResult;
  /** Without the index (re-applied when assembled): the same pipeline may sit anywhere. */
  readonly artifacts?: Omit<PipelineArtifacts, 'index'>;
}

export interface CachedData {
  readonly summary: DataSummary;
  readonly before?: Distribution;
  readonly beforeAbsmax?: ChannelAbsmax;
  readonly dim?: number;
}

export interface ResultCaches {
  readonly pipelines: BoundedCache<CachedPipeline>;
  readonly data: BoundedCache<CachedData>;
  readonly analyses: BoundedCache<{ readonly value: AnalysisOutput }>;
}

/** Default bounds: 256 pipelines / 96 MiB, 16 data sets / 32 MiB, 16 analyses / 32 MiB. */
export function createResultCaches(): ResultCaches {
  return {
    pipelines: new BoundedCache<CachedPipeline>(256, 96 * 2 ** 20),
    data: new BoundedCache<CachedData>(16, 32 * 2 ** 20),
    analyses: new BoundedCache<{ readonly value: AnalysisOutput }>(16, 32 * 2 ** 20, (v) =>
      approxBytes(v.value),
    ),
  };
}

/** What the cache holds for a config, and what a run must still compute. */
export interface CachePlan {
  /** Cached pipelines by index. */
  readonly hits: ReadonlyMap<number, CachedPipeline>;
  readonly missing: number[];
  readonly data: CachedData | undefined;
  readonly analysis: { readonly value: AnalysisOutput } | undefined;
  /** True when nothing needs computing. */
  readonly complete: boolean;
}

export function planFromCache(config: ExperimentConfig, caches: ResultCaches): CachePlan {
  const hits = new Map<number, CachedPipeline>();
  const missing: number[] = [];
  config.pipelines.forEach((_, i) => {
    const hit = caches.pipelines.get(pipelineKey(config, i));
    if (hit?.artifacts) hits.set(i, hit);
    else missing.push(i);
  });
  const cachedData = caches.data.get(dataKey(config));
  const data = cachedData?.before ? cachedData : undefined;
  const analysis = config.analysis ? caches.analyses.get(analysisKey(config)) : undefined;
  const complete = missing.length === 0 && !!data && (!config.analysis || !!analysis);
  return { hits, missing, data, analysis, complete };
}

/** Store what a (partial) run computed: `out.results[j]` is pipeline `indices[j]`. */
export function storeInCache(
  config: ExperimentConfig,
  caches: ResultCaches,
  indices: readonly number[],
  out: ExperimentOutput,
): void {
  const arts = new Map((out.artifacts?.pipelines ?? []).map((a) => [a.index, a]));
  indices.forEach((i, j) => {
    const a = arts.get(i);
    if (!a) return; // the page always collects artifacts; a result without them is not reusable
    const { index: _index, ...artifacts } = a;
    caches.pipelines.set(pipelineKey(config, i), { result: out.results[j], artifacts });
  });
  if (out.artifacts)
    caches.data.set(dataKey(config), {
      summary: out.data,
      before: out.artifacts.before,
      beforeAbsmax: out.artifacts.beforeAbsmax,
      dim: out.artifacts.dim,
    });
  if (config.analysis && out.analysis !== undefined)
    caches.analyses.set(analysisKey(config), { value: out.analysis });
}

/**
 * One run's output from cached pipelines plus a partial run (`fresh`, which computed `indices`;
 * absent when the plan was complete). Labels are re-derived from the current config, so a label
 * edit needs no computation.
 */
export function assembleOutput(
  config: ExperimentConfig,
  plan: CachePlan,
  fresh?: { readonly indices: readonly number[]; readonly out: ExperimentOutput },
): ExperimentOutput {
  const results: PipelineResult[] = [];
  const arts: PipelineArtifacts[] = [];
  const freshAt = new Map((fresh?.indices ?? []).map((i, j) => [i, j]));
  const freshArts = new Map((fresh?.out.artifacts?.pipelines ?? []).map((a) => [a.index, a]));
  for (let i = 0; i < config.pipelines.length; i++) {
    const label = pipelineLabel(config.pipelines[i]);
    const j = freshAt.get(i);
    if (j !== undefined && fresh) {
      results.push({ ...fresh.out.results[j], label });
      const a = freshArts.get(i);
      if (a) arts.push(a);
      continue;
    }
    const hit = plan.hits.get(i);
    if (!hit?.artifacts) throw new Error(`result cache: pipeline ${i} neither cached nor computed`);
    results.push({ ...hit.result, label });
    arts.push({ ...hit.artifacts, index: i });
  }
  const data = fresh?.out.artifacts ? { summary: fresh.out.data, ...fresh.out.artifacts } : plan.data;
  if (!data?.before || !data.beforeAbsmax || data.dim === undefined)
    throw new Error('result cache: data artifacts neither cached nor computed');
  const analysis = fresh?.out.analysis !== undefined ? fresh.out.analysis : plan.analysis?.value;
  const gpuAdapter = fresh?.out.gpuAdapter;
  return {
    config: canonicalize(config),
    permalink: permalinkHash(config),
    data: data.summary,
    results,
    ...(config.analysis && analysis !== undefined ? { analysis } : {}),
    artifacts: { before: data.before, beforeAbsmax: data.beforeAbsmax, dim: data.dim, pipelines: arts },
    ...(gpuAdapter === undefined ? {} : { gpuAdapter }),
  };
}
