/**
 * Outlier-channel data: N(0,1) entries with `channels` seeded random columns multiplied by
 * `scale` (CONTRACT.md §2). Models massive activations / emergent outlier features that persist
 * across tokens in fixed channels (LLM.int8(), Dettmers et al. 2022; KV keys with channel outliers,
 * KIVI; DuQuant++ "a single outlier inflates the shared block scale").
 *
 * The outlier columns are a uniform random `channels`-subset of [0, dim) drawn by a partial
 * Fisher–Yates shuffle from rng('data', 'outlier-channels', 'columns'); values come from
 * rng('data', 'outlier-channels').
 */
import { DIM_PARAM, ROWS_PARAM } from './common';
import { defineParams, typedParams } from '../params';
import type { DataSourceDef } from '../types';
import type { RngFactory } from '../../rng';

/** A seeded uniform random subset of size k of [0, n), sorted ascending. */
export function outlierColumns(rng: RngFactory, n: number, k: number): number[] {
  const count = Math.min(k, n);
  const perm = new Int32Array(n);
  for (let i = 0; i < n; i++) perm[i] = i;
  const r = rng.stream('data', 'outlier-channels', 'columns', n, count);
  for (let i = 0; i < count; i++) {
    const j = i + r.int(n - i);
    const t = perm[i];
    perm[i] = perm[j];
    perm[j] = t;
  }
  return Array.from(perm.subarray(0, count)).sort((a, b) => a - b);
}

const OUTLIER_CHANNELS_PARAMS = defineParams({
  rows: ROWS_PARAM,
  dim: DIM_PARAM,
  channels: { kind: 'int', default: 8, min: 0, max: 65_536, doc: 'Number of outlier columns.' },
  scale: {
    kind: 'number',
    default: 30,
    min: 0,
    max: 1e6,
    step: 1,
    doc: 'Multiplier applied to outlier columns.',
  },
});

export const outlierChannelsSource: DataSourceDef = {
  id: 'outlier-channels',
  label: 'Outlier channels',
  description: 'N(0,1) with a few seeded columns scaled up (massive activations, KV-key outliers)',
  reference:
    'LLM.int8() (Dettmers et al., NeurIPS 2022) emergent features; KIVI (Liu et al., ICML 2024) key channels.',
  params: OUTLIER_CHANNELS_PARAMS,
  generate(params, { rng }) {
    const p = typedParams(OUTLIER_CHANNELS_PARAMS, params);
    const rows = p.rows;
    const cols = p.dim;
    const scale = p.scale;
    const data = new Float32Array(rows * cols);
    rng.stream('data', 'outlier-channels').fillNormal(data);
    const outliers = outlierColumns(rng, cols, p.channels);
    for (let i = 0; i < rows; i++) {
      const base = i * cols;
      for (const c of outliers) data[base + c] *= scale;
    }
    return { rows, cols, data };
  },
};
