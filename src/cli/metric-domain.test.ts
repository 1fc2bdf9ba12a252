/**
 * `lab run --metric-domain` (CONTRACT.md §5.1, §6): the flag sets config.numerics.metricDomain, so
 * the printed config and permalink carry it and each result says where its metrics were computed;
 * without it the config's own choice stands; a bad value exits 2 naming the flag.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runMain } from './testing/run-main';
import { decodePermalink } from '../core/config/codec';

const run = runMain;

const dir = mkdtempSync(join(tmpdir(), 'cli-metric-domain-'));
const path = join(dir, 'config.json');
writeFileSync(
  path,
  JSON.stringify({
    v: 2,
    seed: 3,
    data: { source: 'gaussian', rows: 16, dim: 64 },
    pipelines: [
      { transforms: [{ id: 'haar' }], quantizer: { id: 'int', params: { bits: 4 } } },
      { transforms: [{ id: 'smoothquant' }], quantizer: { id: 'int', params: { bits: 4 } } },
    ],
  }),
);

interface RunJson {
  config: { numerics?: unknown };
  permalink: string;
  results: { metricDomain?: string; metrics: Record<string, number> }[];
}

describe('lab run --metric-domain', () => {
  it('sets the config field, the permalink and each orthogonal result’s metricDomain', async () => {
    const plain = await run(['run', path, '--json']);
    const tr = await run(['run', path, '--json', '--metric-domain', 'transformed']);
    expect(plain.code).toBe(0);
    expect(tr.code).toBe(0);
    const a = JSON.parse(plain.out) as RunJson;
    const b = JSON.parse(tr.out) as RunJson;
    expect(a.config.numerics).toBeUndefined();
    expect(a.results.map((r) => r.metricDomain)).toEqual([undefined, undefined]);
    expect(b.config.numerics).toEqual({ metricDomain: 'transformed' });
    expect(decodePermalink(b.permalink).numerics).toEqual({ metricDomain: 'transformed' });
    // haar is orthogonal; smoothquant is not, so its pipeline stays in the data domain, bit for bit.
    expect(b.results.map((r) => r.metricDomain)).toEqual(['transformed', undefined]);
    expect(b.results[1].metrics).toEqual(a.results[1].metrics);
    const back = await run(['run', b.permalink, '--json', '--metric-domain', 'data']);
    expect((JSON.parse(back.out) as RunJson).results).toEqual(a.results);
  });

  it('refuses an unknown domain naming the flag', async () => {
    const r = await run(['run', path, '--metric-domain', 'rotated']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--metric-domain: expected data or transformed/);
  });
});
