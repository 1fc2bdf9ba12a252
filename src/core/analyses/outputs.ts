/**
 * What an analysis returns, as one discriminated union keyed by the analysis id: every result
 * carries `kind` equal to the id of the analysis that made it (ExperimentOutput.analysis, the
 * views, the CLI table and the result cache consume this type, never `unknown`). Adding an analysis
 * adds its result type to AnalysisOutputs below; the test in analyses.test.ts fails when an id of
 * the registry has no entry here.
 */
import type { AttentionResult } from './attention';
import type { ChannelEntropyResult } from './channel-entropy';
import type { EstimatorResult } from './estimator';
import type { FormatsResult } from './formats';
import type { LayerResult } from './layer';
import type { RateDistortionResult } from './rate-distortion';
import type { RotationQualityResult } from './rotation-quality';
import type { ScaleRuleResult } from './scale-rule';
import type { SeedsResult } from './seeds';

/** Analysis id → its result type (each result's `kind` is its id). */
export interface AnalysisOutputs {
  layer: LayerResult;
  attention: AttentionResult;
  estimator: EstimatorResult;
  seeds: SeedsResult;
  'rotation-quality': RotationQualityResult;
  formats: FormatsResult;
  'scale-rule': ScaleRuleResult;
  'channel-entropy': ChannelEntropyResult;
  'rate-distortion': RateDistortionResult;
}

export type AnalysisId = keyof AnalysisOutputs;
export type AnalysisOutputOf<K extends AnalysisId> = AnalysisOutputs[K];
/** Any analysis result; narrow it with `kind` (= the analysis id). */
export type AnalysisOutput = AnalysisOutputs[AnalysisId];

/** Every id with a result type, at runtime (the compiler checks the list is complete and exact). */
const OUTPUT_IDS: Readonly<Record<AnalysisId, true>> = {
  layer: true,
  attention: true,
  estimator: true,
  seeds: true,
  'rotation-quality': true,
  formats: true,
  'scale-rule': true,
  'channel-entropy': true,
  'rate-distortion': true,
};

export function isAnalysisId(id: string): id is AnalysisId {
  return Object.hasOwn(OUTPUT_IDS, id);
}

/**
 * An analysis run's value as the typed union: its `kind` must name the analysis `id` that ran
 * (a mismatch is a programming error in that analysis, reported with both names).
 */
export function asAnalysisOutput(id: string, value: unknown): AnalysisOutput {
  const kind = typeof value === 'object' && value !== null ? (value as { kind?: unknown }).kind : undefined;
  if (!isAnalysisId(id) || kind !== id)
    throw new TypeError(
      `analysis "${id}" returned a result of kind ${JSON.stringify(kind)}; expected "${id}"`,
    );
  return value as AnalysisOutput;
}
