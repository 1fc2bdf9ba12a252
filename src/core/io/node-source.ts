/**
 * `ByteSource` over a file on disk, for the CLI and node tests. Kept out of `source.ts` so browser
 * and worker bundles never import 'fs'.
 *
 * Each read opens, reads and closes the file: readers issue few, large reads (a header, then the
 * tensor in chunks of at most 16 MiB), so the cost is negligible and no descriptor can leak when a
 * caller abandons a source.
 */
import { open, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import type { ByteSource } from './source';
import { DataFileError } from './errors';

export async function nodeByteSource(path: string): Promise<ByteSource> {
  const st = await stat(path);
  // A directory (or a FIFO, a device) would fail later at the first read with EISDIR; name it here.
  if (!st.isFile())
    throw new DataFileError(
      basename(path),
      `is ${st.isDirectory() ? 'a directory' : 'not a regular file'}, not a tensor file`,
    );
  const { size } = st;
  return {
    name: basename(path),
    size,
    async read(offset: number, length: number): Promise<Uint8Array> {
      const n = Math.max(0, Math.min(length, size - offset));
      const out = new Uint8Array(n);
      if (n === 0) return out;
      const fh = await open(path, 'r');
      try {
        let done = 0;
        while (done < n) {
          const { bytesRead } = await fh.read(out, done, n - done, offset + done);
          if (bytesRead === 0) break;
          done += bytesRead;
        }
        return done === n ? out : out.subarray(0, done);
      } finally {
        await fh.close();
      }
    },
  };
}
