/**
 * One-hot spikes: every row is ±amplitude·e_k for one seeded column k (§4).
 *
 * The worst case for a single randomized Hadamard block: H·D·e_k has every coordinate equal to
 * ±1/√d, so one fixed output coordinate is a Rademacher variable and its Kolmogorov distance to
 * the uniform-rotation law stays ≈ Φ(1) − ½ ≈ 0.34 for every d ("Approximating Uniform Random
 * Rotations by Two-Block Structured Hadamard Rotations in High Dimensions", seed 003; CATALOGUE
 * §1.A.3). Two blocks or a Haar rotation fix it. Without any rotation, scalar quantizers with a
 * per-row scale reproduce a one-hot row exactly, so it also shows when rotating hurts.
 *
 * Columns: `placement` = 'random' draws k uniformly per row from rng('data', 'one-hot', 'columns');
 * 'first' puts every spike at column 0. Signs come from rng('data', 'one-hot', 'signs').
 */
import { DIM_PARAM, ROWS_PARAM } from './common';
import { defineParams, typedParams } from '../params';
import type { DataSourceDef } from '../types';

const ONE_HOT_PARAMS = defineParams({
  rows: ROWS_PARAM,
  dim: DIM_PARAM,
  amplitude: {
    kind: 'number',
    default: 1,
    min: 1e-6,
    max: 1e6,
    doc: 'Magnitude of the single non-zero entry.',
  },
  placement: {
    kind: 'enum',
    default: 'random',
    options: ['random', 'first'],
    doc: 'random: a seeded column per row; first: always column 0 (e₁).',
  },
});

export const oneHotSource: DataSourceDef = {
  id: 'one-hot',
  label: 'One-hot spikes',
  description: 'each row ±amplitude at one seeded column, zero elsewhere (adversarial for one RHT block)',
  reference:
    'Two-block structured Hadamard rotations (seed 003, CATALOGUE §1.A.3): one block maps e₁ to ±1/√d in every coordinate.',
  params: ONE_HOT_PARAMS,
  generate(params, { rng }) {
    const p = typedParams(ONE_HOT_PARAMS, params);
    const rows = p.rows;
    const cols = p.dim;
    const amp = p.amplitude;
    const random = p.placement === 'random';
    const data = new Float32Array(rows * cols);
    const colRng = rng.stream('data', 'one-hot', 'columns');
    const signRng = rng.stream('data', 'one-hot', 'signs');
    for (let i = 0; i < rows; i++) {
      const k = random ? colRng.int(cols) : 0;
      data[i * cols + k] = amp * signRng.sign();
    }
    return { rows, cols, data };
  },
};
