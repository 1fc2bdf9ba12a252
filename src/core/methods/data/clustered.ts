/**
 * Clustered embeddings: a Gaussian mixture, the stand-in for embedding sets in nearest-neighbour
 * benchmarks (TurboQuant §4.4 compares recall against product quantization on such data).
 *
 * Recipe: K = `clusters` centres c_k ~ N(0, I_d); row i belongs to cluster k_i uniform in [0, K)
 * and equals c_{k_i} + noise·g_i with g_i ~ N(0, I_d). Between-centre distance² ≈ 2d, within-
 * cluster distance² ≈ 2·noise²·d, so noise < 1 gives separated clusters and noise → ∞ tends to
 * isotropic Gaussian data. With `normalize`, rows are scaled to unit norm (cosine / inner-product
 * search, as in the GloVe and DBpedia experiments of TurboQuant §4.4).
 *
 * Streams: centres rng('data', 'clustered', 'centres'); assignments rng('data', 'clustered',
 * 'labels'); noise rng('data', 'clustered').
 */
import { DIM_PARAM, ROWS_PARAM } from './common';
import { defineParams, typedParams } from '../params';
import type { DataSourceDef } from '../types';

const CLUSTERED_PARAMS = defineParams({
  rows: ROWS_PARAM,
  dim: DIM_PARAM,
  clusters: { kind: 'int', default: 32, min: 1, max: 65_536, doc: 'Number of mixture components K.' },
  noise: {
    kind: 'number',
    default: 0.5,
    min: 0,
    max: 100,
    step: 0.05,
    doc: 'Within-cluster standard deviation (centres have unit variance per coordinate).',
  },
  normalize: { kind: 'bool', default: true, doc: 'Scale every row to unit norm (cosine search).' },
});

export const clusteredSource: DataSourceDef = {
  id: 'clustered',
  label: 'Clustered (Gaussian mixture)',
  description: 'K Gaussian clusters with N(0, I) centres and per-point noise (nearest-neighbour benchmarks)',
  reference:
    'Zandieh et al., "TurboQuant", arXiv 2504.19874, §4.4 (nearest-neighbour search vs product quantization).',
  params: CLUSTERED_PARAMS,
  generate(params, { rng }) {
    const p = typedParams(CLUSTERED_PARAMS, params);
    const rows = p.rows;
    const cols = p.dim;
    const k = p.clusters;
    const noise = p.noise;
    const centres = new Float32Array(k * cols);
    rng.stream('data', 'clustered', 'centres').fillNormal(centres);
    const data = new Float32Array(rows * cols);
    rng.stream('data', 'clustered').fillNormal(data);
    const labels = rng.stream('data', 'clustered', 'labels');
    const normalize = p.normalize;
    for (let i = 0; i < rows; i++) {
      const c = labels.int(k) * cols;
      const base = i * cols;
      let n2 = 0;
      for (let j = 0; j < cols; j++) {
        const v = centres[c + j] + noise * data[base + j];
        data[base + j] = v;
        n2 += v * v;
      }
      if (normalize && n2 > 0) {
        const s = 1 / Math.sqrt(n2);
        for (let j = 0; j < cols; j++) data[base + j] *= s;
      }
    }
    return { rows, cols, data };
  },
};
