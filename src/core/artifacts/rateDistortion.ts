/**
 * Rate–distortion sweep (issue 3, chart 1): every pipeline re-run over its quantizer's integer
 * `bits` parameter range (schema min…max), giving vNMSE against the honest bits/coordinate the
 * quantizer reports (side information and padding included). A quantizer without `bits` gives
 * its single operating point.
 *
 * All variants go through one runExperiment call, so each distinct transform is prepared and
 * applied once for the whole sweep (pipeline.ts groups by transform), and the data and rotations
 * are exactly those of the main run (same seed and streams): the sweep passes through the table's
 * points.
 *
 * Cost: Σ over pipelines of (#bits values) quantize + inverse + metrics passes, ≈ 8× the main run
 * for a `bits` range of 1…8.
 */
import { quantizersById } from '../methods';
import type { Matrix } from '../methods/types';
import {
  pipelineLabel,
  runExperiment,
  type ExperimentSpec,
  type PipelineSpec,
  type RunOptions,
} from '../pipeline';
import type { RateDistortion, RdPoint, RdSeries } from './types';

export const SWEEP_PARAM = 'bits';
/** Upper bound on swept values per pipeline (keeps a wide schema range from exploding the cost). */
export const MAX_SWEEP_VALUES = 16;

/** The values of `bits` a pipeline is swept over, or null when its quantizer has no int `bits`. */
export function sweepValues(p: PipelineSpec): number[] | null {
  const spec = quantizersById.get(p.quantizer.id)?.params[SWEEP_PARAM];
  if (!spec || spec.kind !== 'int') return null;
  const step = Math.max(1, spec.step ?? 1);
  const out: number[] = [];
  for (let b = spec.min; b <= spec.max && out.length < MAX_SWEEP_VALUES; b += step) out.push(b);
  return out;
}

/**
 * The pipeline with its sweep parameter removed: two configs that differ only in `bits` have the
 * same sweep, so a bits slider does not restart it (used for the query key).
 */
export function sweepInvariant(p: PipelineSpec): PipelineSpec {
  if (!sweepValues(p)) return p;
  const { [SWEEP_PARAM]: _swept, ...rest } = p.quantizer.params;
  return { ...p, quantizer: { id: p.quantizer.id, params: rest } };
}

export function sweepRateDistortion(
  spec: ExperimentSpec,
  x: Matrix,
  options: Pick<RunOptions, 'signal' | 'onProgress'> = {},
): RateDistortion {
  const variants: PipelineSpec[] = [];
  const owners: { index: number; bits: number }[] = [];
  spec.pipelines.forEach((p, index) => {
    const values = sweepValues(p);
    if (!values) {
      variants.push(p);
      owners.push({ index, bits: NaN });
      return;
    }
    for (const bits of values) {
      variants.push({
        ...p,
        quantizer: { id: p.quantizer.id, params: { ...p.quantizer.params, [SWEEP_PARAM]: bits } },
      });
      owners.push({ index, bits });
    }
  });
  const results = runExperiment({ seed: spec.seed, pipelines: variants }, x, options);
  const points: RdPoint[][] = spec.pipelines.map(() => []);
  results.forEach((r, k) => {
    points[owners[k].index].push({
      bits: owners[k].bits,
      bitsPerCoord: r.bitsPerCoord,
      vnmse: r.metrics.vnmse,
    });
  });
  const series: RdSeries[] = spec.pipelines.map((p, index) => ({
    index,
    label: pipelineLabel(p),
    param: sweepValues(p) ? SWEEP_PARAM : null,
    points: points[index].sort((a, b) => a.bitsPerCoord - b.bitsPerCoord),
  }));
  return { series };
}
