/** The analysis registry: one line per analysis file (see ./types.ts). */
import type { AnalysisDef } from './types';

export const ANALYSES: readonly AnalysisDef[] = [];

export const analysesById: ReadonlyMap<string, AnalysisDef> = new Map(ANALYSES.map((a) => [a.id, a]));
