/**
 * THE registry: explicit lists of every data source, transform, quantizer and metric. Adding a
 * method is one file plus one line in the matching sub-registry; registry.test.ts fails if a
 * method file is missing from its list or an id is duplicated.
 */
import type { DataSourceDef, DataSourceKind, MetricDef, QuantizerDef, TransformDef } from './types';
import { DATA_SOURCES, DATA_SOURCE_KINDS } from './data';
import { TRANSFORMS } from './transforms';
import { QUANTIZERS } from './quantizers';
import { METRICS } from './metrics';

export { DATA_SOURCES, DATA_SOURCE_KINDS, TRANSFORMS, QUANTIZERS, METRICS };

function byId<T extends { id: string }>(list: readonly T[]): ReadonlyMap<string, T> {
  return new Map(list.map((m) => [m.id, m]));
}

export const dataSourcesById = byId(DATA_SOURCES);
export const dataSourceKindsById = byId(DATA_SOURCE_KINDS);
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

/** The kind a `data.source` id names (generated or read from bytes), or undefined. */
export function getDataSourceKind(id: string): DataSourceKind | undefined {
  return dataSourceKindsById.get(id);
}

/**
 * Whether a source's values come from bytes outside the config (a file): such results are not
 * persisted, cannot be re-generated from a link alone, and a checkpoint sweep reads them.
 */
export function readsBytes(source: string): boolean {
  return dataSourceKindsById.get(source)?.origin === 'bytes';
}
