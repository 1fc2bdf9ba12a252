/**
 * Random-access byte sources. Every reader in `core/io` works on this interface so the same code
 * runs in the browser (a dropped `File`), in a Web Worker, in node and in the CLI
 * (`node-source.ts`, kept in its own module so browser bundles never import 'fs').
 *
 * Readers fetch the header first and then only the bytes of the chosen tensor, never the whole
 * file: a 2 GB checkpoint opens with memory bounded by its header plus the selected slice
 * ("Big files").
 */
import { DataFileError } from './errors';

export interface ByteSource {
  /** Display name, normally the file's base name; it appears in every error message. */
  readonly name: string;
  /** Total size in bytes. */
  readonly size: number;
  /**
   * Bytes [offset, min(offset + length, size)). Implementations may return fewer bytes than asked
   * only at the end of the source; callers that need an exact count use `readExact`.
   */
  read(offset: number, length: number): Promise<Uint8Array>;
}

/** A browser `File` (or any named Blob): each read is a `Blob.slice` of just that range. */
export function fileByteSource(file: Blob & { readonly name: string }): ByteSource {
  return {
    name: file.name,
    size: file.size,
    async read(offset: number, length: number): Promise<Uint8Array> {
      const end = Math.min(file.size, offset + length);
      if (end <= offset) return new Uint8Array(0);
      return new Uint8Array(await file.slice(offset, end).arrayBuffer());
    },
  };
}

/** An in-memory source, for tests and for npz entries that had to be inflated. */
export function bytesByteSource(name: string, bytes: Uint8Array): ByteSource {
  return {
    name,
    size: bytes.length,
    read(offset: number, length: number): Promise<Uint8Array> {
      const start = Math.min(Math.max(0, offset), bytes.length);
      const end = Math.min(bytes.length, start + Math.max(0, length));
      return Promise.resolve(bytes.subarray(start, end));
    },
  };
}

/**
 * A window [start, start + length) of another source, addressed from 0 (a stored npz entry is an
 * npy file inside the zip). The window's name is the parent's so errors name the real file.
 */
export function windowByteSource(parent: ByteSource, start: number, length: number): ByteSource {
  const size = Math.max(0, Math.min(length, parent.size - start));
  return {
    name: parent.name,
    size,
    read(offset: number, len: number): Promise<Uint8Array> {
      const o = Math.min(Math.max(0, offset), size);
      const n = Math.min(size - o, Math.max(0, len));
      return parent.read(start + o, n);
    },
  };
}

/**
 * Read exactly `length` bytes at `offset` or throw a DataFileError naming what was being read
 * (`what`, e.g. "header") and the range, so truncated files give a precise message.
 */
export async function readExact(
  src: ByteSource,
  offset: number,
  length: number,
  what: string,
  tensor?: string,
): Promise<Uint8Array> {
  const end = offset + length;
  if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0) {
    throw new DataFileError(src.name, `${what}: invalid byte range at ${offset} length ${length}`, {
      tensor,
      offset,
    });
  }
  if (end > src.size) {
    throw new DataFileError(
      src.name,
      `${what} [${offset}, ${end}) exceeds file size ${src.size} (truncated file?)`,
      { tensor, offset },
    );
  }
  const bytes = await src.read(offset, length);
  if (bytes.length !== length) {
    throw new DataFileError(src.name, `${what}: short read of ${bytes.length} of ${length} bytes`, {
      tensor,
      offset,
    });
  }
  return bytes;
}
