/**
 * Low-rank + noise data (spiked model): X = U·S·Vᵀ/√r + noise·G (CONTRACT.md §2).
 *
 * U (rows×r), V (dim×r) and G (rows×dim) have i.i.d. N(0,1) entries; the spike strengths are
 * s_k = √(r / (k·H_r)), H_r = Σ_{k≤r} 1/k, so the signal has unit variance per entry
 * (E[(USVᵀ)_ij²]/r = Σ s_k²/r = 1) while its singular values decay like 1/√k. The noise bulk
 * follows Marchenko–Pastur (σ² = noise²); the r spikes stand above its upper edge when strong
 * enough (BBP transition). Used for spectra overlays and low-rank residual methods (SVDQuant,
 * EoRA, ResQ; the RMT thesis in seed 004).
 * Streams: rng('data', 'low-rank', 'U' | 'V' | 'noise').
 */
import { DIM_PARAM, ROWS_PARAM } from './common';
import { defineParams, typedParams } from '../params';
import type { DataSourceDef } from '../types';

const LOW_RANK_PARAMS = defineParams({
  rows: ROWS_PARAM,
  dim: DIM_PARAM,
  rank: { kind: 'int', default: 16, min: 1, max: 4096, doc: 'Rank r of the signal.' },
  noise: { kind: 'number', default: 0.1, min: 0, max: 100, step: 0.01, doc: 'Noise standard deviation.' },
});

export const lowRankSource: DataSourceDef = {
  id: 'low-rank',
  label: 'Low rank + noise',
  description: 'U·S·Vᵀ plus Gaussian noise (spiked model)',
  reference: 'Spiked covariance model (Johnstone 2001; Baik–Ben Arous–Péché 2005); seed 004 RMT thesis.',
  params: LOW_RANK_PARAMS,
  generate(params, { rng }) {
    const p = typedParams(LOW_RANK_PARAMS, params);
    const rows = p.rows;
    const cols = p.dim;
    const rank = Math.min(p.rank, rows, cols);
    const noise = p.noise;
    const u = new Float64Array(rows * rank);
    const v = new Float64Array(cols * rank);
    rng.stream('data', 'low-rank', 'U').fillNormal(u);
    rng.stream('data', 'low-rank', 'V').fillNormal(v);
    let harmonic = 0;
    for (let k = 1; k <= rank; k++) harmonic += 1 / k;
    const weight = new Float64Array(rank);
    for (let k = 0; k < rank; k++) weight[k] = Math.sqrt(rank / ((k + 1) * harmonic)) / Math.sqrt(rank);
    const data = new Float32Array(rows * cols);
    rng.stream('data', 'low-rank', 'noise').fillNormal(data);
    const us = new Float64Array(rank);
    for (let i = 0; i < rows; i++) {
      for (let k = 0; k < rank; k++) us[k] = u[i * rank + k] * weight[k];
      const base = i * cols;
      for (let j = 0; j < cols; j++) {
        let s = 0;
        const vb = j * rank;
        for (let k = 0; k < rank; k++) s += us[k] * v[vb + k];
        data[base + j] = s + noise * data[base + j];
      }
    }
    return { rows, cols, data };
  },
};
