/**
 * Real tensors from files (CONTRACT.md §2 `data.source = "file"`): one API over
 * safetensors (incl. sharded checkpoints), .npy, .npz, GGUF and CSV/TSV, shared by the browser,
 * the worker and the CLI. Pure TS: no DOM, no node built-ins (node file access lives in
 * `node-source.ts`).
 *
 *   const sources = [fileByteSource(file)]              // or await nodeByteSource(path)
 *   const infos = await listTensors(sources)            // headers only
 *   const { matrix, sha256, nonFinite } = await readTensor(sources, 'model.layers.0.mlp.up_proj.weight', {
 *     rowRange: [0, 512], maxRows: 256, subsampleSeed: 7,
 *   })
 *
 * The format of each source is recognised by its magic bytes (npy "\x93NUMPY", zip "PK", GGUF
 * "GGUF", safetensors: u64 length then '{'), then by extension, then CSV for text. Several sources
 * are read together (a sharded checkpoint is its shards plus, optionally, its
 * `*.safetensors.index.json`); tensor names must be unique across them.
 *
 * Views and selection (rows = vectors being quantized, cols = dim): see tensor.ts. Errors about a
 * file are `DataFileError`s; malformed options (non-integer ranges) are `RangeError`s.
 */
import { listCsv, looksLikeText, readCsv } from './csv';
import { DataFileError } from './errors';
import { looksLikeGguf, parseGguf, type GgufValue } from './gguf';
import { looksLikeNpy, parseNpy } from './npy';
import { parseNpz } from './npz';
import { looksLikeSafetensors, parseSafetensors, parseShardIndex } from './safetensors';
import type { ByteSource } from './source';
import {
  readLocated,
  type LocatedTensor,
  type ReadOptions,
  type ReadResult,
  type TensorFormat,
  type TensorInfo,
} from './tensor';
import { looksLikeOnnxName, parseOnnx } from './onnx';
import { looksLikeLegacyTorch, parsePytorch, torchPickleEntry } from './pytorch';
import { looksLikeZip, readZipDirectory } from './zip';

export { DataFileError } from './errors';
export { bytesByteSource, fileByteSource, type ByteSource } from './source';
export { subsampleIndices } from './subsample';
export {
  MAX_MATRIX_BYTES,
  type Layout,
  type ReadOptions,
  type ReadResult,
  type Selection,
  type TensorFormat,
  type TensorInfo,
} from './tensor';
export type { GgufValue } from './gguf';

/** 'onnx-external-data': a file an ONNX model given alongside names as its external data. */
export type FileFormat = TensorFormat | 'safetensors-index' | 'onnx-external-data';

export interface FileSummary {
  readonly file: string;
  readonly format: FileFormat;
  /** safetensors `__metadata__`, GGUF metadata KV, or the index's "metadata"; empty otherwise. */
  readonly metadata: Readonly<Record<string, GgufValue>>;
  /** GGUF version, when the file is GGUF. */
  readonly version?: number;
}

export interface OpenedFiles {
  readonly files: FileSummary[];
  readonly tensors: TensorInfo[];
}

type Entry = { readonly info: TensorInfo; readonly loc?: LocatedTensor; readonly csv?: ByteSource };

const TORCH_EXTENSIONS = /\.(pt|pth|bin|ckpt|tar)$/;

async function detect(src: ByteSource): Promise<FileFormat> {
  const head = await src.read(0, Math.min(src.size, 4096));
  const lower = src.name.toLowerCase();
  if (looksLikeNpy(head)) return 'npy';
  if (looksLikeGguf(head)) return 'gguf';
  if (looksLikeZip(head)) {
    // torch.save's zip holds <prefix>/data.pkl; numpy's holds .npy entries.
    const { entries } = await readZipDirectory(src);
    return torchPickleEntry(entries) ? 'pytorch' : 'npz';
  }
  if (looksLikeSafetensors(head, src.size)) return 'safetensors';
  if (looksLikeOnnxName(lower)) return 'onnx';
  if (TORCH_EXTENSIONS.test(lower) && looksLikeLegacyTorch(head)) {
    throw new DataFileError(
      src.name,
      'is a legacy (pre-1.6, non-zip) torch.save checkpoint, which is not supported; re-save it with torch.save from PyTorch ≥ 1.6',
      { offset: 0 },
    );
  }
  if (lower.endsWith('.json') && head[0] === 0x7b) return 'safetensors-index';
  // A damaged file with a telling extension goes to its own parser for a precise message.
  if (lower.endsWith('.safetensors')) return 'safetensors';
  if (lower.endsWith('.npy')) return 'npy';
  if (lower.endsWith('.npz')) return 'npz';
  if (lower.endsWith('.gguf')) return 'gguf';
  if (src.size > 0 && looksLikeText(head)) return 'csv';
  throw new DataFileError(
    src.name,
    src.size === 0
      ? 'file is empty'
      : 'unrecognised format (expected .safetensors, .npy, .npz, .gguf, .onnx, a PyTorch .pt/.pth/.bin zip or CSV)',
    { offset: 0 },
  );
}

async function open(sources: readonly ByteSource[]): Promise<{ files: FileSummary[]; entries: Entry[] }> {
  const files: FileSummary[] = [];
  const entries: Entry[] = [];
  const shardIndexes: { src: ByteSource; map: ReadonlyMap<string, string> }[] = [];
  const headerNames = new Map<string, Set<string>>();
  // ONNX models first: files they name as external data are their companions, not tensor files.
  const formats = new Map<ByteSource, FileFormat>();
  const companions = new Map<string, ByteSource>();
  for (const src of sources) {
    const format = looksLikeOnnxName(src.name) ? 'onnx' : undefined;
    if (format) formats.set(src, format);
    else companions.set(src.name, src);
  }
  const usedCompanions = new Set<ByteSource>();
  const onnxParsed = new Map<ByteSource, Awaited<ReturnType<typeof parseOnnx>>>();
  for (const [src] of formats) {
    onnxParsed.set(
      src,
      await parseOnnx(src, (location) => {
        // Exact relative path (CLI), else the base name (files picked together in the page).
        const c = companions.get(location) ?? companions.get(location.slice(location.lastIndexOf('/') + 1));
        if (c) usedCompanions.add(c);
        return c;
      }),
    );
  }
  for (const src of sources) {
    if (usedCompanions.has(src)) {
      files.push({ file: src.name, format: 'onnx-external-data', metadata: {} });
      continue;
    }
    const format = formats.get(src) ?? (await detect(src));
    switch (format) {
      case 'safetensors': {
        const st = await parseSafetensors(src);
        files.push({ file: src.name, format, metadata: st.metadata });
        for (const loc of st.tensors) entries.push({ info: loc.info, loc });
        headerNames.set(src.name, new Set(st.tensors.map((t) => t.info.name)));
        break;
      }
      case 'safetensors-index': {
        const ix = await parseShardIndex(src);
        files.push({ file: src.name, format, metadata: ix.metadata as Record<string, GgufValue> });
        shardIndexes.push({ src, map: ix.weightMap });
        break;
      }
      case 'npy': {
        const loc = await parseNpy(src);
        files.push({ file: src.name, format, metadata: {} });
        entries.push({ info: loc.info, loc });
        break;
      }
      case 'npz': {
        files.push({ file: src.name, format, metadata: {} });
        const locs = await parseNpz(src);
        if (locs.length === 0) {
          throw new DataFileError(
            src.name,
            'zip archive holds no .npy entries and no data.pkl: neither an .npz nor a torch.save checkpoint',
          );
        }
        for (const loc of locs) entries.push({ info: loc.info, loc });
        break;
      }
      case 'pytorch': {
        files.push({ file: src.name, format, metadata: {} });
        const locs = await parsePytorch(src);
        for (const loc of locs) entries.push({ info: loc.info, loc });
        headerNames.set(src.name, new Set(locs.map((t) => t.info.name)));
        break;
      }
      case 'onnx': {
        const o = onnxParsed.get(src);
        if (!o) break;
        files.push({ file: src.name, format, metadata: o.metadata });
        for (const loc of o.tensors) entries.push({ info: loc.info, loc });
        break;
      }
      case 'onnx-external-data':
        break;
      case 'gguf': {
        const g = await parseGguf(src);
        files.push({ file: src.name, format, metadata: g.metadata, version: g.version });
        for (const loc of g.tensors) entries.push({ info: loc.info, loc });
        break;
      }
      case 'csv': {
        const info = await listCsv(src);
        files.push({ file: src.name, format, metadata: {} });
        entries.push({ info, csv: src });
        break;
      }
    }
  }
  // A sharded checkpoint must come with every shard its index names, each holding its tensors.
  for (const { src, map } of shardIndexes) {
    for (const [tensor, shard] of map) {
      const names = headerNames.get(shard);
      if (!names) {
        throw new DataFileError(
          src.name,
          `shard '${shard}' (holding tensor '${tensor}') was not provided; choose it together with the index`,
        );
      }
      if (!names.has(tensor)) {
        throw new DataFileError(
          src.name,
          `weight_map puts tensor '${tensor}' in '${shard}', which does not contain it`,
        );
      }
    }
  }
  const seen = new Map<string, string>();
  for (const { info } of entries) {
    const prev = seen.get(info.name);
    if (prev !== undefined) {
      throw new DataFileError(info.file, `tensor name also appears in ${prev}; open these files separately`, {
        tensor: info.name,
      });
    }
    seen.set(info.name, info.file);
  }
  return { files, entries };
}

/** Headers of every source: file summaries (metadata) and the tensors they hold. */
export async function openFiles(sources: readonly ByteSource[]): Promise<OpenedFiles> {
  const { files, entries } = await open(sources);
  return { files, tensors: entries.map((e) => e.info) };
}

/** Name, shape, dtype, byte size, file and byte offset of every tensor (headers only). */
export async function listTensors(sources: readonly ByteSource[]): Promise<TensorInfo[]> {
  return (await openFiles(sources)).tensors;
}

/** Sources whose headers were parsed once; `read` decodes any of their tensors. */
export interface OpenedCheckpoint extends OpenedFiles {
  read(name: string | undefined, opts?: ReadOptions): Promise<ReadResult>;
}

/**
 * Parse the headers once and read tensors from them as often as needed. Use this to go through
 * many tensors of one checkpoint (a sweep): `readTensor` re-parses the headers on every call,
 * which for ONNX means a scan of the model and for PyTorch a pass over data.pkl.
 */
export async function openCheckpoint(sources: readonly ByteSource[]): Promise<OpenedCheckpoint> {
  const { files, entries } = await open(sources);
  const fileNames = sources.map((s) => s.name).join(', ') || '(no files)';
  return {
    files,
    tensors: entries.map((e) => e.info),
    read: (name, opts = {}) => readEntry(entries, fileNames, name, opts),
  };
}

/**
 * Decode one tensor (or a slice of it) to a row-major float32 matrix, reading only its bytes.
 * `name` may be omitted when the sources hold exactly one tensor (CONTRACT.md §2).
 */
export async function readTensor(
  sources: readonly ByteSource[],
  name: string | undefined,
  opts: ReadOptions = {},
): Promise<ReadResult> {
  const { entries } = await open(sources);
  const fileNames = sources.map((s) => s.name).join(', ') || '(no files)';
  return readEntry(entries, fileNames, name, opts);
}

async function readEntry(
  entries: readonly Entry[],
  fileNames: string,
  name: string | undefined,
  opts: ReadOptions,
): Promise<ReadResult> {
  let entry: Entry | undefined;
  if (name === undefined) {
    if (entries.length !== 1) {
      throw new DataFileError(fileNames, `holds ${entries.length} tensors; name one (${preview(entries)})`);
    }
    entry = entries[0];
  } else {
    entry = entries.find((e) => e.info.name === name);
    if (!entry) throw new DataFileError(fileNames, `no tensor '${name}' (available: ${preview(entries)})`);
  }
  if (entry.csv) return readCsv(entry.csv, opts);
  return readLocated(entry.loc as LocatedTensor, opts);
}

function preview(entries: readonly Entry[]): string {
  const names = entries.slice(0, 5).map((e) => `'${e.info.name}'`);
  return entries.length > 5
    ? `${names.join(', ')}, … ${entries.length - 5} more`
    : names.join(', ') || 'none';
}

/** Sources opened once: their listing, and reads of any tensor without re-parsing the headers. */
export interface TensorSet {
  readonly files: FileSummary[];
  readonly tensors: TensorInfo[];
  read(name: string, opts?: ReadOptions): Promise<ReadResult>;
}

/**
 * Open several sources once (a checkpoint sweep reads every tensor in turn: re-reading every
 * shard's header per tensor would cost O(tensors × shards) header parses).
 */
export async function openTensorSet(sources: readonly ByteSource[]): Promise<TensorSet> {
  const { files, entries } = await open(sources);
  const byName = new Map(entries.map((e) => [e.info.name, e]));
  return {
    files,
    tensors: entries.map((e) => e.info),
    async read(name, opts = {}) {
      const entry = byName.get(name);
      if (!entry) {
        const fileNames = sources.map((s) => s.name).join(', ') || '(no files)';
        throw new DataFileError(fileNames, `no tensor '${name}' (available: ${preview(entries)})`);
      }
      if (entry.csv) return readCsv(entry.csv, opts);
      return readLocated(entry.loc as LocatedTensor, opts);
    },
  };
}
