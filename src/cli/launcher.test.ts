/**
 * `npm run lab` = scripts/lab.mjs: the prebuilt CLI bundle gives the same bytes as the in-process
 * run, keeps the CLI's exit codes, and is never stale (an edited source is rebuilt on the next
 * start; an untouched tree is not).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { contractJson, runConfig } from '../engine/experiment';
import { restoreConfig } from '../core/config/schema';
import { permalinkHash } from '../core/config/codec';

const ROOT = join(__dirname, '..', '..');
const LAUNCHER = join(ROOT, 'scripts', 'lab.mjs');

const CONFIG = restoreConfig({
  v: 1,
  seed: 5,
  data: { source: 'gaussian', rows: 96, dim: 256 },
  pipelines: [
    {
      transforms: [{ id: 'rht' }],
      quantizer: { id: 'int', params: { bits: 4, granularity: 'group', group: 128 } },
    },
    { transforms: [{ id: 'identity' }], quantizer: { id: 'mxfp4' } },
    { transforms: [{ id: 'haar' }], quantizer: { id: 'nvfp4' } },
  ],
});

const tmpDirs: string[] = [];
afterAll(() => {
  for (const d of tmpDirs) rmSync(d, { recursive: true, force: true });
});

describe('CLI launcher (prebuilt bundle)', () => {
  it('prints the same JSON as the in-process run', async () => {
    const out = execFileSync(process.execPath, [LAUNCHER, 'run', permalinkHash(CONFIG), '--json'], {
      encoding: 'utf8',
      cwd: ROOT,
    });
    const inProcess = contractJson(await runConfig(CONFIG));
    expect(JSON.parse(out)).toEqual(JSON.parse(JSON.stringify(inProcess)));
  }, 120_000);

  it('keeps the exit codes and one-line errors', () => {
    const r = spawnSync(process.execPath, [LAUNCHER, 'run', '-'], {
      input: '{"v":1,"seed":1,"data":{"source":"gaussian"},"pipelines":[{"transform":{"id":"nope"}}]}',
      encoding: 'utf8',
      cwd: ROOT,
    });
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^error: .*pipelines\[0\]/);
  }, 120_000);

  it('rebuilds after a source edit and only then', () => {
    // A private copy of the tree (sources, lockfile, launcher) so the edit touches nothing shared.
    const dir = mkdtempSync(join(tmpdir(), 'qs-launcher-'));
    tmpDirs.push(dir);
    cpSync(join(ROOT, 'src'), join(dir, 'src'), { recursive: true });
    cpSync(join(ROOT, 'scripts', 'lab.mjs'), join(dir, 'scripts', 'lab.mjs'));
    cpSync(join(ROOT, 'package-lock.json'), join(dir, 'package-lock.json'));
    cpSync(join(ROOT, 'package.json'), join(dir, 'package.json'));
    symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
    const list = () =>
      execFileSync(process.execPath, [join(dir, 'scripts', 'lab.mjs'), 'list'], {
        encoding: 'utf8',
        cwd: dir,
      });
    const bundles = () => readdirSync(join(dir, '.cache', 'lab')).filter((f) => f.endsWith('.cjs'));
    expect(list()).toContain('i.i.d. N(0,1) entries');
    const first = bundles();
    expect(first).toHaveLength(1);
    list();
    expect(bundles()).toEqual(first); // unchanged tree: the same bundle, no rebuild
    const src = join(dir, 'src', 'core', 'methods', 'data', 'gaussian.ts');
    writeFileSync(src, readFileSync(src, 'utf8').replace('i.i.d. N(0,1) entries', 'edited description'));
    const edited = list();
    expect(edited).toContain('edited description');
    expect(bundles()).not.toEqual(first);
  }, 180_000);
});
