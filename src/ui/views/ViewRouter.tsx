/** Renders the view of one analysis result (loaded lazily by AnalysisSwitcher, with d3). */
import type { EstimatorResult } from '../../core/analyses/estimator';
import type { FormatsResult } from '../../core/analyses/formats';
import type { RotationQualityResult } from '../../core/analyses/rotation-quality';
import type { ScaleRuleResult } from '../../core/analyses/scale-rule';
import type { SeedsResult } from '../../core/analyses/seeds';
import { EstimatorView } from './EstimatorView';
import { FormatsView } from './FormatsView';
import { RotationQualityView } from './RotationQualityView';
import { ScaleRuleView } from './ScaleRuleView';
import { SeedsView } from './SeedsView';
import type { RateDistortionResult } from '../../core/analyses/rate-distortion';
import { RateDistortionView } from './RateDistortionView';
import type { PipelineConfig } from '../../core/config/schema';

function isKind<T extends { kind: string }>(v: unknown, kind: string): v is T {
  return typeof v === 'object' && v !== null && (v as { kind?: unknown }).kind === kind;
}

export default function ViewRouter({
  id,
  result,
  pipelines = [],
}: {
  id: string;
  result: unknown;
  /** The config's pipelines (colours keyed to their identity). */
  pipelines?: readonly PipelineConfig[];
}) {
  if (id === 'estimator' && isKind<EstimatorResult>(result, 'estimator'))
    return <EstimatorView result={result} />;
  if (id === 'seeds' && isKind<SeedsResult>(result, 'seeds')) return <SeedsView result={result} />;
  if (id === 'rotation-quality' && isKind<RotationQualityResult>(result, 'rotation-quality'))
    return <RotationQualityView result={result} />;
  if (id === 'formats' && isKind<FormatsResult>(result, 'formats')) return <FormatsView result={result} />;
  if (id === 'scale-rule' && isKind<ScaleRuleResult>(result, 'scale-rule'))
    return <ScaleRuleView result={result} />;
  if (id === 'rate-distortion' && isKind<RateDistortionResult>(result, 'rate-distortion'))
    return <RateDistortionView result={result} pipelines={pipelines} />;
  return null;
}
