/**
 * The device probe behind run estimates (src/core/run-estimate.ts): a tiny run, representative of
 * the page's work (a Haar rotation, a randomized Hadamard rotation, an element-wise format and
 * every metric and chart artifact), timed on the device, gives the flops per second the cost model
 * (src/core/cost.ts) is divided by. The worker runs it once per page session (WorkerApi.calibrate).
 *
 * Two sizes are timed after a warm-up, and the marginal rate between them is what counts
 * (src/core/run-estimate.ts rateFromProbes): fixed costs the model does not count would otherwise
 * make every larger run look slower than it is.
 */
import { canonicalize, type ExperimentConfig } from '../core/config/schema';
import { configCost, workersWithinBudget } from '../core/cost';
import { dominantComponent, parallelSeconds, type Component, type ProbeTiming } from '../core/run-estimate';
import { selectedPipelines } from '../core/pipeline';
import { analysesById } from '../core/analyses';
import { withDefaults } from '../core/methods/params';
import { planParts } from './pool';
import { runConfig } from './experiment';

/**
 * Work the page does per run beyond the cost model's pipelines and metrics: generating the data
 * and collecting the chart artifacts (histograms, samples), in flops per data coordinate. The cost
 * model omits it because the CLI does neither for file data nor charts; about 100 per coordinate
 * (≈ 0.27 s per 2²⁰ Gaussian coordinates with artifacts on the CI runner, next to the pipelines'
 * 164 modelled flops per coordinate in 0.4 s).
 */
export const DATA_FLOPS_PER_COORD = 100;

/**
 * The probe: 32 × 512 Gaussian rows through the default page's mix (a Haar rotation, a sketched
 * TurboQuant_prod, an element-wise format), about 4.5·10⁷ modelled flops (tens of milliseconds).
 * Its share of dense d² work and per-coordinate work is the default experiment's, so the rate suits
 * the configs people scale up from it.
 */
export const PROBE_ROWS = 32;
export const PROBE_DIM = 512;

export function probeConfig(seed: number): ExperimentConfig {
  return canonicalize({
    v: 2,
    seed,
    data: { source: 'gaussian', rows: PROBE_ROWS, dim: PROBE_DIM },
    pipelines: [
      {
        transforms: [{ id: 'haar', params: {} }],
        quantizer: { id: 'eden', params: { bits: 2, scale: 'mse' } },
      },
      {
        transforms: [{ id: 'rht', params: { rounds: 1 } }],
        quantizer: { id: 'turboquant-prod', params: { bits: 3 } },
      },
      { transforms: [], quantizer: { id: 'mxfp4', params: {} } },
    ],
  });
}

export interface ProbeResult {
  readonly small: ProbeTiming;
  readonly large: ProbeTiming;
}

/**
 * Time the probe with `now` (milliseconds, e.g. performance.now): a warm-up run (it pays for
 * just-in-time compilation), then PROBE_ROWS and 4·PROBE_ROWS rows, each with its own seed (Haar
 * rotations are memoised by their stream, so every run builds its own as the model counts).
 * rateFromProbes turns the two timings into flops per second.
 */
export async function runProbe(now: () => number): Promise<ProbeResult> {
  const timed = async (seed: number, rows: number): Promise<ProbeTiming> => {
    const base = probeConfig(seed);
    const config = canonicalize({ ...base, data: { ...base.data, rows } });
    const flops =
      configCost(rows, PROBE_DIM, config.pipelines).flops + DATA_FLOPS_PER_COORD * rows * PROBE_DIM;
    const t0 = now();
    await runConfig(config, { artifacts: true, analysis: false });
    return { flops, ms: now() - t0 };
  };
  await timed(1, PROBE_ROWS);
  const small = await timed(2, PROBE_ROWS);
  const large = await timed(3, 4 * PROBE_ROWS);
  return { small, large };
}

/**
 * The config's analysis as a cost component: its declared work (AnalysisDef.cost, counted from
 * what its run does) on the config's shape and pipelines, named `analysis <id> (<label>)` so the
 * estimate says which analysis dominates. Null without an analysis (or an unknown id).
 */
export function analysisComponent(
  config: ExperimentConfig,
  rows: number,
  dim: number,
): { readonly what: string; readonly flops: number } | null {
  if (!config.analysis) return null;
  const def = analysesById.get(config.analysis.id);
  if (!def) return null;
  const flops = def.cost(withDefaults(def.params, config.analysis.params), { rows, dim }, config.pipelines);
  return Number.isFinite(flops) && flops > 0 ? { what: `analysis ${def.id} (${def.label})`, flops } : null;
}

export interface RunEstimate {
  /** Estimated wall seconds: the largest pool part's modelled flops over the rate. */
  readonly seconds: number;
  /** Modelled flops of the pipelines to compute and the analysis (all parts together). */
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
  // Every part generates (or reads) the data and collects its chart artifacts itself.
  const dataFlops = parts.length > 0 ? DATA_FLOPS_PER_COORD * rows * dim : 0;
  // The analysis runs in the first part, after its pipelines (pool.ts), over all pipelines.
  const analysis = parts.length > 0 ? analysisComponent(config, rows, dim) : null;
  const analysisFlops = analysis?.flops ?? 0;
  const partFlops = parts.map(
    (p, k) =>
      dataFlops +
      (k === 0 ? analysisFlops : 0) +
      configCost(
        rows,
        dim,
        p.map((i) => config.pipelines[i]),
      ).flops,
  );
  const costed = configCost(
    rows,
    dim,
    chosen.map((i) => config.pipelines[i]),
  );
  const whole = {
    flops: costed.flops + dataFlops + analysisFlops,
    items: [
      ...costed.items,
      { what: 'data (generated in the worker) and chart artifacts', bytes: 0, flops: dataFlops },
      ...(analysis ? [{ what: analysis.what, bytes: 0, flops: analysis.flops }] : []),
    ],
  };
  const top = dominantComponent(whole);
  // Cost items are named by their position in the list costed; name them by the config's index.
  const dominant = top
    ? {
        ...top,
        what: top.what.replace(/^pipelines\[(\d+)\]/, (_, j: string) => `pipelines[${chosen[Number(j)]}]`),
      }
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
