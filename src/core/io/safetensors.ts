/**
 * safetensors reader (spec: huggingface/safetensors README, "Format"):
 *
 *   8 bytes      N, unsigned little-endian 64-bit: size of the header
 *   N bytes      UTF-8 JSON object: name → { "dtype", "shape", "data_offsets": [begin, end] },
 *                plus an optional "__metadata__" object of string → string
 *   rest         the byte buffer; offsets are relative to its start (byte 8 + N)
 *
 * Tensors are little-endian and C-ordered. The spec also requires data regions not to overlap;
 * we check that, the shape/size agreement, and that every region lies inside the file. Header
 * parsing is capped at `MAX_HEADER_BYTES` (the reference implementation caps at 100 MB too), so
 * a corrupt length cannot make us allocate gigabytes.
 *
 * Sharded checkpoints (`model.safetensors.index.json`, written by transformers'
 * `save_pretrained`): `{ "metadata": {...}, "weight_map": { tensor: shard file name } }`; the
 * shards are ordinary safetensors files passed alongside, matched by file name.
 */
import { scalarBytes, scalarCodec, type Codec, type ScalarKind } from './dtypes';
import { DataFileError } from './errors';
import { readExact, windowByteSource, type ByteSource } from './source';
import { checkDisjoint, product, view2d, type LocatedTensor } from './tensor';

export const MAX_HEADER_BYTES = 100_000_000;

/** safetensors dtype → (decoder kind, bytes per element). Unknown dtypes are listed, not decoded. */
const DTYPES: Readonly<Record<string, ScalarKind>> = {
  F64: 'f8',
  F32: 'f4',
  F16: 'f2',
  BF16: 'bf16',
  F8_E4M3: 'e4m3',
  F8_E5M2: 'e5m2',
  BOOL: 'b1',
  I8: 'i1',
  U8: 'u1',
  I16: 'i2',
  U16: 'u2',
  I32: 'i4',
  U32: 'u4',
  I64: 'i8',
  U64: 'u8',
};

export interface SafetensorsFile {
  readonly tensors: LocatedTensor[];
  readonly metadata: Readonly<Record<string, string>>;
}

/** True when the first bytes look like a safetensors header (length, then '{'). */
export function looksLikeSafetensors(head: Uint8Array, size: number): boolean {
  if (head.length < 9 || head[8] !== 0x7b) return false;
  const v = new DataView(head.buffer, head.byteOffset, head.byteLength);
  return v.getUint32(4, true) === 0 && v.getUint32(0, true) + 8 <= size;
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

export async function parseSafetensors(src: ByteSource): Promise<SafetensorsFile> {
  const file = src.name;
  const lenBytes = await readExact(src, 0, 8, 'header length');
  const lv = new DataView(lenBytes.buffer, lenBytes.byteOffset, 8);
  const n = lv.getUint32(0, true) + lv.getUint32(4, true) * 2 ** 32;
  if (n > MAX_HEADER_BYTES) {
    throw new DataFileError(file, `header length ${n} exceeds the ${MAX_HEADER_BYTES}-byte cap`, {
      offset: 0,
    });
  }
  if (8 + n > src.size) {
    throw new DataFileError(file, `header length ${n} goes beyond the file size ${src.size}`, { offset: 0 });
  }
  const headerBytes = await readExact(src, 8, n, 'header');
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(headerBytes));
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    throw new DataFileError(file, `invalid JSON header: ${why}`, { offset: 8 });
  }
  if (!isRecord(parsed)) throw new DataFileError(file, 'header is not a JSON object', { offset: 8 });

  const base = 8 + n;
  const metadata: Record<string, string> = {};
  const tensors: LocatedTensor[] = [];
  const ranges: { name: string; start: number; end: number }[] = [];
  for (const [name, entry] of Object.entries(parsed)) {
    if (name === '__metadata__') {
      if (!isRecord(entry)) throw new DataFileError(file, '__metadata__ is not an object', { offset: 8 });
      for (const [k, v] of Object.entries(entry)) metadata[k] = typeof v === 'string' ? v : JSON.stringify(v);
      continue;
    }
    const bad = (detail: string): never => {
      throw new DataFileError(file, detail, { tensor: name, offset: 8 });
    };
    if (!isRecord(entry)) bad('header entry is not an object');
    const rec = entry as Record<string, unknown>;
    const { dtype, shape, data_offsets: offs } = rec;
    if (typeof dtype !== 'string') bad('has no string "dtype"');
    if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && (d as number) >= 0)) {
      bad('"shape" is not a list of non-negative integers');
    }
    if (
      !Array.isArray(offs) ||
      offs.length !== 2 ||
      !offs.every((o) => Number.isSafeInteger(o) && (o as number) >= 0) ||
      (offs[1] as number) < (offs[0] as number)
    ) {
      bad('"data_offsets" is not [begin, end] with 0 ≤ begin ≤ end');
    }
    const dims = shape as number[];
    const [b, e] = offs as [number, number];
    const start = base + b;
    const end = base + e;
    if (end > src.size) {
      throw new DataFileError(file, `data [${start}, ${end}) exceeds file size ${src.size}`, {
        tensor: name,
        offset: start,
      });
    }
    const kind = DTYPES[dtype as string] as ScalarKind | undefined;
    let codec: Codec | undefined;
    let note: string | undefined;
    if (kind !== undefined) {
      const expected = product(dims) * scalarBytes(kind);
      if (expected !== e - b) {
        throw new DataFileError(
          file,
          `shape [${dims.join(', ')}] of ${dtype as string} needs ${expected} bytes but data_offsets span ${e - b}`,
          { tensor: name, offset: start },
        );
      }
      codec = scalarCodec(kind, true, dtype as string);
      if (kind !== 'f4' && kind !== 'f2' && kind !== 'bf16' && kind !== 'f8')
        note = `${dtype as string} values converted to float32`;
    } else {
      note = `dtype ${dtype as string} is not supported`;
    }
    ranges.push({ name, start, end });
    const { rows, cols } = view2d(dims);
    tensors.push({
      info: {
        name,
        shape: dims,
        dtype: dtype as string,
        byteSize: e - b,
        file,
        byteOffset: start,
        format: 'safetensors',
        rows,
        cols,
        supported: codec !== undefined,
        ...(note !== undefined ? { note } : {}),
      },
      ...(codec ? { codec } : {}),
      order: 'C',
      data: () => Promise.resolve(windowByteSource(src, start, e - b)),
    });
  }
  checkDisjoint(file, ranges);
  tensors.sort((a, b) => a.info.byteOffset - b.info.byteOffset);
  return { tensors, metadata };
}

export interface ShardIndex {
  readonly metadata: Readonly<Record<string, unknown>>;
  /** tensor name → shard file name */
  readonly weightMap: ReadonlyMap<string, string>;
}

/** Parse `*.safetensors.index.json` (capped at MAX_HEADER_BYTES like a header). */
export async function parseShardIndex(src: ByteSource): Promise<ShardIndex> {
  if (src.size > MAX_HEADER_BYTES) {
    throw new DataFileError(src.name, `index of ${src.size} bytes exceeds the ${MAX_HEADER_BYTES}-byte cap`);
  }
  const bytes = await readExact(src, 0, src.size, 'index');
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (e) {
    throw new DataFileError(src.name, `invalid JSON: ${e instanceof Error ? e.message : String(e)}`, {
      offset: 0,
    });
  }
  if (!isRecord(parsed) || !isRecord(parsed.weight_map)) {
    throw new DataFileError(src.name, 'not a safetensors index: no "weight_map" object');
  }
  const weightMap = new Map<string, string>();
  for (const [k, v] of Object.entries(parsed.weight_map)) {
    if (typeof v !== 'string')
      throw new DataFileError(src.name, `weight_map entry for '${k}' is not a file name`);
    weightMap.set(k, v);
  }
  return { metadata: isRecord(parsed.metadata) ? parsed.metadata : {}, weightMap };
}
