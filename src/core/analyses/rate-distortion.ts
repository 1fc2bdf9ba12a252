/**
 * Equal-bit comparison, headless: every pipeline swept along its cost axis (bits for int / EDEN /
 * TurboQuant, the FP element formats as points, rank for SVDQuant / EoRA, the outlier threshold
 * for LLM.int8(), block for NF4; see src/core/artifacts/rateDistortion.ts), the Pareto frontier
 * of vNMSE against honest bits/coordinate, and, at a budget of B bits/coordinate, each pipeline's
 * best point within the budget and the pipelines that win there (ties all listed).
 *
 * Rate–distortion framing: Cover & Thomas, Elements of Information Theory (2nd ed.) §10; the
 * per-family axes are those of the methods' papers (see each quantizer's header).
 *
 * Every point is exactly `lab run` of the variant pipeline (same data, seed and streams), with all
 * of its metrics, so the JSON can be checked point by point.
 */
import { defineParams } from '../methods/params';
import { paretoFrontier, sweepPipelines, sweepVariants, type SweptSeries } from '../artifacts/rateDistortion';
import type { RdFrontierPoint } from '../artifacts/types';
import { cachedTheoryCurves, type TheoryCurve } from '../artifacts/theory';
import { defineAnalysis } from './define';
import { runFlops } from './analysis-cost';

export interface RateDistortionBudgetPick {
  readonly index: number;
  readonly value: number | string | null;
  readonly bitsPerCoord: number;
  readonly vnmse: number;
}

export interface RateDistortionResult {
  readonly kind: 'rate-distortion';
  readonly series: readonly SweptSeries[];
  readonly frontier: readonly RdFrontierPoint[];
  readonly budget: number;
  /** Per pipeline: its lowest-vNMSE point at ≤ budget bits/coord (null when none fits). */
  readonly atBudget: readonly (RateDistortionBudgetPick | null)[];
  /** The pipelines whose point at the budget has the lowest vNMSE (all of them on a tie). */
  readonly bestAtBudget: readonly number[];
  /** The chart's theory curves (src/core/artifacts/theory.ts), solved here rather than on the page. */
  readonly theory: readonly TheoryCurve[];
}

const RATE_DISTORTION_PARAMS = defineParams({
  budget: {
    kind: 'number',
    default: 4.25,
    min: 0,
    max: 64,
    step: 0.25,
    doc: 'Budget B in bits/coordinate: each pipeline’s best point at ≤ B and the winners there.',
  },
});

export const rateDistortionAnalysis = defineAnalysis({
  id: 'rate-distortion',
  label: 'Rate–distortion (equal bits)',
  description:
    'Each pipeline swept along its cost axis (bits, FP format, rank, outlier threshold, block), the Pareto frontier of vNMSE vs bits/coordinate, and the best pipeline at ≤ B bits/coordinate',
  reference:
    'Cover & Thomas, Elements of Information Theory (2nd ed.) §10 (rate–distortion); axes per method: SVDQuant (ICLR 2025) §4.2, LLM.int8() (NeurIPS 2022) §3.2, OCP MX v1.0, QLoRA (NeurIPS 2023) §3.',
  params: RATE_DISTORTION_PARAMS,
  // One `lab run` of every variant the sweep runs (sweepVariants; a chain forward once).
  cost: (_params, { rows, dim }, pipelines) =>
    runFlops(rows, dim, sweepVariants(pipelines, rows, dim).variants),
  run({ seed, data, pipelines, params, metricDomain, denseProducts }, options) {
    const { budget } = params;
    const series = sweepPipelines({ seed, pipelines }, data, {
      ...options,
      ...(metricDomain ? { metricDomain } : {}),
      ...(denseProducts ? { denseProducts } : {}),
    });
    const frontier = paretoFrontier(series);
    const atBudget = series.map((s): RateDistortionBudgetPick | null => {
      let pick: RateDistortionBudgetPick | null = null;
      for (const p of s.points)
        if (p.bitsPerCoord <= budget + 1e-12 && Number.isFinite(p.vnmse) && (!pick || p.vnmse < pick.vnmse))
          pick = { index: s.index, value: p.value ?? null, bitsPerCoord: p.bitsPerCoord, vnmse: p.vnmse };
      return pick;
    });
    const fits = atBudget.filter((p): p is RateDistortionBudgetPick => p !== null);
    const min = Math.min(...fits.map((p) => p.vnmse));
    const bestAtBudget = fits.filter((p) => p.vnmse === min).map((p) => p.index);
    const result: RateDistortionResult = {
      kind: 'rate-distortion',
      series,
      frontier,
      budget,
      atBudget,
      bestAtBudget,
      theory: cachedTheoryCurves(),
    };
    return result;
  },
});
