/**
 * react-query hooks for the on-demand analyses (rate–distortion sweep, spectra). Each has its own
 * query key and its own worker (ComputeClient kinds), so the results table appears first and a
 * stale sweep is cancelled without touching the main run. keepPreviousData keeps the last chart
 * on screen while the next one computes (DESIGN.md "Habits"). While running, each is a task
 * (tasks.ts) with the work units its worker reports, shown with a bar, ETA and Cancel.
 */
import { useEffect } from 'react';
import { keepPreviousData, useQuery, useQueryClient } from '@tanstack/react-query';
import { canonicalKey, type ExperimentConfig } from '../../core/config/schema';
import type { RateDistortion, Spectra } from '../../core/artifacts/types';
import { sweepKey } from '../../engine/artifacts';
import { computeClient } from './client';
import { trackTask, useTasks } from './tasks';

const common = {
  staleTime: Infinity,
  gcTime: 5 * 60_000,
  retry: false,
  placeholderData: keepPreviousData,
} as const;

/** A cancelled entry for an older key goes once the page moves on to another config. */
function useForgetStale(id: string, key: string): void {
  useEffect(() => useTasks.getState().forgetStale(id, key), [id, key]);
}

/** The sweep does not depend on the pipelines' current `bits` (see sweepKey). */
export function useSweep(config: ExperimentConfig, enabled: boolean) {
  const key = sweepKey(config);
  const queryClient = useQueryClient();
  useForgetStale('sweep', key);
  return useQuery<RateDistortion, Error>({
    queryKey: ['sweep', key],
    queryFn: ({ signal }) =>
      trackTask(
        'sweep',
        key,
        'Rate–distortion sweep',
        'pipeline stages',
        signal,
        () => void queryClient.refetchQueries({ queryKey: ['sweep', key] }),
        (own, onProgress) => computeClient.sweep(config, { signal: own, onProgress }, key),
      ),
    enabled,
    ...common,
  });
}

export function useSpectra(config: ExperimentConfig, enabled: boolean) {
  const key = canonicalKey(config);
  const queryClient = useQueryClient();
  useForgetStale('spectra', key);
  return useQuery<Spectra, Error>({
    queryKey: ['spectra', key],
    queryFn: ({ signal }) =>
      trackTask(
        'spectra',
        key,
        'Spectra',
        'spectra',
        signal,
        () => void queryClient.refetchQueries({ queryKey: ['spectra', key] }),
        (own, onProgress) => computeClient.spectra(config, { signal: own, onProgress }),
      ),
    enabled,
    ...common,
  });
}
