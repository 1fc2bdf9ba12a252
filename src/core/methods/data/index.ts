/** The generated-data registry (CONTRACT.md §2); `file` data is loaded by src/core/data-loader.ts. */
import type { DataSourceDef } from '../types';
import { gaussianSource } from './gaussian';
import { studentTSource } from './student-t';
import { outlierChannelsSource } from './outlier-channels';
import { lowRankSource } from './low-rank';
import { oneHotSource } from './one-hot';
import { hadamardRowsSource } from './hadamard-rows';
import { sparseSpikesSource } from './sparse-spikes';
import { correlatedChannelsSource } from './correlated-channels';
import { clusteredSource } from './clustered';
import { llmWeightsSource } from './llm-weights';
import { activationsSource } from './activations';

export const DATA_SOURCES: readonly DataSourceDef[] = [
  gaussianSource,
  studentTSource,
  outlierChannelsSource,
  lowRankSource,
  oneHotSource,
  hadamardRowsSource,
  sparseSpikesSource,
  correlatedChannelsSource,
  clusteredSource,
  llmWeightsSource,
  activationsSource,
];
