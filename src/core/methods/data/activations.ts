/**
 * Activations with massive outliers in AdaHOP's three patterns (AdaHOP, seed 003: each
 * operand's outliers are Row-wise, Column-wise or None, and Hadamard smoothing helps only when its
 * direction matches): tokens × channels N(0,1) with
 *  - column-wise: `count` fixed channels × `scale` for every token (massive activations in fixed
 *    feature dimensions: LLM.int8() §3.2; Sun et al., "Massive Activations in LLMs", 2024);
 *  - row-wise: `count` tokens × `scale` across all channels (attention-sink / special tokens:
 *    RotateKV, QuantVGGT);
 *  - none: plain N(0,1).
 * The outlier columns or rows are a seeded uniform subset (the outlier-channels source's
 * sampler); values come from rng('data', 'activations').
 */
import { DIM_PARAM, ROWS_PARAM } from './common';
import { defineParams, typedParams } from '../params';
import type { DataSourceDef } from '../types';
import { outlierColumns } from './outlier-channels';

const ACTIVATIONS_PARAMS = defineParams({
  rows: ROWS_PARAM,
  dim: DIM_PARAM,
  pattern: {
    kind: 'enum',
    default: 'column-wise',
    options: ['column-wise', 'row-wise', 'none'],
    doc: 'Where the massive outliers sit: fixed channels (columns), a few tokens (rows), or nowhere.',
  },
  count: { kind: 'int', default: 4, min: 0, max: 65_536, doc: 'Number of outlier channels or tokens.' },
  scale: { kind: 'number', default: 50, min: 0, max: 1e6, step: 1, doc: 'Multiplier of the outliers.' },
});

export const activationsSource: DataSourceDef = {
  id: 'activations',
  label: 'Activations (AdaHOP patterns)',
  description: 'tokens × channels with massive outliers row-wise, column-wise or none',
  reference:
    'AdaHOP (seed 003): Row-wise / Column-wise / None outlier patterns; LLM.int8() §3.2; Sun et al., Massive Activations in LLMs (2024).',
  params: ACTIVATIONS_PARAMS,
  generate(params, { rng }) {
    const p = typedParams(ACTIVATIONS_PARAMS, params);
    const rows = p.rows;
    const cols = p.dim;
    const pattern = p.pattern;
    const scale = p.scale;
    const count = p.count;
    const data = new Float32Array(rows * cols);
    rng.stream('data', 'activations').fillNormal(data);
    if (pattern === 'column-wise') {
      const outliers = outlierColumns(rng, cols, count);
      for (let i = 0; i < rows; i++) for (const c of outliers) data[i * cols + c] *= scale;
    } else if (pattern === 'row-wise') {
      for (const r of outlierColumns(rng, rows, count)) {
        for (let j = 0; j < cols; j++) data[r * cols + j] *= scale;
      }
    }
    return { rows, cols, data };
  },
};
