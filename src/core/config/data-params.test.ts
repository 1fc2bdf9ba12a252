/** Typed reads of a config's data section: the file kind's params and the declared shape. */
import { describe, expect, it } from 'vitest';
import { declaredShape, fileParams } from './data-params';

describe('data params', () => {
  it('reads a file config’s path, tensor, layout, maxRows and sha256 typed', () => {
    const data = {
      source: 'file',
      path: 'w.npy',
      tensor: 'layer.0',
      layout: 'auto',
      maxRows: 64,
      sha256: 'ab',
    };
    expect(fileParams(data)).toEqual({
      path: 'w.npy',
      tensor: 'layer.0',
      layout: 'auto',
      maxRows: 64,
      sha256: 'ab',
    });
    expect(declaredShape(data)).toBeUndefined();
  });

  it('a generated config has no file params (the file kind’s defaults) and declares rows × dim', () => {
    const data = { source: 'gaussian', rows: 256, dim: 1024 };
    expect(fileParams(data)).toEqual({ path: '', tensor: '', layout: 'rows-first', maxRows: 0, sha256: '' });
    expect(declaredShape(data)).toEqual({ rows: 256, dim: 1024 });
    expect(declaredShape({ source: 'no-such-source' })).toBeUndefined();
  });

  it('refuses a value of the wrong kind, naming the param', () => {
    expect(() => fileParams({ source: 'file', path: 3 })).toThrow('param path of file: expected a string');
  });
});
