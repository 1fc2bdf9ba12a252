/**
 * `lab merge`: the --json outputs of `lab sweep --shard I/N` merge into exactly the output of one
 * unsharded sweep (the same JSON text, summary included), on the fixture checkpoint written by
 * src/core/testing/fixtures/gen_checkpoint.py; every malformed or inconsistent set of parts is
 * refused naming the file and the problem.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { restoreConfig } from '../core/config/schema';
import { openTensorSet } from '../core/io';
import { runSweep } from '../engine/checkpoint';
import { sourcesForPath } from './file-data';
import { formatSweep } from './sweep';
import { mergeForCli } from './merge';

const FILE = 'src/core/testing/fixtures/checkpoint/tiny-llm.safetensors';
const config = restoreConfig({
  v: 1,
  seed: 5,
  data: { source: 'file', path: FILE },
  pipelines: [
    { transforms: [{ id: 'identity' }], quantizer: { id: 'int', params: { bits: 4, group: 128 } } },
    { transforms: [{ id: 'rht' }], quantizer: { id: 'mxfp4' } },
    { transforms: [{ id: 'identity' }], quantizer: { id: 'nvfp4' } },
  ],
  sweep: {},
});

async function sweepJsonText(shard?: { index: number; count: number }): Promise<string> {
  const set = await openTensorSet(await sourcesForPath(FILE));
  return formatSweep(await runSweep(config, set, shard ? { shard } : {}), { json: true });
}

const dir = mkdtempSync(join(tmpdir(), 'qs-merge-'));
function write(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

describe('lab merge', () => {
  it('merges 3 shards (given in any order) into the unsharded sweep, JSON text equal', async () => {
    const whole = await sweepJsonText();
    const parts = [];
    for (let i = 0; i < 3; i++) parts.push(write(`s${i}.json`, await sweepJsonText({ index: i, count: 3 })));
    const merged = formatSweep(await mergeForCli([parts[2], parts[0], parts[1]]), { json: true });
    expect(merged).toBe(whole);
    // More shards than tensors: the empty shards merge too.
    const many = [];
    for (let i = 0; i < 40; i++) many.push(write(`m${i}.json`, await sweepJsonText({ index: i, count: 40 })));
    expect(formatSweep(await mergeForCli(many), { json: true })).toBe(whole);
    // The table and CSV come from the same merged object.
    expect(formatSweep(await mergeForCli(parts), { csv: true })).toBe(
      formatSweep(await runSweep(config, await openTensorSet(await sourcesForPath(FILE))), { csv: true }),
    );
  }, 120_000);

  it('refuses missing, repeated, foreign, truncated, unsharded and malformed parts, naming them', async () => {
    const a = write('a.json', await sweepJsonText({ index: 0, count: 2 }));
    const bText = await sweepJsonText({ index: 1, count: 2 });
    const b = write('b.json', bText);
    await expect(mergeForCli([a])).rejects.toThrow(/missing shard 1 of 2/);
    await expect(mergeForCli([a, a, b])).rejects.toThrow(/shard 0\/2 is given twice \(.*a\.json\)/);
    const other = JSON.parse(bText) as { config: { seed: number }; permalink: string };
    other.config.seed = 6;
    other.permalink = 'other';
    await expect(mergeForCli([a, write('c.json', JSON.stringify(other))])).rejects.toThrow(
      /c\.json was made from another config/,
    );
    const cut = JSON.parse(bText) as { tensors: unknown[] };
    cut.tensors.pop();
    await expect(mergeForCli([a, write('d.json', JSON.stringify(cut))])).rejects.toThrow(
      /shard 1\/2 holds \d+ tensors after \d+ in shard 0: no plan gives that/,
    );
    const whole = write('w.json', await sweepJsonText());
    await expect(mergeForCli([whole])).rejects.toThrow(/w\.json is not a shard/);
    await expect(mergeForCli([write('e.json', '{"tensors": [')])).rejects.toThrow(/e\.json is not JSON/);
    await expect(mergeForCli([write('f.json', '{"a": 1}')])).rejects.toThrow(
      /f\.json is not the output of lab sweep/,
    );
    const bad = JSON.parse(bText) as { tensors: { rows: unknown; meanSquare?: unknown }[] };
    bad.tensors[0].rows = 'many';
    await expect(mergeForCli([a, write('g.json', JSON.stringify(bad))])).rejects.toThrow(
      /g\.json: tensors\.0\.rows/,
    );
    delete bad.tensors[0].meanSquare;
    bad.tensors[0].rows = 3;
    await expect(mergeForCli([a, write('h.json', JSON.stringify(bad))])).rejects.toThrow(/older lab sweep/);
    await expect(mergeForCli([join(dir, 'nope.json')])).rejects.toThrow(/cannot read .*nope\.json/);
  }, 120_000);

  it('exits 2 with one line from the CLI', () => {
    const r = spawnSync(
      process.execPath,
      ['--import', 'tsx', 'src/cli/main.ts', 'merge', write('x.json', '[]')],
      {
        encoding: 'utf8',
      },
    );
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/x\.json is not the output of lab sweep/);
  }, 60_000);
});

describe('lab sweep --hash', () => {
  it("records each tensor's SHA-256 (node:crypto over its byte range) and merges the digest", async () => {
    const bytes = readFileSync(FILE);
    const headerLen = Number(bytes.readBigUInt64LE(0));
    const header = JSON.parse(bytes.subarray(8, 8 + headerLen).toString('utf8')) as Record<
      string,
      { data_offsets?: [number, number] }
    >;
    const set = await openTensorSet(await sourcesForPath(FILE));
    const out = await runSweep(config, set, { hash: true });
    for (const t of out.tensors) {
      const [a, b] = header[t.name].data_offsets ?? [0, 0];
      const want = createHash('sha256')
        .update(bytes.subarray(8 + headerLen + a, 8 + headerLen + b))
        .digest('hex');
      expect(t.sha256, t.name).toBe(want);
    }
    const lines = out.tensors.map((t) => `${t.name}\t${t.sha256}\n`).join('');
    expect(out.sha256).toBe(createHash('sha256').update(lines).digest('hex'));
    // Hashing changes no number.
    const plain = await runSweep(config, set);
    expect(out.tensors.map((t) => t.results)).toEqual(plain.tensors.map((t) => t.results));
    // Shards run with --hash merge into the same digest; mixing hashed and unhashed parts is refused.
    const parts = [];
    for (let i = 0; i < 2; i++)
      parts.push(
        write(
          `h${i}.json`,
          formatSweep(await runSweep(config, set, { hash: true, shard: { index: i, count: 2 } }), {
            json: true,
          }),
        ),
      );
    expect((await mergeForCli(parts)).sha256).toBe(out.sha256);
    const unhashed = write('u1.json', await sweepJsonText({ index: 1, count: 2 }));
    await expect(mergeForCli([parts[0], unhashed])).rejects.toThrow(
      /carry a SHA-256: run every shard with --hash/,
    );
  }, 120_000);
});
