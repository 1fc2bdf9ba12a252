/**
 * The teaching views' client: one lazily started worker (workers/teach.worker.ts) and react-query
 * hooks keyed by (config, pipeline, row), by (quantizer, seed, point) and by (law, bits, d, sweeps),
 * so scrubbing rows reuses the worker's kept pipeline run and the main thread never computes a
 * pipeline, a kernel or a Lloyd–Max codebook (e2e/teach-offload.spec.ts counts the main thread's
 * solves). The lab's "Reproduce in Python" export is built in the same worker (buildPython).
 *
 * Real tensors: a config whose data is a file (name + tensor + SHA-256 in the link) needs that file
 * in the teaching worker. The widgets open in their own tab, so the lab tab that opened the file
 * offers it over a same-origin BroadcastChannel (File objects are structured-cloneable and stay on
 * this device); when no lab tab answers, the widget asks the user for the file
 * (views/teach/TeachFile.tsx). The worker checks the tensor's SHA-256 against the link.
 */
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { wrap, type Remote } from 'comlink';
import { useEffect } from 'react';
import { create } from 'zustand';
import { useLab } from '../state/store';
import { canonicalKey, type ExperimentConfig } from '../../core/config/schema';
import type { LloydReply, PointReply, PythonReply, TeachApi, TraceReply } from '../../worker/teach-api';
import type { Params } from '../../core/methods/types';
import type { OpenFileSummary } from '../../worker/browser-files';
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

/** Files registered with the teaching worker (this tab). */
export interface TeachFiles {
  readonly summary: OpenFileSummary | null;
  readonly names: readonly string[];
  /** Bumped on every successful registration (re-runs traces of file data). */
  readonly epoch: number;
  readonly busy: boolean;
  readonly error: string | null;
  /** Where the files came from: the lab tab (offered) or the user (picked here). */
  readonly from: 'lab' | 'picked' | null;
}

export const useTeachFiles = create<TeachFiles>(() => ({
  summary: null,
  names: [],
  epoch: 0,
  busy: false,
  error: null,
  from: null,
}));

/** Register files with the teaching worker; a file without tensors is refused with its name. */
export async function openTeachFiles(files: readonly File[], from: 'lab' | 'picked'): Promise<boolean> {
  if (files.length === 0) return false;
  useTeachFiles.setState({ busy: true, error: null });
  try {
    const summary = await teachApi().openFiles(files);
    if (summary.tensors.length === 0) {
      useTeachFiles.setState({
        busy: false,
        error: `${files.map((f) => f.name).join(', ')}: no tensors found`,
      });
      return false;
    }
    useTeachFiles.setState((s) => ({
      summary,
      names: files.map((f) => f.name),
      epoch: s.epoch + 1,
      busy: false,
      error: null,
      from,
    }));
    return true;
  } catch (e) {
    useTeachFiles.setState({ busy: false, error: e instanceof Error ? e.message : String(e) });
    return false;
  }
}

const CHANNEL = 'quantscope-teach-files';

type FileMessage = { type: 'ask'; name: string } | { type: 'files'; name: string; files: File[] };

let offered: readonly File[] = [];
let offerChannel: BroadcastChannel | null = null;

/**
 * The lab's side: keep offering the files the user opened to teaching tabs that ask for one of
 * them by name (a teaching tab opened from the lab then needs no second file dialog).
 */
export function offerFilesToTeach(files: readonly File[]): void {
  offered = files;
  if (offerChannel || typeof BroadcastChannel === 'undefined') return;
  offerChannel = new BroadcastChannel(CHANNEL);
  offerChannel.onmessage = (e: MessageEvent<FileMessage>) => {
    const m = e.data;
    if (m?.type !== 'ask' || !offered.some((f) => f.name === m.name)) return;
    offerChannel?.postMessage({ type: 'files', name: m.name, files: [...offered] } satisfies FileMessage);
  };
}

/** The teaching tab's side: ask open lab tabs for the file `name`; null after `waitMs` unanswered. */
export function askLabForFile(name: string, waitMs = 1500): Promise<File[] | null> {
  if (typeof BroadcastChannel === 'undefined') return Promise.resolve(null);
  return new Promise((resolve) => {
    const ch = new BroadcastChannel(CHANNEL);
    const done = (files: File[] | null) => {
      clearTimeout(timer);
      ch.close();
      resolve(files);
    };
    const timer = setTimeout(() => done(null), waitMs);
    ch.onmessage = (e: MessageEvent<FileMessage>) => {
      if (e.data?.type === 'files' && e.data.name === name && Array.isArray(e.data.files)) done(e.data.files);
    };
    ch.postMessage({ type: 'ask', name } satisfies FileMessage);
  });
}

/** Whether a config's data is a file, and whether this tab's teaching worker has one registered. */
export function needsFile(config: ExperimentConfig): boolean {
  return config.data.source === 'file';
}

export function useTrace(config: ExperimentConfig, pipeline: number, row: number) {
  const epoch = useTeachFiles((s) => s.epoch);
  const file = needsFile(config);
  const query = useQuery<TraceReply, Error>({
    queryKey: ['teach-trace', canonicalKey(config), pipeline, row, file ? epoch : 0],
    enabled: !file || epoch > 0,
    queryFn: () => teachApi().trace(config, pipeline, row),
    staleTime: Infinity,
    gcTime: 60_000,
    retry: false,
    placeholderData: keepPreviousData,
  });
  // File data: once the worker has hashed the tensor, pin its SHA-256 in the config (as the lab
  // does, useExperiment.ts), so this view's permalink refuses a different file later.
  const sha = query.data?.file?.sha256;
  useEffect(() => {
    if (!file || !sha || config.data.sha256 !== '') return;
    const now = useLab.getState().config;
    if (canonicalKey(now) !== canonicalKey(config)) return;
    useLab.getState().setConfig({ ...now, data: { ...now.data, sha256: sha } });
  }, [file, sha, config]);
  return query;
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

/**
 * The step-through's point `y` quantized by the pipeline's quantizer, with its grid, computed in
 * the worker. While a drag moves the point, the previous answer stays on screen (keepPreviousData)
 * and `isPlaceholderData` says it is stale.
 */
export function usePoint(
  quantizer: { id: string; params: Params } | undefined,
  seed: number,
  y: readonly number[],
) {
  return useQuery<PointReply, Error>({
    queryKey: ['teach-point', quantizer?.id, JSON.stringify(quantizer?.params ?? {}), seed, ...y],
    enabled: !!quantizer,
    queryFn: () => teachApi().point(quantizer!, seed, y),
    staleTime: Infinity,
    gcTime: 60_000,
    retry: false,
    placeholderData: keepPreviousData,
  });
}

/** Build the "Reproduce in Python" script for pipeline `index` in the teaching worker. */
export function buildPython(config: ExperimentConfig, index: number): Promise<PythonReply> {
  return teachApi().python(config, index);
}
