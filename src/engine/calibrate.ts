/**
 * The device probe behind run estimates (src/core/run-estimate.ts): a tiny run, representative of
 * the page's work (a Haar rotation, a randomized Hadamard rotation, an element-wise format and
 * every metric and chart artifact), timed on the device, gives the flops per second the cost model
 * (src/core/cost.ts) is divided by. The worker runs it once per page session (WorkerApi.calibrate).
 *
 * The probe runs twice with different seeds and the second timing counts: the first pays for
 * just-in-time compilation, and a new seed draws a new Haar rotation (rotations are memoised by
 * their stream), so the second run does the work the model counts.
 */
import { canonicalize, type ExperimentConfig } from '../core/config/schema';
import { configCost, workersWithinBudget } from '../core/cost';
import { dominantComponent, parallelSeconds, type Component } from '../core/run-estimate';
import { selectedPipelines } from '../core/pipeline';
import { planParts } from './pool';
import { runConfig } from './experiment';

/** The probe: 128 × 256 Gaussian rows, about 5·10⁷ modelled flops (tens of milliseconds). */
export function probeConfig(seed: number): ExperimentConfig {
  return canonicalize({
    v: 2,
    seed,
    data: { source: 'gaussian', rows: 128, dim: 256 },
    pipelines: [
      { transforms: [{ id: 'haar', params: {} }], quantizer: { id: 'eden', params: { bits: 2, scale: 'mse' } } },
      { transforms: [{ id: 'rht', params: { rounds: 1 } }], quantizer: { id: 'turboquant-mse', params: { bits: 3 } } },
      { transforms: [], quantizer: { id: 'mxfp4', params: {} } },
    ],
  });
}

export interface ProbeResult {
  /** Modelled flops of one probe run. */
  readonly flops: number;
  /** Measured milliseconds of the counted (second) run. */
  readonly ms: number;
}

/** Time the probe with `now` (milliseconds, e.g. performance.now). */
export async function runProbe(now: () => number): Promise<ProbeResult> {
  let ms = 0;
  let flops = 0;
  for (const seed of [1, 2]) {
    const config = probeConfig(seed);
    flops = configCost(128, 256, config.pipelines).flops;
    const t0 = now();
    await runConfig(config, { artifacts: true, analysis: false });
    ms = now() - t0;
  }
  return { flops, ms };
}

export interface RunEstimate {
  /** Estimated wall seconds: the largest pool part's modelled flops over the rate. */
  readonly seconds: number;
  /** Modelled flops of the pipelines to compute (all parts together). */
  readonly flops: number;
  /** The component with the most work, named by config index (`pipelines[3].transform (…)`). */
  readonly dominant: Component | null;
  /** Pipelines to compute (cached ones excluded) and the pool parts they split into. */
  readonly pipelines: number;
  readonly parts: number;
  /** The flops/s the estimate used. */
  readonly rate: number;
}

/**
 * Estimate of computing `indices` (default: every pipeline) of `config` on a pool of `poolSize`
 * workers at `rate` flops/s, split exactly as the client splits it (planParts after the memory
 * budget shrinks the pool). Null for data without a declared shape (files: known only once read).
 */
export function estimateRun(
  config: ExperimentConfig,
  rate: number,
  poolSize = 1,
  indices?: readonly number[],
): RunEstimate | null {
  const { rows, dim } = config.data;
  if (typeof rows !== 'number' || typeof dim !== 'number' || !(rows > 0) || !(dim > 0)) return null;
  const chosen = selectedPipelines(config.pipelines.length, indices);
  const size = workersWithinBudget(configCost(rows, dim, config.pipelines), poolSize);
  const parts = planParts(config, size, chosen);
  const partFlops = parts.map((p) => configCost(rows, dim, p.map((i) => config.pipelines[i])).flops);
  const whole = configCost(
    rows,
    dim,
    chosen.map((i) => config.pipelines[i]),
  );
  const top = dominantComponent(whole);
  // Cost items are named by their position in the list costed; name them by the config's index.
  const dominant = top
    ? { ...top, what: top.what.replace(/^pipelines\[(\d+)\]/, (_, j: string) => `pipelines[${chosen[Number(j)]}]`) }
    : null;
  return {
    seconds: parallelSeconds(partFlops, rate),
    flops: whole.flops,
    dominant,
    pipelines: chosen.length,
    parts: parts.length,
    rate,
  };
}
