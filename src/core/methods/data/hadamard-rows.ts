/**
 * Hadamard rows: every row is ±amplitude·h_k/√n with h_k a seeded row of the Sylvester Hadamard
 * matrix H_n, n = the next power of two ≥ dim, truncated to the first `dim` entries
 * (H[k][j] = (−1)^popcount(k AND j), Sylvester 1867). For dim a power of two the rows are exactly
 * orthonormal.
 *
 * Why: an unsigned Walsh–Hadamard transform maps h_k/√n to the one-hot e_k, undoing all the
 * spreading a rotation is meant to do, so data aligned with Hadamard rows is the adversarial input
 * of `wht` and of block-Hadamard without signs; random signs (`rht`) or a Haar rotation restore a
 * dense coordinate law (QuIP#, Tseng et al., ICML 2024, §3: incoherence needs the random signs).
 *
 * Streams: row index k from rng('data', 'hadamard-rows', 'rows'), signs from
 * rng('data', 'hadamard-rows', 'signs').
 */
import { DIM_PARAM, ROWS_PARAM } from './common';
import { defineParams, typedParams } from '../params';
import type { DataSourceDef } from '../types';
import { nextPowerOfTwo } from '../../linalg/fwht';

/** popcount of a 32-bit integer (Hacker's Delight §5-1). */
function popcount(v: number): number {
  let x = v - ((v >>> 1) & 0x55555555);
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
}

const HADAMARD_ROWS_PARAMS = defineParams({
  rows: ROWS_PARAM,
  dim: DIM_PARAM,
  amplitude: {
    kind: 'number',
    default: 1,
    min: 1e-6,
    max: 1e6,
    doc: 'Norm of each row before truncation to dim.',
  },
});

export const hadamardRowsSource: DataSourceDef = {
  id: 'hadamard-rows',
  label: 'Hadamard rows',
  description: 'rows are seeded rows of the Sylvester Hadamard matrix (adversarial for an unsigned WHT)',
  reference:
    'Sylvester (1867) Hadamard matrix; incoherence needs random signs: QuIP# (Tseng et al., ICML 2024) §3.',
  params: HADAMARD_ROWS_PARAMS,
  generate(params, { rng }) {
    const p = typedParams(HADAMARD_ROWS_PARAMS, params);
    const rows = p.rows;
    const cols = p.dim;
    const n = nextPowerOfTwo(cols);
    const v = p.amplitude / Math.sqrt(n);
    const data = new Float32Array(rows * cols);
    const rowRng = rng.stream('data', 'hadamard-rows', 'rows');
    const signRng = rng.stream('data', 'hadamard-rows', 'signs');
    for (let i = 0; i < rows; i++) {
      const k = rowRng.int(n);
      const s = v * signRng.sign();
      const base = i * cols;
      for (let j = 0; j < cols; j++) data[base + j] = (popcount(k & j) & 1) === 0 ? s : -s;
    }
    return { rows, cols, data };
  },
};
