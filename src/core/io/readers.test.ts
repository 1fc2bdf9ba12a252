/**
 * Reader unit tests against the fixtures and manifest written by
 * src/core/testing/fixtures/gen_io.py (numpy for npy/npz; safetensors and GGUF written from their
 * specs, quantized values computed independently from the ggml block formulas).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DataFileError, fileByteSource, listTensors, openFiles, readTensor, type ByteSource } from './index';
import { nodeByteSource } from './node-source';
import { bytesByteSource } from './source';

const DIR = join(__dirname, '..', 'testing', 'fixtures', 'io');

type Num = number | 'nan' | 'inf' | '-inf';
interface ManifestTensor {
  name: string;
  shape: number[];
  dtype: string;
  rows: number;
  cols: number;
  byteOffset: number;
  byteSize: number;
  sha256: string;
  format: string;
  values: Num[];
  supported?: boolean;
}
interface Manifest {
  files: Record<string, { tensors: ManifestTensor[]; metadata?: Record<string, unknown> }>;
}
const manifest = JSON.parse(readFileSync(join(DIR, 'manifest.json'), 'utf8')) as Manifest;

function decode(v: Num): number {
  return v === 'nan' ? NaN : v === 'inf' ? Infinity : v === '-inf' ? -Infinity : v;
}

function src(file: string): ByteSource {
  return bytesByteSource(file, new Uint8Array(readFileSync(join(DIR, file))));
}

/** Bit-exact comparison (float32 values, NaN equal to NaN), failure message with index and both values. */
function expectValues(actual: Float32Array, expected: Num[], what: string): void {
  expect(actual.length, `${what}: length`).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const e = Math.fround(decode(expected[i]));
    const a = actual[i];
    const same = Object.is(a, e) || (Number.isNaN(a) && Number.isNaN(e)) || (a === 0 && e === 0);
    if (!same) throw new Error(`${what}[${i}]: expected ${e}, got ${a}`);
  }
}

describe('every manifest tensor reads back exactly', () => {
  for (const [file, entry] of Object.entries(manifest.files)) {
    it(file, async () => {
      const sources = [src(file)];
      const infos = await listTensors(sources);
      expect(infos.map((i) => i.name).sort()).toEqual(entry.tensors.map((t) => t.name).sort());
      for (const t of entry.tensors) {
        const info = infos.find((i) => i.name === t.name);
        expect(info, t.name).toBeDefined();
        if (!info) continue;
        expect(info.shape, `${file}:${t.name} shape`).toEqual(t.shape);
        expect([info.rows, info.cols], `${file}:${t.name} view`).toEqual([t.rows, t.cols]);
        expect(info.dtype).toBe(t.dtype);
        expect(info.byteOffset, `${file}:${t.name} offset`).toBe(t.byteOffset);
        expect(info.byteSize, `${file}:${t.name} size`).toBe(t.byteSize);
        expect(info.format).toBe(t.format);
        if (t.supported === false) {
          expect(info.supported).toBe(false);
          await expect(readTensor(sources, t.name)).rejects.toThrow(/unsupported dtype Q6_K/);
          continue;
        }
        if (t.rows * t.cols === 0) {
          await expect(readTensor(sources, t.name)).rejects.toThrow(/has no elements/);
          continue;
        }
        const r = await readTensor(sources, t.name);
        expect([r.matrix.rows, r.matrix.cols]).toEqual([t.rows, t.cols]);
        expectValues(r.matrix.data, t.values, `${file}:${t.name}`);
        expect(r.sha256, `${file}:${t.name} sha256`).toBe(t.sha256);
        expect(r.nonFinite).toBe(t.values.filter((v) => typeof v === 'string').length);
      }
    });
  }
});

describe('formats and views', () => {
  it('cols-first transposes the view, also for Fortran-order rank-3 arrays', async () => {
    for (const file of ['f4_be_fortran_3d.npy', 'f8_fortran.npy', 'f4_c.npy']) {
      const t = manifest.files[file].tensors[0];
      const r = await readTensor([src(file)], undefined, { layout: 'cols-first' });
      expect([r.matrix.rows, r.matrix.cols]).toEqual([t.cols, t.rows]);
      for (let i = 0; i < t.rows; i++) {
        for (let j = 0; j < t.cols; j++) {
          expect(r.matrix.data[j * t.rows + i]).toBe(Math.fround(decode(t.values[i * t.cols + j])));
        }
      }
    }
  });

  it('row/column ranges, maxRows and seeded subsampling select the right values', async () => {
    const t = manifest.files['model.gguf'].tensors.find((x) => x.name === 'q4_1') as ManifestTensor; // 3×32
    const sources = [src('model.gguf')];
    const at = (i: number, j: number) => Math.fround(decode(t.values[i * t.cols + j]));
    const r = await readTensor(sources, 'q4_1', { rowRange: [1, 3], colRange: [5, 20] });
    expect([r.matrix.rows, r.matrix.cols]).toEqual([2, 15]);
    expect(r.matrix.data[0]).toBe(at(1, 5));
    expect(r.matrix.data[2 * 15 - 1]).toBe(at(2, 19));
    const head = await readTensor(sources, 'q4_1', { maxRows: 2 });
    expect(head.selection.rowIndices).toEqual(new Uint32Array([0, 1]));
    const sub = await readTensor(sources, 'q4_1', { maxRows: 2, subsampleSeed: 11 });
    const again = await readTensor(sources, 'q4_1', { maxRows: 2, subsampleSeed: 11 });
    expect(sub.selection.rowIndices).toEqual(again.selection.rowIndices);
    expect(sub.selection.subsampleSeed).toBe(11);
    const idx = sub.selection.rowIndices as Uint32Array;
    for (let k = 0; k < 2; k++) expect(sub.matrix.data[k * 32 + 7]).toBe(at(idx[k], 7));
    const tcol = await readTensor(sources, 'q4_1', {
      layout: 'cols-first',
      rowRange: [30, 32],
      colRange: [1, 3],
    });
    expect(Array.from(tcol.matrix.data)).toEqual([at(1, 30), at(2, 30), at(1, 31), at(2, 31)]);
    // Hash covers the whole tensor whatever the selection.
    expect(r.sha256).toBe(t.sha256);
  });

  it('GGUF metadata of every value type, alignment and version', async () => {
    const { files } = await openFiles([src('model.gguf')]);
    const meta = files[0].metadata;
    const expected = manifest.files['model.gguf'].metadata as Record<string, unknown>;
    for (const [k, v] of Object.entries(expected)) {
      if (k === 'test.u64') expect(meta[k]).toBe(BigInt(v as string));
      else if (k === 'test.f32') expect(meta[k]).toBeCloseTo(v as number, 7);
      else expect(meta[k], k).toEqual(v);
    }
    expect(files[0].version).toBe(3);
    const v2 = await openFiles([src('v2_align64.gguf')]);
    expect(v2.files[0].version).toBe(2);
    expect(v2.tensors.every((t) => t.byteOffset % 64 === 0)).toBe(true);
  });

  it('safetensors __metadata__ and sharded checkpoints with their index', async () => {
    const { files } = await openFiles([src('model.safetensors')]);
    expect(files[0].metadata).toEqual({ format: 'pt', source: 'gen_io.py' });
    const shards = ['shard-00001-of-00002.safetensors', 'shard-00002-of-00002.safetensors'];
    const all = [src('model.safetensors.index.json'), ...shards.map(src)];
    const infos = await listTensors(all);
    expect(infos.map((i) => `${i.file}:${i.name}`).sort()).toEqual([
      'shard-00001-of-00002.safetensors:layer.0.b',
      'shard-00001-of-00002.safetensors:layer.0.w',
      'shard-00002-of-00002.safetensors:layer.1.w',
    ]);
    const r = await readTensor(all, 'layer.1.w');
    expectValues(r.matrix.data, manifest.files[shards[1]].tensors[0].values, 'layer.1.w');
    await expect(listTensors([src('model.safetensors.index.json'), src(shards[0])])).rejects.toThrow(
      /shard 'shard-00002-of-00002.safetensors' \(holding tensor 'layer.1.w'\) was not provided/,
    );
  });

  it('fileByteSource (browser File.slice) reads the same tensor', async () => {
    const bytes = readFileSync(join(DIR, 'deflated.npz'));
    const file = new File([bytes], 'deflated.npz');
    const a = await readTensor([fileByteSource(file)], 'y');
    const b = await readTensor([src('deflated.npz')], 'y');
    expect(a.matrix).toEqual(b.matrix);
    expect(a.sha256).toBe(b.sha256);
  });

  it('nodeByteSource reads the same bytes as the in-memory source', async () => {
    const node = await nodeByteSource(join(DIR, 'stored.npz'));
    expect(node.name).toBe('stored.npz');
    const a = await readTensor([node], 'b');
    const b = await readTensor([src('stored.npz')], 'b');
    expect(a.matrix.data).toEqual(b.matrix.data);
    expect(a.sha256).toBe(b.sha256);
  });

  it('CSV: header, separators, comments, CRLF; ragged rows and non-numbers name the line', async () => {
    const infos = await listTensors([src('header.csv')]);
    expect(infos[0].note).toMatch(/comma-separated, header line skipped/);
    await expect(listTensors([src('ragged.csv')])).rejects.toThrow(
      'ragged.csv: line 3 has 2 values, expected 3 (ragged rows)',
    );
    await expect(listTensors([src('notnumber.csv')])).rejects.toThrow(
      /line 2, field 2: '0x10' is not a number/,
    );
    const csv = await readTensor([src('header.csv')], undefined, { layout: 'cols-first', rowRange: [1, 3] });
    expect(Array.from(csv.matrix.data)).toEqual([2, Math.fround(-0.6), 7, 3, NaN, 0.25]);
  });
});

describe('errors', () => {
  it('DataFileError names the file, tensor and byte range', async () => {
    const bytes = new Uint8Array(readFileSync(join(DIR, 'model.safetensors')));
    const cut = bytesByteSource('model.safetensors', bytes.subarray(0, 1000));
    const err = await listTensors([cut]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataFileError);
    expect((err as DataFileError).message).toMatch(
      /^model\.safetensors: tensor '\w+' data \[\d+, \d+\) exceeds file size 1000/,
    );
    expect((err as DataFileError).tensor).toBeDefined();
    expect((err as DataFileError).offset).toBeGreaterThan(0);
  });

  it('memory budget: a virtual 4 GiB tensor lists from its header and is refused with size and limit', async () => {
    const header = new TextEncoder().encode(
      JSON.stringify({ huge: { dtype: 'F32', shape: [32768, 32768], data_offsets: [0, 2 ** 32] } }),
    );
    const total = 8 + header.length + 2 ** 32;
    let bytesRead = 0;
    const virtual: ByteSource = {
      name: 'huge.safetensors',
      size: total,
      read(offset, length) {
        const n = Math.max(0, Math.min(length, total - offset));
        bytesRead += n;
        const out = new Uint8Array(n);
        for (let i = 0; i < n; i++) {
          const p = offset + i;
          out[i] =
            p < 8
              ? p === 0
                ? header.length & 0xff
                : p === 1
                  ? header.length >> 8
                  : 0
              : p < 8 + header.length
                ? header[p - 8]
                : 0;
        }
        return Promise.resolve(out);
      },
    };
    const infos = await listTensors([virtual]);
    expect(infos[0].byteSize).toBe(2 ** 32);
    expect(bytesRead).toBeLessThan(10_000);
    await expect(readTensor([virtual], 'huge')).rejects.toThrow(
      /tensor 'huge' selection of 32768×32768 values needs 4\.00 GiB as float32, over the 1\.00 GiB limit/,
    );
    expect(bytesRead).toBeLessThan(20_000);
  });

  it('bad options are RangeErrors, out-of-bounds ranges DataFileErrors', async () => {
    const s = [src('f4_c.npy')];
    await expect(readTensor(s, undefined, { rowRange: [2, 1] })).rejects.toBeInstanceOf(RangeError);
    await expect(readTensor(s, undefined, { rowRange: [0, 4] })).rejects.toThrow(
      /rowRange \[0, 4\) is outside the 3 available/,
    );
    await expect(readTensor(s, 'nope')).rejects.toThrow(/no tensor 'nope'/);
    await expect(readTensor([src('stored.npz')], undefined)).rejects.toThrow(/holds 3 tensors; name one/);
  });
});
