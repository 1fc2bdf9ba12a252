/**
 * Config `data` section (source "file") + byte sources → the matrix a run quantizes. Shared by the
 * CLI (sources from disk) and the worker (files the user opened), so both read a file the same way.
 *
 * Applies, in order: tensor choice, layout, row/column slice, seeded row subsampling (seed = the
 * experiment seed), the SHA-256 check of a permalink, and the NaN/Inf policy.
 */
import { readTensor, DataFileError, type ByteSource } from '../core/io';
import { applyNonFinitePolicy, nonFiniteCount } from '../core/data-loader';
import { ConfigError, checkShape, type ExperimentConfig } from '../config/schema';
import type { LoadedData } from './experiment';

export async function loadFileData(
  config: ExperimentConfig,
  sources: readonly ByteSource[],
): Promise<LoadedData> {
  const d = config.data;
  const tensor = String(d.tensor ?? '');
  const rowStart = Number(d.rowStart ?? 0);
  const rowEnd = Number(d.rowEnd ?? 0);
  const colStart = Number(d.colStart ?? 0);
  const colEnd = Number(d.colEnd ?? 0);
  const maxRows = Number(d.maxRows ?? 0);
  // End 0 means "to the end"; a start is honoured with it (it used to be dropped silently while
  // the link still showed it). Start ≥ end is refused by the schema (checkFileSlice).
  const range = (start: number, end: number): [number, number] | undefined =>
    end > 0 ? [start, end] : start > 0 ? [start, Infinity] : undefined;
  let result;
  try {
    result = await readTensor(sources, tensor === '' ? undefined : tensor, {
      layout: d.layout === 'cols-first' ? 'cols-first' : 'rows-first',
      rowRange: range(rowStart, rowEnd),
      colRange: range(colStart, colEnd),
      maxRows: maxRows > 0 ? maxRows : undefined,
      subsampleSeed: maxRows > 0 ? config.seed : undefined,
      checkShape: (rows, cols) => checkShape(config, rows, cols),
    });
  } catch (e) {
    // Malformed options are the config's fault (exit 2), not a crash (exit 1).
    if (e instanceof RangeError) throw new ConfigError('data', e.message);
    throw e;
  }
  const expected = String(d.sha256 ?? '');
  if (expected !== '' && expected.toLowerCase() !== result.sha256) {
    throw new DataFileError(
      result.info.file,
      `tensor '${result.info.name}' has SHA-256 ${result.sha256.slice(0, 12)}…, but the link was made with ${expected.slice(0, 12)}…: this is not the same file`,
      { tensor: result.info.name },
    );
  }
  const policy = d.nonFinite === 'zero' ? 'zero' : 'error';
  const report = applyNonFinitePolicy(
    result.matrix,
    policy,
    `${result.info.file}: tensor '${result.info.name}'`,
  );
  const replaced = nonFiniteCount(report);
  return {
    matrix: result.matrix,
    summary: {
      rows: result.matrix.rows,
      dim: result.matrix.cols,
      source: 'file',
      replacedNonFinite: replaced,
      file: {
        name: result.info.file,
        tensor: result.info.name,
        dtype: result.info.dtype,
        sha256: result.sha256,
        subsampled: result.selection.rowIndices !== undefined,
      },
    },
  };
}
