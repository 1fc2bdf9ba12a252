/**
 * Shared tensor model and the one slicing/decoding engine every binary reader feeds.
 *
 * A reader only *locates* a tensor (dtype codec, storage order, where its bytes are); this module
 * turns a location plus a selection into a row-major float32 `Matrix` while reading at most
 * `ioLimits.chunkBytes` of the file at a time.
 *
 * The 2-D view (CONTRACT.md §2): a tensor of shape [d0, d1, …, dn−1] (row-major order,
 * as numpy and PyTorch print it) is viewed as rows = d0, cols = d1·…·dn−1, so a conv kernel
 * [out, in, kh, kw] gives one row per output channel of length in·kh·kw, and a Linear weight
 * [out, in] one row per output channel. Rank 1 is a single row; rank 0 is 1×1. Layout
 * 'cols-first' transposes that view (rows = the flattened trailing axes), for data stored as
 * [dim, tokens].
 */
import type { Matrix } from '../methods/types';
import type { Codec } from './dtypes';
import { DataFileError } from './errors';
import { sha256Hex, Sha256 } from './sha256';
import { bytesByteSource, readExact, type ByteSource } from './source';
import { subsampleIndices } from './subsample';

export type TensorFormat = 'safetensors' | 'npy' | 'npz' | 'gguf' | 'csv' | 'onnx' | 'pytorch';

export interface TensorInfo {
  /** Name inside the file (npz: entry name without '.npy'; npy and CSV: the file name). */
  readonly name: string;
  /** Shape in row-major order (numpy / PyTorch order; GGUF's fastest-first `ne` is reversed). */
  readonly shape: readonly number[];
  /** Stored element type in the file's own spelling ('F32', 'BF16', '>f2', 'Q4_0', 'text'). */
  readonly dtype: string;
  /** Bytes of stored tensor data (uncompressed size for deflated npz entries). */
  readonly byteSize: number;
  /** Display name of the file holding it. */
  readonly file: string;
  /** Absolute offset of the data in `file` (deflated npz: of the compressed entry). */
  readonly byteOffset: number;
  readonly format: TensorFormat;
  /** Default 2-D view ('rows-first'): rows = shape[0], cols = product of the rest. */
  readonly rows: number;
  readonly cols: number;
  /** Whether `readTensor` can decode it; when false, `note` says why. */
  readonly supported: boolean;
  /** Storage remarks ('Fortran order', 'big-endian', 'deflated', or why it is unsupported). */
  readonly note?: string;
  /**
   * 'in-out' when the file itself says the matrix is stored [in, out] (ONNX: the B input of a
   * MatMul, or of a Gemm with transB = 0); absent when it does not say. GGUF needs no hint: its
   * shape is reported reversed (row-major), so a weight with ne = [in, out] already reads as
   * [out, in].
   */
  readonly layoutHint?: 'in-out';
}

/** What a reader knows about one tensor (internal). */
export interface LocatedTensor {
  readonly info: TensorInfo;
  /** Decoder; absent when the dtype is unsupported (`info.note` says why). */
  readonly codec?: Codec;
  /** Storage order of the elements: 'C' row-major, 'F' column-major (numpy fortran_order). */
  readonly order: 'C' | 'F';
  /** A source over exactly the tensor's data bytes, addressed from 0 (may inflate, for npz). */
  data(): Promise<ByteSource>;
}

export type Layout = 'rows-first' | 'cols-first';

export interface ReadOptions {
  /** 'rows-first' (default): rows = shape[0]; 'cols-first': the transpose of that view. */
  readonly layout?: Layout;
  /** Half-open range of rows of the chosen view. */
  readonly rowRange?: readonly [number, number];
  /** Half-open range of columns of the chosen view. */
  readonly colRange?: readonly [number, number];
  /**
   * Keep at most this many rows of `rowRange`: the first ones, or a seeded random subset when
   * `subsampleSeed` is given (see subsample.ts).
   */
  readonly maxRows?: number;
  readonly subsampleSeed?: number;
  /**
   * Hash the tensor's bytes (default true). A checkpoint sweep passes false: it records no hash,
   * and skipping it lets a tensor be decoded chunk by chunk (≤ ioLimits.chunkBytes at a time)
   * instead of being read whole for WebCrypto, which would hold its stored bytes (and WebCrypto's
   * copy) beside the decoded matrix. `sha256` is then ''.
   */
  readonly hash?: boolean;
  /**
   * Called with the selection's rows × cols before anything is allocated or read, so a caller's
   * budget (the config's cost model) refuses a file by its header, not after decoding it.
   */
  readonly checkShape?: (rows: number, cols: number) => void;
}

export interface Selection {
  readonly layout: Layout;
  readonly rowRange: readonly [number, number];
  readonly colRange: readonly [number, number];
  /** Row indices (within the view) when only some rows of `rowRange` were kept. */
  readonly rowIndices?: Uint32Array;
  readonly subsampleSeed?: number;
}

export interface ReadResult {
  readonly matrix: Matrix;
  readonly info: TensorInfo;
  /** NaN and ±Inf among the returned values: kept as they are and counted, never dropped. */
  readonly nonFinite: number;
  /**
   * Hex SHA-256 of the tensor's stored bytes (all of them, whatever the selection). Costs one
   * pass over the tensor: WebCrypto up to `ioLimits.wholeReadBytes`, the streaming pure-TS hash
   * beyond (measured 35–80 MB/s on a loaded 2-core VM, i.e. seconds per GiB).
   */
  readonly sha256: string;
  readonly selection: Selection;
}

/**
 * Memory budget: the returned float32 matrix may hold at most 2^30 bytes (2^28 values). Larger
 * requests are refused with the size and the limit; pick a row/column range or `maxRows`.
 */
export const MAX_MATRIX_BYTES = 2 ** 30;
/**
 * Read sizes. `chunkBytes`: largest single read while decoding or hashing a big tensor (bounds
 * memory beyond the output); `wholeReadBytes`: tensors up to this size are read once and hashed
 * with WebCrypto in one call. Mutable only so tests can exercise the chunked paths on small files.
 */
export const ioLimits = { chunkBytes: 16 * 2 ** 20, wholeReadBytes: 64 * 2 ** 20 };

export function product(dims: readonly number[]): number {
  let p = 1;
  for (const d of dims) p *= d;
  return p;
}

/** rows × cols of the default view of `shape` (module comment). */
export function view2d(shape: readonly number[]): { rows: number; cols: number } {
  if (shape.length === 0) return { rows: 1, cols: 1 };
  if (shape.length === 1) return { rows: 1, cols: shape[0] };
  return { rows: shape[0], cols: product(shape.slice(1)) };
}

export function formatBytes(n: number): string {
  if (n >= 2 ** 30) return `${(n / 2 ** 30).toFixed(2)} GiB`;
  if (n >= 2 ** 20) return `${(n / 2 ** 20).toFixed(2)} MiB`;
  return `${n} B`;
}

function checkRange(r: readonly [number, number] | undefined, len: number, what: string, info: TensorInfo) {
  if (r === undefined) return [0, len] as const;
  // An end of Infinity means "to the end" (a config's rowStart with rowEnd = 0).
  const [a, b] = r[1] === Infinity ? [r[0], len] : r;
  if (!Number.isSafeInteger(a) || !Number.isSafeInteger(b) || a < 0 || b <= a) {
    throw new RangeError(`${what} must be integers [start, end) with 0 ≤ start < end, got [${a}, ${b})`);
  }
  if (b > len) {
    throw new DataFileError(info.file, `${what} [${a}, ${b}) is outside the ${len} available`, {
      tensor: info.name,
    });
  }
  return [a, b] as const;
}

/**
 * For Fortran-order arrays of rank ≥ 3 the flattened column c (C order over the trailing axes)
 * sits at storage column Σ j_k·stride_k with Fortran strides over those axes; for rank ≤ 2 the
 * map is the identity.
 */
function fortranColumnMap(shape: readonly number[]): (c: number) => number {
  if (shape.length <= 2) return (c) => c;
  const dims = shape.slice(1);
  const fStride: number[] = [];
  let s = 1;
  for (const d of dims) {
    fStride.push(s);
    s *= d;
  }
  return (c) => {
    let rest = c;
    let o = 0;
    for (let k = dims.length - 1; k >= 0; k--) {
      const j = rest % dims[k];
      rest = (rest - j) / dims[k];
      o += j * fStride[k];
    }
    return o;
  };
}

/** Decode the selection of a located tensor (module comment). */
export async function readLocated(loc: LocatedTensor, opts: ReadOptions = {}): Promise<ReadResult> {
  const { info, codec } = loc;
  const fail = (detail: string): never => {
    throw new DataFileError(info.file, detail, { tensor: info.name, offset: info.byteOffset });
  };
  if (!codec || !info.supported) return fail(`unsupported dtype ${info.dtype}: ${info.note ?? ''}`.trim());
  const { rows: R, cols: C } = info;
  if (R * C === 0) return fail(`has no elements (shape [${info.shape.join(', ')}])`);

  const layout: Layout = opts.layout ?? 'rows-first';
  if (layout !== 'rows-first' && layout !== 'cols-first')
    throw new RangeError(`unknown layout '${String(layout)}'`);
  const transposed = layout === 'cols-first';
  const outLen = transposed ? C : R;
  const inLen = transposed ? R : C;
  const [r0, r1] = checkRange(opts.rowRange, outLen, 'rowRange', info);
  const [c0, c1] = checkRange(opts.colRange, inLen, 'colRange', info);

  let rowIndices: Uint32Array | undefined;
  if (opts.maxRows !== undefined) {
    if (!Number.isSafeInteger(opts.maxRows) || opts.maxRows < 1) {
      throw new RangeError(`maxRows must be a positive integer, got ${opts.maxRows}`);
    }
    if (r1 - r0 > opts.maxRows) {
      if (opts.subsampleSeed !== undefined) {
        rowIndices = subsampleIndices(r1 - r0, opts.maxRows, opts.subsampleSeed);
        for (let k = 0; k < rowIndices.length; k++) rowIndices[k] += r0;
      } else {
        rowIndices = Uint32Array.from({ length: opts.maxRows }, (_, k) => r0 + k);
      }
    }
  }
  const outRows = rowIndices ? rowIndices.length : r1 - r0;
  const rowAt = rowIndices ? (k: number) => rowIndices[k] : (k: number) => r0 + k;
  const outCols = c1 - c0;
  opts.checkShape?.(outRows, outCols);
  const outBytes = outRows * outCols * 4;
  if (outBytes > MAX_MATRIX_BYTES) {
    fail(
      `selection of ${outRows}×${outCols} values needs ${formatBytes(outBytes)} as float32, over the ` +
        `${formatBytes(MAX_MATRIX_BYTES)} limit; choose a row range, column range or maxRows`,
    );
  }

  // Storage geometry: 'C' stores logical rows one after another, 'F' logical columns.
  const be = codec.blockElems;
  const bb = codec.blockBytes;
  const inner = loc.order === 'C' ? C : R;
  if (inner % be !== 0) fail(`row length ${inner} is not a multiple of the ${info.dtype} block size ${be}`);
  const rowBytes = (inner / be) * bb;
  if (rowBytes * (loc.order === 'C' ? R : C) !== info.byteSize) {
    fail(
      `shape [${info.shape.join(', ')}] needs ${rowBytes * ((R * C) / inner)} bytes of ${info.dtype}, but the data holds ${info.byteSize}`,
    );
  }
  const colMap = loc.order === 'F' ? fortranColumnMap(info.shape) : (c: number) => c;

  let data = await loc.data();
  let sha256: string;
  if (opts.hash === false) {
    sha256 = '';
  } else if (info.byteSize <= ioLimits.wholeReadBytes) {
    const all = await readExact(data, 0, info.byteSize, 'tensor data', info.name);
    sha256 = await sha256Hex(all);
    data = bytesByteSource(data.name, all);
  } else {
    const h = new Sha256();
    for (let p = 0; p < info.byteSize; p += ioLimits.chunkBytes) {
      h.update(
        await readExact(data, p, Math.min(ioLimits.chunkBytes, info.byteSize - p), 'tensor data', info.name),
      );
    }
    sha256 = h.hex();
  }

  const out = new Float32Array(outRows * outCols);
  // Output rows run along the storage's outer axis when (C order, rows-first) or (F, cols-first).
  const outerIsOutRow = (loc.order === 'C') !== transposed;
  const outerOf = (logical: number) => (loc.order === 'F' ? colMap(logical) : logical);
  const alignDown = (e: number) => e - (e % be);
  const alignUp = (e: number) => Math.ceil(e / be) * be;

  /**
   * Visit the given storage-outer indices (called in order `count` times via `outerAt`), reading
   * runs of consecutive ones together (≤ ioLimits.chunkBytes per read) and decoding elements [a0, a1) of
   * each into `scratch` before calling `consume`.
   */
  const visit = async (
    count: number,
    outerAt: (i: number) => number,
    a0: number,
    a1: number,
    consume: (i: number, scratch: Float32Array) => void,
  ) => {
    if ((a1 - a0) * 4 > MAX_MATRIX_BYTES) {
      fail(
        `selection spans ${a1 - a0} stored elements per row, over the memory limit; choose a narrower range`,
      );
    }
    const scratch = new Float32Array(a1 - a0);
    const spanStart = (a0 / be) * bb;
    const spanBytes = ((a1 - a0) / be) * bb;
    for (let i = 0; i < count;) {
      let j = i + 1;
      const first = outerAt(i);
      while (j < count && outerAt(j) === first + (j - i) && (j - i + 1) * rowBytes <= ioLimits.chunkBytes)
        j++;
      const start = first * rowBytes + spanStart;
      const len = (j - i - 1) * rowBytes + spanBytes;
      const bytes = await readExact(data, start, len, 'tensor data', info.name);
      for (let m = i; m < j; m++) {
        codec.decode(bytes, (m - i) * rowBytes, (a1 - a0) / be, scratch, 0);
        consume(m, scratch);
      }
      i = j;
    }
  };

  if (outerIsOutRow) {
    const a0 = alignDown(c0);
    const a1 = alignUp(c1);
    await visit(
      outRows,
      (k) => outerOf(rowAt(k)),
      a0,
      a1,
      (k, s) => {
        out.set(s.subarray(c0 - a0, c1 - a0), k * outCols);
      },
    );
  } else {
    const a0 = alignDown(rowAt(0));
    const a1 = alignUp(rowAt(outRows - 1) + 1);
    await visit(
      outCols,
      (j) => outerOf(c0 + j),
      a0,
      a1,
      (j, s) => {
        for (let k = 0; k < outRows; k++) out[k * outCols + j] = s[rowAt(k) - a0];
      },
    );
  }

  let nonFinite = 0;
  for (let i = 0; i < out.length; i++) if (!Number.isFinite(out[i])) nonFinite++;

  const selection: Selection = {
    layout,
    rowRange: [r0, r1],
    colRange: [c0, c1],
    ...(rowIndices ? { rowIndices } : {}),
    ...(rowIndices && opts.subsampleSeed !== undefined ? { subsampleSeed: opts.subsampleSeed } : {}),
  };
  return { matrix: { rows: outRows, cols: outCols, data: out }, info, nonFinite, sha256, selection };
}

/**
 * Check that tensors of one file lie inside the data region and do not overlap (safetensors and
 * GGUF both require disjoint tensor data). `ranges` are absolute [start, end) byte offsets.
 */
export function checkDisjoint(
  file: string,
  ranges: readonly { readonly name: string; readonly start: number; readonly end: number }[],
): void {
  const sorted = [...ranges].filter((r) => r.end > r.start).sort((a, b) => a.start - b.start);
  for (let i = 1; i < sorted.length; i++) {
    const p = sorted[i - 1];
    const q = sorted[i];
    if (q.start < p.end) {
      throw new DataFileError(
        file,
        `data [${q.start}, ${q.end}) overlaps tensor '${p.name}' [${p.start}, ${p.end})`,
        { tensor: q.name, offset: q.start },
      );
    }
  }
}
