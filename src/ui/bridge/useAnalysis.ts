/**
 * react-query hooks for the on-demand analyses (rate–distortion sweep, spectra). Each has its own
 * query key and its own worker (ComputeClient kinds), so the results table appears first and a
 * stale sweep is cancelled without touching the main run. keepPreviousData keeps the last chart
 * on screen while the next one computes (DESIGN.md "Habits").
 */
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { canonicalKey, type ExperimentConfig } from '../../core/config/schema';
import type { RateDistortion, Spectra } from '../../core/artifacts/types';
import { sweepKey } from '../../engine/artifacts';
import { computeClient } from './client';

const common = {
  staleTime: Infinity,
  gcTime: 5 * 60_000,
  retry: false,
  placeholderData: keepPreviousData,
} as const;

/** The sweep does not depend on the pipelines' current `bits` (see sweepKey). */
export function useSweep(config: ExperimentConfig, enabled: boolean) {
  const key = sweepKey(config);
  return useQuery<RateDistortion, Error>({
    queryKey: ['sweep', key],
    queryFn: ({ signal }) => computeClient.sweep(config, { signal }, key),
    enabled,
    ...common,
  });
}

export function useSpectra(config: ExperimentConfig, enabled: boolean) {
  return useQuery<Spectra, Error>({
    queryKey: ['spectra', canonicalKey(config)],
    queryFn: ({ signal }) => computeClient.spectra(config, { signal }),
    enabled,
    ...common,
  });
}
