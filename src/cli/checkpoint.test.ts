/**
 * Whole-checkpoint sweeps (config.sweep, checkpoint.ts) on the fixture checkpoint written by
 * src/core/testing/fixtures/gen_checkpoint.py: which tensors run (the generator's own filter),
 * dead rows (counted there with numpy from the documented definition), sweep numbers equal to
 * `lab run` of each tensor alone bit for bit, sharded = single-file, --shard partitions, and the
 * CLI's exit codes.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { restoreConfig, type ExperimentConfig } from '../core/config/schema';
import { ConfigError } from '../core/config/errors';
import { openTensorSet } from '../core/io';
import { ioLimits } from '../core/io/tensor';
import { sourcesForPath, loadFileForCli } from './file-data';
import { escapeControl, formatSweepTable, parseShard, sweepForCli } from './sweep';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { contractJson, runConfig } from '../engine/experiment';
import { runExperiment } from '../core/pipeline';
import { planSweep, runSweep, summarizeSweep, tensorConfig } from '../engine/checkpoint';

const DIR = 'src/core/testing/fixtures/checkpoint';
const manifest = JSON.parse(readFileSync(`${DIR}/manifest.json`, 'utf8')) as {
  tensors: { name: string; shape: number[]; numel: number; deadRows: number; sweptByDefault: boolean }[];
};

const PIPELINES = [
  { transforms: [{ id: 'identity' }], quantizer: { id: 'int', params: { bits: 4, group: 128 } } },
  { transforms: [{ id: 'identity' }], quantizer: { id: 'mxfp4' } },
  { transforms: [{ id: 'rht' }], quantizer: { id: 'mxfp4' } },
  { transforms: [{ id: 'identity' }], quantizer: { id: 'nvfp4', params: { rounding: 'stochastic' } } },
  { transforms: [{ id: 'haar' }], quantizer: { id: 'eden', params: { bits: 2 } } },
];

function sweepConfig(path: string, sweep: Record<string, unknown> = {}, data: Record<string, unknown> = {}) {
  return restoreConfig({
    v: 1,
    seed: 5,
    data: { source: 'file', path, ...data },
    pipelines: PIPELINES,
    sweep,
  });
}

async function sweepOf(config: ExperimentConfig, shard?: { index: number; count: number }) {
  const set = await openTensorSet(await sourcesForPath(String(config.data.path)));
  return runSweep(config, set, shard ? { shard } : {});
}

describe('checkpoint sweep', () => {
  it('plans every tensor with ≥ 2 dims and ≥ minElements, in listing order', async () => {
    const set = await openTensorSet(await sourcesForPath(`${DIR}/tiny-llm.safetensors`));
    const plan = planSweep(sweepConfig(`${DIR}/tiny-llm.safetensors`), set.tensors);
    expect(plan.map((p) => p.info.name)).toEqual(
      manifest.tensors.filter((t) => t.sweptByDefault).map((t) => t.name),
    );
    const attn = planSweep(
      sweepConfig(`${DIR}/tiny-llm.safetensors`, { include: 'self_attn\\.[qkvo]_proj', exclude: '\\.v_' }),
      set.tensors,
    );
    expect(attn.map((p) => p.info.name)).toEqual([
      'model.layers.0.self_attn.q_proj.weight',
      'model.layers.0.self_attn.k_proj.weight',
      'model.layers.0.self_attn.o_proj.weight',
    ]);
    const small = planSweep(sweepConfig(`${DIR}/tiny-llm.safetensors`, { minElements: 1 }), set.tensors);
    expect(small.map((p) => p.info.name)).toContain('model.layers.0.self_attn.rotary.inv_freq');
    expect(small.every((p) => p.info.shape.length >= 2)).toBe(true);
  });

  it('gives each tensor exactly the numbers of `lab run` on that tensor alone (bit for bit)', async () => {
    const config = sweepConfig(`${DIR}/tiny-llm.safetensors`);
    const out = await sweepOf(config);
    expect(out.tensors.length).toBe(manifest.tensors.filter((t) => t.sweptByDefault).length);
    for (const t of out.tensors) {
      // A config as a user would write it for `lab run`: the sweep's, with the tensor named.
      const { sweep: _s, ...single } = JSON.parse(JSON.stringify(config)) as Record<string, unknown>;
      const alone = restoreConfig({ ...single, data: { ...config.data, tensor: t.name } });
      expect(alone).toEqual(tensorConfig(config, t.name));
      const run = contractJson(await runConfig(alone, { loadFile: loadFileForCli })) as {
        data: { rows: number; dim: number };
        results: { label: string; bitsPerCoord: number; metrics: Record<string, number> }[];
      };
      expect([t.rows, t.dim]).toEqual([run.data.rows, run.data.dim]);
      expect(t.results.length).toBe(PIPELINES.length);
      t.results.forEach((r, i) => {
        expect(r.label).toBe(run.results[i].label);
        expect(Object.is(r.bitsPerCoord, run.results[i].bitsPerCoord)).toBe(true);
        for (const [id, v] of Object.entries(run.results[i].metrics))
          expect(Object.is(r.metrics[id], v), `${t.name} ${r.label} ${id}: ${r.metrics[id]} vs ${v}`).toBe(
            true,
          );
      });
    }
  });

  it('reports dead rows as numpy counts them and keeps them out of vnmse only', async () => {
    const out = await sweepOf(sweepConfig(`${DIR}/tiny-llm.safetensors`));
    for (const t of out.tensors) {
      const m = manifest.tensors.find((x) => x.name === t.name);
      expect(t.deadRows, t.name).toBe(m?.deadRows);
    }
    const q = out.tensors.find((t) => t.name.endsWith('q_proj.weight'));
    expect(q?.deadRows).toBe(2);
    // identity → mxfp4 treats rows independently: its vnmse with the dead rows present must be
    // the vnmse of the same matrix with those rows removed, bit for bit (same rows, same order).
    const set = await openTensorSet(await sourcesForPath(`${DIR}/tiny-llm.safetensors`));
    const full = (await set.read('model.layers.0.self_attn.q_proj.weight')).matrix;
    const live = new Float32Array((full.rows - 2) * full.cols);
    for (let i = 0, k = 0; i < full.rows; i++) {
      if (i === 5 || i === 17) continue;
      live.set(full.data.subarray(i * full.cols, (i + 1) * full.cols), k++ * full.cols);
    }
    const spec = {
      seed: 5,
      pipelines: [restoreConfig({ v: 1, data: { source: 'file' }, pipelines: [PIPELINES[1]] }).pipelines[0]],
    };
    const [reduced] = runExperiment(spec, { rows: full.rows - 2, cols: full.cols, data: live });
    expect(q?.results[1].metrics.vnmse).toBe(reduced.metrics.vnmse);
    expect(q?.results[1].metrics.cosine).toBe(reduced.metrics.cosine);
    // ... while mse and sqnrDb count every row (the dead rows add ≈ 0 error and ≈ 0 signal).
    expect(q?.results[1].metrics.mse).not.toBe(reduced.metrics.mse);
    expect(out.summary.deadRows).toBe(2);
  });

  it('decodes unhashed tensors chunk by chunk to the same numbers (no whole-tensor read)', async () => {
    const config = sweepConfig(`${DIR}/tiny-llm.safetensors`);
    const whole = await sweepOf(config);
    const saved = { ...ioLimits };
    ioLimits.chunkBytes = 256; // a few rows per read
    try {
      const chunked = await sweepOf(config);
      expect(chunked).toEqual(whole);
      expect(chunked.tensors.every((t) => t.sha256 === '')).toBe(true);
    } finally {
      Object.assign(ioLimits, saved);
    }
  });

  it('gives the same numbers for the sharded checkpoint as for the single file', async () => {
    const a = await sweepOf(sweepConfig(`${DIR}/tiny-llm.safetensors`));
    const b = await sweepOf(sweepConfig(`${DIR}/tiny-llm.safetensors.index.json`));
    const strip = (o: typeof a) => o.tensors.map(({ file: _f, ...rest }) => rest);
    expect(new Set(b.tensors.map((t) => t.file)).size).toBe(2);
    expect(strip(b).sort((x, y) => x.name.localeCompare(y.name))).toEqual(
      strip(a).sort((x, y) => x.name.localeCompare(y.name)),
    );
  });

  it('--shard I/N splits the tensors into disjoint parts that cover the sweep', async () => {
    const config = sweepConfig(`${DIR}/tiny-llm.safetensors`, { include: 'proj|head' });
    const all = await sweepOf(config);
    const parts = await Promise.all([0, 1, 2].map((index) => sweepOf(config, { index, count: 3 })));
    const names = parts.flatMap((p) => p.tensors.map((t) => t.name));
    expect(names.sort()).toEqual(all.tensors.map((t) => t.name).sort());
    expect(parts[1].tensors.map((t) => t.name)).toEqual(
      all.tensors.filter((_, k) => k % 3 === 1).map((t) => t.name),
    );
    // A shard's numbers are the full sweep's numbers for its tensors.
    for (const t of parts[2].tensors) expect(t).toEqual(all.tensors.find((x) => x.name === t.name));
    expect(parseShard('2/3')).toEqual({ index: 2, count: 3 });
    for (const bad of ['3/3', '1/0', 'a/b', '-1/2', '1/2/3'])
      expect(() => parseShard(bad)).toThrow(ConfigError);
  });

  it('summarises per pipeline weighted by parameter count, worst tensors first', async () => {
    const config = sweepConfig(`${DIR}/tiny-llm.safetensors`);
    const out = await sweepOf(config);
    const s = summarizeSweep(config, out.tensors);
    const P = out.tensors.reduce((a, t) => a + t.parameters, 0);
    expect(s.parameters).toBe(P);
    for (let i = 0; i < PIPELINES.length; i++) {
      const p = s.pipelines[i];
      const bits = out.tensors.reduce((a, t) => a + t.results[i].bitsPerCoord * t.parameters, 0) / P;
      const v = out.tensors.reduce((a, t) => a + t.results[i].metrics.vnmse * t.parameters, 0) / P;
      expect(p.bitsPerCoord).toBeCloseTo(bits, 12);
      expect(p.metrics.vnmse).toBeCloseTo(v, 12);
      const worst = [...out.tensors].sort((a, b) => b.results[i].metrics.vnmse - a.results[i].metrics.vnmse);
      expect(p.worst.map((w) => w.name)).toEqual(worst.slice(0, 5).map((t) => t.name));
    }
  });

  it('layout "auto" reads rows-first without a layoutHint and says which layout each tensor got', async () => {
    const set = await openTensorSet(await sourcesForPath(`${DIR}/tiny-llm.safetensors`));
    const auto = sweepConfig(`${DIR}/tiny-llm.safetensors`, {}, { layout: 'auto' });
    expect(planSweep(auto, set.tensors).every((p) => p.layout === 'rows-first')).toBe(true);
    const hinted = set.tensors.map((t) =>
      t.name === 'lm_head.weight' ? { ...t, layoutHint: 'in-out' as const } : t,
    );
    const plan = planSweep(auto, hinted);
    expect(plan.find((p) => p.info.name === 'lm_head.weight')?.layout).toBe('cols-first');
    // GGUF: shapes are reported reversed from ggml's ne (gguf.ts), i.e. already [out, in] for a
    // weight with ne = [in, out]; no hint, so "auto" reads it rows-first = one row per output.
    const gguf = await openTensorSet(await sourcesForPath('src/core/testing/fixtures/io/model.gguf'));
    for (const t of gguf.tensors) expect(t.layoutHint).toBeUndefined();
    const cols = sweepConfig(`${DIR}/tiny-llm.safetensors`, { include: 'lm_head' }, { layout: 'cols-first' });
    const out = await sweepOf(cols);
    expect(out.tensors[0]).toMatchObject({ layout: 'cols-first', rows: 32, dim: 64 });
  });
});

describe('config.sweep validation', () => {
  const base = { v: 1, data: { source: 'file', path: 'x.safetensors' }, pipelines: PIPELINES };
  const field = (sweep: unknown, data: Record<string, unknown> = {}) => {
    try {
      restoreConfig({ ...base, data: { ...base.data, ...data }, sweep });
      return 'ok';
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      return (e as ConfigError).field;
    }
  };
  it('spells out every field in the canonical form and leaves configs without it unchanged', () => {
    expect(restoreConfig({ ...base, sweep: {} }).sweep).toEqual({
      include: '',
      exclude: '',
      minElements: 1024,
    });
    expect('sweep' in restoreConfig(base)).toBe(false);
    expect(Object.keys(restoreConfig(base))).toEqual(['v', 'seed', 'data', 'pipelines']);
  });
  it('refuses invalid, over-long and catastrophic patterns naming the field', () => {
    expect(field({ include: '(' })).toBe('sweep.include');
    expect(field({ exclude: 'a'.repeat(257) })).toBe('sweep.exclude');
    for (const evil of ['(a+)+$', '(a*)*b', '(\\w+\\.)*x', '(a|ab)*c', '(x+x+)+y', '(a{2,})+', '(.)\\1'])
      expect(field({ include: evil }), evil).toBe('sweep.include');
    for (const fine of [
      'layers\\.\\d+\\.self_attn\\.(q|k|v)_proj',
      '^model\\.',
      '(mlp|attn)\\.[a-z_]+',
      '[(+*)]+',
      '(ab)?c+',
    ])
      expect(field({ include: fine }), fine).toBe('ok');
  });
  it('refuses wrong types, unknown keys, non-file data and slices', () => {
    expect(field({ minElements: 0 })).toBe('sweep.minElements');
    expect(field({ minElements: 1.5 })).toBe('sweep.minElements');
    expect(field({ include: 3 })).toBe('sweep.include');
    expect(field({ pattern: 'x' })).toBe('sweep.pattern');
    expect(field([])).toBe('sweep');
    expect(field({}, { rowEnd: 4 })).toBe('data.rowEnd');
    expect(() =>
      restoreConfig({ v: 1, data: { source: 'gaussian', rows: 4, dim: 8 }, pipelines: PIPELINES, sweep: {} }),
    ).toThrow(/sweep/);
  });
});

describe('lab sweep (CLI)', () => {
  const cli = (args: string[], input?: string) =>
    spawnSync('npx', ['tsx', 'src/cli/main.ts', 'sweep', ...args], { encoding: 'utf8', input });
  it('prints the JSON shape, exits 2 on bad config or --shard, 3 on a malformed file', () => {
    const config = JSON.stringify({
      v: 1,
      seed: 1,
      data: { source: 'file', path: `${DIR}/tiny-llm.safetensors.index.json` },
      pipelines: PIPELINES.slice(0, 2),
      sweep: { include: 'mlp' },
    });
    const out = JSON.parse(
      execFileSync('npx', ['tsx', 'src/cli/main.ts', 'sweep', '-', '--json'], {
        input: config,
        encoding: 'utf8',
      }),
    ) as {
      tensors: {
        name: string;
        shape: number[];
        rows: number;
        dim: number;
        layout: string;
        deadRows: number;
        results: unknown[];
      }[];
      summary: { pipelines: unknown[] };
      permalink: string;
    };
    expect(out.tensors.map((t) => t.name)).toEqual([
      'model.layers.0.mlp.up_proj.weight',
      'model.layers.0.mlp.down_proj.weight',
    ]);
    expect(Object.keys(out.tensors[0]).slice(0, 3)).toEqual(['name', 'shape', 'dtype']);
    expect(out.tensors[0]).toMatchObject({ rows: 64, dim: 32, layout: 'rows-first', deadRows: 0 });
    expect(out.summary.pipelines).toHaveLength(2);
    expect(out.permalink.startsWith('#c=')).toBe(true);
    const csv = cli(['-', '--csv'], config);
    expect(csv.status).toBe(0);
    expect(csv.stdout.split('\n')[0]).toBe(
      'tensor,shape,rows,dim,layout,deadRows,pipeline,bitsPerCoord,vnmse,mse,sqnrDb,cosine,ipRatio,ipNvar',
    );
    expect(csv.stdout.trim().split('\n')).toHaveLength(1 + 2 * 2);
    expect(cli(['-', '--shard', '2/2'], config).status).toBe(2);
    expect(cli(['-'], config.replace('"mlp"', '"(a+)+"')).stderr).toMatch(/sweep\.include/);
    const broken = config.replace('tiny-llm.safetensors.index.json', 'manifest.json');
    expect(cli(['-'], broken).status).toBe(3);
    const noSweep = config.replace(/,"sweep":\{[^}]*\}/, '');
    expect(cli(['-'], noSweep).status).toBe(2);
  });
  it('escapes control and bidi characters in names for the terminal', async () => {
    expect(escapeControl('a\u001b[31mb\u202ec\n')).toBe('a\\x1b[31mb\\u202ec\\x0a');
    // A checkpoint whose tensor name would clear the screen: the table shows it escaped.
    const name = 'evil\u001b[2J\u202e.weight';
    const header = Buffer.from(
      JSON.stringify({ [name]: { dtype: 'F32', shape: [32, 32], data_offsets: [0, 4096] } }).padEnd(80, ' '),
    );
    const len = Buffer.alloc(8);
    len.writeBigUInt64LE(BigInt(header.length));
    const dir = mkdtempSync(join(tmpdir(), 'qs-sweep-'));
    const path = join(dir, 'evil.safetensors');
    const values = new Float32Array(1024).map((_, i) => Math.sin(i));
    writeFileSync(path, Buffer.concat([len, header, Buffer.from(values.buffer)]));
    const out = await sweepForCli(sweepConfig(path));
    const text = formatSweepTable(out);
    expect(text).toContain('evil\\x1b[2J\\u202e.weight');
    expect([...text].filter((c) => (c < ' ' && c !== '\n') || c === '\u202e')).toEqual([]);
  });
});
