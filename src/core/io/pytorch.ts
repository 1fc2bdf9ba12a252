/**
 * PyTorch checkpoint reader: the zip format `torch.save` writes since PyTorch 1.6
 * (torch/serialization.py `_save`, and caffe2's PyTorchStreamWriter for the archive layout):
 *
 *   <prefix>/data.pkl        the pickled object (protocol 2), usually a state_dict
 *   <prefix>/data/<key>      one stored (uncompressed, 64-byte aligned) entry per storage
 *   <prefix>/byteorder       'little' or 'big' (absent before PyTorch 2.1: little)
 *   <prefix>/version, <prefix>/.data/serialization_id
 *
 * In data.pkl a tensor is `torch._utils._rebuild_tensor_v2(storage, storage_offset, size,
 * stride, requires_grad, backward_hooks[, metadata])` and a storage is a persistent id
 * `('storage', torch.FloatStorage, key, location, numel)` (BINPERSID); dtypes without a legacy
 * storage class (float8_e4m3fn/e5m2, uint16/32/64) use `_rebuild_tensor_v3(…, dtype)` over a
 * `torch.storage.UntypedStorage` whose numel counts bytes; `nn.Parameter`s go through
 * `_rebuild_parameter(tensor, requires_grad, backward_hooks)`, and a state_dict is a
 * `collections.OrderedDict` (BUILD then sets its `_metadata`, which we ignore).
 *
 * The pickle is read by pickle.ts, which executes nothing: only the globals in `ALLOWED` may be
 * referenced and only the reconstructors among them may be "called" (interpreted as data here).
 * Anything else — `os system`, `builtins eval`, a `__torch__` class of a TorchScript archive — is
 * refused with the global's name and the byte offset. Legacy (pre-1.6, non-zip) checkpoints are
 * recognised and refused with a message.
 *
 * Tensors are named by their path through nested dicts and lists, joined with '.', e.g.
 * {"model": {"fc.weight": t}} gives 'model.fc.weight'. Storage offsets and strides are honoured:
 * a contiguous tensor is sliced from its storage with ranged reads; a strided view (e.g. a saved
 * transpose) is gathered from the storage span it covers when read. Tensors sharing a storage
 * (tied weights, views) each read their own elements.
 */
import { scalarCodec, type Codec, type ScalarKind } from './dtypes';
import { DataFileError } from './errors';
import {
  kindOf,
  PickleDict,
  PickleGlobal,
  PickleTuple,
  readPickle,
  type PickleOpaque,
  type PickleValue,
} from './pickle';
import { bytesByteSource, readExact, windowByteSource, type ByteSource } from './source';
import { product, view2d, type LocatedTensor } from './tensor';
import {
  checkEntrySupported,
  entryDataStart,
  MAX_INFLATED_BYTES,
  readEntry,
  readZipDirectory,
  type ZipEntry,
} from './zip';

export const MAX_PICKLE_BYTES = 256 * 2 ** 20;
const MAX_DEPTH = 64;

interface StorageType {
  readonly dtype: string;
  readonly bytes: number;
  readonly kind?: ScalarKind;
}

/** torch.<X>Storage → element type (torch/storage.py `_LegacyStorage` subclasses). */
const STORAGES: Readonly<Record<string, StorageType>> = {
  FloatStorage: { dtype: 'float32', bytes: 4, kind: 'f4' },
  DoubleStorage: { dtype: 'float64', bytes: 8, kind: 'f8' },
  HalfStorage: { dtype: 'float16', bytes: 2, kind: 'f2' },
  BFloat16Storage: { dtype: 'bfloat16', bytes: 2, kind: 'bf16' },
  LongStorage: { dtype: 'int64', bytes: 8, kind: 'i8' },
  IntStorage: { dtype: 'int32', bytes: 4, kind: 'i4' },
  ShortStorage: { dtype: 'int16', bytes: 2, kind: 'i2' },
  CharStorage: { dtype: 'int8', bytes: 1, kind: 'i1' },
  ByteStorage: { dtype: 'uint8', bytes: 1, kind: 'u1' },
  BoolStorage: { dtype: 'bool', bytes: 1, kind: 'b1' },
  UntypedStorage: { dtype: 'uint8', bytes: 1, kind: 'u1' },
  ComplexFloatStorage: { dtype: 'complex64', bytes: 8 },
  ComplexDoubleStorage: { dtype: 'complex128', bytes: 16 },
  QInt8Storage: { dtype: 'qint8', bytes: 1 },
  QUInt8Storage: { dtype: 'quint8', bytes: 1 },
  QInt32Storage: { dtype: 'qint32', bytes: 4 },
};

/**
 * torch dtypes by name, for `_rebuild_tensor_v3(untyped storage, …, dtype)`, which torch ≥ 2.1
 * uses for dtypes without a legacy storage class (uint16/32/64, the float8 types).
 */
const DTYPES: Readonly<Record<string, StorageType>> = {
  float32: STORAGES.FloatStorage,
  float64: STORAGES.DoubleStorage,
  float16: STORAGES.HalfStorage,
  bfloat16: STORAGES.BFloat16Storage,
  int64: STORAGES.LongStorage,
  int32: STORAGES.IntStorage,
  int16: STORAGES.ShortStorage,
  int8: STORAGES.CharStorage,
  uint8: STORAGES.ByteStorage,
  bool: STORAGES.BoolStorage,
  uint16: { dtype: 'uint16', bytes: 2, kind: 'u2' },
  uint32: { dtype: 'uint32', bytes: 4, kind: 'u4' },
  uint64: { dtype: 'uint64', bytes: 8, kind: 'u8' },
  float8_e4m3fn: { dtype: 'float8_e4m3fn', bytes: 1, kind: 'e4m3' },
  float8_e5m2: { dtype: 'float8_e5m2', bytes: 1, kind: 'e5m2' },
  float8_e4m3fnuz: { dtype: 'float8_e4m3fnuz', bytes: 1 },
  float8_e5m2fnuz: { dtype: 'float8_e5m2fnuz', bytes: 1 },
};

/**
 * Every global a plain checkpoint needs, as "module name". Reconstructors are interpreted in
 * `reduce`; the storage types and Parameter/Tensor only ever appear as arguments.
 */
export const ALLOWED_GLOBALS: readonly string[] = [
  'collections OrderedDict',
  'torch._utils _rebuild_tensor',
  'torch._utils _rebuild_tensor_v2',
  'torch._utils _rebuild_tensor_v3',
  'torch.storage UntypedStorage',
  'torch._utils _rebuild_parameter',
  'torch._utils _rebuild_parameter_with_state',
  'torch._tensor _rebuild_from_type_v2',
  'torch.nn.parameter Parameter',
  'torch Tensor',
  'torch Size',
  // protocol 2 pickles a `bytes` object as _codecs.encode(str, 'latin1')
  '_codecs encode',
  ...Object.keys(STORAGES).map((s) => `torch ${s}`),
  ...Object.keys(DTYPES).map((d) => `torch ${d}`),
];
const ALLOWED = new Set(ALLOWED_GLOBALS);

interface TorchStorage extends PickleOpaque {
  readonly storage: true;
  readonly type: StorageType;
  readonly key: string;
  readonly numel: number;
}

interface TorchTensor extends PickleOpaque {
  readonly tensor: true;
  readonly storage: TorchStorage;
  readonly offset: number;
  readonly size: readonly number[];
  readonly stride: readonly number[];
}

function isStorage(x: PickleValue): x is TorchStorage {
  return typeof x === 'object' && x !== null && 'storage' in x && (x as TorchStorage).storage === true;
}
function isTensor(x: PickleValue): x is TorchTensor {
  return typeof x === 'object' && x !== null && 'tensor' in x && (x as TorchTensor).tensor === true;
}

/** True for the first bytes of a legacy (pre-1.6) torch.save pickle: PROTO 2, LONG1 magic number. */
export function looksLikeLegacyTorch(head: Uint8Array): boolean {
  return head.length >= 3 && head[0] === 0x80 && head[1] >= 2 && head[1] <= 5 && head[2] === 0x8a;
}

/** The `<prefix>/data.pkl` entry of a torch zip, if this zip is one. */
export function torchPickleEntry(entries: readonly ZipEntry[]): ZipEntry | undefined {
  return entries.find((e) => /^[^/]+\/data\.pkl$/.test(e.name));
}

export async function parsePytorch(src: ByteSource): Promise<LocatedTensor[]> {
  const file = src.name;
  const { entries, directoryStart } = await readZipDirectory(src);
  const pkl = torchPickleEntry(entries);
  if (!pkl)
    throw new DataFileError(file, 'zip archive has no <prefix>/data.pkl: not a torch.save checkpoint');
  const prefix = pkl.name.slice(0, -'data.pkl'.length);
  const byName = new Map(entries.map((e) => [e.name, e]));
  checkEntrySupported(src, pkl);
  if (pkl.uncompressedSize > MAX_PICKLE_BYTES) {
    throw new DataFileError(
      file,
      `${pkl.name} of ${pkl.uncompressedSize} bytes exceeds the ${MAX_PICKLE_BYTES}-byte cap`,
    );
  }
  const pklBytes = await readEntry(src, pkl, await entryDataStart(src, pkl, directoryStart));

  let littleEndian = true;
  const bo = byName.get(`${prefix}byteorder`);
  if (bo) {
    checkEntrySupported(src, bo);
    if (bo.uncompressedSize > 16) throw new DataFileError(file, `${bo.name} is not 'little' or 'big'`);
    const text = new TextDecoder('latin1').decode(
      await readEntry(src, bo, await entryDataStart(src, bo, directoryStart)),
    );
    if (text !== 'little' && text !== 'big') {
      throw new DataFileError(file, `${bo.name} says '${text}', expected 'little' or 'big'`);
    }
    littleEndian = text === 'little';
  }

  const where = pkl.name;
  const bad = (detail: string, at: number): never => {
    throw new DataFileError(file, `${where}: ${detail} (pickle byte ${at})`);
  };
  const int = (x: PickleValue, what: string, at: number): number => {
    if (typeof x !== 'number' || !Number.isSafeInteger(x) || x < 0)
      bad(`${what} is not a non-negative integer`, at);
    return x as number;
  };
  const ints = (x: PickleValue, what: string, at: number): number[] => {
    const items =
      x instanceof PickleTuple ? x.items : Array.isArray(x) ? x : bad(`${what} is a ${kindOf(x)}`, at);
    return (items as PickleValue[]).map((d) => int(d, what, at));
  };

  const reduce = (fn: PickleGlobal, args: readonly PickleValue[], at: number): PickleValue => {
    const id = `${fn.module} ${fn.name}`;
    switch (id) {
      case 'collections OrderedDict': {
        const d = new PickleDict();
        if (args.length > 0) {
          const items = args[0];
          const pairs = items instanceof PickleTuple ? items.items : Array.isArray(items) ? items : [];
          for (const pair of pairs) {
            const kv = pair instanceof PickleTuple ? pair.items : Array.isArray(pair) ? pair : [];
            if (kv.length !== 2) bad('OrderedDict item is not a (key, value) pair', at);
            d.set(kv[0], kv[1]);
          }
        }
        return d;
      }
      case 'torch._utils _rebuild_tensor':
      case 'torch._utils _rebuild_tensor_v2': {
        if (args.length < 4)
          bad(`${fn.name} needs (storage, offset, size, stride, …), got ${args.length} arguments`, at);
        const storage = args[0];
        if (!isStorage(storage))
          return bad(`${fn.name}: first argument is a ${kindOf(storage)}, not a storage`, at);
        const t: TorchTensor = {
          opaque: true,
          tensor: true,
          storage,
          offset: int(args[1], 'storage_offset', at),
          size: ints(args[2], 'size', at),
          stride: ints(args[3], 'stride', at),
        };
        if (t.size.length !== t.stride.length) bad(`size and stride have different ranks`, at);
        return t;
      }
      case 'torch._utils _rebuild_tensor_v3': {
        // (storage, offset, size, stride, requires_grad, hooks, dtype[, metadata]): the storage is
        // untyped (numel counts bytes) and the dtype says how to read it.
        const dt = args[6];
        if (!(dt instanceof PickleGlobal) || dt.module !== 'torch' || !(dt.name in DTYPES)) {
          return bad(`_rebuild_tensor_v3: dtype is a ${kindOf(dt)}, not a torch dtype`, at);
        }
        const base = reduce(new PickleGlobal('torch._utils', '_rebuild_tensor_v2'), args.slice(0, 6), at);
        if (!isTensor(base)) return bad('_rebuild_tensor_v3: bad arguments', at);
        const type = DTYPES[dt.name];
        const bytes = base.storage.numel * base.storage.type.bytes;
        const typed: TorchTensor = {
          ...base,
          storage: { ...base.storage, type, numel: Math.floor(bytes / type.bytes) },
        };
        return typed;
      }
      case 'torch._utils _rebuild_parameter':
      case 'torch._utils _rebuild_parameter_with_state':
        if (!isTensor(args[0])) bad(`${fn.name}: data is a ${kindOf(args[0])}, not a tensor`, at);
        return args[0];
      case 'torch._tensor _rebuild_from_type_v2': {
        // (func, new_type, args, state): a Tensor/Parameter subclass wrapper around func(*args)
        const [inner, , innerArgs] = args;
        if (!(inner instanceof PickleGlobal) || !(innerArgs instanceof PickleTuple)) {
          return bad('_rebuild_from_type_v2 needs (func, type, args, state)', at);
        }
        return reduce(inner, innerArgs.items, at);
      }
      case 'torch Size':
        return args[0] ?? new PickleTuple([]);
      case '_codecs encode':
        if (typeof args[0] !== 'string') return bad('_codecs.encode of a non-string', at);
        return Uint8Array.from(args[0], (ch) => ch.charCodeAt(0) & 0xff);
      default:
        return bad(`refuses to call '${id}' (it is not a tensor reconstructor)`, at);
    }
  };

  const persistentLoad = (pid: PickleValue, at: number): PickleValue => {
    const items = pid instanceof PickleTuple ? pid.items : [];
    if (items.length < 5 || items[0] !== 'storage') {
      return bad(`persistent id is not ('storage', type, key, location, numel)`, at);
    }
    const [, type, key, , numel] = items;
    const untyped =
      type instanceof PickleGlobal && type.module === 'torch.storage' && type.name === 'UntypedStorage';
    if (
      !untyped &&
      (!(type instanceof PickleGlobal) || type.module !== 'torch' || !(type.name in STORAGES))
    ) {
      return bad(`persistent id names storage type ${kindOf(type)}`, at);
    }
    if (typeof key !== 'string') return bad('storage key is not a string', at);
    const s: TorchStorage = {
      opaque: true,
      storage: true,
      type: STORAGES[(type as PickleGlobal).name],
      key,
      numel: int(numel, 'storage numel', at),
    };
    return s;
  };

  const root = readPickle(pklBytes, file, where, {
    allowGlobal: (m, n) => ALLOWED.has(`${m} ${n}`),
    reduce,
    persistentLoad,
    build: (obj) => obj,
  });

  // Walk nested containers, naming tensors by their dotted path.
  const found: { name: string; t: TorchTensor }[] = [];
  const onPath = new Set<object>();
  // A pickle can reference one container many times through the memo (a list holding the same
  // list twice, nested 40 deep, has 2^40 paths): cap the paths walked by the pickle's size,
  // which a real checkpoint, a tree of containers, never approaches.
  let budget = 2 * pklBytes.length + 1024;
  const walk = (x: PickleValue, path: string, depth: number) => {
    if (depth > MAX_DEPTH)
      throw new DataFileError(file, `${where}: containers nested deeper than ${MAX_DEPTH}`);
    if (--budget < 0) {
      throw new DataFileError(
        file,
        `${where}: containers are shared so often that naming every tensor would not end`,
      );
    }
    if (isTensor(x)) {
      found.push({ name: path === '' ? file : path, t: x });
      return;
    }
    if (typeof x !== 'object' || x === null || onPath.has(x)) return;
    const join = (k: string) => (path === '' ? k : `${path}.${k}`);
    onPath.add(x);
    if (x instanceof PickleDict) {
      for (const [k, v] of x.entries) {
        if (typeof k === 'string' || typeof k === 'number') walk(v, join(String(k)), depth + 1);
      }
    } else if (x instanceof PickleTuple || Array.isArray(x)) {
      const items = x instanceof PickleTuple ? x.items : x;
      items.forEach((v, i) => walk(v, join(String(i)), depth + 1));
    }
    onPath.delete(x);
  };
  walk(root, '', 0);

  const starts = new Map<string, { entry: ZipEntry; start: number }>();
  const storageEntry = async (s: TorchStorage, name: string) => {
    const cached = starts.get(s.key);
    if (cached) return cached;
    const entry = byName.get(`${prefix}data/${s.key}`);
    if (!entry)
      throw new DataFileError(file, `storage '${prefix}data/${s.key}' is missing from the archive`, {
        tensor: name,
      });
    checkEntrySupported(src, entry);
    const need = s.numel * s.type.bytes;
    if (entry.uncompressedSize < need) {
      throw new DataFileError(
        file,
        `storage '${entry.name}' holds ${entry.uncompressedSize} bytes but its ${s.numel} ${s.type.dtype} elements need ${need}`,
        { tensor: name },
      );
    }
    const r = { entry, start: await entryDataStart(src, entry, directoryStart) };
    starts.set(s.key, r);
    return r;
  };

  const out: LocatedTensor[] = [];
  for (const { name, t } of found) {
    const ty = t.storage.type;
    const numel = product(t.size);
    const elem = ty.bytes;
    const byteSize = numel * elem;
    if (!Number.isSafeInteger(byteSize))
      throw new DataFileError(file, `size [${t.size.join(', ')}] is too large`, { tensor: name });
    // Elements the view touches: offset + Σ (size_i − 1)·stride_i + 1 (0 for an empty tensor).
    let extent = numel === 0 ? 0 : 1;
    if (numel > 0) for (let i = 0; i < t.size.length; i++) extent += (t.size[i] - 1) * t.stride[i];
    if (numel > 0 && t.offset + extent > t.storage.numel) {
      throw new DataFileError(
        file,
        `view (offset ${t.offset}, size [${t.size.join(', ')}], stride [${t.stride.join(', ')}]) reaches element ${t.offset + extent} of a ${t.storage.numel}-element storage`,
        { tensor: name },
      );
    }
    let contiguous = true;
    for (let i = t.size.length - 1, expect = 1; i >= 0; i--) {
      if (t.size[i] !== 1 && t.stride[i] !== expect) contiguous = false;
      expect *= t.size[i];
    }
    const { entry, start } = await storageEntry(t.storage, name);
    const codec: Codec | undefined = ty.kind ? scalarCodec(ty.kind, littleEndian, ty.dtype) : undefined;
    const notes: string[] = [];
    if (!codec) notes.push(`torch ${ty.dtype} is not supported`);
    else if (ty.kind !== 'f4' && ty.kind !== 'f2' && ty.kind !== 'bf16' && ty.kind !== 'f8')
      notes.push(`${ty.dtype} values converted to float32`);
    if (!littleEndian) notes.push('big-endian');
    if (!contiguous) notes.push(`strided view (stride [${t.stride.join(', ')}]) gathered on read`);
    if (entry.method !== 0) notes.push('deflated storage');
    const storageBytes = async (from: number, len: number): Promise<ByteSource> => {
      if (entry.method === 0) return windowByteSource(src, start + from, len);
      return bytesByteSource(file, (await readEntry(src, entry, start)).subarray(from, from + len));
    };
    const data = async (): Promise<ByteSource> => {
      if (contiguous) return storageBytes(t.offset * elem, byteSize);
      const spanBytes = extent * elem;
      if (spanBytes > MAX_INFLATED_BYTES || byteSize > MAX_INFLATED_BYTES) {
        throw new DataFileError(
          file,
          `strided view spans ${spanBytes} bytes of storage, over the in-memory limit`,
          {
            tensor: name,
          },
        );
      }
      const span = await readExact(
        await storageBytes(t.offset * elem, spanBytes),
        0,
        spanBytes,
        'storage',
        name,
      );
      return bytesByteSource(file, gather(span, elem, t.size, t.stride, byteSize));
    };
    const { rows, cols } = view2d(t.size);
    out.push({
      info: {
        name,
        shape: [...t.size],
        dtype: ty.dtype,
        byteSize,
        file,
        byteOffset: start + t.offset * elem,
        format: 'pytorch',
        rows,
        cols,
        supported: codec !== undefined,
        ...(notes.length ? { note: notes.join(', ') } : {}),
      },
      ...(codec ? { codec } : {}),
      order: 'C',
      data,
    });
  }
  return out;
}

/** Copy a strided view's elements (row-major over `size`) out of its storage span. */
function gather(
  span: Uint8Array,
  elem: number,
  size: readonly number[],
  stride: readonly number[],
  bytes: number,
): Uint8Array {
  const out = new Uint8Array(bytes);
  const n = size.length;
  const idx = new Array<number>(n).fill(0);
  let src = 0;
  for (let o = 0; o < bytes; o += elem) {
    out.set(span.subarray(src * elem, src * elem + elem), o);
    for (let d = n - 1; d >= 0; d--) {
      idx[d]++;
      src += stride[d];
      if (idx[d] < size[d]) break;
      src -= stride[d] * size[d];
      idx[d] = 0;
    }
  }
  return out;
}
