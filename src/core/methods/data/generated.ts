/**
 * A generated data source (one file per generator, typed DataSourceDef) as a data-source kind of
 * origin 'seed' (CONTRACT.md §2: every generator takes rows and dim, so its shape, and with it the
 * run's memory cost, is known from the params before anything runs).
 */
import { createRngFactory } from '../../rng';
import { num } from '../params';
import type { DataSourceDef, DataSourceKind } from '../types';

export function generatedKind(def: DataSourceDef): DataSourceKind {
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
      return [`${num(params, 'rows')}×${num(params, 'dim')}`, ...extra].join(' ');
    },
    shape: (params) => ({ rows: num(params, 'rows'), dim: num(params, 'dim') }),
    load(params, { seed }) {
      const matrix = def.generate(params, { rng: createRngFactory(seed) });
      return Promise.resolve({ matrix, summary: { rows: matrix.rows, dim: matrix.cols, source: def.id } });
    },
  };
}
