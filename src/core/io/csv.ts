/**
 * CSV / TSV reader: one vector per line (RFC 4180 framing without quoting, which numeric data
 * never needs).
 *
 * - Separator: detected on the first data line — tab, else ';', else ',', else runs of spaces —
 *   and then used for every line ('1,5;2,5' decimal commas are not numbers here).
 * - Header: the first non-blank line is a header only when every field is a name: non-empty, not a
 *   number and not starting like one (digit, sign or '.'). `0x10` or an empty field is a malformed
 *   data line (an error naming it), never a header dropped silently.
 * - A line longer than MAX_CSV_LINE_CHARS is refused when its length passes the limit, before
 *   the rest of it is buffered.
 * - Lines that are blank or start with '#' (numpy.savetxt's header/comments) are skipped.
 * - Numbers: decimal/scientific notation plus nan, inf, -inf, infinity (any case); NaN/Inf are kept
 *   and counted. Hex, empty fields and anything else are errors naming the line.
 * - Ragged rows are rejected with their line number.
 *
 * The file is streamed in ioLimits.chunkBytes pieces (memory stays bounded by the output matrix), once to
 * count rows when listing and once more when reading. The tensor is named after the file; its
 * "raw bytes" for the SHA-256 are the whole file.
 */
import { DataFileError } from './errors';
import { sha256Hex, Sha256 } from './sha256';
import { readExact, type ByteSource } from './source';
import {
  MAX_MATRIX_BYTES,
  formatBytes,
  ioLimits,
  type Layout,
  type ReadOptions,
  type ReadResult,
  type TensorInfo,
} from './tensor';
import { subsampleIndices } from './subsample';

type Sep = '\t' | ';' | ',' | ' ';
const NUM = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const SPECIAL: Readonly<Record<string, number>> = {
  nan: NaN,
  '+nan': NaN,
  '-nan': NaN,
  inf: Infinity,
  '+inf': Infinity,
  '-inf': -Infinity,
  infinity: Infinity,
  '+infinity': Infinity,
  '-infinity': -Infinity,
};

function parseNumber(s: string): number | undefined {
  if (NUM.test(s)) return Number(s);
  const special = SPECIAL[s.toLowerCase()];
  return special;
}

/** Longest line accepted: 64 Mi characters (one row of 2^22 long decimals). */
export const MAX_CSV_LINE_CHARS = 1 << 26;

/** A header field: a name, i.e. not empty and not a number or something that starts like one. */
function isNameField(f: string): boolean {
  return f.length > 0 && parseNumber(f) === undefined && !/^[+\-.\d]/.test(f);
}

function detectSep(line: string): Sep {
  if (line.includes('\t')) return '\t';
  if (line.includes(';')) return ';';
  if (line.includes(',')) return ',';
  return ' ';
}

function split(line: string, sep: Sep): string[] {
  return sep === ' ' ? line.trim().split(/ +/) : line.split(sep).map((f) => f.trim());
}

/** Stream the file's lines (1-based numbers), feeding the hasher when given. */
async function* lines(src: ByteSource, hash?: Sha256): AsyncGenerator<[string, number]> {
  const dec = new TextDecoder('utf-8');
  let carry = '';
  let lineNo = 0;
  for (let p = 0; p < src.size; p += ioLimits.chunkBytes) {
    const bytes = await readExact(src, p, Math.min(ioLimits.chunkBytes, src.size - p), 'text');
    hash?.update(bytes);
    const text = carry + dec.decode(bytes, { stream: p + ioLimits.chunkBytes < src.size });
    const parts = text.split('\n');
    carry = parts.pop() ?? '';
    if (carry.length > MAX_CSV_LINE_CHARS)
      throw new DataFileError(
        src.name,
        `line ${lineNo + parts.length + 1} is longer than ${MAX_CSV_LINE_CHARS} characters (the limit for one CSV row)`,
        { offset: p },
      );
    for (const l of parts) yield [l.endsWith('\r') ? l.slice(0, -1) : l, ++lineNo];
  }
  carry += dec.decode();
  if (carry.length) yield [carry.endsWith('\r') ? carry.slice(0, -1) : carry, ++lineNo];
}

interface Scan {
  readonly rows: number;
  readonly cols: number;
  readonly sep: Sep;
  readonly headerLine: number; // 0 when there is none
}

function skip(line: string): boolean {
  const t = line.trim();
  return t.length === 0 || t.startsWith('#');
}

/** First pass: separator, header, row and column counts, with every field validated. */
async function scan(src: ByteSource): Promise<Scan> {
  let sep: Sep | undefined;
  let cols = -1;
  let rows = 0;
  let headerLine = 0;
  let first = true;
  for await (const [line, no] of lines(src)) {
    if (skip(line)) continue;
    if (first) {
      first = false;
      const fields = split(line, detectSep(line));
      if (fields.every(isNameField)) {
        headerLine = no;
        continue;
      }
    }
    sep ??= detectSep(line);
    const fields = split(line, sep);
    if (cols < 0) cols = fields.length;
    else if (fields.length !== cols) {
      throw new DataFileError(
        src.name,
        `line ${no} has ${fields.length} values, expected ${cols} (ragged rows)`,
      );
    }
    for (let j = 0; j < fields.length; j++) {
      if (parseNumber(fields[j]) === undefined) {
        throw new DataFileError(
          src.name,
          `line ${no}, field ${j + 1}: '${fields[j].slice(0, 40)}' is not a number`,
        );
      }
    }
    rows++;
  }
  if (rows === 0) throw new DataFileError(src.name, 'no numeric rows');
  return { rows, cols, sep: sep ?? ',', headerLine };
}

export function looksLikeText(head: Uint8Array): boolean {
  for (let i = 0; i < head.length; i++) {
    const b = head[i];
    if (b === 0 || (b < 0x20 && b !== 9 && b !== 10 && b !== 13)) return false;
  }
  return true;
}

export async function listCsv(src: ByteSource): Promise<TensorInfo> {
  const s = await scan(src);
  return info(src, s);
}

function info(src: ByteSource, s: Scan): TensorInfo {
  const sepName = { '\t': 'tab', ';': 'semicolon', ',': 'comma', ' ': 'space' }[s.sep];
  return {
    name: src.name,
    shape: [s.rows, s.cols],
    dtype: 'text',
    byteSize: src.size,
    file: src.name,
    byteOffset: 0,
    format: 'csv',
    rows: s.rows,
    cols: s.cols,
    supported: true,
    note: `${sepName}-separated${s.headerLine ? ', header line skipped' : ''}`,
  };
}

export async function readCsv(src: ByteSource, opts: ReadOptions = {}): Promise<ReadResult> {
  const s = await scan(src);
  const tinfo = info(src, s);
  const layout: Layout = opts.layout ?? 'rows-first';
  if (layout !== 'rows-first' && layout !== 'cols-first')
    throw new RangeError(`unknown layout '${String(layout)}'`);
  const t = layout === 'cols-first';
  const outLen = t ? s.cols : s.rows;
  const inLen = t ? s.rows : s.cols;
  const range = (r: readonly [number, number] | undefined, len: number, what: string): [number, number] => {
    if (r === undefined) return [0, len];
    const [a, b] = r[1] === Infinity ? [r[0], len] : r; // Infinity: to the end (tensor.ts)
    if (!Number.isSafeInteger(a) || !Number.isSafeInteger(b) || a < 0 || b <= a) {
      throw new RangeError(`${what} must be integers [start, end) with 0 ≤ start < end, got [${a}, ${b})`);
    }
    if (b > len)
      throw new DataFileError(src.name, `${what} [${a}, ${b}) is outside the ${len} available`, {
        tensor: src.name,
      });
    return [a, b];
  };
  const [r0, r1] = range(opts.rowRange, outLen, 'rowRange');
  const [c0, c1] = range(opts.colRange, inLen, 'colRange');
  let rowIndices: Uint32Array | undefined;
  if (opts.maxRows !== undefined) {
    if (!Number.isSafeInteger(opts.maxRows) || opts.maxRows < 1)
      throw new RangeError(`maxRows must be a positive integer`);
    if (r1 - r0 > opts.maxRows) {
      rowIndices =
        opts.subsampleSeed !== undefined
          ? subsampleIndices(r1 - r0, opts.maxRows, opts.subsampleSeed).map((k) => k + r0)
          : Uint32Array.from({ length: opts.maxRows }, (_, k) => r0 + k);
    }
  }
  const outRows = rowIndices ? rowIndices.length : r1 - r0;
  const outCols = c1 - c0;
  opts.checkShape?.(outRows, outCols);
  if (outRows * outCols * 4 > MAX_MATRIX_BYTES) {
    throw new DataFileError(
      src.name,
      `selection of ${outRows}×${outCols} values needs ${formatBytes(outRows * outCols * 4)} as float32, over the ${formatBytes(MAX_MATRIX_BYTES)} limit`,
      { tensor: src.name },
    );
  }
  // Position of each selected view row in the output (or -1), indexed by view row.
  const pos = new Map<number, number>();
  if (rowIndices) rowIndices.forEach((r, k) => pos.set(r, k));
  const outIndexOf = (r: number) => (rowIndices ? (pos.get(r) ?? -1) : r >= r0 && r < r1 ? r - r0 : -1);

  const out = new Float32Array(outRows * outCols);
  const whole = src.size <= ioLimits.wholeReadBytes;
  const hash = whole ? undefined : new Sha256();
  let fileRow = 0;
  for await (const [line, no] of lines(src, hash)) {
    if (skip(line) || no === s.headerLine) continue;
    const fields = split(line, s.sep);
    if (!t) {
      const k = outIndexOf(fileRow);
      if (k >= 0) for (let j = c0; j < c1; j++) out[k * outCols + (j - c0)] = parseNumber(fields[j]) ?? NaN;
    } else if (fileRow >= c0 && fileRow < c1) {
      // cols-first: file row `fileRow` is output column fileRow − c0; output row k is file column.
      for (let k = 0; k < outRows; k++) {
        const fc = rowIndices ? rowIndices[k] : r0 + k;
        out[k * outCols + (fileRow - c0)] = parseNumber(fields[fc]) ?? NaN;
      }
    }
    fileRow++;
  }
  const sha256 = whole ? await sha256Hex(await readExact(src, 0, src.size, 'text')) : (hash as Sha256).hex();
  let nonFinite = 0;
  for (let i = 0; i < out.length; i++) if (!Number.isFinite(out[i])) nonFinite++;
  return {
    matrix: { rows: outRows, cols: outCols, data: out },
    info: tinfo,
    nonFinite,
    sha256,
    selection: {
      layout,
      rowRange: [r0, r1],
      colRange: [c0, c1],
      ...(rowIndices ? { rowIndices } : {}),
      ...(rowIndices && opts.subsampleSeed !== undefined ? { subsampleSeed: opts.subsampleSeed } : {}),
    },
  };
}
