/**
 * The data-source registry: every `data.source` id is one kind with the method registry's shape,
 * generated sources and file data alike, and the config layer and loaders ask the kind rather than
 * test ids (CONTRACT.md §2).
 */
import { describe, expect, it } from 'vitest';
import { DATA_SOURCES, DATA_SOURCE_KINDS, dataSourceKindsById, readsBytes } from '..';
import { withDefaults } from '../params';
import { restoreConfig } from '../../config/schema';
import { ConfigError } from '../../config/errors';
import type { LoadedData } from '../types';

describe('data-source kinds', () => {
  it('holds every generated source, then file, with unique ids and a complete definition', () => {
    expect(DATA_SOURCE_KINDS.map((k) => k.id)).toEqual([...DATA_SOURCES.map((d) => d.id), 'file']);
    expect(new Set(DATA_SOURCE_KINDS.map((k) => k.id)).size).toBe(DATA_SOURCE_KINDS.length);
    for (const k of DATA_SOURCE_KINDS) {
      expect(k.reference.length, k.id).toBeGreaterThan(10);
      expect(k.description.length, k.id).toBeGreaterThan(5);
      expect(k.describe(withDefaults(k.params)).length, k.id).toBeGreaterThan(0);
    }
    expect(DATA_SOURCE_KINDS.filter((k) => k.origin === 'bytes').map((k) => k.id)).toEqual(['file']);
    expect(readsBytes('file')).toBe(true);
    expect(readsBytes('gaussian')).toBe(false);
    expect(readsBytes('no-such-source')).toBe(false);
  });

  it('every kind validates through the config layer with its default params', () => {
    for (const k of DATA_SOURCE_KINDS) {
      const params = withDefaults(k.params, k.origin === 'bytes' ? { path: 'w.npy' } : {});
      const config = restoreConfig({
        v: 2,
        seed: 1,
        data: { source: k.id, ...params },
        pipelines: [{ transforms: [], quantizer: { id: 'int' } }],
      });
      expect(Object.keys(config.data), k.id).toEqual(['source', ...Object.keys(k.params)]);
    }
    expect(() =>
      restoreConfig({
        v: 2,
        data: { source: 'nope' },
        pipelines: [{ transforms: [], quantizer: { id: 'int' } }],
      }),
    ).toThrow(/known: gaussian, .*, file$/);
  });

  it('generated kinds declare their shape (the cost) and load rows × dim from the seed', async () => {
    const gaussian = dataSourceKindsById.get('gaussian')!;
    const params = withDefaults(gaussian.params, { rows: 3, dim: 5 });
    expect(gaussian.origin).toBe('seed');
    expect(gaussian.shape(params)).toEqual({ rows: 3, dim: 5 });
    const a = await gaussian.load(params, { seed: 4 });
    const b = await gaussian.load(params, { seed: 4 });
    expect(a.summary).toEqual({ rows: 3, dim: 5, source: 'gaussian' });
    expect(a.matrix.data.length).toBe(15);
    expect(a.matrix.data).toEqual(b.matrix.data);
  });

  it('the budget check runs on the declared shape before any data exists', () => {
    expect(() =>
      restoreConfig({
        v: 2,
        data: { source: 'gaussian', rows: 1_048_576, dim: 65_536 },
        pipelines: [{ transforms: [], quantizer: { id: 'int' } }],
      }),
    ).toThrow(/memory budget/);
  });

  it('file data: shape known only once read, a slice check naming the param, bytes from the host', async () => {
    const file = dataSourceKindsById.get('file')!;
    const params = withDefaults(file.params, { path: 'w.npy', rowStart: 4, rowEnd: 4 });
    expect(file.shape(params)).toBeUndefined();
    expect(file.check?.(params)).toEqual({
      param: 'rowStart',
      message: 'rowStart = 4 must be below rowEnd = 4 (the slice [start, end) would be empty)',
    });
    let err: unknown;
    try {
      restoreConfig({
        v: 2,
        data: { source: 'file', ...params },
        pipelines: [{ transforms: [], quantizer: { id: 'int' } }],
      });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).field).toBe('data.rowStart');
    await expect(file.load(params, { seed: 0 })).rejects.toThrow(/needs a file/);
    const loaded: LoadedData = {
      matrix: { rows: 1, cols: 2, data: new Float32Array([1, 2]) },
      summary: { rows: 1, dim: 2, source: 'file' },
    };
    await expect(file.load(params, { seed: 0, readBytes: () => Promise.resolve(loaded) })).resolves.toBe(
      loaded,
    );
  });
});
