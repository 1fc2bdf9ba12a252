/**
 * A CLI permalink (absolute path) reopened in the page: the file is matched by base name, its
 * tensor and layout are kept or a notice says why not, and the tensor's SHA-256 — pinned in the
 * CLI's permalink, value from gen_io.py's manifest — refuses a different file of the same name.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { decodePayload, extractPayload } from '../core/config/codec';
import { restoreConfig } from '../core/config/schema';
import { main } from './main';
import { bytesByteSource } from '../core/io/source';
import { DataFileError } from '../core/io';
import { baseName, decideOpenedFiles, pinFileHash } from '../engine/file-link';
import { loadFileData } from '../engine/file-data';

const IO = join(__dirname, '..', 'core', 'testing', 'fixtures', 'io');
const manifest = JSON.parse(readFileSync(join(IO, 'manifest.json'), 'utf8')) as {
  files: Record<string, { tensors: { name: string; sha256: string; byteOffset: number }[] }>;
};
const W_F32 = manifest.files['model.safetensors'].tensors.find((t) => t.name === 'w_f32');
const W_F32_SHA = W_F32?.sha256 ?? '';

const tensors = [
  { name: 'a', file: 'model.safetensors', supported: true },
  { name: 'w_f32', file: 'model.safetensors', supported: true },
];
const data = (over: Record<string, string>) => ({
  source: 'file',
  path: '/home/me/ckpt/model.safetensors',
  tensor: 'w_f32',
  layout: 'cols-first',
  sha256: W_F32_SHA,
  ...over,
});

describe('decideOpenedFiles', () => {
  it('base names on any OS', () => {
    expect(baseName('/a/b/model.onnx')).toBe('model.onnx');
    expect(baseName('C:\\data\\model.onnx')).toBe('model.onnx');
    expect(baseName('model.onnx')).toBe('model.onnx');
  });

  it("keeps a CLI link's tensor and layout when the same-named file is opened, and says so", () => {
    const d = decideOpenedFiles(data({}), ['model.safetensors'], tensors);
    expect(d.action).toBe('keep');
    expect(d.notice).toContain(
      "Kept the link's settings for model.safetensors (recorded as /home/me/ckpt/model.safetensors, matched by name)",
    );
    expect(d.notice).toContain("tensor 'w_f32', layout cols-first");
    expect(d.notice).toContain(`SHA-256 (${W_F32_SHA.slice(0, 12)}…) is checked`);
  });

  it('never switches tensor silently: a missing tensor or an unnamed one in a multi-tensor file keeps the link', () => {
    const missing = decideOpenedFiles(data({ tensor: 'gone' }), ['model.safetensors'], tensors);
    expect(missing).toEqual({
      action: 'keep',
      notice:
        "The link's tensor 'gone' is not in model.safetensors; nothing was switched. Open the file the link was made with, or pick a tensor.",
    });
    const unnamed = decideOpenedFiles(data({ tensor: '' }), ['model.safetensors'], tensors);
    expect(unnamed.action).toBe('keep');
    expect(unnamed.notice).toMatch(/names no tensor, but model\.safetensors holds 2/);
  });

  it('opening a different file switches with a notice naming what changed', () => {
    const d = decideOpenedFiles(
      data({}),
      ['other.npy'],
      [{ name: 'other.npy', file: 'other.npy', supported: true }],
    );
    expect(d.action).toBe('switch');
    expect(d.tensor?.name).toBe('other.npy');
    expect(d.notice).toBe(
      "The lab was using 'w_f32' of model.safetensors (layout cols-first); you opened other.npy, so it now shows tensor 'other.npy' (layout rows-first).",
    );
  });

  it('without a file link, opening files switches to the first supported tensor quietly', () => {
    const d = decideOpenedFiles(
      { source: 'gaussian' },
      ['m.gguf'],
      [
        { name: 'q6', file: 'm.gguf', supported: false },
        { name: 'f32', file: 'm.gguf', supported: true },
      ],
    );
    expect(d).toEqual({ action: 'switch', tensor: { name: 'f32', file: 'm.gguf', supported: true } });
  });
});

describe('CLI link → page', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it("the CLI permalink pins the tensor's SHA-256; the page reads the same file by base name and refuses a changed one", async () => {
    const cfgPath = join(mkdtempSync(join(tmpdir(), 'qs-link-')), 'c.json');
    const abs = join(IO, 'model.safetensors');
    writeFileSync(
      cfgPath,
      JSON.stringify({
        v: 1,
        seed: 3,
        data: { source: 'file', path: abs, tensor: 'w_f32', layout: 'cols-first' },
        pipelines: [{ transforms: [{ id: 'identity' }], quantizer: { id: 'mxfp4' } }],
      }),
    );
    const out: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((s) => {
      out.push(String(s));
      return true;
    });
    expect(await main(['run', cfgPath, '--json'])).toBe(0);
    const json = JSON.parse(out.join('')) as {
      permalink: string;
      results: { metrics: Record<string, number> }[];
    };
    const link = restoreConfig(decodePayload(extractPayload(json.permalink) ?? ''));
    expect(link.data.sha256).toBe(W_F32_SHA);
    expect(link.data.path).toBe(abs);

    // The page: only the base name exists; the same bytes load with the link's layout …
    const bytes = new Uint8Array(readFileSync(abs));
    expect(decideOpenedFiles(link.data, ['model.safetensors'], tensors).action).toBe('keep');
    const loaded = await loadFileData(link, [bytesByteSource('model.safetensors', bytes)]);
    expect(loaded.summary.file?.sha256).toBe(W_F32_SHA);
    expect([loaded.matrix.rows, loaded.matrix.cols]).toEqual([6, 4]); // w_f32 is [4, 6], cols-first
    // … and a file of the same name whose tensor bytes differ is refused, not silently used.
    const changed = bytes.slice();
    changed[(W_F32?.byteOffset ?? 0) + 5] ^= 1;
    const err = await loadFileData(link, [bytesByteSource('model.safetensors', changed)]).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(DataFileError);
    expect((err as Error).message).toMatch(/tensor 'w_f32' has SHA-256 .*this is not the same file/);
  });

  it('pinFileHash leaves non-file configs and already pinned hashes alone', () => {
    const pipelines = [{ transforms: [{ id: 'identity' }], quantizer: { id: 'mxfp4' } }];
    const c = restoreConfig({ v: 1, seed: 1, data: { source: 'gaussian' }, pipelines });
    expect(pinFileHash(c, 'ab')).toBe(c);
    const f = restoreConfig({
      v: 1,
      seed: 1,
      data: { source: 'file', path: 'x.npy', sha256: 'cd' },
      pipelines,
    });
    expect(pinFileHash(f, 'ab')).toBe(f);
    const g = restoreConfig({ v: 1, seed: 1, data: { source: 'file', path: 'x.npy' }, pipelines });
    expect(pinFileHash(g, 'ab').data.sha256).toBe('ab');
  });
});
