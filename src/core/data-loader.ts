/**
 * Turn a config's `data` section into a matrix: generated sources synchronously from the seed;
 * file data through src/core/io (async, see loadFileData in src/engine). Also the NaN/Inf policy
 * shared by every source: count them, then refuse (default) or replace by 0 and report.
 */
import { createRngFactory } from './rng';
import { dataSourcesById } from './methods';
import type { Matrix, Params } from './methods/types';

export class DataError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DataError';
  }
}

export function generateData(source: string, params: Params, seed: number): Matrix {
  const def = dataSourcesById.get(source);
  if (!def) throw new DataError(`data.source: "${source}" is not a generated source`);
  return def.generate(params, { rng: createRngFactory(seed) });
}

export interface NonFiniteReport {
  readonly nan: number;
  readonly posInf: number;
  readonly negInf: number;
  /** Row and column of the first non-finite value, or undefined. */
  readonly first?: { readonly row: number; readonly col: number };
}

export function scanNonFinite(m: Matrix): NonFiniteReport {
  let nan = 0;
  let posInf = 0;
  let negInf = 0;
  let first: { row: number; col: number } | undefined;
  const { data, cols } = m;
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (Number.isFinite(v)) continue;
    if (Number.isNaN(v)) nan++;
    else if (v > 0) posInf++;
    else negInf++;
    if (!first) first = { row: Math.floor(i / cols), col: i % cols };
  }
  return first ? { nan, posInf, negInf, first } : { nan, posInf, negInf };
}

export function nonFiniteCount(r: NonFiniteReport): number {
  return r.nan + r.posInf + r.negInf;
}

/**
 * Apply the policy: 'error' throws a message naming counts and the first position; 'zero'
 * replaces them by 0 in place. Returns the report either way.
 */
export function applyNonFinitePolicy(m: Matrix, policy: 'error' | 'zero', what: string): NonFiniteReport {
  const report = scanNonFinite(m);
  const count = nonFiniteCount(report);
  if (count === 0) return report;
  if (policy === 'error') {
    const at = report.first ? ` (first at row ${report.first.row}, column ${report.first.col})` : '';
    throw new DataError(
      `${what} contains ${report.nan} NaN, ${report.posInf} +Inf and ${report.negInf} −Inf values${at}; set data.nonFinite to "zero" to replace them by 0`,
    );
  }
  const { data } = m;
  for (let i = 0; i < data.length; i++) if (!Number.isFinite(data[i])) data[i] = 0;
  return report;
}
