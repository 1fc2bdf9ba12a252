/**
 * react-query owns results (DESIGN.md): key = ['run', canonical config], staleTime Infinity,
 * keepPreviousData so the table and charts never flash empty while recomputing. Changing the key
 * aborts the stale run (react-query aborts the signal of a query that loses its observer; the
 * client then terminates the busy worker), so dragging a slider never piles up runs.
 */
import { keepPreviousData, useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useState } from 'react';
import { permalinkHash } from '../../core/config/codec';
import { useLab } from '../state/store';
import { canonicalKey, type ExperimentConfig } from '../../core/config/schema';
import { computeClient } from './client';
import type { ExperimentOutput } from '../../engine/experiment';

export interface Progress {
  readonly done: number;
  readonly total: number;
  readonly stage: string;
  readonly startedAt: number;
}

export function useExperiment(config: ExperimentConfig) {
  const [progress, setProgress] = useState<Progress | null>(null);
  const key = canonicalKey(config);
  const query = useQuery<ExperimentOutput, Error>({
    queryKey: ['run', key],
    queryFn: async ({ signal }) => {
      const startedAt = performance.now();
      setProgress({ done: 0, total: 1, stage: 'starting', startedAt });
      try {
        return await computeClient.run(config, {
          signal,
          onProgress: (done, total, stage) => setProgress({ done, total, stage, startedAt }),
        });
      } finally {
        setProgress(null);
      }
    },
    staleTime: Infinity,
    gcTime: 5 * 60_000,
    retry: false,
    placeholderData: keepPreviousData,
  });
  const queryClient = useQueryClient();
  const cancel = useCallback(() => {
    // Aborts the query's signal: the client terminates the busy worker; the last result stays.
    void queryClient.cancelQueries({ queryKey: ['run', key] });
  }, [queryClient, key]);
  // File data: once the worker has hashed the tensor, record the SHA-256 in the config so the
  // permalink can refuse a different file later. The result is the same, so seed the cache under
  // the new key instead of recomputing.
  const out = query.data;
  useEffect(() => {
    if (!out || out.config.data.source !== 'file' || out.config.data.sha256 !== '' || !out.data.file) return;
    if (canonicalKey(out.config) !== key) return;
    const next = useLab.getState().config;
    if (canonicalKey(next) !== key) return;
    const withHash = { ...next, data: { ...next.data, sha256: out.data.file.sha256 } };
    const r = { ...out, config: withHash, permalink: permalinkHash(withHash) };
    queryClient.setQueryData(['run', canonicalKey(withHash)], r);
    useLab.getState().setConfig(withHash);
  }, [out, key, queryClient]);
  return { ...query, progress, cancel, key };
}
