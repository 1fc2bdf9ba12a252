/**
 * react-query owns results (DESIGN.md): key = ['run', canonical config], staleTime Infinity,
 * keepPreviousData so the table and charts never flash empty while recomputing. Changing the key
 * aborts the stale run (react-query aborts the signal of a query that loses its observer; the
 * client then terminates the busy worker), so dragging a slider never piles up runs.
 */
import { readsBytes } from '../../core/methods';
import { keepPreviousData, useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useState } from 'react';
import { permalinkHash } from '../../core/config/codec';
import { useLab } from '../state/store';
import { canonicalKey, type ExperimentConfig } from '../../core/config/schema';
import { computeClient } from './client';
import { replaceNextHistoryWrite } from '../state/url-sync';
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
  const previous = query.isPlaceholderData ? query.data : undefined;
  const cancel = useCallback(() => {
    // Aborts the query's signal: the client terminates the busy worker. The controls and the link
    // go back to the last computed config (whose result is on screen), replacing the cancelled
    // config's history entry, and a notice offers to run the cancelled config again.
    const cancelled = useLab.getState().config;
    void queryClient.cancelQueries({ queryKey: ['run', key] });
    const rerun = {
      label: 'Re-run the cancelled settings',
      run: () => {
        if (canonicalKey(useLab.getState().config) === canonicalKey(cancelled))
          void queryClient.refetchQueries({ queryKey: ['run', canonicalKey(cancelled)] });
        else useLab.getState().setConfig(cancelled);
      },
    };
    if (previous && canonicalKey(previous.config) !== key) {
      replaceNextHistoryWrite();
      useLab.getState().setConfig(previous.config);
      useLab
        .getState()
        .setNotice(
          'Run cancelled: the controls and the link are back at the last computed settings, whose results are shown.',
          false,
          rerun,
        );
    } else
      useLab.getState().setNotice('Run cancelled: nothing computed yet for these settings.', false, rerun);
  }, [queryClient, key, previous]);
  // File data: once the worker has hashed the tensor, record the SHA-256 in the config so the
  // permalink can refuse a different file later. The result is the same, so seed the cache under
  // the new key instead of recomputing.
  const out = query.data;
  useEffect(() => {
    if (!out || !readsBytes(out.config.data.source) || out.config.data.sha256 !== '' || !out.data.file)
      return;
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
