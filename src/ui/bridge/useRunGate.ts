/**
 * Ask before a long run (README "Using the lab"): a config whose estimate on this device
 * (ComputeClient.estimate: the cost model over the probed rate, pooled, cached pipelines excluded)
 * exceeds CONFIRM_SECONDS waits for Run / Don't run. The built-in experiments (the default page,
 * the preset gallery) never ask: they are sized to run in seconds and a first visit must not
 * start with a question. Nor does an edit that keeps the work within GROWTH times that of the
 * experiment on screen (changing bits, a quantizer, a label): the user already waits that long.
 * A config that is certainly fast (its estimate at a slow device's rate is under the threshold)
 * is not probed at all, so small edits never wait for the calibration.
 */
import { useEffect, useState } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { canonicalKey, type ExperimentConfig } from '../../core/config/schema';
import { DEFAULT_CONFIG } from '../../core/config/defaults';
import { PRESETS, presetConfig } from '../../core/presets/presets';
import { MATRIX_PRESETS } from '../../core/presets/matrix-presets';
import { CONFIRM_SECONDS } from '../../core/run-estimate';
import { estimateRun, type RunEstimate } from '../../engine/calibrate';
import { computeClient } from './client';

/**
 * A slow device's flops/s (a quarter of the CI runner's probed rate under load): configs under the
 * threshold even at this rate skip the probe.
 */
const SLOW_RATE = 2e8;

/** Ask only when a run would take this many times longer than the experiment on screen. */
export const GROWTH = 1.5;

let builtIn: Set<string> | null = null;
function isBuiltIn(key: string): boolean {
  builtIn ??= new Set(
    [DEFAULT_CONFIG, ...[...PRESETS, ...MATRIX_PRESETS].map(presetConfig)].map((c) => canonicalKey(c)),
  );
  return builtIn.has(key);
}

/** Keys the user chose to run (or that were estimated under the threshold), for this session. */
const approved = new Set<string>();

export type GatePhase = 'checking' | 'confirm' | 'declined' | 'go';

export interface RunGate {
  readonly phase: GatePhase;
  /** The estimate behind 'confirm' / 'declined'. */
  readonly estimate: RunEstimate | null;
  /** Run the gated config. */
  confirm(): void;
  /** Don't run it (the caller restores the previous experiment when there is one). */
  decline(): void;
}

/** Mark a config as chosen by the user (Re-run of a declined or cancelled config). */
export function approveRun(config: ExperimentConfig): void {
  approved.add(canonicalKey(config));
}

/**
 * `shown`: the config of the results on screen (the last completed experiment), if any.
 */
export function useRunGate(
  config: ExperimentConfig,
  key: string,
  active: boolean,
  shown?: ExperimentConfig,
): RunGate {
  const queryClient = useQueryClient();
  const pool = computeClient.poolSize;
  const quick = (): boolean => {
    // Both at the same (slow) rate, without the cache: only the ratio and the threshold matter.
    const e = estimateRun(config, SLOW_RATE, pool);
    if (!e || e.seconds <= CONFIRM_SECONDS) return true;
    const before = shown ? estimateRun(shown, SLOW_RATE, pool) : null;
    return !!before && e.seconds <= GROWTH * before.seconds;
  };
  const open =
    !active ||
    approved.has(key) ||
    isBuiltIn(key) ||
    queryClient.getQueryData(['run', key]) !== undefined ||
    quick();
  const [state, setState] = useState<{ key: string; phase: GatePhase; estimate: RunEstimate | null }>({
    key: '',
    phase: 'checking',
    estimate: null,
  });
  useEffect(() => {
    if (open) return;
    let live = true;
    setState({ key, phase: 'checking', estimate: null });
    const go = () => {
      approved.add(key);
      if (live) setState({ key, phase: 'go', estimate: null });
    };
    computeClient.estimate(config).then((e) => {
      if (!live) return;
      if (!e || e.seconds <= CONFIRM_SECONDS) go();
      else setState({ key, phase: 'confirm', estimate: e });
    }, go); // no estimate (the probe failed): run, and let the run report its own error
    return () => {
      live = false;
    };
    // `config` is identified by `key`.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key, open]);
  const phase: GatePhase = open ? 'go' : state.key === key ? state.phase : 'checking';
  return {
    phase,
    estimate: state.key === key ? state.estimate : null,
    confirm: () => {
      approved.add(key);
      setState({ key, phase: 'go', estimate: state.estimate });
    },
    decline: () => setState({ key, phase: 'declined', estimate: state.estimate }),
  };
}
