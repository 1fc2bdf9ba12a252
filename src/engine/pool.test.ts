/**
 * The worker pool's split (pool.ts) gives exactly the numbers of one run: each part computed on
 * its own (as a pool worker does) and merged equals the single run bit for bit, artifacts included.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../core/config/defaults';
import { canonicalize, type CanonicalConfig } from '../core/config/schema';
import { runConfig } from './experiment';
import { mergeParts, planParts } from './pool';

const MIXED: CanonicalConfig = canonicalize({
  ...DEFAULT_CONFIG,
  data: { source: 'gaussian', rows: 64, dim: 96 },
  pipelines: [
    { transforms: [{ id: 'rht', params: { rounds: 1 } }], quantizer: { id: 'int', params: { bits: 4 } } },
    { transforms: [{ id: 'identity', params: {} }], quantizer: { id: 'mxfp4', params: {} } },
    { transforms: [{ id: 'rht', params: { rounds: 1 } }], quantizer: { id: 'eden', params: { bits: 3 } } },
    { transforms: [{ id: 'wht', params: {} }], quantizer: { id: 'turboquant-prod', params: { bits: 2 } } },
    { transforms: [{ id: 'haar', params: {} }], quantizer: { id: 'eden', params: { bits: 2 } } },
  ],
});

describe('worker pool split', () => {
  it('keeps transform groups together and covers every pipeline once', () => {
    const parts = planParts(MIXED, 3);
    expect(parts.length).toBe(3);
    expect(parts.flat().sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4]);
    const partOf = (i: number) => parts.findIndex((p) => p.includes(i));
    expect(partOf(0)).toBe(partOf(2));
    expect(planParts(MIXED, 1)).toEqual([[0, 1, 2, 3, 4]]);
    expect(planParts(MIXED, 64).length).toBe(4);
  });

  for (const [name, config] of [
    ['default', DEFAULT_CONFIG],
    ['mixed', MIXED],
  ] as const) {
    it(`${name}: parts merged equal one run, bit for bit`, async () => {
      const single = await runConfig(config, { artifacts: true });
      for (const size of [2, 3]) {
        const parts = planParts(config, size);
        const outs = await Promise.all(
          parts.map((only, k) => runConfig(config, { artifacts: true, only, analysis: k === 0 })),
        );
        const merged = mergeParts(parts, outs);
        const strip = (o: typeof single) => ({
          ...o,
          results: o.results.map((r) => ({ ...r, timingsMs: r.timingsMs.backend })),
        });
        expect(strip(merged)).toEqual(strip(single));
      }
    });
  }
});
