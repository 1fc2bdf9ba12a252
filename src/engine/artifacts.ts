/**
 * The on-demand analyses behind the rate–distortion and spectra charts, shared by the
 * worker and tests. Each loads the config's data exactly as runConfig does, so its numbers are those
 * of the main run (same seed, same streams).
 */
import { canonicalize, type ExperimentConfig } from '../core/config/schema';
import { sweepInvariant, sweepRateDistortion } from '../core/artifacts/rateDistortion';
import { computeSpectra } from '../core/artifacts/spectra';
import type { RateDistortion, Spectra } from '../core/artifacts/types';
import type { RunOptions } from '../core/pipeline';
import { loadData, type FileDataLoader } from './experiment';

type AnalysisOptions = Pick<RunOptions, 'signal' | 'onProgress'> & { loadFile?: FileDataLoader };

export async function sweepConfig(
  config: ExperimentConfig,
  options: AnalysisOptions = {},
): Promise<RateDistortion> {
  const { matrix } = await loadData(config, options.loadFile);
  // Tagged with its query key: the page draws it only under the config it belongs to.
  return { ...sweepRateDistortion(config, matrix, options), key: sweepKey(config) };
}

export async function spectraConfig(
  config: ExperimentConfig,
  options: AnalysisOptions = {},
): Promise<Spectra> {
  const { matrix } = await loadData(config, options.loadFile);
  return computeSpectra(config, matrix, options);
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
  });
}
