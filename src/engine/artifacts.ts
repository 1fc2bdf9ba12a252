/**
 * The on-demand analyses behind the rate–distortion and spectra charts, shared by the
 * worker and tests. Each loads the config's data exactly as runConfig does, so its numbers are those
 * of the main run (same seed, same streams).
 */
import { canonicalize, type ExperimentConfig } from '../core/config/schema';
import { sweepInvariant, sweepRateDistortion } from '../core/artifacts/rateDistortion';
import { dataSpectra, pipelineSpectra } from '../core/artifacts/spectra';
import type { PipelineSpectra, RateDistortion, Spectra } from '../core/artifacts/types';
import type { RunOptions } from '../core/pipeline';
import { loadData, numericsOptions, type FileDataLoader } from './experiment';
import { BoundedCache, dataKey, pipelineKey } from './result-cache';

type AnalysisOptions = Pick<RunOptions, 'signal' | 'onProgress'> & { loadFile?: FileDataLoader };

export async function sweepConfig(
  config: ExperimentConfig,
  options: AnalysisOptions = {},
): Promise<RateDistortion> {
  const { matrix } = await loadData(config, options.loadFile);
  // Tagged with its query key: the page draws it only under the config it belongs to.
  const sweep = sweepRateDistortion(config, matrix, { ...options, ...numericsOptions(config) });
  return { ...sweep, key: sweepKey(config) };
}

/**
 * Spectra cached per (data) and per (data, pipeline) within this process or worker, like the run's
 * results (result-cache.ts; the same keys): editing one pipeline recomputes that pipeline's spectra
 * only. A pipeline's spectra depend on the seed, the data and its own chain and quantizer (every
 * stream derives from (seed, purpose, keys)), so a hit equals a recomputation. Data read from a
 * file is never cached here (the same name may hold other bytes next time). Entries are small
 * (≤ 512 singular values and ≤ 256 energy bins each).
 */
const spectraCache = {
  data: new BoundedCache<Omit<Spectra, 'pipelines'>>(8, 16 * 2 ** 20),
  pipelines: new BoundedCache<Omit<PipelineSpectra, 'index'>>(64, 32 * 2 ** 20),
};

/** Empties the spectra cache (tests, and A/B timing). */
export function clearSpectraCache(): void {
  spectraCache.data.clear();
  spectraCache.pipelines.clear();
}

export async function spectraConfig(
  config: ExperimentConfig,
  options: AnalysisOptions = {},
): Promise<Spectra> {
  const { matrix } = await loadData(config, options.loadFile);
  const cacheable = config.data.source !== 'file';
  const dKey = dataKey(config);
  const cachedData = cacheable ? spectraCache.data.get(dKey) : undefined;
  // The cache keeps its own copies: the worker transfers the returned arrays (detaching them).
  const data = cachedData ? structuredClone(cachedData) : dataSpectra(config.seed, matrix);
  if (cacheable && !cachedData) spectraCache.data.set(dKey, structuredClone(data));
  const keys = config.pipelines.map((_, i) => pipelineKey(config, i));
  const hits = keys.map((k) => (cacheable ? spectraCache.pipelines.get(k) : undefined));
  const missing = hits.flatMap((h, i) => (h ? [] : [i]));
  const { signal, onProgress } = options;
  const fresh =
    missing.length === 0 ? [] : pipelineSpectra(config, matrix, { signal, onProgress, only: missing });
  const byIndex = new Map(fresh.map((p) => [p.index, p]));
  const pipelines = keys.map((k, i): PipelineSpectra => {
    const got = byIndex.get(i);
    if (got) {
      const { index: _index, ...rest } = got;
      if (cacheable) spectraCache.pipelines.set(k, structuredClone(rest));
      return got;
    }
    const hit = hits[i];
    if (!hit) throw new Error(`spectra: pipeline ${i} neither cached nor computed`);
    return { ...structuredClone(hit), index: i };
  });
  return { ...data, pipelines };
}

/**
 * Query key of the sweep: the canonical config without each pipeline's swept `bits` (and label),
 * because the sweep covers every `bits` value anyway; moving a bits slider keeps the sweep.
 */
export function sweepKey(config: ExperimentConfig): string {
  const c = canonicalize(config);
  return JSON.stringify({
    seed: c.seed,
    data: c.data,
    pipelines: c.pipelines.map((p) => {
      const { transforms, quantizer } = sweepInvariant(p);
      return { transforms, quantizer };
    }),
    ...(c.numerics ? { numerics: c.numerics } : {}),
  });
}
