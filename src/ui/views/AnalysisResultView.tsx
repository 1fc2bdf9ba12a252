/**
 * Any analysis result, by the config's analysis id: the matrix analyses (layer, attention) and
 * the issue-7 views (through ViewRouter). Used by embed mode, so every analysis view is
 * embeddable like a chart (`?embed=analysis#c=…`).
 */
import ViewRouter from './ViewRouter';
import { AttentionView } from './AttentionView';
import { LayerView, isAttention, isLayer } from './LayerView';
import type { PipelineConfig } from '../../core/config/schema';
import './views.css';

export default function AnalysisResultView({
  id,
  result,
  pipelines,
}: {
  id: string;
  result: unknown;
  pipelines?: readonly PipelineConfig[];
}) {
  if (isLayer(result)) return <LayerView result={result} />;
  if (isAttention(result)) return <AttentionView result={result} />;
  return <ViewRouter id={id} result={result} pipelines={pipelines} />;
}
