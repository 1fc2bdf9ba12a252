/**
 * Readers against the audit's hostile files: silent acceptance (npz stored-entry CRC, CSV header
 * guessing), size lies (a one-line CSV, GGUF metadata arrays, sources whose declared size lies)
 * and the budget hook that must run before any tensor byte is read.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DataFileError, listTensors, readTensor, type ByteSource } from './index';
import { bytesByteSource } from './source';
import { entryDataStart, readZipDirectory } from './zip';
import { MAX_CSV_LINE_CHARS } from './csv';
import { MAX_GGUF_METADATA_VALUES } from './gguf';

const DIR = join(__dirname, '..', 'testing', 'fixtures', 'io');
const load = (f: string) => new Uint8Array(readFileSync(join(DIR, f)));
const text = (name: string, s: string) => bytesByteSource(name, new TextEncoder().encode(s));

async function failure(p: Promise<unknown>): Promise<DataFileError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(DataFileError);
    return e as DataFileError;
  }
  throw new Error('expected a DataFileError, the read succeeded');
}

describe('npz stored entries', () => {
  it('a flipped data byte of a stored entry fails its CRC-32 (it used to be read as data)', async () => {
    const bytes = load('stored.npz');
    const src = bytesByteSource('stored.npz', bytes);
    const { entries, directoryStart } = await readZipDirectory(src);
    const entry = entries.find((e) => e.name.endsWith('.npy') && e.method === 0);
    if (!entry) throw new Error('fixture has no stored entry');
    const start = await entryDataStart(src, entry, directoryStart);
    const bad = bytes.slice();
    bad[start + entry.compressedSize - 1] ^= 0x40; // the last data byte: past the npy header
    const name = entry.name.slice(0, -4);
    await readTensor([src], name); // the intact file reads
    const e = await failure(readTensor([bytesByteSource('stored.npz', bad)], name));
    expect(e.message).toMatch(/fails its CRC-32 check/);
  });
});

describe('CSV header rule', () => {
  it.each([
    ['0x10,1\n1,2\n', /line 1, field 1: '0x10' is not a number/],
    [',1\n1,2\n', /line 1, field 1: '' is not a number/],
    ['1,abc\n1,2\n', /line 1, field 2: 'abc' is not a number/],
  ])('%j is a malformed data line, not a header', async (csv, message) => {
    const e = await failure(listTensors([text('x.csv', csv)]));
    expect(e.message).toMatch(message);
  });

  it('a line of names is still a header, and says so', async () => {
    const [info] = await listTensors([text('x.csv', 'a,b\n1,2\n3,4\n')]);
    expect(info.shape).toEqual([2, 2]);
    expect(info.note).toMatch(/header line skipped/);
  });

  it(`a line longer than ${MAX_CSV_LINE_CHARS} characters is refused once the limit is passed`, async () => {
    // A lying source: 1 GiB of "1," with no newline, generated on demand; count what is read.
    const size = 2 ** 30;
    let read = 0;
    const pattern = new TextEncoder().encode('1,'.repeat(1 << 20));
    const src: ByteSource = {
      name: 'one-line.csv',
      size,
      read(offset, length) {
        const n = Math.max(0, Math.min(length, size - offset));
        read += n;
        const out = new Uint8Array(n);
        for (let i = 0; i < n; i += pattern.length)
          out.set(pattern.subarray(0, Math.min(pattern.length, n - i)), i);
        return Promise.resolve(out);
      },
    };
    const e = await failure(listTensors([src]));
    expect(e.message).toMatch(/line 1 is longer than 67108864 characters/);
    expect(read).toBeLessThanOrEqual(MAX_CSV_LINE_CHARS + 17 * 2 ** 20); // one 16 MiB chunk past it, plus the 4 KiB format probe
  });
});

/** A GGUF v3 header with one metadata key holding a u8 array of `n` elements and no tensors. */
function ggufWithArray(n: number): Uint8Array {
  const key = new TextEncoder().encode('tokenizer.ggml.junk');
  const head = 4 + 4 + 8 + 8 + 8 + key.length + 4 + 4 + 8;
  const out = new Uint8Array(head + n);
  const v = new DataView(out.buffer);
  out.set([0x47, 0x47, 0x55, 0x46]);
  v.setUint32(4, 3, true);
  v.setBigUint64(8, 0n, true);
  v.setBigUint64(16, 1n, true);
  v.setBigUint64(24, BigInt(key.length), true);
  out.set(key, 32);
  let p = 32 + key.length;
  v.setUint32(p, 9, true); // array
  v.setUint32(p + 4, 0, true); // of u8
  v.setBigUint64(p + 8, BigInt(n), true);
  p += 16;
  return out;
}

describe('GGUF metadata arrays', () => {
  it(`more than ${MAX_GGUF_METADATA_VALUES} array elements are refused before decoding them`, async () => {
    const t0 = performance.now();
    const e = await failure(
      listTensors([bytesByteSource('junk.gguf', ggufWithArray(MAX_GGUF_METADATA_VALUES + 1))]),
    );
    expect(e.message).toMatch(/over the limit of 4194304/);
    expect(performance.now() - t0).toBeLessThan(1000);
  });
});

describe('the budget hook runs before tensor bytes are read', () => {
  it.each(['f4_c.npy', 'model.safetensors', 'stored.npz', 'model.gguf', 'header.csv'])('%s', async (file) => {
    const bytes = load(file);
    const [info] = await listTensors([bytesByteSource(file, bytes)]);
    let readsAfterHook = 0;
    let hooked = false;
    const src: ByteSource = {
      name: file,
      size: bytes.length,
      read(o, n) {
        if (hooked) readsAfterHook++;
        return Promise.resolve(bytes.slice(o, o + n));
      },
    };
    const refusal = new Error('over budget');
    await expect(
      readTensor([src], info.name, {
        checkShape: (rows, cols) => {
          expect(rows * cols).toBeGreaterThan(0);
          hooked = true;
          throw refusal;
        },
      }),
    ).rejects.toBe(refusal);
    expect(hooked).toBe(true);
    expect(readsAfterHook).toBe(0);
  });
});

describe('size lies: a source whose declared size differs from its bytes', () => {
  const files = ['f4_c.npy', 'model.safetensors', 'stored.npz', 'deflated.npz', 'model.gguf', 'header.csv'];
  it('only DataFileError escapes (10⁴ cases)', async () => {
    const originals = files.map((f) => load(f));
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: files.length - 1 }),
        fc.oneof(fc.integer({ min: -4096, max: 4096 }), fc.constantFrom(2 ** 32, 2 ** 40, 2 ** 53 - 1)),
        async (which, delta) => {
          const bytes = originals[which];
          const size = Math.max(0, bytes.length + delta);
          // read() returns what exists (short reads past the real end), size() claims `size`.
          const src: ByteSource = {
            name: files[which],
            size,
            read: (o, n) =>
              Promise.resolve(bytes.slice(Math.min(o, bytes.length), Math.min(o + n, bytes.length))),
          };
          try {
            const infos = await listTensors([src]);
            for (const info of infos)
              if (info.supported && info.rows * info.cols > 0)
                await readTensor([src], info.name, { maxRows: 16 });
          } catch (e) {
            if (!(e instanceof DataFileError)) throw new Error(`${files[which]} size ${size}: ${String(e)}`);
          }
        },
      ),
      { numRuns: 10_000, seed: 99 },
    );
  }, 120_000);
});
