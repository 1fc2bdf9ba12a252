/**
 * Minimal zip reader for .npz (spec: PKWARE APPNOTE.TXT 6.3.10). Only the central directory is
 * read up front — found from the end of the file through the End Of Central Directory record
 * (§4.3.16) and, for archives numpy writes with allowZip64=True, the ZIP64 locator and record
 * (§4.3.14–4.3.15) and the ZIP64 extended-information extra field (§4.5.3) — so listing an npz
 * fetches a few kilobytes, and reading one array fetches that entry's bytes only.
 *
 * Supported: methods 0 (stored) and 8 (deflated, inflated with fflate), single-disk archives,
 * no encryption. Sizes, counts and offsets from the archive are checked against the file size
 * before anything is allocated from them.
 */
import { Inflate, inflateSync } from 'fflate';
import { DataFileError } from './errors';
import { readExact, type ByteSource } from './source';

export const MAX_CENTRAL_DIRECTORY_BYTES = 100_000_000;
/** Largest entry we inflate in memory (deflate gives no random access). */
export const MAX_INFLATED_BYTES = 2 ** 30;
/** DEFLATE cannot expand data more than ~1032:1 (RFC 1951 max match length 258 per 2-bit code). */
const MAX_DEFLATE_RATIO = 1032;

export interface ZipEntry {
  readonly name: string;
  readonly method: number;
  readonly flags: number;
  readonly crc32: number;
  readonly compressedSize: number;
  readonly uncompressedSize: number;
  readonly localHeaderOffset: number;
}

const EOCD_SIG = 0x06054b50;
const ZIP64_LOCATOR_SIG = 0x07064b50;
const ZIP64_EOCD_SIG = 0x06064b50;
const CENTRAL_SIG = 0x02014b50;
const LOCAL_SIG = 0x04034b50;

export function looksLikeZip(head: Uint8Array): boolean {
  return head.length >= 4 && head[0] === 0x50 && head[1] === 0x4b && (head[2] === 3 || head[2] === 5);
}

function u64(v: DataView, at: number): number {
  return v.getUint32(at, true) + v.getUint32(at + 4, true) * 2 ** 32;
}

/** Read the central directory. */
export async function readZipDirectory(
  src: ByteSource,
): Promise<{ entries: ZipEntry[]; directoryStart: number }> {
  const file = src.name;
  const bad = (detail: string, offset?: number): never => {
    throw new DataFileError(file, detail, offset !== undefined ? { offset } : {});
  };
  if (src.size < 22) bad(`too small for a zip archive (${src.size} bytes)`);
  const tailLen = Math.min(src.size, 22 + 0xffff);
  const tailStart = src.size - tailLen;
  const tail = await readExact(src, tailStart, tailLen, 'zip end record');
  const tv = new DataView(tail.buffer, tail.byteOffset, tail.byteLength);
  let e = -1;
  for (let i = tailLen - 22; i >= 0; i--) {
    if (tv.getUint32(i, true) === EOCD_SIG && i + 22 + tv.getUint16(i + 20, true) <= tailLen) {
      e = i;
      break;
    }
  }
  if (e < 0) bad('no zip end-of-central-directory record (not a zip, or truncated)');
  const eocdAt = tailStart + e;
  if (tv.getUint16(e + 4, true) !== 0 || tv.getUint16(e + 6, true) !== 0)
    bad('multi-disk zip archives are not supported', eocdAt);
  let count = tv.getUint16(e + 10, true);
  let cdSize = tv.getUint32(e + 12, true);
  let cdOffset = tv.getUint32(e + 16, true);
  let cdLimit = eocdAt;
  if (e >= 20 && tv.getUint32(e - 20, true) === ZIP64_LOCATOR_SIG) {
    const z64At = u64(tv, e - 20 + 8);
    if (z64At + 56 > eocdAt - 20) bad(`ZIP64 end record offset ${z64At} is out of range`, eocdAt - 20);
    const z = await readExact(src, z64At, 56, 'ZIP64 end record');
    const zv = new DataView(z.buffer, z.byteOffset, 56);
    if (zv.getUint32(0, true) !== ZIP64_EOCD_SIG) bad('bad ZIP64 end record signature', z64At);
    count = u64(zv, 32);
    cdSize = u64(zv, 40);
    cdOffset = u64(zv, 48);
    cdLimit = z64At;
  }
  if (cdOffset + cdSize > cdLimit) {
    bad(
      `central directory [${cdOffset}, ${cdOffset + cdSize}) runs past its end record at ${cdLimit}`,
      cdOffset,
    );
  }
  if (cdSize > MAX_CENTRAL_DIRECTORY_BYTES)
    bad(`central directory of ${cdSize} bytes exceeds the cap`, cdOffset);
  if (count * 46 > cdSize) bad(`central directory of ${cdSize} bytes cannot hold ${count} entries`, cdOffset);
  const cd = await readExact(src, cdOffset, cdSize, 'central directory');
  const cv = new DataView(cd.buffer, cd.byteOffset, cd.byteLength);
  const entries: ZipEntry[] = [];
  let p = 0;
  const utf8 = new TextDecoder('utf-8');
  const latin1 = new TextDecoder('latin1');
  for (let k = 0; k < count; k++) {
    if (p + 46 > cdSize || cv.getUint32(p, true) !== CENTRAL_SIG)
      bad(`bad central directory entry ${k}`, cdOffset + p);
    const flags = cv.getUint16(p + 8, true);
    const method = cv.getUint16(p + 10, true);
    const crc32 = cv.getUint32(p + 16, true);
    let compressedSize = cv.getUint32(p + 20, true);
    let uncompressedSize = cv.getUint32(p + 24, true);
    const nameLen = cv.getUint16(p + 28, true);
    const extraLen = cv.getUint16(p + 30, true);
    const commentLen = cv.getUint16(p + 32, true);
    const disk = cv.getUint16(p + 34, true);
    let localHeaderOffset = cv.getUint32(p + 42, true);
    const end = p + 46 + nameLen + extraLen + commentLen;
    if (end > cdSize) bad(`central directory entry ${k} runs past the directory`, cdOffset + p);
    // APPNOTE §4.4.4 bit 11: the name is UTF-8; otherwise IBM 437, of which ASCII is a subset.
    const name = (flags & 0x800 ? utf8 : latin1).decode(cd.subarray(p + 46, p + 46 + nameLen));
    // ZIP64 extended information (§4.5.3): present fields replace the 0xFFFFFFFF placeholders.
    let x = p + 46 + nameLen;
    const xEnd = x + extraLen;
    while (x + 4 <= xEnd) {
      const id = cv.getUint16(x, true);
      const len = cv.getUint16(x + 2, true);
      if (x + 4 + len > xEnd) bad(`entry '${name}' has a malformed extra field`, cdOffset + x);
      if (id === 0x0001) {
        let q = x + 4;
        const take = (): number => {
          if (q + 8 > x + 4 + len) return bad(`entry '${name}' has a short ZIP64 extra field`, cdOffset + x);
          const v = u64(cv, q);
          q += 8;
          return v;
        };
        if (uncompressedSize === 0xffffffff) uncompressedSize = take();
        if (compressedSize === 0xffffffff) compressedSize = take();
        if (localHeaderOffset === 0xffffffff) localHeaderOffset = take();
      }
      x += 4 + len;
    }
    if (disk !== 0 && disk !== 0xffff)
      bad(`entry '${name}' is on disk ${disk}; multi-disk archives are not supported`);
    if (localHeaderOffset + 30 + compressedSize > cdOffset) {
      bad(
        `entry '${name}' data [${localHeaderOffset}, ${localHeaderOffset + 30 + compressedSize}) runs into the central directory at ${cdOffset}`,
        localHeaderOffset,
      );
    }
    entries.push({ name, method, flags, crc32, compressedSize, uncompressedSize, localHeaderOffset });
    p = end;
  }
  // Entries must not overlap (a classic zip-bomb construction reuses the same bytes).
  const sorted = [...entries].sort((a, b) => a.localHeaderOffset - b.localHeaderOffset);
  for (let k = 1; k < sorted.length; k++) {
    const a = sorted[k - 1];
    if (sorted[k].localHeaderOffset < a.localHeaderOffset + 30 + a.compressedSize) {
      bad(`entries '${a.name}' and '${sorted[k].name}' overlap`, sorted[k].localHeaderOffset);
    }
  }
  return { entries, directoryStart: cdOffset };
}

/** Absolute offset of an entry's data, from its local header (§4.3.7), checked against `limit`. */
export async function entryDataStart(src: ByteSource, entry: ZipEntry, limit: number): Promise<number> {
  const h = await readExact(src, entry.localHeaderOffset, 30, `local header of '${entry.name}'`);
  const hv = new DataView(h.buffer, h.byteOffset, 30);
  if (hv.getUint32(0, true) !== LOCAL_SIG) {
    throw new DataFileError(src.name, `bad local header signature for entry '${entry.name}'`, {
      offset: entry.localHeaderOffset,
    });
  }
  const start = entry.localHeaderOffset + 30 + hv.getUint16(26, true) + hv.getUint16(28, true);
  if (start + entry.compressedSize > limit) {
    throw new DataFileError(
      src.name,
      `entry '${entry.name}' data [${start}, ${start + entry.compressedSize}) runs past ${limit}`,
      { offset: start },
    );
  }
  return start;
}

export function checkEntrySupported(src: ByteSource, entry: ZipEntry): void {
  if (entry.flags & 1) throw new DataFileError(src.name, `entry '${entry.name}' is encrypted`);
  if (entry.method !== 0 && entry.method !== 8) {
    throw new DataFileError(
      src.name,
      `entry '${entry.name}' uses unsupported compression method ${entry.method}`,
    );
  }
  if (entry.method === 0 && entry.compressedSize !== entry.uncompressedSize) {
    throw new DataFileError(
      src.name,
      `stored entry '${entry.name}' has different compressed and uncompressed sizes`,
    );
  }
  if (entry.method === 8 && entry.uncompressedSize > entry.compressedSize * MAX_DEFLATE_RATIO + 1024) {
    throw new DataFileError(
      src.name,
      `entry '${entry.name}' claims ${entry.uncompressedSize} bytes from ${entry.compressedSize} compressed, beyond what DEFLATE can produce`,
    );
  }
}

const STREAM_CHUNK = 64 * 1024;

/**
 * Inflate just the first `need` bytes of a deflated entry (to read an npy header), feeding the
 * compressed data 64 KiB at a time and stopping as soon as enough output exists.
 */
export async function inflatePrefix(
  src: ByteSource,
  entry: ZipEntry,
  dataStart: number,
  need: number,
): Promise<Uint8Array> {
  const out = new Uint8Array(need);
  let have = 0;
  const inf = new Inflate((chunk) => {
    const n = Math.min(chunk.length, need - have);
    if (n > 0) out.set(chunk.subarray(0, n), have);
    have += n;
  });
  for (let p = 0; p < entry.compressedSize && have < need; p += STREAM_CHUNK) {
    const len = Math.min(STREAM_CHUNK, entry.compressedSize - p);
    const chunk = await readExact(src, dataStart + p, len, `entry '${entry.name}'`);
    try {
      inf.push(chunk, p + len >= entry.compressedSize);
    } catch (e) {
      throw new DataFileError(
        src.name,
        `entry '${entry.name}': corrupt deflate data (${e instanceof Error ? e.message : String(e)})`,
        {
          offset: dataStart + p,
        },
      );
    }
  }
  return out.subarray(0, Math.min(have, need));
}

/** Read and fully inflate (or copy) one entry, verifying its size and CRC-32. */
export async function readEntry(src: ByteSource, entry: ZipEntry, dataStart: number): Promise<Uint8Array> {
  if (entry.uncompressedSize > MAX_INFLATED_BYTES) {
    throw new DataFileError(
      src.name,
      `entry '${entry.name}' inflates to ${entry.uncompressedSize} bytes, over the ${MAX_INFLATED_BYTES}-byte in-memory limit for deflated entries (save with np.savez to allow slicing)`,
      { offset: dataStart },
    );
  }
  const comp = await readExact(src, dataStart, entry.compressedSize, `entry '${entry.name}'`);
  let data: Uint8Array;
  if (entry.method === 0) data = comp;
  else {
    try {
      data = inflateSync(comp, { out: new Uint8Array(entry.uncompressedSize) });
    } catch (e) {
      throw new DataFileError(
        src.name,
        `entry '${entry.name}': corrupt deflate data (${e instanceof Error ? e.message : String(e)})`,
        {
          offset: dataStart,
        },
      );
    }
  }
  if (data.length !== entry.uncompressedSize || crc32(data) !== entry.crc32) {
    throw new DataFileError(
      src.name,
      `entry '${entry.name}' fails its size or CRC-32 check (corrupt archive)`,
      {
        offset: dataStart,
      },
    );
  }
  return data;
}

/**
 * CRC-32 check of a stored (method 0) entry, streamed in chunks: stored entries are sliced with
 * ranged reads, so without this a flipped byte in an .npz would be read as data silently.
 */
export async function verifyStoredEntry(src: ByteSource, entry: ZipEntry, dataStart: number): Promise<void> {
  let c = 0;
  for (let p = 0; p < entry.compressedSize; p += STREAM_CHUNK) {
    const len = Math.min(STREAM_CHUNK, entry.compressedSize - p);
    c = crc32(await readExact(src, dataStart + p, len, `entry '${entry.name}'`), c);
  }
  if (c !== entry.crc32) {
    throw new DataFileError(src.name, `entry '${entry.name}' fails its CRC-32 check (corrupt archive)`, {
      offset: dataStart,
    });
  }
}

let crcTable: Uint32Array | undefined;

/** CRC-32 as zip uses it (APPNOTE §4.4.7: polynomial 0xEDB88320 reflected, init and final xor ~0). */
export function crc32(data: Uint8Array, previous = 0): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  // `previous` continues a running CRC over consecutive chunks (crc32(b, crc32(a)) = crc32(a‖b)).
  let c = (previous ^ 0xffffffff) >>> 0;
  for (let i = 0; i < data.length; i++) c = crcTable[(c ^ data[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
