/**
 * react-query hooks for the on-demand analyses (rate–distortion sweep, spectra). Each has its own
 * query key and its own worker (ComputeClient kinds), so the results table appears first and a
 * stale sweep is cancelled without touching the main run. keepPreviousData keeps the last chart
 * on screen while the next one computes (DESIGN.md "Habits"). While running, each is a task
 * (tasks.ts) with the work units its worker reports, shown with a bar, ETA and Cancel.
 */
import { useEffect } from 'react';
import {
  hashKey,
  keepPreviousData,
  useQuery,
  useQueryClient,
  type Query,
  type QueryClient,
} from '@tanstack/react-query';
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
function sweepQuery(queryClient: QueryClient, config: ExperimentConfig) {
  const key = sweepKey(config);
  return {
    queryKey: ['sweep', key],
    queryFn: ({ signal }: { signal: AbortSignal }) =>
      trackTask(
        'sweep',
        key,
        'Rate–distortion sweep',
        'pipeline stages',
        signal,
        () => void queryClient.refetchQueries({ queryKey: ['sweep', key] }),
        (own, onProgress) => computeClient.sweep(config, { signal: own, onProgress }, key),
      ),
    ...common,
  };
}

function spectraQuery(queryClient: QueryClient, config: ExperimentConfig) {
  const key = canonicalKey(config);
  return {
    queryKey: ['spectra', key],
    queryFn: ({ signal }: { signal: AbortSignal }) =>
      trackTask(
        'spectra',
        key,
        'Spectra',
        'spectra',
        signal,
        () => void queryClient.refetchQueries({ queryKey: ['spectra', key] }),
        (own, onProgress) => computeClient.spectra(config, { signal: own, onProgress }),
      ),
    ...common,
  };
}

export function useSweep(config: ExperimentConfig, enabled: boolean) {
  const queryClient = useQueryClient();
  useForgetStale('sweep', sweepKey(config));
  return useQuery<RateDistortion, Error>({ ...sweepQuery(queryClient, config), enabled });
}

export function useSpectra(config: ExperimentConfig, enabled: boolean) {
  const queryClient = useQueryClient();
  useForgetStale('spectra', canonicalKey(config));
  return useQuery<Spectra, Error>({ ...spectraQuery(queryClient, config), enabled });
}

const isAnalysis = (q: Query) => q.queryKey[0] === 'sweep' || q.queryKey[0] === 'spectra';

/**
 * Analyses started ahead of their chart that no chart observes (the page moved on before the
 * charts mounted): cancelled, so they never hold a worker the next config's analyses wait for.
 * A chart that observes a query cancels it itself when it moves on (react-query aborts the signal).
 */
export function cancelUnobservedAnalyses(queryClient: QueryClient, keep: readonly string[] = []): void {
  void queryClient.cancelQueries({
    predicate: (q) =>
      isAnalysis(q) &&
      q.getObserversCount() === 0 &&
      q.state.fetchStatus === 'fetching' &&
      !keep.includes(q.queryHash),
  });
}

/**
 * Starts the sweep and spectra of `config` the moment its run is in (the lab page shows every
 * chart): the same queries the charts' useSweep/useSpectra observe, so they find them running.
 * Started from the charts' own effects they began only after React had committed the table and
 * rendered the charts of the run (0.3–0.5 s on the default page, README "Performance").
 */
export function prefetchAnalyses(queryClient: QueryClient, config: ExperimentConfig): void {
  const sweep = sweepQuery(queryClient, config);
  const spectra = spectraQuery(queryClient, config);
  cancelUnobservedAnalyses(queryClient, [hashKey(sweep.queryKey), hashKey(spectra.queryKey)]);
  void queryClient.prefetchQuery(sweep);
  void queryClient.prefetchQuery(spectra);
}
