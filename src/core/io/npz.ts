/**
 * NumPy .npz reader: a zip archive of .npy files (numpy.savez stores them, numpy.savez_compressed
 * deflates them; spec: numpy.lib.npyio docs and NEP 1). Entry 'w.npy' is tensor 'w', as
 * `np.load(...)['w']` names it.
 *
 * Stored entries are npy streams at a fixed place in the archive, so their tensors are sliced
 * with ranged reads like a plain .npy. Deflated entries have no random access: listing inflates
 * only the header prefix; reading inflates the entry once, in memory, up to MAX_INFLATED_BYTES.
 */
import { DataFileError } from './errors';
import { locateNpy, parseNpyHeader, type NpyHeader } from './npy';
import { bytesByteSource, readExact, windowByteSource, type ByteSource } from './source';
import type { LocatedTensor } from './tensor';
import {
  checkEntrySupported,
  entryDataStart,
  inflatePrefix,
  readEntry,
  readZipDirectory,
  verifyStoredEntry,
} from './zip';

export async function parseNpz(src: ByteSource): Promise<LocatedTensor[]> {
  const { entries, directoryStart } = await readZipDirectory(src);
  const out: LocatedTensor[] = [];
  for (const entry of entries) {
    if (!entry.name.endsWith('.npy')) continue;
    const name = entry.name.slice(0, -4);
    checkEntrySupported(src, entry);
    const dataStart = await entryDataStart(src, entry, directoryStart);
    let header: NpyHeader | undefined;
    let want = Math.min(entry.uncompressedSize, 4096);
    while (!header) {
      const head =
        entry.method === 0
          ? await readExact(src, dataStart, want, 'npy header', name)
          : await inflatePrefix(src, entry, dataStart, want);
      const r = parseNpyHeader(head, src.name, name, dataStart);
      if ('header' in r) header = r.header;
      else if (r.need > entry.uncompressedSize || head.length < want) {
        throw new DataFileError(src.name, `entry '${entry.name}' is too short for its npy header`, {
          tensor: name,
          offset: dataStart,
        });
      } else want = r.need;
    }
    if (entry.method === 0) {
      let verified: Promise<void> | undefined; // once per entry, on the first data read
      out.push(
        locateNpy(header, {
          file: src.name,
          name,
          baseOffset: dataStart,
          available: entry.uncompressedSize,
          format: 'npz',
          data: async (o, n) => {
            await (verified ??= verifyStoredEntry(src, entry, dataStart));
            return windowByteSource(src, dataStart + o, n);
          },
        }),
      );
    } else {
      const h = header;
      // Inflated once per entry and reused by every chunked read of it: inflating again per
      // 16 MiB chunk turned a 1 GiB entry into 64 full inflations (the audit's "npz bomb").
      let inflated: Promise<Uint8Array> | undefined;
      const located = locateNpy(h, {
        file: src.name,
        name,
        baseOffset: dataStart,
        available: entry.uncompressedSize,
        format: 'npz',
        note: 'deflated',
        data: async (o, n) =>
          bytesByteSource(
            src.name,
            (await (inflated ??= readEntry(src, entry, dataStart))).subarray(o, o + n),
          ),
      });
      // For deflated entries the tensor's offset is that of the compressed entry (TensorInfo docs).
      out.push({ ...located, info: { ...located.info, byteOffset: dataStart } });
    }
  }
  return out;
}
