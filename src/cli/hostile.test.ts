/* eslint-disable no-control-regex -- this file is about control characters: its patterns name them */
/**
 * The CLI under hostile input: every failure is exit 2 (config) or 3 (data) with one line naming
 * the field or file, nothing printed can drive the terminal, and the budget is checked before
 * allocation (SECURITY.md). Runs `main` in-process with stdout/stderr captured; the --timeout
 * case spawns the CLI because its watchdog ends the whole process.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, writeFileSync, writeSync, ftruncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runMain } from './testing/run-main';
import { MAX_CONFIG_BYTES } from './main';
import { permalinkHash } from '../core/config/codec';
import { restoreConfig } from '../core/config/schema';

const dir = mkdtempSync(join(tmpdir(), 'cli-hostile-'));
const FIXTURE = join(__dirname, '..', 'core', 'testing', 'fixtures', 'io', 'f4_c.npy');
// Any C0/C1 control (LF aside) or bidi override reaching the terminal is a failure.
const CONTROL = /[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/;

const run = runMain;

function configFile(name: string, value: unknown): string {
  const p = join(dir, name);
  writeFileSync(p, typeof value === 'string' ? value : JSON.stringify(value));
  return p;
}

const pipeline = { transforms: [{ id: 'identity' }], quantizer: { id: 'int', params: { bits: 4 } } };
const fileConfig = (data: Record<string, unknown>) => ({
  v: 1,
  data: { source: 'file', path: FIXTURE, ...data },
  pipelines: [pipeline],
});

afterEach(() => vi.restoreAllMocks());

describe('exit codes 2/3 with one line, never 1', () => {
  it('JSON nested 100,000 deep inside v → 2', async () => {
    const deep = `{"v":${'['.repeat(100_000)}${']'.repeat(100_000)},"data":{"source":"gaussian"},"pipelines":[]}`;
    const r = await run(['run', configFile('deep.json', deep)]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^error: CONFIG: JSON nests deeper than 32 levels/);
    expect(r.err.split('\n')).toHaveLength(2);
  });

  it('rowStart > rowEnd → 2 naming data.rowStart', async () => {
    const r = await run(['run', configFile('rows.json', fileConfig({ rowStart: 3, rowEnd: 2 }))]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^error: data\.rowStart: rowStart = 3 must be below rowEnd = 2/);
  });

  it('a directory as data.path → 3 naming it', async () => {
    const r = await run([
      'run',
      configFile('dir.json', { ...fileConfig({}), data: { source: 'file', path: dir } }),
    ]);
    expect(r.code).toBe(3);
    expect(r.err).toMatch(/is a directory/);
  });

  it('QJL sketch m·d > 2^28 (rht → turboquant-prod at dim 32768) → 2 before allocating', async () => {
    const r = await run([
      'run',
      configFile('qjl.json', {
        v: 1,
        data: { source: 'gaussian', rows: 1, dim: 32768 },
        pipelines: [{ transforms: [{ id: 'rht' }], quantizer: { id: 'turboquant-prod' } }],
      }),
    ]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(
      /pipelines\[0\]\.quantizer: turboquant-prod sketch 32768×32768 has 1073741824 entries, over the limit of 268435456/,
    );
  });

  it('stdin over the config limit → 2 without reading it all', async () => {
    let produced = 0;
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    const endless = new Readable({
      read() {
        produced += chunk.length;
        this.push(produced > 64 * MAX_CONFIG_BYTES ? null : chunk);
      },
    });
    const r = await run(['run', '-'], endless);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/stdin holds more than 1048576 bytes/);
    expect(produced).toBeLessThan(4 * MAX_CONFIG_BYTES);
  });

  it('a (1, 2^25) .npy within rows×dim is refused by the cost model from its header → 2', async () => {
    // The audit's file drove ipNvar's 64×d float64 query block to 16 GiB. A sparse file: the
    // header is real, the 128 MiB of data are a hole, so only the header may be read.
    const p = join(dir, 'wide.npy');
    let header = `{'descr': '<f4', 'fortran_order': False, 'shape': (1, ${2 ** 25}), }`;
    header += ' '.repeat((64 - ((10 + header.length + 1) % 64)) % 64) + '\n';
    const fd = openSync(p, 'w');
    const pre = Buffer.from([
      0x93,
      0x4e,
      0x55,
      0x4d,
      0x50,
      0x59,
      1,
      0,
      header.length & 0xff,
      header.length >> 8,
    ]);
    writeSync(fd, Buffer.concat([pre, Buffer.from(header, 'latin1')]));
    ftruncateSync(fd, 10 + header.length + 4 * 2 ** 25);
    closeSync(fd);
    const t0 = performance.now();
    const r = await run([
      'run',
      configFile('wide.json', { ...fileConfig({}), data: { source: 'file', path: p } }),
    ]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(
      /metrics\.ipNvar \(64×33554432 float64 queries\), 18\.00 GiB\), over the memory budget of 2\.00 GiB/,
    );
    expect(performance.now() - t0).toBeLessThan(5000);
  });
});

describe('terminal escape injection', () => {
  const label = 'a\x1b]0;pwned\x07\x1b[2J\x9b2J\u202egnp.exe\r';

  it('labels in the table and the permalink-decoded config are shown as escapes', async () => {
    const r = await run([
      'run',
      configFile('label.json', {
        v: 1,
        data: { source: 'gaussian', rows: 4, dim: 8 },
        pipelines: [{ ...pipeline, label }],
      }),
    ]);
    expect(r.code).toBe(0);
    expect(r.out).not.toMatch(CONTROL);
    expect(r.out).toContain('a\\x1b]0;pwned\\x07\\x1b[2J\\x9b2J\\u{202e}gnp.exe\\x0d');
  });

  it('--json stays valid JSON with the same label and no raw control character', async () => {
    const r = await run([
      'run',
      configFile('label2.json', {
        v: 1,
        data: { source: 'gaussian', rows: 4, dim: 8 },
        pipelines: [{ ...pipeline, label }],
      }),
      '--json',
    ]);
    expect(r.code).toBe(0);
    expect(r.out).not.toMatch(CONTROL);
    expect((JSON.parse(r.out) as { results: { label: string }[] }).results[0].label).toBe(label);
  });

  it('names from files and links in error messages are escaped (tensor name, link)', async () => {
    const r = await run(['run', configFile('tensor.json', fileConfig({ tensor: 'x\x1b[2J\x9b' }))]);
    expect(r.code).toBe(3);
    expect(r.err).not.toMatch(CONTROL);
    expect(r.err).toContain('\\x1b[2J');
    const link = permalinkHash(
      restoreConfig({
        v: 1,
        data: { source: 'gaussian', rows: 4, dim: 8 },
        pipelines: [{ ...pipeline, label }],
      }),
    );
    const r2 = await run(['run', `http://localhost/${link}`]);
    expect(r2.code).toBe(0);
    expect(r2.out).not.toMatch(CONTROL);
  });
});

describe('silent acceptance', () => {
  it('a "__proto__" key in data or params is refused as unknown, not dropped', async () => {
    const text = (where: string) =>
      `{"v":1,"data":{"source":"gaussian","rows":4,"dim":8${where === 'data' ? ',"__proto__":{"rows":3}' : ''}},` +
      `"pipelines":[{"transform":{"id":"identity"},"quantizer":{"id":"int","params":{"bits":4${where === 'params' ? ',"__proto__":{"bits":2}' : ''}}}}]}`;
    const d = await run(['run', configFile('proto-d.json', text('data'))]);
    expect(d.code).toBe(2);
    expect(d.err).toMatch(/^error: data\.__proto__: unknown param/);
    const q = await run(['run', configFile('proto-q.json', text('params'))]);
    expect(q.code).toBe(2);
    expect(q.err).toMatch(/^error: pipelines\[0\]\.quantizer\.params\.__proto__: unknown param/);
  });

  it('rowStart with rowEnd = 0 slices to the end instead of being ignored', async () => {
    const all = await run(['run', configFile('all.json', fileConfig({})), '--json']);
    const tail = await run(['run', configFile('tail.json', fileConfig({ rowStart: 1 })), '--json']);
    const rows = (s: string) => (JSON.parse(s) as { data: { rows: number } }).data.rows;
    expect(all.code).toBe(0);
    expect(tail.code).toBe(0);
    expect(rows(tail.out)).toBe(rows(all.out) - 1);
  });
});

describe('--timeout', () => {
  it('stops a run that is still going after the deadline with exit 4 and one line', () => {
    const cfg = configFile('slow.json', {
      v: 1,
      data: { source: 'gaussian', rows: 256, dim: 1024 },
      pipelines: Array.from({ length: 16 }, (_, i) => ({
        transforms: [{ id: 'rht' }],
        quantizer: { id: 'turboquant-prod', params: { bits: 2 + (i % 4) } },
      })),
    });
    const r = spawnSync('npx', ['tsx', 'src/cli/main.ts', 'run', cfg, '--timeout', '0.2'], {
      encoding: 'utf8',
    });
    expect(r.status).toBe(4);
    expect(r.stderr).toBe('error: run exceeded --timeout 0.2s\n');
  });

  it('warns before minutes-long work; a stage overrunning the deadline is stopped by the watchdog', () => {
    // A Haar rotation of 4096 rows at d = 8192 is one synchronous stage of ~5·10¹¹ flops: the
    // cooperative check never runs, so the watchdog thread must end the process (SIGKILL, 137).
    const cfg = configFile('haar.json', {
      v: 1,
      data: { source: 'gaussian', rows: 4096, dim: 8192 },
      pipelines: [{ transforms: [{ id: 'haar' }], quantizer: { id: 'int' } }],
    });
    const t0 = Date.now();
    const r = spawnSync('npx', ['tsx', 'src/cli/main.ts', 'run', cfg, '--timeout', '0.5'], {
      encoding: 'utf8',
    });
    expect(r.stderr).toMatch(/^warning: this run is estimated at ~\d+ s/);
    expect(r.stderr).toMatch(/\nerror: run exceeded --timeout 0.5s\n$/);
    // Killed by the watchdog (137) if the stage is still running 2 s past the deadline, or exit 4
    // from the cooperative check if the stage ended first (a fast machine, a cached rotation).
    expect(r.status === 4 || r.status === 137 || r.signal === 'SIGKILL').toBe(true);
    expect(Date.now() - t0).toBeLessThan(30_000);
  });

  it('refuses a malformed --timeout with exit 2', async () => {
    const r = await run(['run', configFile('t.json', fileConfig({})), '--timeout', 'soon']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--timeout: expected seconds/);
  });
});
