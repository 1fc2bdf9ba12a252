/**
 * NumPy .npy reader (spec: NEP 1 "A simple file format for NumPy arrays" and the docstring of
 * numpy/lib/format.py):
 *
 *   6 bytes   magic "\x93NUMPY"
 *   2 bytes   major, minor version
 *   v1.0: u16 LE header length; v2.0 and v3.0: u32 LE header length
 *   header    a Python dict literal {'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }
 *             padded with spaces and ended by '\n'; latin-1 in v1/v2, UTF-8 in v3
 *   data      numel · itemsize bytes, C or Fortran order
 *
 * The header is parsed by a small literal parser below (strings, ints, booleans, None, tuples,
 * lists, dicts): it is data from an untrusted file and is never evaluated.
 *
 * Supported descr: byte order '<' (little), '>' (big), '|' (not applicable) or '=' (native;
 * numpy writes '<' or '>' explicitly, we take '=' as little-endian, the byte order of every
 * platform this runs on), kinds f2/f4/f8, i1/i2/i4/i8, u1/u2/u4/u8, b1. Structured, string,
 * complex and object dtypes are reported as unsupported.
 */
import { scalarBytes, scalarCodec, type ScalarKind } from './dtypes';
import { DataFileError } from './errors';
import { readExact, windowByteSource, type ByteSource } from './source';
import { product, view2d, type LocatedTensor } from './tensor';

export const MAX_NPY_HEADER_BYTES = 100_000_000;
const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59];

export function looksLikeNpy(head: Uint8Array): boolean {
  return head.length >= 6 && MAGIC.every((b, i) => head[i] === b);
}

// ───────────────────────────── Python literal parser ─────────────────────────────

export type PyValue = string | number | boolean | null | PyValue[] | { readonly [k: string]: PyValue };

class LiteralSyntaxError extends Error {}

const MAX_DEPTH = 16;

/** Parse one Python literal (the subset numpy writes); throws LiteralSyntaxError. */
export function parsePyLiteral(text: string): PyValue {
  let i = 0;
  const ws = () => {
    while (i < text.length && /\s/.test(text[i])) i++;
  };
  const err = (what: string): never => {
    throw new LiteralSyntaxError(`${what} at character ${i}`);
  };
  const value = (depth: number): PyValue => {
    if (depth > MAX_DEPTH) err('nesting too deep');
    ws();
    const c = text[i];
    if (c === '{') return container('{', '}', depth) as { [k: string]: PyValue };
    if (c === '(') return container('(', ')', depth) as PyValue[];
    if (c === '[') return container('[', ']', depth) as PyValue[];
    if (c === "'" || c === '"') return str();
    const m = /^(?:[+-]?\d+L?|True|False|None)/.exec(text.slice(i, i + 40));
    if (!m) return err('unexpected input');
    i += m[0].length;
    if (m[0] === 'True') return true;
    if (m[0] === 'False') return false;
    if (m[0] === 'None') return null;
    const n = Number(m[0].replace('L', ''));
    if (!Number.isSafeInteger(n)) err(`integer ${m[0]} out of range`);
    return n;
  };
  const str = (): string => {
    const q = text[i++];
    let s = '';
    for (;;) {
      if (i >= text.length) err('unterminated string');
      const c = text[i++];
      if (c === q) return s;
      if (c === '\\') {
        const e = text[i++];
        const simple: Record<string, string> = {
          n: '\n',
          t: '\t',
          r: '\r',
          '\\': '\\',
          "'": "'",
          '"': '"',
          '0': '\0',
        };
        if (e !== undefined && e in simple) s += simple[e];
        else if (e === 'x' || e === 'u') {
          const len = e === 'x' ? 2 : 4;
          const hex = text.slice(i, i + len);
          if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== len) err('bad escape');
          s += String.fromCharCode(parseInt(hex, 16));
          i += len;
        } else err('bad escape');
      } else s += c;
    }
  };
  const container = (open: string, close: string, depth: number): PyValue => {
    i++; // open
    const items: PyValue[] = [];
    const dict: Record<string, PyValue> = Object.create(null) as Record<string, PyValue>;
    for (;;) {
      ws();
      if (text[i] === close) {
        i++;
        break;
      }
      if (open === '{') {
        const k = value(depth + 1);
        if (typeof k !== 'string') err('dict key is not a string');
        ws();
        if (text[i] !== ':') err("expected ':'");
        i++;
        dict[k as string] = value(depth + 1);
      } else items.push(value(depth + 1));
      ws();
      if (text[i] === ',') i++;
      else if (text[i] !== close) err(`expected ',' or '${close}'`);
    }
    return open === '{' ? dict : items;
  };
  const v = value(0);
  ws();
  if (i !== text.length) err('trailing input');
  return v;
}

// ───────────────────────────── descr → decoder ─────────────────────────────

const KINDS: Readonly<Record<string, ScalarKind>> = {
  f2: 'f2',
  f4: 'f4',
  f8: 'f8',
  i1: 'i1',
  u1: 'u1',
  b1: 'b1',
  i2: 'i2',
  u2: 'u2',
  i4: 'i4',
  u4: 'u4',
  i8: 'i8',
  u8: 'u8',
};

export interface NpyHeader {
  readonly descr: string;
  readonly kind?: ScalarKind;
  readonly littleEndian: boolean;
  readonly itemsize: number;
  readonly fortran: boolean;
  readonly shape: number[];
  /** Offset of the data from the start of the npy bytes. */
  readonly dataOffset: number;
}

/**
 * Parse the npy prelude and header from the first bytes of an npy stream. `need` tells the caller
 * how many bytes are required when `head` is too short (so npz can inflate just enough).
 */
export function parseNpyHeader(
  head: Uint8Array,
  file: string,
  tensor: string | undefined,
  baseOffset: number,
): { header: NpyHeader } | { need: number } {
  const bad = (detail: string, at = 0): never => {
    throw new DataFileError(file, detail, { tensor, offset: baseOffset + at });
  };
  if (head.length < 10) return { need: 12 };
  if (!looksLikeNpy(head)) bad('not an npy file (bad magic)');
  const major = head[6];
  if (major !== 1 && major !== 2 && major !== 3) bad(`unsupported npy version ${major}.${head[7]}`, 6);
  const dv = new DataView(head.buffer, head.byteOffset, head.byteLength);
  const lenSize = major === 1 ? 2 : 4;
  if (head.length < 8 + lenSize) return { need: 8 + lenSize };
  const hlen = major === 1 ? dv.getUint16(8, true) : dv.getUint32(8, true);
  if (hlen > MAX_NPY_HEADER_BYTES)
    bad(`header length ${hlen} exceeds the ${MAX_NPY_HEADER_BYTES}-byte cap`, 8);
  const start = 8 + lenSize;
  if (head.length < start + hlen) return { need: start + hlen };
  const raw = head.subarray(start, start + hlen);
  let text: string;
  try {
    text = new TextDecoder(major === 3 ? 'utf-8' : 'latin1', { fatal: major === 3 }).decode(raw);
  } catch {
    return bad('header is not valid UTF-8', start);
  }
  let dict: PyValue;
  try {
    dict = parsePyLiteral(text);
  } catch (e) {
    if (!(e instanceof LiteralSyntaxError)) throw e;
    return bad(`malformed header dict: ${e.message}`, start);
  }
  if (typeof dict !== 'object' || dict === null || Array.isArray(dict))
    return bad('header is not a dict', start);
  const d = dict as { readonly [k: string]: PyValue };
  const { descr, fortran_order: fortran, shape } = d;
  if (typeof descr !== 'string') {
    return bad(
      Array.isArray(descr) ? 'structured dtypes are not supported' : "header has no string 'descr'",
      start,
    );
  }
  if (typeof fortran !== 'boolean') bad("header has no boolean 'fortran_order'", start);
  if (
    !Array.isArray(shape) ||
    !shape.every((x) => typeof x === 'number' && Number.isSafeInteger(x) && x >= 0)
  ) {
    bad("header 'shape' is not a tuple of non-negative integers", start);
  }
  const order = descr[0];
  const code = descr.slice(1);
  const kind = '<>|='.includes(order) ? KINDS[code] : undefined;
  const itemsize = kind ? scalarBytes(kind) : Number(/\d+$/.exec(descr)?.[0] ?? 0);
  return {
    header: {
      descr,
      ...(kind ? { kind } : {}),
      littleEndian: order !== '>',
      itemsize,
      fortran: fortran as boolean,
      shape: shape as number[],
      dataOffset: start + hlen,
    },
  };
}

/**
 * Locate the tensor of an npy stream. `src` addresses the npy bytes from 0; `baseOffset` is where
 * they start in the real file (non-zero inside a stored npz) for error messages and TensorInfo.
 */
export function locateNpy(
  header: NpyHeader,
  opts: {
    file: string;
    name: string;
    baseOffset: number;
    available: number;
    format: 'npy' | 'npz';
    note?: string;
    data: (offset: number, length: number) => Promise<ByteSource>;
  },
): LocatedTensor {
  const { file, name, baseOffset } = opts;
  const numel = product(header.shape);
  const byteSize = numel * header.itemsize;
  const start = baseOffset + header.dataOffset;
  if (header.kind && header.dataOffset + byteSize > opts.available) {
    throw new DataFileError(
      file,
      `data [${start}, ${start + byteSize}) for shape (${header.shape.join(', ')}) of ${header.descr} exceeds the ${opts.available - header.dataOffset} bytes present (truncated?)`,
      { tensor: name, offset: start },
    );
  }
  const notes: string[] = [];
  if (opts.note) notes.push(opts.note);
  if (header.fortran && header.shape.length > 1) notes.push('Fortran order');
  if (!header.littleEndian && header.itemsize > 1) notes.push('big-endian');
  if (!header.kind) notes.push(`dtype ${header.descr} is not supported`);
  const { rows, cols } = view2d(header.shape);
  return {
    info: {
      name,
      shape: header.shape,
      dtype: header.descr,
      byteSize,
      file,
      byteOffset: start,
      format: opts.format,
      rows,
      cols,
      supported: header.kind !== undefined,
      ...(notes.length ? { note: notes.join(', ') } : {}),
    },
    ...(header.kind ? { codec: scalarCodec(header.kind, header.littleEndian, header.descr) } : {}),
    order: header.fortran && header.shape.length > 1 ? 'F' : 'C',
    data: () => opts.data(header.dataOffset, byteSize),
  };
}

/** Read the header of a standalone .npy file and locate its one tensor (named after the file). */
export async function parseNpy(src: ByteSource): Promise<LocatedTensor> {
  let want = Math.min(src.size, 4096);
  for (;;) {
    const head = await readExact(src, 0, want, 'npy header');
    const r = parseNpyHeader(head, src.name, undefined, 0);
    if ('header' in r) {
      return locateNpy(r.header, {
        file: src.name,
        name: src.name,
        baseOffset: 0,
        available: src.size,
        format: 'npy',
        data: (o, n) => Promise.resolve(windowByteSource(src, o, n)),
      });
    }
    if (r.need > src.size) {
      throw new DataFileError(src.name, `npy header needs ${r.need} bytes but the file has ${src.size}`, {
        offset: 0,
      });
    }
    want = r.need;
  }
}
