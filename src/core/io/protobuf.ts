/**
 * Minimal protocol-buffers wire-format reader over a ByteSource (spec: protobuf.dev,
 * "Encoding": varints, wire types 0 VARINT, 1 I64, 2 LEN, 5 I32; groups 3/4 are deprecated and
 * refused). It is what the ONNX reader walks ModelProto → GraphProto → NodeProto/TensorProto with.
 *
 * Why not decode whole messages: an ONNX model keeps its weights inline (TensorProto.raw_data),
 * so a model message can be gigabytes. Protobuf has no index, so the file must be scanned, but
 * scanning only needs the field headers: a length-delimited payload the caller does not want is
 * skipped by moving the position, never read. Reads go through a read-ahead window of
 * `READ_AHEAD` bytes, so listing a model costs memory bounded by that window plus the small
 * messages (names, dims) actually decoded.
 *
 * Every length is checked against the end of its enclosing message before anything is read or
 * allocated from it, and varints longer than 10 bytes or beyond 2^53 are refused with the offset.
 */
import { DataFileError } from './errors';
import type { ByteSource } from './source';

/**
 * Read-ahead window: starts small after a jump (skipping a tensor payload lands somewhere new,
 * and only a few field headers may be wanted there) and doubles while reads stay sequential, so
 * a long run of nodes costs few reads and a model with many big tensors is not read in full.
 */
const MIN_READ_AHEAD = 1 << 16;
const MAX_READ_AHEAD = 1 << 20;

export const WIRE_VARINT = 0;
export const WIRE_I64 = 1;
export const WIRE_LEN = 2;
export const WIRE_I32 = 5;

export interface FieldHeader {
  readonly field: number;
  readonly wire: number;
  /** Absolute offset of the field's tag. */
  readonly at: number;
  /** LEN fields: absolute offset and length of the payload. */
  readonly start: number;
  readonly length: number;
  /** VARINT / I32 / I64 fields: the value (I64 as a number when safe; see `bits`). */
  readonly value: number;
  /** I32 / I64 fields: the raw little-endian bytes. */
  readonly bits?: Uint8Array;
}

export class ProtoCursor {
  pos = 0;
  private buf: Uint8Array = new Uint8Array(0);
  private bufStart = 0;
  private window = MIN_READ_AHEAD;

  constructor(
    readonly src: ByteSource,
    /** What the message is, for error messages ("ONNX model"). */
    readonly what: string,
  ) {}

  fail(detail: string, offset = this.pos): never {
    throw new DataFileError(this.src.name, `${this.what}: ${detail}`, { offset });
  }

  /** Make bytes [pos, pos + n) available in the window; returns their index in `buf`. */
  private async ensure(n: number, end: number, what: string): Promise<number> {
    if (this.pos + n > end) this.fail(`${what} runs past the end of its message (byte ${end})`);
    const rel = this.pos - this.bufStart;
    if (rel < 0 || rel + n > this.buf.length) {
      const sequential = this.buf.length > 0 && this.pos === this.bufStart + this.buf.length;
      this.window = sequential ? Math.min(MAX_READ_AHEAD, this.window * 2) : MIN_READ_AHEAD;
      const len = Math.min(this.src.size - this.pos, Math.max(n, this.window));
      const bytes = await this.src.read(this.pos, len);
      if (bytes.length < n) this.fail(`short read of ${what}`);
      this.buf = bytes;
      this.bufStart = this.pos;
    }
    return this.pos - this.bufStart;
  }

  /**
   * A base-128 varint (≤ 10 bytes) as a number. Refused beyond 2^53 unless `allowHuge` (field
   * values: a negative int64 such as an attribute's axis −1 is a 10-byte varint near 2^64; it
   * is returned inexactly and callers that need the value check `Number.isSafeInteger`).
   */
  async varint(end: number, what: string, allowHuge = false): Promise<number> {
    const at = this.pos;
    let value = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      const k = await this.ensure(1, end, what);
      const b = this.buf[k];
      this.pos++;
      value += (b & 0x7f) * scale;
      scale *= 128;
      if ((b & 0x80) === 0) {
        if (!allowHuge && !Number.isSafeInteger(value)) this.fail(`${what} ${value} is too large`, at);
        return value;
      }
    }
    return this.fail(`${what}: varint longer than 10 bytes`, at);
  }

  /** Bytes [pos, pos + n), copied out of the window (for names and small messages). */
  async bytes(n: number, end: number, what: string): Promise<Uint8Array> {
    const k = await this.ensure(n, end, what);
    this.pos += n;
    return this.buf.slice(k, k + n);
  }

  /**
   * The next field header of a message ending at `end`; for LEN fields the position is left at
   * the payload's start (call `skipTo(h.start + h.length)` or descend into it).
   */
  async next(end: number): Promise<FieldHeader> {
    const at = this.pos;
    const tag = await this.varint(end, 'field tag');
    const field = Math.floor(tag / 8);
    const wire = tag % 8;
    if (field === 0) this.fail('field number 0 is invalid', at);
    switch (wire) {
      case WIRE_VARINT:
        return {
          field,
          wire,
          at,
          start: this.pos,
          length: 0,
          value: await this.varint(end, `field ${field}`, true),
        };
      case WIRE_I32:
      case WIRE_I64: {
        const n = wire === WIRE_I32 ? 4 : 8;
        const bits = await this.bytes(n, end, `field ${field}`);
        const v = new DataView(bits.buffer, bits.byteOffset, n);
        const value = n === 4 ? v.getUint32(0, true) : v.getUint32(0, true) + v.getUint32(4, true) * 2 ** 32;
        return { field, wire, at, start: at, length: 0, value, bits };
      }
      case WIRE_LEN: {
        const length = await this.varint(end, `length of field ${field}`);
        const start = this.pos;
        if (start + length > end) {
          this.fail(`field ${field} of ${length} bytes runs past the end of its message (byte ${end})`, at);
        }
        return { field, wire, at, start, length, value: 0 };
      }
      default:
        return this.fail(`unsupported wire type ${wire} for field ${field}`, at);
    }
  }

  skipTo(p: number): void {
    this.pos = p;
  }

  async string(h: FieldHeader, maxBytes: number, what: string): Promise<string> {
    if (h.length > maxBytes) this.fail(`${what} of ${h.length} bytes exceeds the ${maxBytes}-byte cap`, h.at);
    const b = await this.bytes(h.length, h.start + h.length, what);
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(b);
    } catch {
      return this.fail(`${what} is not valid UTF-8`, h.start);
    }
  }
}

/** Decode a whole in-memory buffer of packed varints (repeated int32/int64/uint64, packed). */
export function decodePackedVarints(
  bytes: Uint8Array,
  onValue: (lo: number, hi: number) => void,
  fail: (detail: string, at: number) => never,
): void {
  let p = 0;
  while (p < bytes.length) {
    let lo = 0;
    let hi = 0;
    let shift = 0;
    const at = p;
    for (;;) {
      if (p >= bytes.length) fail('truncated varint', at);
      if (shift >= 70) fail('varint longer than 10 bytes', at);
      const b = bytes[p++];
      const bits = b & 0x7f;
      if (shift < 28) lo |= bits << shift;
      else if (shift === 28) {
        lo |= (bits & 0x0f) << 28;
        hi |= bits >> 4;
      } else hi |= bits << (shift - 32);
      shift += 7;
      if ((b & 0x80) === 0) break;
    }
    onValue(lo >>> 0, hi >>> 0);
  }
}
