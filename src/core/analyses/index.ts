/** The analysis registry: one line per analysis file (see ./types.ts). */
import type { AnalysisDef } from './types';
import { layerAnalysis } from './layer';
import { attentionAnalysis } from './attention';
import { estimatorAnalysis } from './estimator';
import { seedsAnalysis } from './seeds';
import { rotationQualityAnalysis } from './rotation-quality';
import { formatsAnalysis } from './formats';
import { scaleRuleAnalysis } from './scale-rule';
import { channelEntropyAnalysis } from './channel-entropy';
import { rateDistortionAnalysis } from './rate-distortion';

export const ANALYSES: readonly AnalysisDef[] = [
  layerAnalysis,
  attentionAnalysis,
  estimatorAnalysis,
  seedsAnalysis,
  rotationQualityAnalysis,
  formatsAnalysis,
  scaleRuleAnalysis,
  channelEntropyAnalysis,
  rateDistortionAnalysis,
];

export const analysesById: ReadonlyMap<string, AnalysisDef> = new Map(ANALYSES.map((a) => [a.id, a]));
