/**
 * Rate–distortion sweep: every pipeline re-run along its quantizer's cost axis, giving vNMSE
 * against the honest bits/coordinate the quantizer reports (side information and padding
 * included), so methods can be compared at equal bits. The axis per family:
 *  - an integer `bits` param (int, EDEN, TurboQuant, KIVI, …): every value of its schema range;
 *  - the FP element formats (fp8 E4M3/E5M2, mxfp4, nvfp4, and any other registered FP_FAMILY id):
 *    one point per format, all behind the pipeline's own transform (the formats are fixed-rate, so
 *    the family, not a knob, is the axis; OCP OFP8 rev 1.0, OCP MX v1.0, NVIDIA NVFP4);
 *  - `rank` of the 16-bit low-rank branch (SVDQuant, ICLR 2025 §4.2; EoRA, arXiv:2410.21271 §3);
 *  - the outlier `threshold` α of LLM.int8() (NeurIPS 2022 §3.2): a lower α keeps more fp16 columns;
 *  - the scale `block` of NF4 (QLoRA §3: one fp32 absmax per block) and the `group` of ternary.
 * Grids of the non-`bits` axes always include the pipeline's own value, so every series passes
 * through the table's point. A quantizer with none of these gives its single operating point.
 *
 * All variants go through one runExperiment call, so each distinct transform is prepared and
 * applied once for the whole sweep (pipeline.ts groups by transform), and the data and rotations
 * are exactly those of the main run (same seed and streams): each point equals `lab run` of the
 * variant pipeline, bit for bit (src/core/analyses/rate-distortion.test.ts).
 *
 * The Pareto frontier (lower-left envelope) over all points: a point is on it iff no other point
 * has ≤ bits/coord and ≤ vNMSE with one of them strictly smaller; identical points are all kept
 * (ties shown).
 *
 * Cost: Σ over pipelines of (#values) quantize + inverse + metrics passes, ≈ 8× the main run for a
 * `bits` range of 1…8.
 */
import { quantizersById } from '../methods';
import type { Matrix, ParamValue, Params } from '../methods/types';
import { withDefaults } from '../methods/params';
import {
  pipelineLabel,
  runExperiment,
  type ExperimentSpec,
  type MetricValues,
  type PipelineSpec,
  type RunOptions,
} from '../pipeline';
import type { RateDistortion, RdFrontierPoint, RdPoint, RdSeries } from './types';
import { cachedTheoryCurves } from './theory';

export const SWEEP_PARAM = 'bits';
/** Upper bound on swept values per pipeline (keeps a wide schema range from exploding the cost). */
export const MAX_SWEEP_VALUES = 16;

/** The FP element-format family, swept as points: quantizer id + the params that pick the format. */
export const FP_FAMILY: readonly { id: string; params: Params; name: string }[] = [
  { id: 'fp8', params: { format: 'e4m3' }, name: 'FP8 E4M3' },
  { id: 'fp8', params: { format: 'e5m2' }, name: 'FP8 E5M2' },
  { id: 'mxfp8', params: {}, name: 'MXFP8' },
  { id: 'mxfp6', params: {}, name: 'MXFP6' },
  { id: 'mxfp4', params: {}, name: 'MXFP4' },
  { id: 'nvfp4', params: {}, name: 'NVFP4' },
];

/** Grids of the numeric cost axes other than `bits` (the pipeline's own value is always added). */
const NUMERIC_AXES: Readonly<Record<string, { param: string; grid: readonly number[] }>> = {
  svdquant: { param: 'rank', grid: [0, 4, 8, 16, 32, 64, 128] },
  eora: { param: 'rank', grid: [0, 4, 8, 16, 32, 64, 128] },
  'llm-int8': { param: 'threshold', grid: [1, 2, 3, 4, 6, 8, 16] },
  nf4: { param: 'block', grid: [16, 32, 64, 128, 256] },
  ternary: { param: 'group', grid: [16, 32, 64, 128, 256] },
};

export interface SweepVariant {
  /** The swept value: a number, or the format's name for the FP family. */
  readonly value: number | string;
  readonly quantizer: { readonly id: string; readonly params: Params };
}

export interface SweepAxis {
  /** 'bits', 'format', 'rank', 'threshold', 'block' or 'group'. */
  readonly param: string;
  readonly variants: readonly SweepVariant[];
}

/** The values of `bits` a pipeline is swept over, or null when its quantizer has no int `bits`. */
export function sweepValues(p: PipelineSpec): number[] | null {
  const spec = quantizersById.get(p.quantizer.id)?.params[SWEEP_PARAM];
  if (!spec || spec.kind !== 'int') return null;
  const step = Math.max(1, spec.step ?? 1);
  const out: number[] = [];
  for (let b = spec.min; b <= spec.max && out.length < MAX_SWEEP_VALUES; b += step) out.push(b);
  return out;
}

function fpFamilyIndex(q: { id: string; params: Params }): number {
  return FP_FAMILY.findIndex(
    (f) => f.id === q.id && Object.entries(f.params).every(([k, v]) => q.params[k] === v),
  );
}

/**
 * A variant of another FP-family format keeps the pipeline's shared params (rounding, granularity)
 * where that format has them with the same options; the rest take defaults.
 */
function fpVariant(p: PipelineSpec, f: (typeof FP_FAMILY)[number]): SweepVariant['quantizer'] {
  const def = quantizersById.get(f.id);
  if (!def) throw new Error(`unknown quantizer ${f.id}`);
  const carried: Record<string, ParamValue> = {};
  for (const [name, spec] of Object.entries(def.params)) {
    const v = p.quantizer.params[name];
    if (v === undefined || name in f.params) continue;
    if (spec.kind === 'enum' ? spec.options.includes(String(v)) : typeof v === typeof spec.default)
      carried[name] = v;
  }
  return { id: f.id, params: withDefaults(def.params, { ...carried, ...f.params }) };
}

/**
 * The cost axis a pipeline is swept along (null: a single point). Grid values past the data's
 * shape are dropped: rank is clamped to min(rows, dim) and a block or group longer than a row
 * costs what one of the row's length does, so they would repeat a point.
 */
export function sweepAxis(p: PipelineSpec, rows = Infinity, dim = Infinity): SweepAxis | null {
  const bits = sweepValues(p);
  const with_ = (name: string, v: ParamValue) => ({
    id: p.quantizer.id,
    params: { ...p.quantizer.params, [name]: v },
  });
  if (bits)
    return { param: SWEEP_PARAM, variants: bits.map((b) => ({ value: b, quantizer: with_('bits', b) })) };
  if (fpFamilyIndex(p.quantizer) >= 0) {
    const variants = FP_FAMILY.filter((f) => quantizersById.has(f.id)).map((f) => ({
      value: f.name,
      quantizer: fpFamilyIndex(p.quantizer) === FP_FAMILY.indexOf(f) ? p.quantizer : fpVariant(p, f),
    }));
    return { param: 'format', variants };
  }
  const axis = NUMERIC_AXES[p.quantizer.id];
  const spec = axis && quantizersById.get(p.quantizer.id)?.params[axis.param];
  if (!axis || !spec || (spec.kind !== 'int' && spec.kind !== 'number')) return null;
  const own = Number(p.quantizer.params[axis.param] ?? spec.default);
  const cap = axis.param === 'rank' ? Math.min(rows, dim) : dim;
  const grid = axis.grid.filter((v) => v >= spec.min && v <= spec.max && v <= cap);
  const values = [...new Set([...grid, own])].sort((a, b) => a - b);
  return { param: axis.param, variants: values.map((v) => ({ value: v, quantizer: with_(axis.param, v) })) };
}

/**
 * The pipeline with its swept parameter removed (or, for the FP family, its format): two configs
 * that differ only there have the same sweep, so a bits slider or format switch does not restart
 * it (used for the query key). Grid axes keep a value off the grid (it adds a point).
 */
export function sweepInvariant(p: PipelineSpec): PipelineSpec {
  if (sweepValues(p)) {
    const { [SWEEP_PARAM]: _swept, ...rest } = p.quantizer.params;
    return { ...p, quantizer: { id: p.quantizer.id, params: rest } };
  }
  if (fpFamilyIndex(p.quantizer) >= 0) {
    const { format: _f, ...rest } = p.quantizer.params;
    return { ...p, quantizer: { id: 'fp-family', params: rest } };
  }
  const axis = NUMERIC_AXES[p.quantizer.id];
  if (axis && axis.grid.includes(Number(p.quantizer.params[axis.param]))) {
    const { [axis.param]: _v, ...rest } = p.quantizer.params;
    return { ...p, quantizer: { id: p.quantizer.id, params: rest } };
  }
  return p;
}

/** One swept point with every metric (the rate-distortion analysis prints these). */
export interface SweptPoint extends RdPoint {
  readonly quantizer: { readonly id: string; readonly params: Params };
  readonly metrics: MetricValues;
}

export interface SweptSeries extends Omit<RdSeries, 'points'> {
  readonly points: readonly SweptPoint[];
}

/**
 * The variant pipelines a sweep runs on rows × dim data, in order, each with the index of the
 * pipeline it belongs to and its axis value (null: a quantizer without an axis, run once). Shared
 * by sweepPipelines and the rate-distortion analysis's declared cost, which counts these runs.
 */
export function sweepVariants(
  pipelines: readonly PipelineSpec[],
  rows: number,
  dim: number,
): {
  readonly variants: PipelineSpec[];
  readonly owners: { index: number; value: number | string | null }[];
  readonly axes: (SweepAxis | null)[];
} {
  const variants: PipelineSpec[] = [];
  const owners: { index: number; value: number | string | null }[] = [];
  const axes = pipelines.map((p) => sweepAxis(p, rows, dim));
  pipelines.forEach((p, index) => {
    const axis = axes[index];
    if (!axis) {
      variants.push(p);
      owners.push({ index, value: null });
      return;
    }
    for (const v of axis.variants) {
      variants.push({ transforms: p.transforms, quantizer: v.quantizer });
      owners.push({ index, value: v.value });
    }
  });
  return { variants, owners, axes };
}

/** Runs every pipeline along its cost axis; points sorted by bits/coord within each series. */
export function sweepPipelines(
  spec: ExperimentSpec,
  x: Matrix,
  options: Pick<RunOptions, 'signal' | 'onProgress' | 'metrics' | 'metricDomain' | 'denseProducts'> = {},
): SweptSeries[] {
  const { variants, owners, axes } = sweepVariants(spec.pipelines, x.rows, x.cols);
  const results = runExperiment({ seed: spec.seed, pipelines: variants }, x, options);
  const points: SweptPoint[][] = spec.pipelines.map(() => []);
  results.forEach((r, k) => {
    const { index, value } = owners[k];
    points[index].push({
      bits: axes[index]?.param === SWEEP_PARAM ? Number(value) : NaN,
      value,
      bitsPerCoord: r.bitsPerCoord,
      vnmse: r.metrics.vnmse,
      quantizer: variants[k].quantizer,
      metrics: r.metrics,
    });
  });
  return spec.pipelines.map((p, index) => ({
    index,
    label: pipelineLabel(p),
    param: axes[index]?.param ?? null,
    points: points[index].sort((a, b) => a.bitsPerCoord - b.bitsPerCoord),
  }));
}

/** The chart's sweep: points without the per-point metrics and quantizer. */
export function sweepRateDistortion(
  spec: ExperimentSpec,
  x: Matrix,
  options: Pick<RunOptions, 'signal' | 'onProgress' | 'metricDomain' | 'denseProducts'> = {},
): RateDistortion {
  // The chart shows vNMSE against bits/coord: the other metrics (ip-nvar's 64 query products per
  // row among them) are not computed. vNMSE is the same value either way (RunOptions.metrics).
  const { signal, onProgress, metricDomain, denseProducts } = options;
  const swept = sweepPipelines(spec, x, {
    signal,
    onProgress,
    metrics: ['vnmse'],
    ...(metricDomain ? { metricDomain } : {}),
    ...(denseProducts ? { denseProducts } : {}),
  });
  const series: RdSeries[] = swept.map((s) => ({
    ...s,
    points: s.points.map(({ bits, value, bitsPerCoord, vnmse }) => ({ bits, value, bitsPerCoord, vnmse })),
  }));
  return { series, frontier: paretoFrontier(series), theory: cachedTheoryCurves() };
}

/**
 * Lower-left Pareto frontier over every finite point of every series, sorted by bits/coord.
 * Dominated: another point has ≤ bits and ≤ vNMSE, one strictly. Identical points are all kept.
 */
export function paretoFrontier(series: readonly Pick<RdSeries, 'index' | 'points'>[]): RdFrontierPoint[] {
  const all: RdFrontierPoint[] = [];
  for (const s of series)
    for (const p of s.points)
      if (Number.isFinite(p.bitsPerCoord) && Number.isFinite(p.vnmse))
        all.push({ index: s.index, value: p.value ?? null, bitsPerCoord: p.bitsPerCoord, vnmse: p.vnmse });
  all.sort((a, b) => a.bitsPerCoord - b.bitsPerCoord || a.vnmse - b.vnmse || a.index - b.index);
  const out: RdFrontierPoint[] = [];
  let best = Infinity;
  for (let i = 0; i < all.length;) {
    let j = i;
    while (j < all.length && all[j].bitsPerCoord === all[i].bitsPerCoord) j++;
    const m = all[i].vnmse; // the group's minimum (sorted)
    if (m < best) {
      for (let k = i; k < j && all[k].vnmse === m; k++) out.push(all[k]);
      best = m;
    }
    i = j;
  }
  return out;
}

/**
 * "Best at ≤ B bits/coord": the indices of the pipelines within the budget whose `metric` is best
 * (lower or higher is better), all of them on a tie (relative difference ≤ 1e-12).
 */
export function bestWithinBudget(
  rows: readonly { bitsPerCoord: number; value: number }[],
  budget: number,
  higherIsBetter: boolean,
): number[] {
  const eligible = rows
    .map((r, i) => ({ ...r, i }))
    .filter((r) => r.bitsPerCoord <= budget + 1e-12 && Number.isFinite(r.value));
  if (eligible.length === 0) return [];
  const best = eligible.reduce(
    (acc, r) => (higherIsBetter ? Math.max(acc, r.value) : Math.min(acc, r.value)),
    higherIsBetter ? -Infinity : Infinity,
  );
  const tol = 1e-12 * Math.max(1e-300, Math.abs(best));
  return eligible.filter((r) => Math.abs(r.value - best) <= tol).map((r) => r.i);
}

/** A default budget: the median of the pipelines' bits/coord, so about half of them compete. */
export function defaultBudget(bitsPerCoord: readonly number[]): number {
  const v = bitsPerCoord.filter(Number.isFinite).sort((a, b) => a - b);
  if (v.length === 0) return 4;
  return v[Math.floor((v.length - 1) / 2)];
}
