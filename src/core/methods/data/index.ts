/** The generated-data registry (CONTRACT.md §2); `file` data is loaded by src/core/data-loader.ts. */
import type { DataSourceDef } from '../types';
import { gaussianSource } from './gaussian';
import { studentTSource } from './student-t';
import { outlierChannelsSource } from './outlier-channels';
import { lowRankSource } from './low-rank';

export const DATA_SOURCES: readonly DataSourceDef[] = [
  gaussianSource,
  studentTSource,
  outlierChannelsSource,
  lowRankSource,
];
