/**
 * The view registry: one line per analysis id (src/core/analyses), each a component rendering
 * that analysis's result. Adding an analysis is its core file + a line in core/analyses/index.ts
 * + a line here; the selector, the param controls (generated from the analysis's params schema),
 * permalinks, embeds and the CLI follow. Loaded lazily (with d3) by AnalysisSwitcher and Embed.
 */
import type { ComponentType } from 'react';
import type { EstimatorResult } from '../../core/analyses/estimator';
import type { FormatsResult } from '../../core/analyses/formats';
import type { RotationQualityResult } from '../../core/analyses/rotation-quality';
import type { ScaleRuleResult } from '../../core/analyses/scale-rule';
import type { SeedsResult } from '../../core/analyses/seeds';
import type { ChannelEntropyResult } from '../../core/analyses/channel-entropy';
import { ChannelEntropyView } from './ChannelEntropyView';
import type { RateDistortionResult } from '../../core/analyses/rate-distortion';
import type { LayerResult } from '../../core/analyses/layer';
import type { AttentionResult } from '../../core/analyses/attention';
import type { PipelineConfig } from '../../core/config/schema';
import { EstimatorView } from './EstimatorView';
import { FormatsView } from './FormatsView';
import { RotationQualityView } from './RotationQualityView';
import { ScaleRuleView } from './ScaleRuleView';
import { SeedsView } from './SeedsView';
import { RateDistortionView } from './RateDistortionView';
import { LayerView } from './LayerView';
import { AttentionView } from './AttentionView';

export interface ViewProps<R> {
  readonly result: R;
  /** The config's pipelines (colours keyed to their identity). */
  readonly pipelines: readonly PipelineConfig[];
  /** The pinned baseline pipeline (config.baseline): marked in charts, Δ against it in tooltips. */
  readonly baseline?: number;
}

/** A result's `kind` must equal its analysis id (every analysis's result carries it). */
function view<R>(Component: ComponentType<ViewProps<R>>): ComponentType<ViewProps<unknown>> {
  return Component as ComponentType<ViewProps<unknown>>;
}

export const ANALYSIS_VIEWS: Readonly<Record<string, ComponentType<ViewProps<unknown>>>> = {
  layer: view<LayerResult>(({ result }) => <LayerView result={result} />),
  attention: view<AttentionResult>(({ result }) => <AttentionView result={result} />),
  estimator: view<EstimatorResult>(({ result, pipelines, baseline }) => (
    <EstimatorView result={result} pipelines={pipelines} baseline={baseline} />
  )),
  seeds: view<SeedsResult>(({ result, pipelines, baseline }) => (
    <SeedsView result={result} pipelines={pipelines} baseline={baseline} />
  )),
  'rotation-quality': view<RotationQualityResult>(({ result }) => <RotationQualityView result={result} />),
  formats: view<FormatsResult>(({ result }) => <FormatsView result={result} />),
  'scale-rule': view<ScaleRuleResult>(({ result }) => <ScaleRuleView result={result} />),
  'channel-entropy': view<ChannelEntropyResult>(({ result }) => <ChannelEntropyView result={result} />),
  'rate-distortion': view<RateDistortionResult>(({ result, pipelines, baseline }) => (
    <RateDistortionView result={result} pipelines={pipelines} baseline={baseline} />
  )),
};

function kindOf(v: unknown): unknown {
  return typeof v === 'object' && v !== null ? (v as { kind?: unknown }).kind : undefined;
}

export default function ViewRouter({
  id,
  result,
  pipelines = [],
  baseline,
}: {
  id: string;
  result: unknown;
  pipelines?: readonly PipelineConfig[];
  baseline?: number;
}) {
  const View = ANALYSIS_VIEWS[id];
  if (!View || kindOf(result) !== id) return null;
  return <View result={result} pipelines={pipelines} baseline={baseline} />;
}
