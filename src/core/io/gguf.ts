/**
 * GGUF reader (spec: ggml/docs/gguf.md, "File Structure"; block layouts: ggml-common.h).
 *
 *   u32 magic "GGUF" · u32 version (2 or 3; v1 used 32-bit counts and is obsolete)
 *   u64 tensor_count · u64 metadata_kv_count
 *   metadata_kv[]: gguf_string key, u32 value_type, value
 *       types 0 u8 · 1 i8 · 2 u16 · 3 i16 · 4 u32 · 5 i32 · 6 f32 · 7 bool · 8 string
 *             9 array (u32 element type, u64 count, elements) · 10 u64 · 11 i64 · 12 f64
 *       gguf_string = u64 length + UTF-8 bytes (no terminator)
 *   tensor_info[]: gguf_string name, u32 n_dimensions, u64 dimensions[n], u32 ggml_type,
 *                  u64 offset (relative to the data section, a multiple of the alignment)
 *   padding to `general.alignment` (default 32), then the data section.
 *
 * Dimensions are listed fastest-varying first (ggml `ne[0]` is the contiguous axis). We report
 * shapes in row-major order, i.e. reversed: a PyTorch Linear weight [out, in] converted to GGUF
 * has ne = [in, out] and is shown as shape [out, in] with rows = out, cols = in, the same view as
 * its safetensors original. Quantized blocks run along ne[0], which must be a multiple of the
 * block size.
 *
 * Everything is little-endian (v3 allows big-endian files; they are refused with a message).
 * Counts and lengths from the file are checked against the bytes left before any loop or
 * allocation, and header parsing stops at MAX_GGUF_HEADER_BYTES.
 */
import { ggmlBlockCodec, scalarCodec, type Codec } from './dtypes';
import { DataFileError } from './errors';
import { type ByteSource } from './source';
import { checkDisjoint, product, view2d, type LocatedTensor } from './tensor';
import { windowByteSource } from './source';

export const MAX_GGUF_HEADER_BYTES = 256 * 2 ** 20;
const MAX_DIMS = 8; // ggml uses 4 (GGML_MAX_DIMS); allow a little room, refuse absurd values
const MAX_STRING_BYTES = 64 * 2 ** 20;
const MAX_NESTING = 8;
/**
 * Most metadata array elements in one file, counted before they are decoded. Real vocabularies
 * hold ~10⁵–10⁶ tokens/merges; each element becomes a JS value (tens of bytes), so 256 MiB of u8
 * metadata meant 2.7·10⁸ values, gigabytes and minutes before any error.
 */
export const MAX_GGUF_METADATA_VALUES = 1 << 22;
const READ_AHEAD = 1 << 20;

export type GgufValue = number | bigint | string | boolean | GgufValue[];

/** ggml_type → name, block geometry and decoder (undefined decoder: listed, not decoded). */
interface GgmlType {
  readonly name: string;
  readonly blockElems: number;
  readonly blockBytes: number;
  readonly codec?: Codec;
}

function ggmlTypes(): ReadonlyMap<number, GgmlType> {
  const s = (name: string, bytes: number, codec?: Codec): GgmlType => ({
    name,
    blockElems: 1,
    blockBytes: bytes,
    ...(codec ? { codec } : {}),
  });
  const b = (name: string, elems: number, bytes: number, codec?: Codec): GgmlType => ({
    name,
    blockElems: elems,
    blockBytes: bytes,
    ...(codec ? { codec } : {}),
  });
  // ggml.h enum ggml_type; block sizes from ggml-common.h (QK_K = 256).
  return new Map<number, GgmlType>([
    [0, s('F32', 4, scalarCodec('f4', true, 'F32'))],
    [1, s('F16', 2, scalarCodec('f2', true, 'F16'))],
    [2, b('Q4_0', 32, 18, ggmlBlockCodec('Q4_0'))],
    [3, b('Q4_1', 32, 20, ggmlBlockCodec('Q4_1'))],
    [6, b('Q5_0', 32, 22, ggmlBlockCodec('Q5_0'))],
    [7, b('Q5_1', 32, 24, ggmlBlockCodec('Q5_1'))],
    [8, b('Q8_0', 32, 34, ggmlBlockCodec('Q8_0'))],
    [9, b('Q8_1', 32, 36)],
    [10, b('Q2_K', 256, 84)],
    [11, b('Q3_K', 256, 110)],
    [12, b('Q4_K', 256, 144)],
    [13, b('Q5_K', 256, 176)],
    [14, b('Q6_K', 256, 210)],
    [15, b('Q8_K', 256, 292)],
    [20, b('IQ4_NL', 32, 18)],
    [23, b('IQ4_XS', 256, 136)],
    [24, s('I8', 1, scalarCodec('i1', true, 'I8'))],
    [25, s('I16', 2, scalarCodec('i2', true, 'I16'))],
    [26, s('I32', 4, scalarCodec('i4', true, 'I32'))],
    [27, s('I64', 8, scalarCodec('i8', true, 'I64'))],
    [28, s('F64', 8, scalarCodec('f8', true, 'F64'))],
    [30, s('BF16', 2, scalarCodec('bf16', true, 'BF16'))],
  ]);
}

let TYPES: ReadonlyMap<number, GgmlType> | undefined;

/** Sequential little-endian reader over a ByteSource with a read-ahead buffer and a hard cap. */
class Cursor {
  pos = 0;
  private buf: Uint8Array = new Uint8Array(0);
  private bufStart = 0;
  private view: DataView = new DataView(new ArrayBuffer(0));
  private readonly limit: number;
  /** Metadata array elements declared so far (MAX_GGUF_METADATA_VALUES). */
  values = 0;
  constructor(private readonly src: ByteSource) {
    this.limit = Math.min(src.size, MAX_GGUF_HEADER_BYTES);
  }
  get remaining(): number {
    return this.limit - this.pos;
  }
  fail(detail: string, offset = this.pos): never {
    throw new DataFileError(this.src.name, detail, { offset });
  }
  private async ensure(n: number, what: string): Promise<number> {
    if (this.pos + n > this.limit) {
      if (this.pos + n > this.src.size)
        this.fail(`${what} at byte ${this.pos} runs past the end of the file (${this.src.size} bytes)`);
      this.fail(`header exceeds the ${MAX_GGUF_HEADER_BYTES}-byte cap while reading ${what}`);
    }
    const rel = this.pos - this.bufStart;
    if (rel < 0 || rel + n > this.buf.length) {
      const len = Math.min(this.limit - this.pos, Math.max(n, READ_AHEAD));
      const bytes = await this.src.read(this.pos, len);
      if (bytes.length < n) this.fail(`short read of ${what}`);
      this.buf = bytes;
      this.bufStart = this.pos;
      this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    }
    const at = this.pos - this.bufStart;
    this.pos += n;
    return at;
  }
  // Await the position before touching `this.view`: `ensure` may replace the buffer.
  async u8(what: string): Promise<number> {
    const at = await this.ensure(1, what);
    return this.view.getUint8(at);
  }
  async u32(what: string): Promise<number> {
    const at = await this.ensure(4, what);
    return this.view.getUint32(at, true);
  }
  /** u64 as a number; values beyond 2^53 are refused (no offset, count or size can be that large). */
  async u64(what: string): Promise<number> {
    const at = await this.ensure(8, what);
    const v = this.view.getUint32(at, true) + this.view.getUint32(at + 4, true) * 2 ** 32;
    if (!Number.isSafeInteger(v)) this.fail(`${what} ${v} is too large`, this.pos - 8);
    return v;
  }
  async scalar(type: number, what: string): Promise<GgufValue> {
    const sizes = [1, 1, 2, 2, 4, 4, 4, 1, 0, 0, 8, 8, 8];
    const at = await this.ensure(sizes[type], what);
    const v = this.view;
    switch (type) {
      case 0:
        return v.getUint8(at);
      case 1:
        return v.getInt8(at);
      case 2:
        return v.getUint16(at, true);
      case 3:
        return v.getInt16(at, true);
      case 4:
        return v.getUint32(at, true);
      case 5:
        return v.getInt32(at, true);
      case 6:
        return v.getFloat32(at, true);
      case 7:
        return v.getUint8(at) !== 0;
      case 10:
        return small(v.getBigUint64(at, true));
      case 11:
        return small(v.getBigInt64(at, true));
      default:
        return v.getFloat64(at, true);
    }
  }
  async string(what: string): Promise<string> {
    const start = this.pos;
    const n = await this.u64(`${what} length`);
    if (n > MAX_STRING_BYTES || n > this.remaining) this.fail(`${what} length ${n} is out of range`, start);
    const at = await this.ensure(n, what);
    return new TextDecoder('utf-8').decode(this.buf.subarray(at, at + n));
  }
}

/** 64-bit metadata integers: a number when exact, else a bigint. */
function small(b: bigint): number | bigint {
  const n = Number(b);
  return Number.isSafeInteger(n) ? n : b;
}

/** Minimum encoded size of one value of each metadata type, for count sanity checks. */
const MIN_SIZE = [1, 1, 2, 2, 4, 4, 4, 1, 8, 12, 8, 8, 8];

async function readValue(c: Cursor, type: number, key: string, depth: number): Promise<GgufValue> {
  if (type === 8) return c.string(`value of '${key}'`);
  if (type === 9) {
    if (depth >= MAX_NESTING) c.fail(`metadata '${key}' nests arrays too deeply`);
    const at = c.pos;
    const et = await c.u32(`array type of '${key}'`);
    if (et > 12) c.fail(`metadata '${key}' has unknown array element type ${et}`, at);
    const n = await c.u64(`array length of '${key}'`);
    if (n * MIN_SIZE[et] > c.remaining)
      c.fail(`metadata '${key}' array of ${n} elements exceeds the bytes left`, at);
    c.values += n;
    if (c.values > MAX_GGUF_METADATA_VALUES)
      c.fail(
        `metadata '${key}' brings the metadata to ${c.values} array elements, over the limit of ${MAX_GGUF_METADATA_VALUES}`,
        at,
      );
    const out: GgufValue[] = [];
    for (let i = 0; i < n; i++) out.push(await readValue(c, et, key, depth + 1));
    return out;
  }
  if (type > 12) c.fail(`metadata '${key}' has unknown value type ${type}`, c.pos - 4);
  return c.scalar(type, `value of '${key}'`);
}

export interface GgufFile {
  readonly version: number;
  readonly metadata: Readonly<Record<string, GgufValue>>;
  readonly tensors: LocatedTensor[];
  readonly alignment: number;
  readonly dataOffset: number;
}

export function looksLikeGguf(head: Uint8Array): boolean {
  return head.length >= 4 && head[0] === 0x47 && head[1] === 0x47 && head[2] === 0x55 && head[3] === 0x46;
}

export async function parseGguf(src: ByteSource): Promise<GgufFile> {
  const file = src.name;
  const c = new Cursor(src);
  const magic = await c.u32('magic');
  if (magic !== 0x46554747) c.fail('not a GGUF file (bad magic)', 0);
  const version = await c.u32('version');
  if (version === 1) c.fail('GGUF version 1 is obsolete and not supported; re-convert the model', 4);
  if (version !== 2 && version !== 3) {
    c.fail(
      version > 0xffff ? 'big-endian GGUF files are not supported' : `unsupported GGUF version ${version}`,
      4,
    );
  }
  const tensorCount = await c.u64('tensor count');
  const kvCount = await c.u64('metadata count');
  // Each KV takes ≥ 8 (key length) + 4 (type) + 1 bytes; each tensor info ≥ 8 + 4 + 4 + 8 bytes.
  if (kvCount * 13 > c.remaining) c.fail(`metadata count ${kvCount} is impossible for the bytes left`, 16);
  if (tensorCount * 24 > c.remaining)
    c.fail(`tensor count ${tensorCount} is impossible for the bytes left`, 8);

  const metadata = Object.create(null) as Record<string, GgufValue>;
  for (let k = 0; k < kvCount; k++) {
    const key = await c.string(`metadata key ${k}`);
    const type = await c.u32(`type of '${key}'`);
    metadata[key] = await readValue(c, type, key, 0);
  }

  let alignment = 32; // gguf.md: GGUF_DEFAULT_ALIGNMENT
  const a = metadata['general.alignment'];
  if (a !== undefined) {
    if (typeof a !== 'number' || !Number.isInteger(a) || a < 1 || a > 2 ** 20 || (a & (a - 1)) !== 0) {
      c.fail(`general.alignment ${String(a)} is not a power of two`);
    }
    alignment = a as number;
  }

  TYPES ??= ggmlTypes();
  interface Raw {
    name: string;
    ne: number[];
    type: number;
    offset: number;
    at: number;
  }
  const raws: Raw[] = [];
  for (let t = 0; t < tensorCount; t++) {
    const at = c.pos;
    const name = await c.string(`tensor ${t} name`);
    const nd = await c.u32(`dimension count of '${name}'`);
    if (nd > MAX_DIMS) c.fail(`tensor '${name}' has ${nd} dimensions (at most ${MAX_DIMS})`, at);
    const ne: number[] = [];
    for (let d = 0; d < nd; d++) ne.push(await c.u64(`dimension ${d} of '${name}'`));
    const type = await c.u32(`type of '${name}'`);
    const offset = await c.u64(`offset of '${name}'`);
    raws.push({ name, ne, type, offset, at });
  }
  const dataOffset = Math.ceil(c.pos / alignment) * alignment;

  const tensors: LocatedTensor[] = [];
  const ranges: { name: string; start: number; end: number }[] = [];
  for (const r of raws) {
    const bad = (detail: string, offset = r.at): never => {
      throw new DataFileError(file, detail, { tensor: r.name, offset });
    };
    const gt = TYPES.get(r.type);
    if (!gt) bad(`has unknown ggml type ${r.type}`);
    const g = gt as GgmlType;
    if (r.offset % alignment !== 0) bad(`offset ${r.offset} is not a multiple of the alignment ${alignment}`);
    const ne0 = r.ne.length ? r.ne[0] : 1;
    if (ne0 % g.blockElems !== 0)
      bad(`row length ${ne0} is not a multiple of the ${g.name} block size ${g.blockElems}`);
    const numel = product(r.ne);
    const byteSize = (numel / g.blockElems) * g.blockBytes;
    if (!Number.isSafeInteger(byteSize)) bad(`size of shape [${r.ne.join(', ')}] is too large`);
    const start = dataOffset + r.offset;
    if (start + byteSize > src.size) {
      bad(`data [${start}, ${start + byteSize}) exceeds file size ${src.size}`, start);
    }
    ranges.push({ name: r.name, start, end: start + byteSize });
    const shape = [...r.ne].reverse();
    const { rows, cols } = view2d(shape);
    tensors.push({
      info: {
        name: r.name,
        shape,
        dtype: g.name,
        byteSize,
        file,
        byteOffset: start,
        format: 'gguf',
        rows,
        cols,
        supported: g.codec !== undefined,
        ...(g.codec ? {} : { note: `dequantizing ${g.name} is not supported` }),
      },
      ...(g.codec ? { codec: g.codec } : {}),
      order: 'C',
      data: () => Promise.resolve(windowByteSource(src, start, byteSize)),
    });
  }
  checkDisjoint(file, ranges);
  return { version, metadata, tensors, alignment, dataOffset };
}
