/**
 * Any analysis result, by the config's analysis id (ViewRouter's registry). Used by embed mode and
 * the analysis selector, so every analysis view is embeddable like a chart (`?embed=analysis#c=…`).
 */
import ViewRouter from './ViewRouter';
import type { PipelineConfig } from '../../core/config/schema';
import type { AnalysisOutput } from '../../core/analyses/outputs';
import './views.css';

export default function AnalysisResultView({
  id,
  result,
  pipelines,
  baseline,
}: {
  id: string;
  result: AnalysisOutput | undefined;
  pipelines?: readonly PipelineConfig[];
  baseline?: number;
}) {
  return <ViewRouter id={id} result={result} pipelines={pipelines} baseline={baseline} />;
}
