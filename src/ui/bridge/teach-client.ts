/**
 * The teaching views' client: one lazily started worker (workers/teach.worker.ts) and a react-query
 * hook keyed by (config, pipeline, row), so scrubbing rows reuses the worker's kept pipeline run and
 * the main thread never computes a pipeline.
 */
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { wrap, type Remote } from 'comlink';
import { canonicalKey, type ExperimentConfig } from '../../core/config/schema';
import type { LloydReply, TeachApi, TraceReply } from '../../worker/teach-api';
import type { LloydMaxLaw } from '../../core/linalg/lloydmax';

let api: Remote<TeachApi> | null = null;

function teachApi(): Remote<TeachApi> {
  if (api) return api;
  const worker = new Worker(new URL('../../../workers/teach.worker.ts', import.meta.url), {
    type: 'module',
    name: 'quantscope-teach',
  });
  api = wrap<TeachApi>(worker);
  return api;
}

export function useTrace(config: ExperimentConfig, pipeline: number, row: number) {
  return useQuery<TraceReply, Error>({
    queryKey: ['teach-trace', canonicalKey(config), pipeline, row],
    queryFn: () => teachApi().trace(config, pipeline, row),
    staleTime: Infinity,
    gcTime: 60_000,
    retry: false,
    placeholderData: keepPreviousData,
  });
}

export function useLloyd(law: LloydMaxLaw, bits: number, d: number, sweeps: number) {
  return useQuery<LloydReply, Error>({
    queryKey: ['teach-lloyd', law, bits, law === 'gaussian' ? 0 : d, sweeps],
    queryFn: () => teachApi().lloyd(law, bits, d, sweeps),
    staleTime: Infinity,
    gcTime: 60_000,
    retry: false,
    placeholderData: keepPreviousData,
  });
}
