/**
 * Sparse spikes: N(0, noise²) background plus `spikes` entries per row at seeded random columns
 * with value ±scale (fresh columns per row, unlike `outlier-channels` whose columns are shared by
 * every row). Models token-wise massive activations (Sun et al., "Massive Activations in Large
 * Language Models", COLM 2024) and is the input on which per-block absmax scales (MX, NVFP4, int
 * groups) lose most: one spike sets the scale of its whole block (DuQuant++, CATALOGUE §1.B.2).
 *
 * Streams: background rng('data', 'sparse-spikes'); columns and signs
 * rng('data', 'sparse-spikes', 'columns') (rejection sampling keeps the columns of a row distinct).
 */
import { DIM_PARAM, ROWS_PARAM } from './common';
import { defineParams, typedParams } from '../params';
import type { DataSourceDef } from '../types';

const SPARSE_SPIKES_PARAMS = defineParams({
  rows: ROWS_PARAM,
  dim: DIM_PARAM,
  spikes: { kind: 'int', default: 4, min: 0, max: 65_536, doc: 'Spikes per row (capped at dim).' },
  scale: { kind: 'number', default: 20, min: 0, max: 1e6, doc: 'Magnitude of each spike.' },
  noise: {
    kind: 'number',
    default: 1,
    min: 0,
    max: 1e6,
    doc: 'Standard deviation of the Gaussian background.',
  },
});

export const sparseSpikesSource: DataSourceDef = {
  id: 'sparse-spikes',
  label: 'Sparse spikes',
  description:
    'N(0, noise²) plus a few ±scale spikes per row at seeded columns (token-wise massive activations)',
  reference:
    'Sun et al., "Massive Activations in Large Language Models", COLM 2024; DuQuant++ (CATALOGUE §1.B.2).',
  params: SPARSE_SPIKES_PARAMS,
  generate(params, { rng }) {
    const p = typedParams(SPARSE_SPIKES_PARAMS, params);
    const rows = p.rows;
    const cols = p.dim;
    const k = Math.min(p.spikes, cols);
    const scale = p.scale;
    const noise = p.noise;
    const data = new Float32Array(rows * cols);
    rng.stream('data', 'sparse-spikes').fillNormal(data);
    if (noise !== 1) for (let i = 0; i < data.length; i++) data[i] *= noise;
    const r = rng.stream('data', 'sparse-spikes', 'columns');
    const used = new Uint8Array(cols);
    for (let i = 0; i < rows; i++) {
      const base = i * cols;
      const chosen: number[] = [];
      // Distinct columns by rejection: at most dim·H(dim) expected draws even when k = dim.
      while (chosen.length < k) {
        const c = r.int(cols);
        if (used[c]) continue;
        used[c] = 1;
        chosen.push(c);
        data[base + c] = scale * r.sign();
      }
      for (const c of chosen) used[c] = 0;
    }
    return { rows, cols, data };
  },
};
