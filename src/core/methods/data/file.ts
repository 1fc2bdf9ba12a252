/**
 * Data from a tensor file (CONTRACT.md §2, `data.source = "file"`): .npy, .npz, .safetensors
 * (incl. sharded), .gguf, .onnx, PyTorch zips, CSV/TSV. A data-source kind of origin 'bytes': the
 * readers live in src/core/io and the host reads the bytes (src/engine/file-data.ts from the CLI's
 * disk or the files opened in the page), so this file declares the params, the slice check and
 * the citation, and configs, permalinks and `lab list` describe file data like any other source.
 *
 * A permalink cannot carry a file: it records the file name, tensor, slice and the SHA-256 of the
 * tensor bytes, and opening it asks for the file and refuses one whose tensor hash differs.
 */
import { defineParams, typedParams } from '../params';
import type { DataSourceKind } from '../types';

export const FILE_SOURCE_ID = 'file';

export const FILE_SOURCE_PARAMS = defineParams({
  path: {
    kind: 'string',
    default: '',
    maxLength: 4096,
    doc: 'CLI: path of the file. Browser: the name of the file the user opened.',
  },
  tensor: {
    kind: 'string',
    default: '',
    maxLength: 1024,
    doc: 'Tensor name inside the file (optional when the file holds one tensor).',
  },
  layout: {
    kind: 'enum',
    default: 'rows-first',
    options: ['rows-first', 'cols-first', 'auto'],
    doc: 'rows-first: axis 0 = rows (a PyTorch Linear weight [out, in] gives one row per output channel); cols-first: transpose; auto: cols-first where the format or graph says the tensor is stored [in, out] (its layoutHint), else rows-first.',
  },
  rowStart: { kind: 'int', default: 0, min: 0, max: 2 ** 31 - 1, doc: 'First row of the slice.' },
  rowEnd: {
    kind: 'int',
    default: 0,
    min: 0,
    max: 2 ** 31 - 1,
    doc: 'End of the row slice (exclusive); 0 = all rows.',
  },
  colStart: { kind: 'int', default: 0, min: 0, max: 2 ** 31 - 1, doc: 'First column of the slice.' },
  colEnd: {
    kind: 'int',
    default: 0,
    min: 0,
    max: 2 ** 31 - 1,
    doc: 'End of the column slice (exclusive); 0 = all.',
  },
  maxRows: {
    kind: 'int',
    default: 0,
    min: 0,
    max: 1_048_576,
    doc: 'If > 0 and the slice has more rows, keep a seeded random subsample of this many rows.',
  },
  sha256: {
    kind: 'string',
    default: '',
    maxLength: 64,
    doc: 'SHA-256 of the tensor bytes; when set, a file whose tensor hashes differently is refused.',
  },
  nonFinite: {
    kind: 'enum',
    default: 'error',
    options: ['error', 'zero'],
    doc: 'NaN/Inf in the data: refuse the file (error) or replace them by 0 and report the count (zero).',
  },
});

export const fileSource: DataSourceKind = {
  id: FILE_SOURCE_ID,
  label: 'File',
  description:
    'a tensor from .npy, .npz, .safetensors (sharded too), .gguf, .onnx, a PyTorch .pt/.pth/.bin zip or CSV/TSV',
  reference: 'NumPy NEP 1; safetensors format; GGUF spec (ggml); onnx.proto; torch.save zip format; RFC 4180',
  params: FILE_SOURCE_PARAMS,
  origin: 'bytes',
  describe(params) {
    const { path, tensor } = typedParams(FILE_SOURCE_PARAMS, params);
    return `${path === '' ? '(no file)' : path}${tensor === '' ? '' : `: ${tensor}`}`;
  },
  // The shape is the tensor's: the budget is checked while reading (ReadOptions.checkShape).
  shape: () => undefined,
  check(params) {
    // A slice [start, end) with end > 0 must be non-empty (end 0 = to the end of the tensor).
    const p = typedParams(FILE_SOURCE_PARAMS, params);
    const slices = [
      ['row', p.rowStart, p.rowEnd],
      ['col', p.colStart, p.colEnd],
    ] as const;
    for (const [axis, start, end] of slices) {
      if (end > 0 && start >= end)
        return {
          param: `${axis}Start`,
          message: `${axis}Start = ${start} must be below ${axis}End = ${end} (the slice [start, end) would be empty)`,
        };
    }
    return undefined;
  },
  load(_params, { readBytes }) {
    if (!readBytes)
      return Promise.reject(
        new Error('data.source "file" needs a file: open one in the data panel or pass data.path to the CLI'),
      );
    return readBytes();
  },
};
