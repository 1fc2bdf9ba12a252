/**
 * Unit tests of the shared pieces: incremental SHA-256 against WebCrypto, seeded subsampling,
 * the chunked (large-tensor) read path, the npy header literal parser, fp16/fp8 decoding.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { halfToFloat, scalarCodec } from './dtypes';
import { DataFileError } from './errors';
import { listTensors, readTensor } from './index';
import { parsePyLiteral } from './npy';
import { Sha256, sha256Hex } from './sha256';
import { bytesByteSource, type ByteSource } from './source';
import { subsampleIndices } from './subsample';
import { ioLimits } from './tensor';
import { crc32 } from './zip';

const DIR = join(__dirname, '..', 'testing', 'fixtures', 'io');
const src = (f: string) => bytesByteSource(f, new Uint8Array(readFileSync(join(DIR, f))));

describe('SHA-256', () => {
  it('FIPS 180-2 example vectors', async () => {
    const abc = new TextEncoder().encode('abc');
    expect(new Sha256().update(abc).hex()).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
    expect(await sha256Hex(new Uint8Array(0))).toBe(
      'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    );
  });
  it('incremental hashing in arbitrary pieces equals WebCrypto', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ maxLength: 700 }),
        fc.array(fc.nat(200), { maxLength: 6 }),
        async (data, cuts) => {
          const h = new Sha256();
          let p = 0;
          for (const c of cuts) {
            h.update(data.subarray(p, Math.min(data.length, p + c)));
            p = Math.min(data.length, p + c);
          }
          h.update(data.subarray(p));
          expect(h.hex()).toBe(await sha256Hex(data));
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('subsampleIndices', () => {
  it('gives k distinct sorted indices in range, fixed by the seed', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5000 }),
        fc.integer({ min: 1, max: 300 }),
        fc.integer(),
        (n, k, seed) => {
          const a = subsampleIndices(n, k, seed);
          expect(a.length).toBe(Math.min(n, k));
          for (let i = 1; i < a.length; i++) expect(a[i]).toBeGreaterThan(a[i - 1]);
          expect(a[a.length - 1]).toBeLessThan(n);
          expect(subsampleIndices(n, k, seed)).toEqual(a);
        },
      ),
      { numRuns: 500 },
    );
  });
  it('is close to uniform (each index chosen with probability k/n)', () => {
    const n = 50;
    const k = 10;
    const counts = new Float64Array(n);
    const trials = 4000;
    for (let s = 0; s < trials; s++) for (const i of subsampleIndices(n, k, s)) counts[i]++;
    const expected = (trials * k) / n; // 800, binomial sd ≈ 25
    for (let i = 0; i < n; i++) expect(Math.abs(counts[i] - expected)).toBeLessThan(6 * 25);
  });
  it('pins the sequence (regression values: permalinks record the seed, so this must never change)', () => {
    expect(Array.from(subsampleIndices(1000, 5, 7))).toEqual([136, 297, 445, 674, 995]);
    expect(Array.from(subsampleIndices(10, 4, 0))).toEqual([0, 2, 4, 9]);
    expect(Array.from(subsampleIndices(1000, 5, 7))).toEqual(
      Array.from(subsampleIndices(1000, 5, 7 + 2 ** 32)),
    );
    expect(subsampleIndices(1000, 5, 7)).not.toEqual(subsampleIndices(1000, 5, 8));
  });
});

describe('chunked path for big tensors', () => {
  const saved = { ...ioLimits };
  afterEach(() => Object.assign(ioLimits, saved));

  /** Count reads and record the largest one. */
  function spy(s: ByteSource) {
    const stats = { reads: 0, largest: 0 };
    const wrapped: ByteSource = {
      name: s.name,
      size: s.size,
      read(o, n) {
        stats.reads++;
        stats.largest = Math.max(stats.largest, n);
        return s.read(o, n);
      },
    };
    return { wrapped, stats };
  }

  it('gives identical values and hashes with tiny chunks, in every layout and order', async () => {
    const cases: [string, string | undefined][] = [
      ['model.gguf', 'q5_1'],
      ['model.gguf', 'f32_3d'],
      ['f4_be_fortran_3d.npy', undefined],
      ['f8_fortran.npy', undefined],
      ['stored.npz', 'c'],
      ['model.safetensors', 'conv'],
      ['spaces.txt', undefined],
    ];
    for (const [file, name] of cases) {
      for (const opts of [
        {},
        { layout: 'cols-first' as const },
        { rowRange: [1, 2] as [number, number], colRange: [0, 1] as [number, number] },
        { layout: 'cols-first' as const, maxRows: 2, subsampleSeed: 3 },
      ]) {
        Object.assign(ioLimits, saved);
        const ref = await readTensor([src(file)], name, opts);
        Object.assign(ioLimits, { chunkBytes: 40, wholeReadBytes: 0 });
        const { wrapped, stats } = spy(src(file));
        const got = await readTensor([wrapped], name, opts);
        expect(got.matrix, `${file} ${JSON.stringify(opts)}`).toEqual(ref.matrix);
        expect(got.sha256).toBe(ref.sha256);
        // Header reads may be larger; data reads stay at chunk size (or one block row, ≤ 40 here).
        if (!file.endsWith('.gguf') && !file.endsWith('.txt'))
          expect(stats.largest).toBeLessThanOrEqual(4096);
      }
    }
  });

  it('reads only the selected rows of a stored tensor (no whole-file read)', async () => {
    Object.assign(ioLimits, { chunkBytes: 1 << 20, wholeReadBytes: 0 });
    // 1000×256 float32 (1 MB) in a safetensors file; read rows [10, 12).
    const rows = 1000;
    const cols = 256;
    const data = new Float32Array(rows * cols).map((_, i) => i);
    const header = new TextEncoder().encode(
      JSON.stringify({ w: { dtype: 'F32', shape: [rows, cols], data_offsets: [0, data.byteLength] } }),
    );
    const file = new Uint8Array(8 + header.length + data.byteLength);
    new DataView(file.buffer).setUint32(0, header.length, true);
    file.set(header, 8);
    file.set(new Uint8Array(data.buffer), 8 + header.length);
    const { wrapped, stats } = spy(bytesByteSource('w.safetensors', file));
    const r = await readTensor([wrapped], 'w', { rowRange: [10, 12] });
    expect(r.matrix.data[0]).toBe(10 * cols);
    expect(r.matrix.data[2 * cols - 1]).toBe(12 * cols - 1);
    expect(stats.largest).toBeLessThanOrEqual(1 << 20);
  });
});

describe('npy header literal parser', () => {
  it('parses what numpy writes and never evaluates', () => {
    expect(parsePyLiteral("{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }   \n")).toEqual({
      descr: '<f4',
      fortran_order: false,
      shape: [3, 4],
    });
    expect(parsePyLiteral("{'shape': (7,), 'x': [None, True, -2L, \"q\\'\"]}")).toEqual({
      shape: [7],
      x: [null, true, -2, "q'"],
    });
    for (const bad of [
      "{'a': __import__('os')}",
      "{'a': 1",
      '((((((((((((((((((((1))))))))))))))))))))',
      "{'a' 1}",
      '{1: 2}',
    ]) {
      expect(() => parsePyLiteral(bad), bad).toThrow();
    }
  });
  it('reports a malformed dict as a DataFileError with its offset', async () => {
    const bytes = new Uint8Array(readFileSync(join(DIR, 'f4_c.npy')));
    const i = new TextDecoder('latin1').decode(bytes).indexOf('False');
    bytes.set(new TextEncoder().encode('Fals('), i);
    const err = await listTensors([bytesByteSource('f4_c.npy', bytes)]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataFileError);
    expect(String(err)).toMatch(/^DataFileError: f4_c\.npy: malformed header dict: .* \(at byte 10\)$/);
  });
});

describe('element decoding', () => {
  it('binary16 special values', () => {
    expect(halfToFloat(0x3c00)).toBe(1);
    expect(halfToFloat(0xc000)).toBe(-2);
    expect(halfToFloat(0x7bff)).toBe(65504);
    expect(halfToFloat(0x0001)).toBe(2 ** -24);
    expect(halfToFloat(0x7c00)).toBe(Infinity);
    expect(halfToFloat(0x7e00)).toBeNaN();
  });
  it('OCP FP8 E4M3 and E5M2 extremes', () => {
    const out = new Float32Array(4);
    scalarCodec('e4m3', true, 'F8_E4M3').decode(new Uint8Array([0x7e, 0x7f, 0x01, 0xb8]), 0, 4, out, 0);
    expect(Array.from(out)).toEqual([448, NaN, 2 ** -9, -1]);
    scalarCodec('e5m2', true, 'F8_E5M2').decode(new Uint8Array([0x7b, 0x7c, 0x01, 0xfd]), 0, 4, out, 0);
    expect(Array.from(out)).toEqual([57344, Infinity, 2 ** -16, NaN]);
  });
  it('zip CRC-32 check value', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
  });
});
