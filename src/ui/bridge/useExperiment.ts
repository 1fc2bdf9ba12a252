/**
 * react-query owns results (DESIGN.md): key = ['run', canonical config], staleTime Infinity,
 * keepPreviousData so the table and charts never flash empty while recomputing. Changing the key
 * aborts the stale run (react-query aborts the signal of a query that loses its observer; the
 * client then terminates the busy worker), so dragging a slider never piles up runs.
 *
 * With `confirmSlow` (the lab page), a run estimated over CONFIRM_SECONDS waits for Run / Don't run
 * (useRunGate); the previous results stay on screen meanwhile. Declining or cancelling puts the
 * controls and the link back at the last completed experiment, says so, and offers a Re-run.
 */
import { readsBytes } from '../../core/methods';
import { keepPreviousData, useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useState } from 'react';
import { permalinkHash } from '../../core/config/codec';
import { useLab } from '../state/store';
import { canonicalKey, type ExperimentConfig } from '../../core/config/schema';
import { fileParams } from '../../core/config/data-params';
import { secondsInWords } from '../../core/run-estimate';
import { computeClient } from './client';
import { replaceNextHistoryWrite } from '../state/url-sync';
import type { ExperimentOutput } from '../../engine/experiment';
import { approveRun, useRunGate } from './useRunGate';

export interface Progress {
  readonly done: number;
  readonly total: number;
  readonly stage: string;
  readonly startedAt: number;
}

export interface ExperimentOptions {
  /** Ask before runs estimated over CONFIRM_SECONDS (the lab page; embeds never ask). */
  readonly confirmSlow?: boolean;
}

export const CANCELLED_NOTICE =
  'Cancelled — showing the last completed experiment: its settings are back in the controls and the link.';

export function useExperiment(config: ExperimentConfig, options: ExperimentOptions = {}) {
  const [progress, setProgress] = useState<Progress | null>(null);
  /** The key whose run was cancelled with nothing earlier to go back to. */
  const [cancelledKey, setCancelledKey] = useState<string | null>(null);
  const key = canonicalKey(config);
  // The results on screen while this key has none (react-query keeps the previous data).
  const [shown, setShown] = useState<ExperimentConfig | undefined>(undefined);
  const gate = useRunGate(config, key, options.confirmSlow ?? false, shown);
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
    enabled: gate.phase === 'go' && cancelledKey !== key,
    staleTime: Infinity,
    gcTime: 5 * 60_000,
    retry: false,
    placeholderData: keepPreviousData,
  });
  const queryClient = useQueryClient();
  const previous = query.isPlaceholderData ? query.data : undefined;
  const shownNow = query.data?.config;
  // Kept through a failed run (whose query has no data): cleared, it made the run gate judge the
  // failed config against nothing, probe the device and refetch it on its own, so the error and
  // its Retry vanished within a second (e2e/hardening.spec.ts "worker fault").
  useEffect(() => {
    if (shownNow) setShown(shownNow);
  }, [shownNow]);
  /** Controls and link back at the last completed experiment (replacing this entry), or false. */
  const restorePrevious = useCallback((): boolean => {
    if (!previous || canonicalKey(previous.config) === key) return false;
    replaceNextHistoryWrite();
    useLab.getState().setConfig(previous.config);
    return true;
  }, [previous, key]);
  const cancel = useCallback(() => {
    // Aborts the query's signal: the client terminates the busy worker.
    const cancelled = useLab.getState().config;
    void queryClient.cancelQueries({ queryKey: ['run', key] });
    const rerun = {
      label: 'Re-run',
      run: () => {
        // Re-enabling the query (or returning to its key) fetches it: it has no data.
        approveRun(cancelled);
        setCancelledKey(null);
        if (canonicalKey(useLab.getState().config) !== canonicalKey(cancelled))
          useLab.getState().setConfig(cancelled);
      },
    };
    if (restorePrevious()) useLab.getState().setNotice(CANCELLED_NOTICE, false, rerun);
    else {
      // Nothing earlier to show: the status line says so and offers Re-run (never "computing…").
      setCancelledKey(key);
      useLab.getState().setNotice('Cancelled — nothing was computed for these settings yet.', false, rerun);
    }
  }, [queryClient, key, restorePrevious]);
  const rerunCancelled = useCallback(() => {
    approveRun(config);
    setCancelledKey(null);
    useLab.getState().setNotice(null);
  }, [config]);
  const confirm = gate.confirm;
  const decline = useCallback(() => {
    const declined = useLab.getState().config;
    const took = gate.estimate ? ` (estimated at ${secondsInWords(gate.estimate.seconds)})` : '';
    gate.decline();
    if (restorePrevious())
      useLab
        .getState()
        .setNotice(
          `Not run${took} — showing the last completed experiment: its settings are back in the controls and the link.`,
          false,
          {
            label: 'Run it anyway',
            run: () => {
              approveRun(declined);
              useLab.getState().setConfig(declined);
            },
          },
        );
  }, [gate, restorePrevious]);
  // File data: once the worker has hashed the tensor, record the SHA-256 in the config so the
  // permalink can refuse a different file later. The result is the same, so seed the cache under
  // the new key instead of recomputing.
  const out = query.data;
  useEffect(() => {
    if (
      !out ||
      !readsBytes(out.config.data.source) ||
      fileParams(out.config.data).sha256 !== '' ||
      !out.data.file
    )
      return;
    if (canonicalKey(out.config) !== key) return;
    const next = useLab.getState().config;
    if (canonicalKey(next) !== key) return;
    const withHash = { ...next, data: { ...next.data, sha256: out.data.file.sha256 } };
    const r = { ...out, config: withHash, permalink: permalinkHash(withHash) };
    queryClient.setQueryData(['run', canonicalKey(withHash)], r);
    useLab.getState().setConfig(withHash);
  }, [out, key, queryClient]);
  const hasOwnData = !!query.data && !query.isPlaceholderData;
  return {
    ...query,
    progress,
    cancel,
    key,
    gate: gate.phase === 'go' || hasOwnData ? null : gate,
    /** The confirmed run's estimate (the progress bar's ETA starts from it). */
    estimate: gate.estimate,
    confirm,
    decline,
    cancelledNothing: cancelledKey === key && !hasOwnData,
    rerunCancelled,
  };
}
