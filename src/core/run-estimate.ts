/**
 * Run-time estimates and ETAs: the arithmetic behind "this run will take about 40 seconds" and the
 * progress bars' time left (README "Using the lab": estimates, progress and Cancel).
 *
 * The work of a run comes from the cost model (cost.ts: multiply-adds per method, metric and
 * stage). Its single-core rate WORK_RATE is a conservative constant; a page instead times two tiny
 * probe runs on the device it runs on (src/engine/calibrate.ts) and takes the marginal rate
 * (rateFromProbes), so the estimate's rate belongs to this device, browser and load.
 * A pooled run (src/engine/pool.ts) takes as long as its largest part.
 *
 * ETA from work units reported by the engine (pipeline stages, swept points, spectra, tensors):
 * with `done` of `total` units after `elapsed` seconds, the constant-rate extrapolation is
 * elapsed · (total − done) / done. Before the first unit it is unknown, and early on a few
 * uneven units mislead, so when a prior estimate of the whole run exists the ETA blends the two,
 * weighting the extrapolation by the fraction done w = done / total:
 *   eta = (1 − w) · max(0, prior − elapsed) + w · elapsed · (total − done) / done.
 */
import type { RunCost } from './cost';

/** Runs estimated above this many seconds ask before they start. */
export const CONFIRM_SECONDS = 2;

/** Plausible flops/s bounds: a probe outside them (a timer glitch, a 0 ms reading) is clamped. */
export const MIN_RATE = 1e7;
export const MAX_RATE = 1e11;

/**
 * Flops per second from a timed probe: modelled work over measured time, clamped to
 * [MIN_RATE, MAX_RATE]. A non-positive or non-finite time or work gives null (no calibration).
 */
export function rateFromProbe(flops: number, ms: number): number | null {
  if (!(flops > 0) || !(ms > 0) || !Number.isFinite(flops) || !Number.isFinite(ms)) return null;
  return Math.min(MAX_RATE, Math.max(MIN_RATE, flops / (ms / 1000)));
}

export interface ProbeTiming {
  /** Modelled flops of the probe run. */
  readonly flops: number;
  /** Its measured wall time in milliseconds. */
  readonly ms: number;
}

/**
 * Marginal rate from two probes of different sizes. A run's time is t = t₀ + flops / rate, where t₀
 * is fixed work the model does not count (buffers, query blocks, worker overheads); one small probe
 * would charge t₀ to the rate and overstate every large run. Two probes give the slope
 *   rate = (flops₂ − flops₁) / (t₂ − t₁),
 * clamped like rateFromProbe. When timing noise makes the larger probe no slower (t₂ ≤ t₁), or the
 * sizes do not differ, the larger probe alone is used.
 */
export function rateFromProbes(small: ProbeTiming, large: ProbeTiming): number | null {
  const df = large.flops - small.flops;
  const dt = large.ms - small.ms;
  if (df > 0 && dt > 0 && Number.isFinite(df) && Number.isFinite(dt)) return rateFromProbe(df, dt);
  return rateFromProbe(large.flops, large.ms);
}

/**
 * Seconds of a run split into parts that run in parallel workers (each part's modelled flops):
 * the largest part over the rate. No parts (everything cached) is 0 s.
 */
export function parallelSeconds(partFlops: readonly number[], rate: number): number {
  const worst = partFlops.reduce((a, b) => Math.max(a, b), 0);
  return worst / rate;
}

export interface Component {
  /** The cost item's name (`pipelines[1].transform (haar d×d rotation)`) or `metrics`. */
  readonly what: string;
  readonly flops: number;
  /** Share of the run's modelled work, in [0, 1]. */
  readonly share: number;
}

/**
 * The component with the most modelled work. The metrics' passes are not cost items (cost.ts
 * adds them per pipeline), so they count as one component: the run's flops minus its items'.
 */
export function dominantComponent(cost: Pick<RunCost, 'items' | 'flops'>): Component | null {
  if (!(cost.flops > 0)) return null;
  const itemsFlops = cost.items.reduce((a, i) => a + i.flops, 0);
  const candidates = [
    ...cost.items.map((i) => ({ what: i.what, flops: i.flops })),
    {
      what: 'metrics (reconstruction passes and inner-product queries, every pipeline)',
      flops: cost.flops - itemsFlops,
    },
  ];
  const top = candidates.reduce((a, b) => (b.flops > a.flops ? b : a));
  return { ...top, share: top.flops / cost.flops };
}

/**
 * Time left in seconds (see the header): null when nothing is done and there is no prior.
 * `elapsed` and `prior` are seconds; done is clamped to [0, total].
 */
export function etaSeconds(
  done: number,
  total: number,
  elapsed: number,
  prior?: number | null,
): number | null {
  const t = Math.max(0, total);
  const d = Math.min(Math.max(0, done), t);
  const fromPrior = prior != null && Number.isFinite(prior) ? Math.max(0, prior - elapsed) : null;
  if (d <= 0 || t <= 0) return fromPrior;
  const extrapolated = (elapsed * (t - d)) / d;
  if (fromPrior === null) return extrapolated;
  const w = d / t;
  return (1 - w) * fromPrior + w * extrapolated;
}

const plural = (n: number, unit: string) => `${n} ${unit}${n === 1 ? '' : 's'}`;

/**
 * Seconds in words for estimates and ETAs: "under a second", "about 4 seconds", "about
 * 2 minutes", "about 1 hour 5 minutes". Rounded to what an estimate can promise: whole seconds
 * below a minute, whole minutes below an hour, then hours and minutes.
 */
export function secondsInWords(seconds: number): string {
  if (!Number.isFinite(seconds)) return 'an unknown time';
  if (seconds < 1) return 'under a second';
  if (seconds < 59.5) return `about ${plural(Math.round(seconds), 'second')}`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `about ${plural(minutes, 'minute')}`;
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return `about ${plural(h, 'hour')}${m ? ` ${plural(m, 'minute')}` : ''}`;
}
