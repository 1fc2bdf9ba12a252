/**
 * The data-source registry (CONTRACT.md §2). Generated sources: one file typed DataSourceDef plus
 * one line in DATA_SOURCES (each becomes a kind of origin 'seed'). Other kinds (data read from
 * bytes): one file typed DataSourceKind plus one line in DATA_SOURCE_KINDS. Every `data.source`
 * id resolves here; nothing else tests a source id.
 */
import type { DataSourceDef, DataSourceKind } from '../types';
import { generatedKind } from './generated';
import { fileSource } from './file';
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

/** Every data-source kind, in `lab list` order: the generated sources, then file data. */
export const DATA_SOURCE_KINDS: readonly DataSourceKind[] = [...DATA_SOURCES.map(generatedKind), fileSource];
