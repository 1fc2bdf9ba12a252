/**
 * ONNX reader (spec: onnx/onnx `onnx/onnx.proto`, IR version 3–10; external data:
 * `docs/ExternalData.md`). An ONNX model is one protobuf message:
 *
 *   ModelProto   1 ir_version · 2 producer_name · 3 producer_version · 4 domain · 5 model_version
 *                7 graph (GraphProto)
 *   GraphProto   1 node (NodeProto, repeated) · 5 initializer (TensorProto, repeated)
 *   NodeProto    1 input · 2 output (strings) · 3 name · 4 op_type · 5 attribute (AttributeProto)
 *   AttributeProto 1 name · 3 i · 5 t (TensorProto)
 *   TensorProto  1 dims (int64) · 2 data_type · 8 name · 9 raw_data · 13 external_data
 *                (StringStringEntryProto 1 key · 2 value) · 14 data_location (1 = EXTERNAL)
 *                typed repeated data: 4 float_data · 5 int32_data · 7 int64_data ·
 *                10 double_data · 11 uint64_data
 *
 * Weights live in two places: graph initializers, and `Constant` nodes whose `value` attribute
 * holds the tensor (paddle2onnx and some tf2onnx exports write them so); a Constant tensor is
 * named by the node's output, which is how the graph refers to it. Subgraphs (If/Loop bodies)
 * are not searched.
 *
 * Data placement: `raw_data` (fixed-width little-endian, onnx.proto "raw_data") and external data
 * are sliced with ranged reads like safetensors. The typed repeated fields are varint- or
 * fixed-width-encoded protobuf and have no random access; they are decoded in memory when the
 * tensor is read (float_data/double_data in one packed run are sliced directly). Per onnx.proto,
 * int32_data carries INT32, INT16, INT8, UINT16, UINT8, BOOL, FLOAT16 and BFLOAT16 (the latter two
 * as their uint16 bit patterns) and FLOAT8 types; uint64_data carries UINT32 and UINT64. We
 * normalise them to the little-endian bytes `raw_data` would hold, so the SHA-256 of a tensor is
 * the same however the exporter stored it (and equals that of a safetensors copy).
 *
 * Layout: y = A·B in MatMul and Gemm (transB = 0) stores the weight B as [in, out]; such
 * initializers get `layoutHint: 'in-out'` (a PyTorch Linear stores [out, in]).
 *
 * External data: `location` is a path relative to the model's folder (ExternalData.md); absolute
 * paths and any '..' segment are refused, so a model cannot make us read outside its folder.
 */
import { scalarCodec, type Codec, type ScalarKind } from './dtypes';
import { DataFileError } from './errors';
import { decodePackedVarints, ProtoCursor, WIRE_I32, WIRE_I64, WIRE_LEN, WIRE_VARINT } from './protobuf';
import { bytesByteSource, readExact, windowByteSource, type ByteSource } from './source';
import { checkDisjoint, product, view2d, type LocatedTensor } from './tensor';

const MAX_NAME_BYTES = 64 * 1024;
const MAX_DIMS = 16;
/** Typed-field tensors are decoded in memory; beyond this they are refused (use raw_data). */
const MAX_TYPED_BYTES = 2 ** 30;

interface OnnxType {
  readonly name: string;
  readonly bytes: number;
  readonly kind?: ScalarKind;
  /** Which typed repeated field carries it when raw_data is absent. */
  readonly field?: 4 | 5 | 7 | 10 | 11;
}

/** TensorProto.DataType (onnx.proto) → element geometry. */
const TYPES: ReadonlyMap<number, OnnxType> = new Map<number, OnnxType>([
  [1, { name: 'FLOAT', bytes: 4, kind: 'f4', field: 4 }],
  [2, { name: 'UINT8', bytes: 1, kind: 'u1', field: 5 }],
  [3, { name: 'INT8', bytes: 1, kind: 'i1', field: 5 }],
  [4, { name: 'UINT16', bytes: 2, kind: 'u2', field: 5 }],
  [5, { name: 'INT16', bytes: 2, kind: 'i2', field: 5 }],
  [6, { name: 'INT32', bytes: 4, kind: 'i4', field: 5 }],
  [7, { name: 'INT64', bytes: 8, kind: 'i8', field: 7 }],
  [8, { name: 'STRING', bytes: 0 }],
  [9, { name: 'BOOL', bytes: 1, kind: 'b1', field: 5 }],
  [10, { name: 'FLOAT16', bytes: 2, kind: 'f2', field: 5 }],
  [11, { name: 'DOUBLE', bytes: 8, kind: 'f8', field: 10 }],
  [12, { name: 'UINT32', bytes: 4, kind: 'u4', field: 11 }],
  [13, { name: 'UINT64', bytes: 8, kind: 'u8', field: 11 }],
  [14, { name: 'COMPLEX64', bytes: 8 }],
  [15, { name: 'COMPLEX128', bytes: 16 }],
  [16, { name: 'BFLOAT16', bytes: 2, kind: 'bf16', field: 5 }],
  // FLOAT8E4M3FN / FLOAT8E5M2 are the OCP FP8 formats; the FNUZ variants decode differently.
  [17, { name: 'FLOAT8E4M3FN', bytes: 1, kind: 'e4m3', field: 5 }],
  [18, { name: 'FLOAT8E4M3FNUZ', bytes: 1 }],
  [19, { name: 'FLOAT8E5M2', bytes: 1, kind: 'e5m2', field: 5 }],
  [20, { name: 'FLOAT8E5M2FNUZ', bytes: 1 }],
  [21, { name: 'UINT4', bytes: 0 }],
  [22, { name: 'INT4', bytes: 0 }],
  [23, { name: 'FLOAT4E2M1', bytes: 0 }],
]);

const FLOAT_KINDS: ReadonlySet<ScalarKind> = new Set(['f4', 'f2', 'bf16', 'f8']);

interface Segment {
  readonly field: number;
  readonly wire: number;
  readonly start: number;
  readonly length: number;
}

interface RawTensor {
  name: string;
  at: number;
  dims: number[];
  dataType: number;
  raw?: { start: number; length: number };
  segments: Segment[];
  external: Map<string, string>;
  dataLocation: number;
}

interface RawNode {
  opType: string;
  name: string;
  inputs: string[];
  outputs: string[];
  transB: number;
  value?: RawTensor;
}

export interface OnnxFile {
  readonly tensors: LocatedTensor[];
  readonly metadata: Readonly<Record<string, string | number>>;
  /** External data locations (normalised relative paths) the model refers to. */
  readonly externalLocations: readonly string[];
  /** How many of `tensors` came from Constant nodes (the rest are initializers). */
  readonly constantNodeTensors: number;
  /** Tensor name → 'in-out' for MatMul / Gemm(transB = 0) weights (module comment). */
  readonly layoutHints: ReadonlyMap<string, 'in-out'>;
}

export function looksLikeOnnxName(name: string): boolean {
  return name.toLowerCase().endsWith('.onnx');
}

/**
 * `location` of an external-data entry as a safe relative path ('a/b.bin'), or an error message.
 * Absolute paths, drive letters, '..' segments and NUL are refused (ExternalData.md requires a
 * path relative to the model's folder).
 */
export function checkExternalLocation(location: string): { path: string } | { error: string } {
  if (location === '' || location.includes('\0')) return { error: 'is empty or contains NUL' };
  if (/^[\\/]/.test(location) || /^[A-Za-z]:/.test(location))
    return { error: 'is an absolute path; it must be relative to the model' };
  const parts = location.split(/[\\/]+/).filter((p) => p !== '' && p !== '.');
  if (parts.some((p) => p === '..')) return { error: "escapes the model's folder ('..')" };
  if (parts.length === 0) return { error: 'names no file' };
  return { path: parts.join('/') };
}

async function parseTensorProto(c: ProtoCursor, start: number, end: number): Promise<RawTensor> {
  const t: RawTensor = {
    name: '',
    at: start,
    dims: [],
    dataType: 0,
    segments: [],
    external: new Map(),
    dataLocation: 0,
  };
  c.skipTo(start);
  while (c.pos < end) {
    const h = await c.next(end);
    const after = h.start + h.length;
    switch (h.field) {
      case 1: // dims
        if (h.wire === WIRE_VARINT) {
          if (!Number.isSafeInteger(h.value)) c.fail('tensor has a negative or huge dimension', h.at);
          t.dims.push(h.value);
        } else if (h.wire === WIRE_LEN) {
          if (h.length > MAX_DIMS * 10) c.fail(`tensor dims of ${h.length} bytes is too long`, h.at);
          const b = await c.bytes(h.length, after, 'dims');
          decodePackedVarints(
            b,
            (lo, hi) => {
              if (hi >= 0x200000) c.fail('tensor has a negative or huge dimension', h.start);
              t.dims.push(hi * 2 ** 32 + lo);
            },
            (d, at) => c.fail(`dims: ${d}`, h.start + at),
          );
        } else c.fail(`dims has wire type ${h.wire}`, h.at);
        if (t.dims.length > MAX_DIMS) c.fail(`tensor has more than ${MAX_DIMS} dimensions`, h.at);
        break;
      case 2:
        if (h.wire !== WIRE_VARINT || !Number.isSafeInteger(h.value))
          c.fail('data_type is not a small integer', h.at);
        t.dataType = h.value;
        break;
      case 8:
        if (h.wire !== WIRE_LEN) c.fail(`name has wire type ${h.wire}`, h.at);
        t.name = await c.string(h, MAX_NAME_BYTES, 'tensor name');
        break;
      case 9:
        if (h.wire !== WIRE_LEN) c.fail(`raw_data has wire type ${h.wire}`, h.at);
        t.raw = { start: h.start, length: h.length };
        break;
      case 4:
      case 5:
      case 7:
      case 10:
      case 11:
        // LEN: a packed run (its payload); VARINT/I32/I64: one unpacked element (tag + value).
        t.segments.push(
          h.wire === WIRE_LEN
            ? { field: h.field, wire: h.wire, start: h.start, length: h.length }
            : { field: h.field, wire: h.wire, start: h.at, length: c.pos - h.at },
        );
        break;
      case 13: {
        if (h.wire !== WIRE_LEN) c.fail(`external_data has wire type ${h.wire}`, h.at);
        let key = '';
        let value = '';
        while (c.pos < after) {
          const e = await c.next(after);
          if (e.field === 1 && e.wire === WIRE_LEN)
            key = await c.string(e, MAX_NAME_BYTES, 'external_data key');
          else if (e.field === 2 && e.wire === WIRE_LEN)
            value = await c.string(e, MAX_NAME_BYTES, 'external_data value');
          else if (e.wire === WIRE_LEN) c.skipTo(e.start + e.length);
        }
        t.external.set(key, value);
        break;
      }
      case 14:
        if (h.wire !== WIRE_VARINT) c.fail(`data_location has wire type ${h.wire}`, h.at);
        t.dataLocation = h.value;
        break;
      default:
        break;
    }
    if (h.wire === WIRE_LEN) c.skipTo(after);
  }
  return t;
}

async function parseNode(c: ProtoCursor, start: number, end: number): Promise<RawNode> {
  const n: RawNode = { opType: '', name: '', inputs: [], outputs: [], transB: 0 };
  c.skipTo(start);
  while (c.pos < end) {
    const h = await c.next(end);
    const after = h.start + h.length;
    if (h.wire === WIRE_LEN) {
      if (h.field === 1) n.inputs.push(await c.string(h, MAX_NAME_BYTES, 'node input'));
      else if (h.field === 2) n.outputs.push(await c.string(h, MAX_NAME_BYTES, 'node output'));
      else if (h.field === 3) n.name = await c.string(h, MAX_NAME_BYTES, 'node name');
      else if (h.field === 4) n.opType = await c.string(h, MAX_NAME_BYTES, 'op_type');
      else if (h.field === 5) {
        let attrName = '';
        let i = 0;
        let t: RawTensor | undefined;
        while (c.pos < after) {
          const a = await c.next(after);
          if (a.field === 1 && a.wire === WIRE_LEN)
            attrName = await c.string(a, MAX_NAME_BYTES, 'attribute name');
          else if (a.field === 3 && a.wire === WIRE_VARINT) i = a.value;
          else if (a.field === 5 && a.wire === WIRE_LEN)
            t = await parseTensorProto(c, a.start, a.start + a.length);
          if (a.wire === WIRE_LEN) c.skipTo(a.start + a.length);
        }
        if (attrName === 'transB') n.transB = i;
        if (attrName === 'value' && t) n.value = t;
      }
      c.skipTo(after);
    }
  }
  return n;
}

/** Read the bytes of a typed-field tensor and normalise them to little-endian raw_data bytes. */
async function decodeTyped(
  src: ByteSource,
  t: RawTensor,
  type: OnnxType,
  numel: number,
  name: string,
): Promise<Uint8Array> {
  const out = new Uint8Array(numel * type.bytes);
  const ov = new DataView(out.buffer);
  let k = 0;
  const fail = (detail: string, at: number): never => {
    throw new DataFileError(src.name, detail, { tensor: name, offset: at });
  };
  const put = (lo: number, hi: number, at: number) => {
    if (k >= numel) fail(`holds more than the ${numel} values its dims [${t.dims.join(', ')}] allow`, at);
    const p = k * type.bytes;
    if (type.bytes === 1) out[p] = lo & 0xff;
    else if (type.bytes === 2) ov.setUint16(p, lo & 0xffff, true);
    else if (type.bytes === 4) ov.setUint32(p, lo, true);
    else {
      ov.setUint32(p, lo, true);
      ov.setUint32(p + 4, hi, true);
    }
    k++;
  };
  for (const s of t.segments) {
    if (s.field !== type.field) {
      fail(`has data in field ${s.field}, which onnx.proto does not use for ${type.name}`, s.start);
    }
    const bytes = await readExact(src, s.start, s.length, 'tensor data', name);
    const fixed = s.field === 4 ? 4 : s.field === 10 ? 8 : 0;
    if (fixed > 0) {
      // Packed run (LEN) of fixed-width values, or one unpacked element: tag varint + value.
      let body = bytes;
      if (s.wire !== WIRE_LEN) {
        if (s.wire !== (fixed === 4 ? WIRE_I32 : WIRE_I64))
          fail(`field ${s.field} has wire type ${s.wire}`, s.start);
        body = bytes.subarray(bytes.length - fixed);
      }
      if (body.length % fixed !== 0)
        fail(`packed data of ${body.length} bytes is not a multiple of ${fixed}`, s.start);
      const bv = new DataView(body.buffer, body.byteOffset, body.byteLength);
      for (let p = 0; p < body.length; p += fixed) {
        put(bv.getUint32(p, true), fixed === 8 ? bv.getUint32(p + 4, true) : 0, s.start + p);
      }
    } else {
      let body = bytes;
      if (s.wire === WIRE_VARINT) {
        // Skip the tag varint; the rest is the one value.
        let q = 0;
        while (q < body.length && body[q] & 0x80) q++;
        body = body.subarray(q + 1);
      } else if (s.wire !== WIRE_LEN) fail(`varint field ${s.field} has wire type ${s.wire}`, s.start);
      decodePackedVarints(
        body,
        (lo, hi) => put(lo, hi, s.start),
        (d, at) => fail(d, s.start + at),
      );
    }
  }
  if (k !== numel) fail(`holds ${k} values but its dims [${t.dims.join(', ')}] need ${numel}`, t.at);
  return out;
}

export async function parseOnnx(
  src: ByteSource,
  externals: (location: string) => ByteSource | undefined = () => undefined,
): Promise<OnnxFile> {
  const file = src.name;
  const c = new ProtoCursor(src, 'ONNX model');
  const metadata: Record<string, string | number> = {};
  let graph: { start: number; length: number } | undefined;
  while (c.pos < src.size) {
    const h = await c.next(src.size);
    if (h.wire === WIRE_VARINT && h.field === 1) metadata.ir_version = h.value;
    else if (h.wire === WIRE_VARINT && h.field === 5) metadata.model_version = h.value;
    else if (h.wire === WIRE_LEN) {
      if (h.field === 2) metadata.producer_name = await c.string(h, MAX_NAME_BYTES, 'producer_name');
      else if (h.field === 3)
        metadata.producer_version = await c.string(h, MAX_NAME_BYTES, 'producer_version');
      else if (h.field === 4) metadata.domain = await c.string(h, MAX_NAME_BYTES, 'domain');
      else if (h.field === 7 && !graph) graph = { start: h.start, length: h.length };
      c.skipTo(h.start + h.length);
    }
  }
  if (!graph) throw new DataFileError(file, 'ONNX model has no graph (ModelProto field 7)', { offset: 0 });
  const gEnd = graph.start + graph.length;
  c.skipTo(graph.start);
  const inits: RawTensor[] = [];
  const nodes: RawNode[] = [];
  while (c.pos < gEnd) {
    const h = await c.next(gEnd);
    if (h.wire === WIRE_LEN) {
      if (h.field === 5) inits.push(await parseTensorProto(c, h.start, h.start + h.length));
      else if (h.field === 1) nodes.push(await parseNode(c, h.start, h.start + h.length));
      c.skipTo(h.start + h.length);
    }
  }

  const layoutHints = new Map<string, 'in-out'>();
  const raws: RawTensor[] = [...inits];
  nodes.forEach((n, i) => {
    if ((n.opType === 'MatMul' || (n.opType === 'Gemm' && n.transB === 0)) && n.inputs.length >= 2) {
      layoutHints.set(n.inputs[1], 'in-out');
    }
    if (n.opType === 'Constant' && n.value) {
      n.value.name = n.outputs[0] || n.value.name || n.name || `Constant_${i}`;
      raws.push(n.value);
    }
  });

  const tensors: LocatedTensor[] = [];
  const externalLocations = new Set<string>();
  const ranges: { name: string; start: number; end: number }[] = [];
  for (const t of raws) {
    const name = t.name;
    const bad = (detail: string, offset = t.at): never => {
      throw new DataFileError(file, detail, { tensor: name, offset });
    };
    const type = TYPES.get(t.dataType);
    if (!type) bad(`has unknown data_type ${t.dataType}`);
    const ty = type as OnnxType;
    const numel = product(t.dims);
    if (!Number.isSafeInteger(numel * Math.max(1, ty.bytes)))
      bad(`dims [${t.dims.join(', ')}] are too large`);
    const expected = numel * ty.bytes;
    let codec: Codec | undefined = ty.kind && ty.bytes > 0 ? scalarCodec(ty.kind, true, ty.name) : undefined;
    let note: string | undefined;
    let byteOffset = t.at;
    let byteSize = expected;
    let data: () => Promise<ByteSource>;
    if (t.dataLocation === 1) {
      const loc = t.external.get('location') ?? '';
      const checked = checkExternalLocation(loc);
      if ('error' in checked) return bad(`external data location '${loc}' ${checked.error}`);
      const offStr = t.external.get('offset') ?? '0';
      const lenStr = t.external.get('length');
      const off = /^\d+$/.test(offStr) ? Number(offStr) : NaN;
      const len = lenStr === undefined ? expected : /^\d+$/.test(lenStr) ? Number(lenStr) : NaN;
      if (!Number.isSafeInteger(off) || !Number.isSafeInteger(len)) {
        bad(`external data offset '${offStr}' / length '${lenStr ?? ''}' are not non-negative integers`);
      }
      externalLocations.add(checked.path);
      byteOffset = off;
      byteSize = len;
      if (codec && len !== expected) {
        bad(`dims [${t.dims.join(', ')}] of ${ty.name} need ${expected} bytes but external length is ${len}`);
      }
      const ext = externals(checked.path);
      if (!ext) {
        note = `external data '${checked.path}' was not opened with the model`;
        codec = undefined;
        data = () => Promise.reject(new DataFileError(file, note as string, { tensor: name }));
      } else {
        if (off + len > ext.size) {
          bad(`external data [${off}, ${off + len}) exceeds the size ${ext.size} of '${checked.path}'`);
        }
        note = `external data '${checked.path}'`;
        data = () => Promise.resolve(windowByteSource(ext, off, len));
      }
    } else if (t.raw) {
      const { start, length } = t.raw;
      byteOffset = start;
      byteSize = length;
      if (codec && length !== expected) {
        bad(
          `dims [${t.dims.join(', ')}] of ${ty.name} need ${expected} bytes but raw_data holds ${length}`,
          start,
        );
      }
      ranges.push({ name, start, end: start + length });
      data = () => Promise.resolve(windowByteSource(src, start, length));
    } else {
      const segs = t.segments;
      if (segs.length > 0) byteOffset = segs[0].start;
      const direct =
        segs.length === 1 &&
        segs[0].wire === WIRE_LEN &&
        (segs[0].field === 4 || segs[0].field === 10) &&
        segs[0].field === ty.field;
      if (direct && codec && segs[0].length !== expected) {
        bad(
          `dims [${t.dims.join(', ')}] of ${ty.name} need ${expected} bytes but the packed data holds ${segs[0].length}`,
          segs[0].start,
        );
      }
      // Every stored value takes at least one byte (a varint) or its fixed width, so the fields'
      // length bounds the count before anything is allocated from the dims.
      const segBytes = segs.reduce((a, g) => a + g.length, 0);
      const minBytes = ty.field === 4 ? 4 * numel : ty.field === 10 ? 8 * numel : numel;
      if (codec && minBytes > segBytes) {
        bad(`dims [${t.dims.join(', ')}] need ${numel} values but its data fields hold ${segBytes} bytes`);
      }
      if (codec && expected > MAX_TYPED_BYTES && !direct) {
        codec = undefined;
        note = `typed-field data over ${MAX_TYPED_BYTES} bytes is not decoded (re-export with raw_data)`;
      }
      const seg0 = segs[0];
      data = direct
        ? () => Promise.resolve(windowByteSource(src, seg0.start, seg0.length))
        : async () => bytesByteSource(file, await decodeTyped(src, t, ty, numel, name));
    }
    if (!ty.kind || ty.bytes === 0) note = `ONNX type ${ty.name} is not supported`;
    else if (codec && !FLOAT_KINDS.has(ty.kind)) note = note ?? `${ty.name} values converted to float32`;
    const { rows, cols } = view2d(t.dims);
    tensors.push({
      info: {
        name,
        shape: t.dims,
        dtype: ty.name,
        byteSize,
        file,
        byteOffset,
        format: 'onnx',
        rows,
        cols,
        supported: codec !== undefined,
        ...(note !== undefined ? { note } : {}),
        ...(layoutHints.has(name) && t.dims.length === 2 ? { layoutHint: 'in-out' as const } : {}),
      },
      ...(codec ? { codec } : {}),
      order: 'C',
      data,
    });
  }
  checkDisjoint(file, ranges);
  return {
    tensors,
    metadata,
    externalLocations: [...externalLocations],
    constantNodeTensors: raws.length - inits.length,
    layoutHints,
  };
}
