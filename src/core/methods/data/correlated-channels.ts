/**
 * Correlated channels: each row is a stationary Gaussian AR(1) sequence across channels,
 * x_0 = z_0, x_j = ρ·x_{j−1} + √(1−ρ²)·z_j with z i.i.d. N(0,1), so every entry is N(0,1) and
 * Cov(x_i, x_j) = ρ^|i−j| (Box & Jenkins, "Time Series Analysis", §3.2.1). The covariance is far
 * from isotropic (its spectrum runs from (1−ρ)/(1+ρ) to (1+ρ)/(1−ρ)), so data-dependent transforms
 * (PCA/KLT, DCT, which nearly diagonalises a Toeplitz AR(1) covariance: Ahmed, Natarajan & Rao
 * 1974) beat data-oblivious rotations here, while Haar/RHT only spread it.
 *
 * Stream: rng('data', 'correlated-channels').
 */
import { DIM_PARAM, ROWS_PARAM } from './common';
import { defineParams, typedParams } from '../params';
import type { DataSourceDef } from '../types';

const CORRELATED_CHANNELS_PARAMS = defineParams({
  rows: ROWS_PARAM,
  dim: DIM_PARAM,
  rho: {
    kind: 'number',
    default: 0.9,
    min: -0.999,
    max: 0.999,
    step: 0.01,
    doc: 'Correlation of neighbouring channels.',
  },
});

export const correlatedChannelsSource: DataSourceDef = {
  id: 'correlated-channels',
  label: 'Correlated channels',
  description: 'Gaussian AR(1) across channels: unit variances, Cov(x_i, x_j) = ρ^|i−j|',
  reference:
    'AR(1) / Toeplitz covariance; DCT ≈ KLT for it (Ahmed, Natarajan & Rao, IEEE Trans. Computers 1974).',
  params: CORRELATED_CHANNELS_PARAMS,
  generate(params, { rng }) {
    const p = typedParams(CORRELATED_CHANNELS_PARAMS, params);
    const rows = p.rows;
    const cols = p.dim;
    const rho = p.rho;
    const c = Math.sqrt(1 - rho * rho);
    const data = new Float32Array(rows * cols);
    const r = rng.stream('data', 'correlated-channels');
    for (let i = 0; i < rows; i++) {
      const base = i * cols;
      let prev = r.normal();
      data[base] = prev;
      for (let j = 1; j < cols; j++) {
        prev = rho * prev + c * r.normal();
        data[base + j] = prev;
      }
    }
    return { rows, cols, data };
  },
};
