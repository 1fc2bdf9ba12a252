/**
 * A generated data source (one file per generator, typed DataSourceDef) as a data-source kind of
 * origin 'seed' (CONTRACT.md §2: every generator takes rows and dim, so its shape, and with it the
 * run's memory cost, is known from the params before anything runs).
 */
import { createRngFactory } from '../../rng';
import { defineParams, typedParams } from '../params';
import type { DataSourceDef, DataSourceKind } from '../types';
import { DIM_PARAM, ROWS_PARAM } from './common';

/** The params every generator has (CONTRACT.md §2), typed: they fix the shape. */
const SHAPE_PARAMS = defineParams({ rows: ROWS_PARAM, dim: DIM_PARAM });

export function generatedKind(def: DataSourceDef): DataSourceKind {
  const { generateRows } = def;
  return {
    id: def.id,
    label: def.label,
    description: def.description,
    reference: def.reference,
    params: def.params,
    origin: 'seed',
    describe(params) {
      const extra = Object.keys(def.params)
        .filter((k) => k !== 'rows' && k !== 'dim')
        .map((k) => `${k}=${String(params[k])}`);
      const { rows, dim } = typedParams(SHAPE_PARAMS, params);
      return [`${rows}×${dim}`, ...extra].join(' ');
    },
    shape(params) {
      const { rows, dim } = typedParams(SHAPE_PARAMS, params);
      return { rows, dim };
    },
    load(params, { seed }) {
      const matrix = def.generate(params, { rng: createRngFactory(seed) });
      return Promise.resolve({ matrix, summary: { rows: matrix.rows, dim: matrix.cols, source: def.id } });
    },
    ...(generateRows
      ? {
          *generateInto(params, seed, out, blockRows) {
            const { rows, dim } = typedParams(SHAPE_PARAMS, params);
            if (out.length !== rows * dim)
              throw new RangeError(`${def.id}: output holds ${out.length} values, not ${rows}×${dim}`);
            yield* generateRows.call(def, params, { rng: createRngFactory(seed) }, out, blockRows);
            return { matrix: { rows, cols: dim, data: out }, summary: { rows, dim, source: def.id } };
          },
        }
      : {}),
  };
}
