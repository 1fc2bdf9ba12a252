/**
 * A config's data section read typed, for code that is not the data kind itself (the CLI and the
 * page's file handling, permalinks, labels): the `file` kind's params through a reader checked
 * against its schema (src/core/methods/param-reader.ts), and the shape a kind declares before
 * loading (CONTRACT.md §2: every generated source takes rows and dim; a file's shape is known only
 * once read). Replaces `String(config.data.path ?? '')` and `Number(config.data.rows ?? 0)`.
 */
import { getDataSourceKind } from '../methods';
import { fileSource } from '../methods/data/file';
import { paramReader } from '../methods/param-reader';
import type { DataConfig } from './schema';

/**
 * The file kind's params a host reads; on a config of another source each reads as its default
 * ('' for path, tensor and sha256: no generated source has params of these names).
 */
export const fileParams = paramReader(fileSource, {
  path: 'string',
  tensor: 'string',
  layout: ['rows-first', 'cols-first', 'auto'],
  maxRows: 'number',
  sha256: 'string',
});

/** rows × dim when the data's kind declares its shape before loading (generated data), else undefined. */
export function declaredShape(data: DataConfig): { readonly rows: number; readonly dim: number } | undefined {
  const { source, ...params } = data;
  return getDataSourceKind(source)?.shape(params);
}
