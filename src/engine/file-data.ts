/**
 * Config `data` section (source "file") + byte sources → the matrix a run quantizes. Shared by the
 * CLI (sources from disk) and the worker (files the user opened), so both read a file the same way.
 *
 * Applies, in order: tensor choice, layout, row/column slice, seeded row subsampling (seed = the
 * experiment seed), the SHA-256 check of a permalink, and the NaN/Inf policy.
 */
import {
  listTensors,
  readTensor,
  DataFileError,
  type ByteSource,
  type Layout,
  type ReadOptions,
  type ReadResult,
  type TensorInfo,
} from '../core/io';
import { applyNonFinitePolicy, nonFiniteCount } from '../core/data-loader';
import { ConfigError, checkShape, type ExperimentConfig } from '../core/config/schema';
import type { LoadedData } from '../core/methods/types';

/**
 * The layout a tensor is read with: 'rows-first' / 'cols-first' as configured, and for "auto"
 * 'cols-first' when the reader says the tensor is stored [in, out] (TensorInfo.layoutHint), else
 * 'rows-first'.
 */
export function resolveLayout(layout: unknown, info: Pick<TensorInfo, 'layoutHint'> | undefined): Layout {
  if (layout === 'cols-first') return 'cols-first';
  if (layout === 'auto' && info?.layoutHint === 'in-out') return 'cols-first';
  return 'rows-first';
}

/**
 * Reads one tensor of already-opened sources (a sweep's TensorSet), with the tensor's listing so
 * that layout "auto" needs no second header pass.
 */
export interface OpenedTensor {
  readonly info: TensorInfo;
  read(opts: ReadOptions): Promise<ReadResult>;
}

export async function loadFileData(
  config: ExperimentConfig,
  sources: readonly ByteSource[],
  opened?: OpenedTensor,
): Promise<LoadedData> {
  const known = opened?.info;
  const d = config.data;
  const tensor = String(d.tensor ?? '');
  const rowStart = Number(d.rowStart ?? 0);
  const rowEnd = Number(d.rowEnd ?? 0);
  const colStart = Number(d.colStart ?? 0);
  const colEnd = Number(d.colEnd ?? 0);
  const maxRows = Number(d.maxRows ?? 0);
  let info = known;
  if (d.layout === 'auto' && !info) {
    const all = await listTensors(sources);
    info = tensor === '' ? (all.length === 1 ? all[0] : undefined) : all.find((t) => t.name === tensor);
  }
  const layout = resolveLayout(d.layout, info);
  // End 0 means "to the end"; a start is honoured with it (it used to be dropped silently while
  // the link still showed it). Start ≥ end is refused by the schema (checkFileSlice).
  const range = (start: number, end: number): [number, number] | undefined =>
    end > 0 ? [start, end] : start > 0 ? [start, Infinity] : undefined;
  const opts: ReadOptions = {
    layout,
    rowRange: range(rowStart, rowEnd),
    colRange: range(colStart, colEnd),
    maxRows: maxRows > 0 ? maxRows : undefined,
    subsampleSeed: maxRows > 0 ? config.seed : undefined,
    checkShape: (rows, cols) => checkShape(config, rows, cols),
  };
  let result;
  try {
    result = opened
      ? await opened.read(opts)
      : await readTensor(sources, tensor === '' ? undefined : tensor, opts);
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
      source: d.source,
      replacedNonFinite: replaced,
      file: {
        name: result.info.file,
        tensor: result.info.name,
        dtype: result.info.dtype,
        sha256: result.sha256,
        subsampled: result.selection.rowIndices !== undefined,
        ...(d.layout === 'auto' ? { layout } : {}),
      },
    },
  };
}
