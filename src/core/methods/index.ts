/**
 * THE registry: explicit lists of every data source, transform, quantizer and metric. Adding a
 * method is one file plus one line in the matching sub-registry; registry.test.ts fails if a
 * method file is missing from its list or an id is duplicated.
 */
import type { DataSourceDef, MetricDef, QuantizerDef, TransformDef } from './types';
import { DATA_SOURCES } from './data';
import { TRANSFORMS } from './transforms';
import { QUANTIZERS } from './quantizers';
import { METRICS } from './metrics';

export { DATA_SOURCES, TRANSFORMS, QUANTIZERS, METRICS };

function byId<T extends { id: string }>(list: readonly T[]): ReadonlyMap<string, T> {
  return new Map(list.map((m) => [m.id, m]));
}

export const dataSourcesById = byId(DATA_SOURCES);
export const transformsById = byId(TRANSFORMS);
export const quantizersById = byId(QUANTIZERS);
export const metricsById = byId<MetricDef>(METRICS);

export function getTransform(id: string): TransformDef | undefined {
  return transformsById.get(id);
}
export function getQuantizer(id: string): QuantizerDef | undefined {
  return quantizersById.get(id);
}
export function getDataSource(id: string): DataSourceDef | undefined {
  return dataSourcesById.get(id);
}
