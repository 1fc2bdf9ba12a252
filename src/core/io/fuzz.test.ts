/**
 * Property-based fuzzing of every parser ("Bad input"): valid fixture files are mutated
 * (truncation, byte flips, huge little-endian integers written over header fields, spliced
 * garbage) and then listed and read in full. The only acceptable failure is a DataFileError; any
 * other exception fails the property with the file and mutations that caused it, and the suite's
 * timeout catches hangs. ≥ 10^4 cases per parser.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DataFileError, listTensors, readTensor, type ByteSource } from './index';
import { bytesByteSource } from './source';
import { unzipSync, zipSync } from 'fflate';

const DIR = join(__dirname, '..', 'testing', 'fixtures', 'io');
const CKPT = join(__dirname, '..', 'testing', 'fixtures', 'ckpt');
const load = (f: string) =>
  new Uint8Array(readFileSync(f.startsWith('ckpt/') ? join(CKPT, f.slice(5)) : join(DIR, f)));
const RUNS = 10_000;

type Mutation =
  | { kind: 'truncate'; at: number }
  | { kind: 'flip'; at: number; value: number }
  | { kind: 'huge'; at: number; value: bigint; width: 4 | 8 }
  | { kind: 'splice'; at: number; bytes: Uint8Array };

const HUGE = [
  0xffffffffn,
  0x7fffffffn,
  0x80000000n,
  2n ** 32n + 1n,
  2n ** 53n - 1n,
  2n ** 53n + 1n,
  2n ** 63n,
  2n ** 64n - 1n,
  0n,
  1n,
];

/** Positions are fractions so they scale to each file; `headerBias` pulls half of them into the first 256 bytes. */
const mutationArb: fc.Arbitrary<(len: number) => Mutation> = fc.oneof(
  fc
    .double({ min: 0, max: 1, noNaN: true })
    .map((f) => (len: number): Mutation => ({ kind: 'truncate', at: Math.floor(f * len) })),
  fc
    .tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.boolean(), fc.integer({ min: 0, max: 255 }))
    .map(([f, head, value]) => (len: number): Mutation => ({
      kind: 'flip',
      at: Math.floor(f * (head ? Math.min(len, 256) : len)),
      value,
    })),
  fc
    .tuple(
      fc.double({ min: 0, max: 1, noNaN: true }),
      fc.boolean(),
      fc.constantFrom(...HUGE),
      fc.constantFrom<4 | 8>(4, 8),
    )
    .map(([f, head, value, width]) => (len: number): Mutation => ({
      kind: 'huge',
      at: Math.floor(f * (head ? Math.min(len, 256) : len)),
      value,
      width,
    })),
  fc
    .tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.uint8Array({ minLength: 1, maxLength: 16 }))
    .map(([f, bytes]) => (len: number): Mutation => ({ kind: 'splice', at: Math.floor(f * len), bytes })),
);

function apply(bytes: Uint8Array, m: Mutation): Uint8Array {
  switch (m.kind) {
    case 'truncate':
      return bytes.slice(0, m.at);
    case 'flip': {
      const out = bytes.slice();
      if (m.at < out.length) out[m.at] = m.value;
      return out;
    }
    case 'huge': {
      const out = bytes.slice();
      const v = new DataView(out.buffer);
      if (m.at + m.width <= out.length) {
        if (m.width === 8) v.setBigUint64(m.at, m.value & (2n ** 64n - 1n), true);
        else v.setUint32(m.at, Number(m.value & 0xffffffffn), true);
      }
      return out;
    }
    case 'splice': {
      const out = new Uint8Array(bytes.length + m.bytes.length);
      out.set(bytes.subarray(0, m.at));
      out.set(m.bytes, m.at);
      out.set(bytes.subarray(m.at), m.at + m.bytes.length);
      return out;
    }
  }
}

/** List, then read every supported tensor; only DataFileError may escape. */
async function exercise(sources: ByteSource[]): Promise<void> {
  try {
    const infos = await listTensors(sources);
    for (const info of infos) {
      if (!info.supported || info.rows * info.cols === 0) continue;
      try {
        await readTensor(sources, info.name, { maxRows: 64 });
      } catch (e) {
        if (!(e instanceof DataFileError)) throw e;
      }
    }
  } catch (e) {
    if (!(e instanceof DataFileError)) throw e;
    expect(e.message).not.toMatch(/[\r\n]/);
  }
}

function fuzz(
  files: string[],
  extra: (name: string) => ByteSource[] = () => [],
  wrap: (name: string, mutated: Uint8Array) => ByteSource = (name, b) =>
    bytesByteSource(name.replace(/^ckpt\//, ''), b),
) {
  const originals = files.map((f) => [f, load(f)] as const);
  return fc.assert(
    fc.asyncProperty(
      fc.integer({ min: 0, max: files.length - 1 }),
      fc.array(mutationArb, { minLength: 1, maxLength: 3 }),
      async (which, muts) => {
        const [name, bytes] = originals[which];
        let b: Uint8Array = bytes;
        const applied: Mutation[] = [];
        for (const mk of muts) {
          const m = mk(b.length);
          applied.push(m);
          b = apply(b, m);
        }
        try {
          await exercise([wrap(name, b), ...extra(name)]);
        } catch (e) {
          throw new Error(
            `${name} mutated by ${JSON.stringify(applied, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))}: ${String(e)}`,
          );
        }
      },
    ),
    { numRuns: RUNS, seed: 4242 },
  );
}

describe('fuzz: mutated files only ever raise DataFileError', { timeout: 120_000 }, () => {
  it(`safetensors (${RUNS} cases)`, async () => {
    await fuzz(['model.safetensors', 'shard-00001-of-00002.safetensors']);
  });
  it(`safetensors index + shards (${RUNS} cases)`, async () => {
    const shards = ['shard-00001-of-00002.safetensors', 'shard-00002-of-00002.safetensors'];
    await fuzz(['model.safetensors.index.json'], () => shards.map((s) => bytesByteSource(s, load(s))));
  });
  it(`npy (${RUNS} cases)`, async () => {
    await fuzz(['f4_c.npy', 'f8_fortran.npy', 'f4_be_fortran_3d.npy', 'v3.npy', 'i8.npy']);
  });
  it(`npz (${RUNS} cases)`, async () => {
    await fuzz(['stored.npz', 'deflated.npz']);
  });
  it(`gguf (${RUNS} cases)`, async () => {
    await fuzz(['model.gguf', 'v2_align64.gguf']);
  });
  it(`csv (${RUNS} cases)`, async () => {
    await fuzz(['header.csv', 'tabs.tsv', 'spaces.txt']);
  });
  it(`onnx (${RUNS} cases)`, async () => {
    await fuzz(['ckpt/model.onnx', 'ckpt/external.onnx'], (name) =>
      name === 'ckpt/external.onnx'
        ? [bytesByteSource('external.onnx.data', load('ckpt/external.onnx.data'))]
        : [],
    );
  });
  it(`pytorch zip (${RUNS} cases)`, async () => {
    await fuzz(['ckpt/checkpoint.pt', 'ckpt/big_endian.pt', 'ckpt/fp8_v3.pt']);
  });
  it(`pytorch data.pkl inside a valid zip (${RUNS} cases)`, async () => {
    // Mutating the archive mostly trips the zip CRC: mutate data.pkl itself and re-zip it.
    const entries = unzipSync(load('ckpt/checkpoint.pt'));
    const pkl = entries['archive/data.pkl'];
    await fc.assert(
      fc.asyncProperty(fc.array(mutationArb, { minLength: 1, maxLength: 3 }), async (muts) => {
        let b: Uint8Array = pkl;
        const applied: Mutation[] = [];
        for (const mk of muts) {
          const m = mk(b.length);
          applied.push(m);
          b = apply(b, m);
        }
        const zip = zipSync({ ...entries, 'archive/data.pkl': b }, { level: 0 });
        try {
          await exercise([bytesByteSource('checkpoint.pt', zip)]);
        } catch (e) {
          throw new Error(
            `data.pkl mutated by ${JSON.stringify(applied, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))}: ${String(e)}`,
          );
        }
      }),
      { numRuns: RUNS, seed: 99 },
    );
  });
  it(`format detection on random bytes (${RUNS} cases)`, async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ maxLength: 512 }),
        fc.constantFrom(
          'x.bin',
          'x.safetensors',
          'x.npy',
          'x.npz',
          'x.gguf',
          'x.csv',
          'x.json',
          'x.onnx',
          'x.pt',
        ),
        async (bytes, name) => {
          await exercise([bytesByteSource(name, bytes)]);
        },
      ),
      { numRuns: RUNS, seed: 7 },
    );
  });
});
