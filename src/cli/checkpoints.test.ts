/**
 * ONNX and PyTorch (torch.save zip) readers and the tensor inventory, against the fixtures and
 * manifest written by src/core/testing/fixtures/gen_ckpt.py (ONNX protobuf and torch's zip/pickle
 * layout written from their specs, without onnx or torch; expected values by numpy).
 */
import { mkdtempSync, readFileSync, symlinkSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DataFileError, listTensors, openCheckpoint, readTensor, type ByteSource } from '../core/io/index';
import { escapeForTerminal, formatInventory, inventoryJson, tensorInventory } from '../core/io/inventory';
import { bytesByteSource } from '../core/io/source';
import { ALLOWED_GLOBALS } from '../core/io/pytorch';
import { sourcesForPath } from './file-data';
import { tensorsCommand } from './tensors';
import { main, EXIT_DATA } from './main';

const DIR = join(__dirname, '..', 'core', 'testing', 'fixtures', 'ckpt');

interface ManifestTensor {
  name: string;
  shape: number[];
  dtype: string;
  rows: number;
  cols: number;
  byteSize: number;
  byteOffset?: number;
  sha256: string;
  format: string;
  values: number[];
  layoutHint?: string;
}
interface Manifest {
  files: Record<string, { tensors: ManifestTensor[]; companions?: string[] }>;
}
const manifest = JSON.parse(readFileSync(join(DIR, 'manifest.json'), 'utf8')) as Manifest;

function src(file: string): ByteSource {
  return bytesByteSource(file, new Uint8Array(readFileSync(join(DIR, file))));
}

function expectBits(actual: Float32Array, expected: number[], what: string): void {
  expect(actual.length, `${what}: length`).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    if (!Object.is(actual[i], Math.fround(expected[i])))
      throw new Error(`${what}[${i}]: expected ${expected[i]}, got ${actual[i]}`);
  }
}

describe('every checkpoint-manifest tensor reads back exactly', () => {
  for (const [file, entry] of Object.entries(manifest.files)) {
    it(file, async () => {
      const sources = [src(file), ...(entry.companions ?? []).map(src)];
      const infos = await listTensors(sources);
      expect(infos.map((i) => i.name).sort()).toEqual(entry.tensors.map((t) => t.name).sort());
      for (const t of entry.tensors) {
        const info = infos.find((i) => i.name === t.name);
        if (!info) throw new Error(`${file}: no ${t.name}`);
        const what = `${file}:${t.name}`;
        expect(info.shape, `${what} shape`).toEqual(t.shape);
        expect([info.rows, info.cols], `${what} view`).toEqual([t.rows, t.cols]);
        expect(info.dtype, `${what} dtype`).toBe(t.dtype);
        expect(info.byteSize, `${what} size`).toBe(t.byteSize);
        expect(info.format).toBe(t.format);
        expect(info.layoutHint, `${what} layoutHint`).toBe(t.layoutHint);
        if (t.byteOffset !== undefined) expect(info.byteOffset, `${what} offset`).toBe(t.byteOffset);
        const r = await readTensor(sources, t.name);
        expect(r.sha256, `${what} sha256`).toBe(t.sha256);
        expectBits(r.matrix.data, t.values, what);
      }
    });
  }
});

describe('ONNX', () => {
  it('the ONNX and safetensors copies of the same weights give identical numbers and hashes', async () => {
    const onnx = [src('model.onnx')];
    const st = [src('same_weights.safetensors')];
    // MatMul weight stored [in, out]: its cols-first view is the PyTorch [out, in] matrix.
    const a = await readTensor(onnx, 'fc1.weight', { layout: 'cols-first' });
    const b = await readTensor(st, 'fc1.weight');
    expect([a.matrix.rows, a.matrix.cols]).toEqual([8, 6]);
    expect(Array.from(a.matrix.data)).toEqual(Array.from(b.matrix.data));
    // Constant-node MatMul weight, likewise.
    const c = await readTensor(onnx, 'const_w', { layout: 'cols-first' });
    const d = await readTensor(st, 'const_w_T');
    expect(Array.from(c.matrix.data)).toEqual(Array.from(d.matrix.data));
    // Same orientation and bytes (raw_data, Gemm transB=1, conv, typed float_data): same SHA-256.
    for (const name of ['fc2.weight', 'conv.weight', 'fc1.bias']) {
      const x = await readTensor(onnx, name);
      const y = await readTensor(st, name);
      expect(x.sha256, name).toBe(y.sha256);
      expect(Array.from(x.matrix.data), name).toEqual(Array.from(y.matrix.data));
    }
  });

  it('external data: listed without the side file, read with it; hostile locations are refused', async () => {
    const alone = await listTensors([src('external.onnx')]);
    expect(alone.every((t) => !t.supported)).toBe(true);
    expect(alone[0].note).toMatch(/external data 'external.onnx.data' was not opened/);
    await expect(readTensor([src('external.onnx')], 'ext.w')).rejects.toThrow(DataFileError);
    await expect(listTensors([src('escape.onnx')])).rejects.toThrow(
      /escape\.onnx: tensor 'w' external data location '\.\.\/gen_ckpt\.py' escapes the model's folder/,
    );
    await expect(listTensors([src('absolute.onnx')])).rejects.toThrow(/'\/etc\/passwd' is an absolute path/);
  });

  it('CLI opens external data next to the model and refuses a symlink leaving its folder', async () => {
    const sources = await sourcesForPath(join(DIR, 'external.onnx'));
    expect(sources.map((s) => s.name)).toEqual(['external.onnx', 'external.onnx.data']);
    const dir = mkdtempSync(join(tmpdir(), 'qs-onnx-'));
    copyFileSync(join(DIR, 'external.onnx'), join(dir, 'external.onnx'));
    const outside = mkdtempSync(join(tmpdir(), 'qs-outside-'));
    writeFileSync(join(outside, 'secret.bin'), new Uint8Array(128));
    symlinkSync(join(outside, 'secret.bin'), join(dir, 'external.onnx.data'));
    await expect(sourcesForPath(join(dir, 'external.onnx'))).rejects.toThrow(
      /resolves outside the model's folder/,
    );
  });

  it('listing scans field headers only: a 4 GiB raw_data payload is skipped, not read', async () => {
    // ModelProto{graph: GraphProto{initializer: big (raw_data of 2^32 bytes), initializer: small}}
    const varint = (n: number) => {
      const out: number[] = [];
      for (; n >= 128; n = Math.floor(n / 128)) out.push((n % 128) | 128);
      out.push(n);
      return out;
    };
    const ld = (field: number, len: number) => [...varint((field << 3) | 2), ...varint(len)];
    const str = (field: number, s: string) => [
      ...ld(field, s.length),
      ...Array.from(s, (c) => c.charCodeAt(0)),
    ];
    const BIG = 2 ** 32;
    const bigHead = [8, 2 ** 15, 8, 2 ** 15, 16, 1, ...str(8, 'big')].flatMap((x) =>
      x >= 128 ? varint(x) : [x],
    );
    const bigTensor = [...bigHead, ...ld(9, BIG)]; // + BIG payload bytes
    const small = [8, 2, 16, 1, ...str(8, 'small'), ...ld(9, 8), 0, 0, 128, 63, 0, 0, 0, 64];
    const graphLen =
      ld(5, bigTensor.length + BIG).length +
      bigTensor.length +
      BIG +
      ld(5, small.length).length +
      small.length;
    const head = Uint8Array.from([...ld(7, graphLen), ...ld(5, bigTensor.length + BIG), ...bigTensor]);
    const tail = Uint8Array.from([...ld(5, small.length), ...small]);
    const size = head.length + BIG + tail.length;
    let read = 0;
    const source: ByteSource = {
      name: 'virtual.onnx',
      size,
      read(offset, length) {
        const n = Math.max(0, Math.min(length, size - offset));
        read += n;
        const out = new Uint8Array(n);
        for (let i = 0; i < n; i++) {
          const p = offset + i;
          out[i] = p < head.length ? head[p] : p >= head.length + BIG ? tail[p - head.length - BIG] : 0;
        }
        return Promise.resolve(out);
      },
    };
    const infos = await listTensors([source]);
    expect(infos.map((t) => [t.name, t.shape, t.byteSize])).toEqual([
      ['big', [32768, 32768], BIG],
      ['small', [2], 8],
    ]);
    expect(read).toBeLessThan(2 ** 18);
    const r = await readTensor([source], 'small');
    expect(Array.from(r.matrix.data)).toEqual([1, 2]);
  });

  it('truncated and malformed protobuf give DataFileErrors with offsets', async () => {
    const bytes = new Uint8Array(readFileSync(join(DIR, 'model.onnx')));
    await expect(listTensors([bytesByteSource('m.onnx', bytes.subarray(0, 100))])).rejects.toThrow(
      /m\.onnx: ONNX model: .*runs past the end of its message.*\(at byte \d+\)/,
    );
    // Wire type 3 (deprecated groups) at the first tag.
    await expect(listTensors([bytesByteSource('g.onnx', Uint8Array.of(0x0b, 0x00))])).rejects.toThrow(
      /unsupported wire type 3 for field 1 \(at byte 0\)/,
    );
  });
});

describe('PyTorch', () => {
  it('hostile pickles are refused, naming the file, the global and the pickle byte offset', async () => {
    // GLOBAL 'os system' is the opcode right after PROTO 2 (byte 2).
    await expect(listTensors([src('hostile_global.pt')])).rejects.toThrow(
      "hostile_global.pt: archive/data.pkl: refuses global 'os system': only torch's tensor and storage reconstructors and plain containers are allowed (the pickle would run code) (pickle byte 2)",
    );
    // STACK_GLOBAL after PROTO (2 bytes) and two SHORT_BINUNICODEs (2+8, 2+4 bytes): byte 18.
    await expect(listTensors([src('hostile_eval.pt')])).rejects.toThrow(
      /hostile_eval\.pt: archive\/data\.pkl: refuses global 'builtins eval'.*\(pickle byte 18\)/,
    );
    // REDUCE at byte 2 + 20 (GLOBAL 'torch\nFloatStorage\n') + 3 + 1 = 26.
    await expect(listTensors([src('hostile_reduce_storage.pt')])).rejects.toThrow(
      /refuses to call 'torch FloatStorage' \(it is not a tensor reconstructor\) \(pickle byte 26\)/,
    );
    await expect(listTensors([src('hostile_reduce_string.pt')])).rejects.toThrow(
      /REDUCE on a string, which is not an allowed callable \(pickle byte 17\)/,
    );
    await expect(listTensors([src('legacy.pt')])).rejects.toThrow(/legacy \(pre-1\.6, non-zip\) torch\.save/);
    expect(ALLOWED_GLOBALS).not.toContain('os system');
  });

  it('a "billion laughs" pickle (one list shared 2^40 ways through the memo) is refused quickly', async () => {
    const { zipSync } = await import('fflate');
    const ops = [0x80, 2, 0x5d, 0x71, 0]; // PROTO 2; EMPTY_LIST; BINPUT 0
    for (let i = 1; i <= 40; i++) ops.push(0x30, 0x5d, 0x28, 0x68, i - 1, 0x68, i - 1, 0x65, 0x71, i); // POP ] ( h h e q
    ops.push(0x2e);
    const z = zipSync({ 'archive/data.pkl': Uint8Array.from(ops) }, { level: 0 });
    await expect(listTensors([bytesByteSource('laughs.pt', z)])).rejects.toThrow(
      /laughs\.pt: archive\/data\.pkl: containers are shared so often/,
    );
  });

  it('a sharded .bin checkpoint opens through its index', async () => {
    const names = [
      'pytorch_model.bin.index.json',
      'pytorch_model-00001-of-00002.bin',
      'pytorch_model-00002-of-00002.bin',
    ];
    const infos = await listTensors(names.map(src));
    expect(infos.map((t) => [t.name, t.file])).toEqual([
      ['l0.w', 'pytorch_model-00001-of-00002.bin'],
      ['l1.w', 'pytorch_model-00002-of-00002.bin'],
    ]);
    await expect(listTensors(names.slice(0, 2).map(src))).rejects.toThrow(
      /shard 'pytorch_model-00002-of-00002.bin'/,
    );
  });

  it('a zip that is neither npz nor a torch checkpoint says so instead of "0 tensors"', async () => {
    // Re-pack the checkpoint's byteorder entry alone: a valid zip without data.pkl or .npy.
    const { zipSync } = await import('fflate');
    const z = zipSync({ 'archive/byteorder': new TextEncoder().encode('little') }, { level: 0 });
    await expect(listTensors([bytesByteSource('odd.pt', z)])).rejects.toThrow(
      /odd\.pt: zip archive holds no \.npy entries and no data\.pkl/,
    );
  });
});

describe('openCheckpoint', () => {
  it('parses headers once and reads every tensor with the same results as readTensor', async () => {
    for (const file of ['model.onnx', 'checkpoint.pt']) {
      const base = src(file);
      const counter = () => {
        const c = { bytes: 0, source: base };
        c.source = {
          name: base.name,
          size: base.size,
          read: (o, n) => {
            c.bytes += Math.max(0, Math.min(n, base.size - o));
            return base.read(o, n);
          },
        };
        return c;
      };
      const once = counter();
      const each = counter();
      const ckpt = await openCheckpoint([once.source]);
      for (const t of ckpt.tensors) {
        const a = await ckpt.read(t.name);
        const b = await readTensor([each.source], t.name);
        expect(a.sha256, `${file}:${t.name}`).toBe(b.sha256);
        expect(Array.from(a.matrix.data)).toEqual(Array.from(b.matrix.data));
      }
      // Headers parsed once instead of once per tensor.
      expect(once.bytes * 4, file).toBeLessThan(each.bytes);
    }
  });
});

describe('inventory and lab tensors', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('lists name, shape, dtype, bytes, file and the layout hint', async () => {
    const inv = await tensorInventory([src('model.onnx')]);
    expect(inv.find((t) => t.name === 'fc1.weight')).toEqual({
      name: 'fc1.weight',
      shape: [6, 8],
      dtype: 'FLOAT',
      bytes: 192,
      file: 'model.onnx',
      layoutHint: 'in-out',
    });
    expect(inv.find((t) => t.name === 'fc2.weight')).not.toHaveProperty('layoutHint');
    const json = JSON.parse(
      await tensorsCommand([join(DIR, 'checkpoint.pt'), join(DIR, 'same_weights.safetensors')], {
        json: true,
      }),
    ) as {
      tensors: { name: string; file: string; bytes: number }[];
    };
    expect(json.tensors).toHaveLength(16);
    expect(json.tensors[0]).toEqual({
      name: 'model.fc1.weight',
      shape: [8, 6],
      dtype: 'float32',
      bytes: 192,
      file: 'checkpoint.pt',
    });
    const text = await tensorsCommand([join(DIR, 'pytorch_model.bin.index.json')], {});
    expect(text).toMatch(/^name\s+shape\s+dtype\s+bytes\s+file\n/);
    expect(text).toContain('2 tensors, 10 elements, 40 B');
  });

  it('escapes control characters and bidi overrides from hostile names on the terminal', () => {
    const evil = 'w\x1b[2J\r\n\u202egnp.exe\x7f\x9b';
    expect(escapeForTerminal(evil)).toBe('w\\x1b[2J\\x0d\\x0a\\u202egnp.exe\\x7f\\x9b');
    const inv = [{ name: evil, shape: [1], dtype: 'F\x1b32', bytes: 4, file: 'a\nb' }];
    // eslint-disable-next-line no-control-regex -- the test looks for exactly these characters
    const unsafe = /[\x00-\x09\x0b-\x1f\x7f-\x9f\u202e]/;
    const table = formatInventory(inv);
    expect(table).not.toMatch(unsafe);
    const json = inventoryJson(inv);
    expect(json).not.toMatch(unsafe);
    expect((JSON.parse(json) as { tensors: { name: string }[] }).tensors[0].name).toBe(evil);
  });

  it('lab tensors exits 3 with one line naming the file for a hostile checkpoint', async () => {
    const err: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((s) => {
      err.push(String(s));
      return true;
    });
    const code = await main(['tensors', join(DIR, 'hostile_global.pt')]);
    expect(code).toBe(EXIT_DATA);
    expect(err.join('')).toMatch(/^error: hostile_global\.pt: .*'os system'.*\n$/);
  });
});
