/**
 * LLM-like weight matrix [out, in] ("realistic synthetic generators"): rows are output
 * channels with heavy-tailed entries and unequal scales, plus a few input channels (columns) that
 * are uniformly larger.
 *
 * Recipe: W_ij = s_i · c_j · t_ij with t_ij ~ Student-t(ν) / √(ν/(ν−2)) (unit variance, heavy
 * tails: ITQ3_S and LRQ-DiT describe LLM weights as "Gaussian-like with long tails"), per-row scale
 * s_i = exp(σ·z_i), z_i ~ N(0,1) (log-normal spread of output-channel norms, the "inter-channel
 * variance" MambaQuant and QuantVGGT report), and c_j = `scale` on `channels` seeded input
 * columns, 1 elsewhere (input channels that meet outlier activation features carry larger weights;
 * LLM.int8() §3, SmoothQuant §3). Streams: rng('data', 'llm-weights', 't' | 'rows'); the columns
 * are drawn like the outlier-channels source's.
 */
import { DIM_PARAM, ROWS_PARAM } from './common';
import { defineParams, typedParams } from '../params';
import type { DataSourceDef } from '../types';
import { sampleGamma } from './student-t';
import { outlierColumns } from './outlier-channels';

const LLM_WEIGHTS_PARAMS = defineParams({
  rows: ROWS_PARAM,
  dim: DIM_PARAM,
  nu: {
    kind: 'number',
    default: 4,
    min: 2.5,
    max: 1000,
    step: 0.5,
    doc: 'Student-t degrees of freedom (tail weight).',
  },
  rowSpread: {
    kind: 'number',
    default: 0.5,
    min: 0,
    max: 3,
    step: 0.05,
    doc: 'σ of the log row scale (0 = all output channels alike).',
  },
  channels: {
    kind: 'int',
    default: 4,
    min: 0,
    max: 65_536,
    doc: 'Number of larger input channels (columns).',
  },
  scale: { kind: 'number', default: 8, min: 0, max: 1e4, step: 0.5, doc: 'Multiplier of those columns.' },
});

export const llmWeightsSource: DataSourceDef = {
  id: 'llm-weights',
  label: 'LLM-like weights',
  description: 'heavy-tailed rows with log-normal row scales and a few larger input channels',
  reference:
    'ITQ3_S (seed 003) and LRQ-DiT (seed 000): heavy-tailed weights; LLM.int8() (Dettmers et al. 2022) §3 and SmoothQuant (Xiao et al. 2023) §3: outlier input channels.',
  params: LLM_WEIGHTS_PARAMS,
  generate(params, { rng }) {
    const p = typedParams(LLM_WEIGHTS_PARAMS, params);
    const rows = p.rows;
    const cols = p.dim;
    const nu = p.nu;
    const spread = p.rowSpread;
    const scale = p.scale;
    const unit = Math.sqrt((nu - 2) / nu);
    const t = rng.stream('data', 'llm-weights', 't');
    const rowRng = rng.stream('data', 'llm-weights', 'rows');
    const colScale = new Float64Array(cols).fill(1);
    for (const c of outlierColumns(rng, cols, p.channels)) colScale[c] = scale;
    const data = new Float32Array(rows * cols);
    for (let i = 0; i < rows; i++) {
      const s = Math.exp(spread * rowRng.normal());
      for (let j = 0; j < cols; j++) {
        const z = t.normal();
        const chi2 = 2 * sampleGamma(t, nu / 2);
        data[i * cols + j] = s * colScale[j] * unit * (z / Math.sqrt(chi2 / nu));
      }
    }
    return { rows, cols, data };
  },
};
