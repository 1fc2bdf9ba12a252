/**
 * Gaussian data: i.i.d. N(0, 1) entries (CONTRACT.md §2).
 *
 * The isotropic baseline of the rotation + scalar-quantizer literature (EDEN, TurboQuant): a Haar
 * rotation maps it to itself in law, so every rotation should leave its distortion unchanged.
 * Stream: rng('data', 'gaussian').
 */
import { DIM_PARAM, ROWS_PARAM } from './common';
import { defineParams, typedParams } from '../params';
import type { DataSourceDef } from '../types';

const GAUSSIAN_PARAMS = defineParams({ rows: ROWS_PARAM, dim: DIM_PARAM });

export const gaussianSource: DataSourceDef = {
  id: 'gaussian',
  label: 'Gaussian',
  description: 'i.i.d. N(0,1) entries',
  reference:
    'Isotropic baseline of EDEN (Vargaftik et al., ICML 2022) and TurboQuant (Zandieh et al., 2025).',
  params: GAUSSIAN_PARAMS,
  generate(params, { rng }) {
    const p = typedParams(GAUSSIAN_PARAMS, params);
    const rows = p.rows;
    const cols = p.dim;
    const data = new Float32Array(rows * cols);
    rng.stream('data', 'gaussian').fillNormal(data);
    return { rows, cols, data };
  },
  // One stream drawn in order: fillNormal continues it exactly where the previous block stopped
  // (the polar method's spare normal included), so blocks give the values of the single fill.
  *generateRows(params, { rng }, out, blockRows) {
    const { rows, dim } = typedParams(GAUSSIAN_PARAMS, params);
    const stream = rng.stream('data', 'gaussian');
    const step = Math.max(1, Math.floor(blockRows));
    for (let r0 = 0; r0 < rows; r0 += step) {
      const r1 = Math.min(rows, r0 + step);
      stream.fillNormal(out.subarray(r0 * dim, r1 * dim));
      yield r1;
    }
  },
};
