/**
 * Shared limits and params of the generated data sources (CONTRACT.md §2: every generator takes
 * rows and dim). The memory budget lives in src/core/limits.ts.
 */
import type { ParamSpec } from '../types';

export const ROWS_PARAM = {
  kind: 'int',
  default: 256,
  min: 1,
  max: 1_048_576,
  doc: 'Number of vectors (tokens, or output channels of a weight matrix).',
} as const satisfies ParamSpec;

export const DIM_PARAM = {
  kind: 'int',
  default: 1024,
  min: 1,
  max: 65_536,
  doc: 'Vector length: the axis transforms act on.',
} as const satisfies ParamSpec;
