/**
 * The view registry: one line per analysis id (src/core/analyses), each a component rendering
 * that analysis's result. Adding an analysis is its core file + a line in core/analyses/index.ts
 * + a line here; the selector, the param controls (generated from the analysis's params schema),
 * permalinks, embeds and the CLI follow. Loaded lazily (with d3) by AnalysisSwitcher and Embed.
 */
import type { ComponentType } from 'react';
import type { AnalysisId, AnalysisOutput, AnalysisOutputs } from '../../core/analyses/outputs';
import { ChannelEntropyView } from './ChannelEntropyView';
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

/** One view per analysis id, each typed by its analysis's result (core/analyses/outputs.ts). */
export const ANALYSIS_VIEWS: { readonly [K in AnalysisId]: ComponentType<ViewProps<AnalysisOutputs[K]>> } = {
  layer: ({ result }) => <LayerView result={result} />,
  attention: ({ result }) => <AttentionView result={result} />,
  estimator: ({ result, pipelines, baseline }) => (
    <EstimatorView result={result} pipelines={pipelines} baseline={baseline} />
  ),
  seeds: ({ result, pipelines, baseline }) => (
    <SeedsView result={result} pipelines={pipelines} baseline={baseline} />
  ),
  'rotation-quality': ({ result }) => <RotationQualityView result={result} />,
  formats: ({ result }) => <FormatsView result={result} />,
  'scale-rule': ({ result }) => <ScaleRuleView result={result} />,
  'channel-entropy': ({ result }) => <ChannelEntropyView result={result} />,
  'rate-distortion': ({ result, pipelines, baseline }) => (
    <RateDistortionView result={result} pipelines={pipelines} baseline={baseline} />
  ),
};

function renderView<K extends AnalysisId>(
  kind: K,
  result: AnalysisOutputs[K],
  pipelines: readonly PipelineConfig[],
  baseline: number | undefined,
) {
  const View: ComponentType<ViewProps<AnalysisOutputs[K]>> = ANALYSIS_VIEWS[kind];
  return <View result={result} pipelines={pipelines} baseline={baseline} />;
}

export default function ViewRouter({
  id,
  result,
  pipelines = [],
  baseline,
}: {
  id: string;
  result: AnalysisOutput | undefined;
  pipelines?: readonly PipelineConfig[];
  baseline?: number;
}) {
  // The result shown must be the one the selected analysis made (a stale one keeps its own kind).
  if (!result || result.kind !== id) return null;
  return renderView(result.kind, result, pipelines, baseline);
}
