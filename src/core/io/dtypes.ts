/**
 * Element decoders shared by the readers: every stored element type becomes float32.
 *
 * Scalars (IEEE 754-2008 binary16/32/64, bfloat16, OCP FP8 E4M3/E5M2, integers, bool) decode one
 * element per "block"; the ggml block formats (Q8_0, Q4_0, Q4_1, Q5_0, Q5_1) decode 32 elements
 * per block. Layouts follow ggml's `ggml-common.h` (block_q8_0 … block_q5_1) and the dequantize
 * loops of `ggml-quants.c`, re-derived here from the struct definitions:
 *
 *   Q8_0 (34 B): fp16 d, int8 qs[32]                      y[j] = d·qs[j]
 *   Q4_0 (18 B): fp16 d, u8 qs[16]                        y[j] = d·((qs[j] & 15) − 8),
 *                                                          y[j+16] = d·((qs[j] >> 4) − 8)
 *   Q4_1 (20 B): fp16 d, fp16 m, u8 qs[16]                y[j] = d·(qs[j] & 15) + m, y[j+16] = d·(qs[j] >> 4) + m
 *   Q5_0 (22 B): fp16 d, u32 qh (LE), u8 qs[16]           fifth bit of y[j] is bit j of qh, of y[j+16] bit j+16;
 *                                                          y = d·(q5 − 16)
 *   Q5_1 (24 B): fp16 d, fp16 m, u32 qh, u8 qs[16]        y = d·q5 + m
 *
 * The float32 result of d·q is what ggml computes (fp16 d widened to float, multiplied in float):
 * we round with Math.fround at the same points so values match bit for bit.
 */

export interface Codec {
  /** dtype name as reported to the user (the file's own spelling, e.g. 'BF16', '<f4', 'Q4_0'). */
  readonly dtype: string;
  /** Elements per block: 1 for scalar types, 32 for the ggml block formats. */
  readonly blockElems: number;
  /** Bytes per block. */
  readonly blockBytes: number;
  /** Decode `nBlocks` blocks starting at `src[byteOffset]` into `dst[dstIndex …]`. */
  decode(src: Uint8Array, byteOffset: number, nBlocks: number, dst: Float32Array, dstIndex: number): void;
}

export type ScalarKind =
  | 'f2'
  | 'f4'
  | 'f8'
  | 'bf16'
  | 'e4m3'
  | 'e5m2'
  | 'b1'
  | 'i1'
  | 'u1'
  | 'i2'
  | 'u2'
  | 'i4'
  | 'u4'
  | 'i8'
  | 'u8';

const SCALAR_BYTES: Readonly<Record<ScalarKind, number>> = {
  f2: 2,
  f4: 4,
  f8: 8,
  bf16: 2,
  e4m3: 1,
  e5m2: 1,
  b1: 1,
  i1: 1,
  u1: 1,
  i2: 2,
  u2: 2,
  i4: 4,
  u4: 4,
  i8: 8,
  u8: 8,
};

export function scalarBytes(kind: ScalarKind): number {
  return SCALAR_BYTES[kind];
}

// ───────────────────────────── small-float tables ─────────────────────────────

let f16Table: Float32Array | undefined;

/** binary16 → float32 for all 2^16 patterns (IEEE 754-2008 §3.6: 1 sign, 5 exponent, 10 fraction bits). */
function halfTable(): Float32Array {
  if (f16Table) return f16Table;
  const t = new Float32Array(65536);
  for (let h = 0; h < 65536; h++) t[h] = halfToFloat(h);
  f16Table = t;
  return t;
}

export function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24; // subnormal: frac · 2^(1−15−10)
  if (exp === 31) return frac === 0 ? sign * Infinity : NaN;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

function fp8Table(kind: 'e4m3' | 'e5m2'): Float32Array {
  const t = new Float32Array(256);
  for (let b = 0; b < 256; b++) {
    const sign = b & 0x80 ? -1 : 1;
    if (kind === 'e4m3') {
      // OCP 8-bit FP spec v1.0 §5.3.1, E4M3 ("fn"): bias 7, no infinities, S.1111.111 is NaN.
      const exp = (b >> 3) & 0xf;
      const m = b & 7;
      if (exp === 15 && m === 7) t[b] = NaN;
      else if (exp === 0) t[b] = sign * (m / 8) * 2 ** -6;
      else t[b] = sign * (1 + m / 8) * 2 ** (exp - 7);
    } else {
      // E5M2: IEEE-like, bias 15, exponent 31 holds ±Inf and NaN.
      const exp = (b >> 2) & 0x1f;
      const m = b & 3;
      if (exp === 31) t[b] = m === 0 ? sign * Infinity : NaN;
      else if (exp === 0) t[b] = sign * (m / 4) * 2 ** -14;
      else t[b] = sign * (1 + m / 4) * 2 ** (exp - 15);
    }
  }
  return t;
}

let e4m3Table: Float32Array | undefined;
let e5m2Table: Float32Array | undefined;

// ───────────────────────────── scalar codecs ─────────────────────────────

function view(src: Uint8Array): DataView {
  return new DataView(src.buffer, src.byteOffset, src.byteLength);
}

/** A decoder for one scalar element type with the given byte order. */
export function scalarCodec(kind: ScalarKind, littleEndian: boolean, dtype: string): Codec {
  const size = SCALAR_BYTES[kind];
  const base = { dtype, blockElems: 1, blockBytes: size };
  switch (kind) {
    case 'f4':
      return {
        ...base,
        decode(src, off, n, dst, di) {
          // Fast path: an aligned little-endian run is already float32 memory on every
          // platform we run on (x86/ARM are little-endian), so copy it wholesale.
          if (littleEndian && (src.byteOffset + off) % 4 === 0) {
            dst.set(new Float32Array(src.buffer, src.byteOffset + off, n), di);
            return;
          }
          const v = view(src);
          for (let i = 0; i < n; i++) dst[di + i] = v.getFloat32(off + 4 * i, littleEndian);
        },
      };
    case 'f8':
      return {
        ...base,
        decode(src, off, n, dst, di) {
          const v = view(src);
          for (let i = 0; i < n; i++) dst[di + i] = v.getFloat64(off + 8 * i, littleEndian);
        },
      };
    case 'f2':
      return {
        ...base,
        decode(src, off, n, dst, di) {
          const t = halfTable();
          if (littleEndian && (src.byteOffset + off) % 2 === 0) {
            const u = new Uint16Array(src.buffer, src.byteOffset + off, n);
            for (let i = 0; i < n; i++) dst[di + i] = t[u[i]];
            return;
          }
          const v = view(src);
          for (let i = 0; i < n; i++) dst[di + i] = t[v.getUint16(off + 2 * i, littleEndian)];
        },
      };
    case 'bf16':
      return {
        ...base,
        decode(src, off, n, dst, di) {
          // bfloat16 is the top half of a float32: widen by shifting into the high 16 bits.
          if (littleEndian && (src.byteOffset + off) % 2 === 0) {
            const h = new Uint16Array(src.buffer, src.byteOffset + off, n);
            const w = new Uint32Array(dst.buffer, dst.byteOffset + 4 * di, n);
            for (let i = 0; i < n; i++) w[i] = h[i] << 16;
            return;
          }
          const v = view(src);
          const u = new Uint32Array(1);
          const f = new Float32Array(u.buffer);
          for (let i = 0; i < n; i++) {
            u[0] = v.getUint16(off + 2 * i, littleEndian) << 16;
            dst[di + i] = f[0];
          }
        },
      };
    case 'e4m3':
    case 'e5m2': {
      return {
        ...base,
        decode(src, off, n, dst, di) {
          const t = kind === 'e4m3' ? (e4m3Table ??= fp8Table('e4m3')) : (e5m2Table ??= fp8Table('e5m2'));
          for (let i = 0; i < n; i++) dst[di + i] = t[src[off + i]];
        },
      };
    }
    case 'b1':
      return {
        ...base,
        decode(src, off, n, dst, di) {
          for (let i = 0; i < n; i++) dst[di + i] = src[off + i] !== 0 ? 1 : 0;
        },
      };
    case 'u1':
      return {
        ...base,
        decode(src, off, n, dst, di) {
          for (let i = 0; i < n; i++) dst[di + i] = src[off + i];
        },
      };
    case 'i1':
      return {
        ...base,
        decode(src, off, n, dst, di) {
          for (let i = 0; i < n; i++) dst[di + i] = (src[off + i] << 24) >> 24;
        },
      };
    case 'i2':
    case 'u2':
      return {
        ...base,
        decode(src, off, n, dst, di) {
          const v = view(src);
          for (let i = 0; i < n; i++) {
            dst[di + i] =
              kind === 'i2' ? v.getInt16(off + 2 * i, littleEndian) : v.getUint16(off + 2 * i, littleEndian);
          }
        },
      };
    case 'i4':
    case 'u4':
      return {
        ...base,
        decode(src, off, n, dst, di) {
          const v = view(src);
          for (let i = 0; i < n; i++) {
            dst[di + i] =
              kind === 'i4' ? v.getInt32(off + 4 * i, littleEndian) : v.getUint32(off + 4 * i, littleEndian);
          }
        },
      };
    case 'i8':
    case 'u8':
      return {
        ...base,
        decode(src, off, n, dst, di) {
          // 64-bit integers round to the nearest float32, like numpy's astype(float32).
          const v = view(src);
          for (let i = 0; i < n; i++) {
            const b =
              kind === 'i8'
                ? v.getBigInt64(off + 8 * i, littleEndian)
                : v.getBigUint64(off + 8 * i, littleEndian);
            dst[di + i] = Number(b);
          }
        },
      };
  }
}

// ───────────────────────────── ggml block codecs ─────────────────────────────

export type GgmlBlockKind = 'Q8_0' | 'Q4_0' | 'Q4_1' | 'Q5_0' | 'Q5_1';

const QK = 32; // QK8_0 = QK4_0 = QK4_1 = QK5_0 = QK5_1 = 32 in ggml-common.h

const BLOCK_BYTES: Readonly<Record<GgmlBlockKind, number>> = {
  Q8_0: 2 + QK,
  Q4_0: 2 + QK / 2,
  Q4_1: 4 + QK / 2,
  Q5_0: 2 + 4 + QK / 2,
  Q5_1: 4 + 4 + QK / 2,
};

export function ggmlBlockCodec(kind: GgmlBlockKind): Codec {
  const bytes = BLOCK_BYTES[kind];
  return {
    dtype: kind,
    blockElems: QK,
    blockBytes: bytes,
    decode(src, off, nBlocks, dst, di) {
      const t = halfTable();
      const fr = Math.fround;
      for (let b = 0; b < nBlocks; b++) {
        const p = off + b * bytes;
        const o = di + b * QK;
        const d = t[src[p] | (src[p + 1] << 8)];
        switch (kind) {
          case 'Q8_0':
            for (let j = 0; j < QK; j++) dst[o + j] = fr(d * ((src[p + 2 + j] << 24) >> 24));
            break;
          case 'Q4_0':
            for (let j = 0; j < QK / 2; j++) {
              const q = src[p + 2 + j];
              dst[o + j] = fr(d * ((q & 0x0f) - 8));
              dst[o + j + QK / 2] = fr(d * ((q >> 4) - 8));
            }
            break;
          case 'Q4_1': {
            const m = t[src[p + 2] | (src[p + 3] << 8)];
            for (let j = 0; j < QK / 2; j++) {
              const q = src[p + 4 + j];
              dst[o + j] = fr(fr(d * (q & 0x0f)) + m);
              dst[o + j + QK / 2] = fr(fr(d * (q >> 4)) + m);
            }
            break;
          }
          case 'Q5_0':
          case 'Q5_1': {
            const hasMin = kind === 'Q5_1';
            const m = hasMin ? t[src[p + 2] | (src[p + 3] << 8)] : 0;
            const h = p + (hasMin ? 4 : 2);
            const qh = (src[h] | (src[h + 1] << 8) | (src[h + 2] << 16) | (src[h + 3] << 24)) >>> 0;
            const qs = h + 4;
            for (let j = 0; j < QK / 2; j++) {
              const q = src[qs + j];
              const lo = (q & 0x0f) | (((qh >>> j) & 1) << 4);
              const hi = (q >> 4) | (((qh >>> (j + 16)) & 1) << 4);
              if (hasMin) {
                dst[o + j] = fr(fr(d * lo) + m);
                dst[o + j + QK / 2] = fr(fr(d * hi) + m);
              } else {
                dst[o + j] = fr(d * (lo - 16));
                dst[o + j + QK / 2] = fr(d * (hi - 16));
              }
            }
            break;
          }
        }
      }
    },
  };
}
