/**
 * `baselineConfig` (CONTRACT.md §1): a saved config pinned as the table's baseline. It round-trips
 * through the link in canonical form, errors name the nested field, and configs without it (every
 * older link) keep their canonical text.
 */
import { describe, expect, it } from 'vitest';
import { baselineExperiment, baselineRow, canonicalKey, parseConfig, restoreConfig } from './schema';
import { decodePermalink, permalinkHash } from './codec';

const saved = {
  seed: 3,
  data: { source: 'gaussian', rows: 64, dim: 128 },
  pipelines: [{ transforms: [{ id: 'haar' }], quantizer: { id: 'eden', params: { bits: 2 } } }],
};
const current = {
  v: 2,
  seed: 7,
  data: { source: 'gaussian', rows: 32, dim: 64 },
  pipelines: [
    { transforms: [], quantizer: { id: 'mxfp4' } },
    { transforms: [{ id: 'rht' }], quantizer: { id: 'int', params: { bits: 4 } } },
  ],
};

function errorOf(input: unknown): string {
  const r = parseConfig(input);
  if (r.ok) throw new Error('expected an error');
  return r.error;
}

describe('baselineConfig', () => {
  it('is stored canonically (every param spelled out) and survives the link', () => {
    const c = restoreConfig({ ...current, baselineConfig: saved });
    expect(c.baselineConfig?.pipelines[0].quantizer).toEqual({
      id: 'eden',
      params: { bits: 2, scale: 'mse' },
    });
    expect(c.baselineConfig?.seed).toBe(3);
    expect(decodePermalink(permalinkHash(c))).toEqual(c);
    // The experiment it runs is the saved one, in the current version.
    expect(baselineExperiment(c)).toEqual(restoreConfig({ v: 2, ...saved }));
  });

  it('absent: the canonical text has no such key (older links decode unchanged)', () => {
    const c = restoreConfig(current);
    expect(canonicalKey(c)).not.toContain('baselineConfig');
    expect(baselineExperiment(c)).toBeUndefined();
  });

  it('errors name the nested field', () => {
    expect(
      errorOf({
        ...current,
        baselineConfig: {
          ...saved,
          pipelines: [{ transforms: [], quantizer: { id: 'eden', params: { bits: 12 } } }],
        },
      }),
    ).toBe('baselineConfig.pipelines[0].quantizer.params.bits: expected an integer in [1, 8], got 12');
    expect(errorOf({ ...current, baselineConfig: { ...saved, analysis: { id: 'seeds' } } })).toBe(
      'baselineConfig.analysis: unknown field',
    );
    expect(
      errorOf({
        ...current,
        baselineConfig: { ...saved, data: { source: 'gaussian', rows: 1e6, dim: 1e6 } },
      }),
    ).toMatch(/^baselineConfig\.data/);
  });

  it('one baseline at a time: a pipeline index and a saved config together are refused', () => {
    expect(errorOf({ ...current, baseline: 0, baselineConfig: saved })).toMatch(
      /^baselineConfig: a config has one baseline/,
    );
  });

  it('rows pair by position; a one-pipeline saved config is every row’s baseline', () => {
    expect([0, 1, 2].map((i) => baselineRow(i, 1))).toEqual([0, 0, 0]);
    expect([0, 1, 2].map((i) => baselineRow(i, 2))).toEqual([0, 1, undefined]);
  });
});

describe('baselineConfig in the transformed metric domain (CONTRACT.md §5.1)', () => {
  it('runs the saved pipelines in the experiment’s own metric domain', () => {
    const c = restoreConfig({ ...current, baselineConfig: saved, numerics: { metricDomain: 'transformed' } });
    expect(baselineExperiment(c)).toEqual(
      restoreConfig({ v: 2, ...saved, numerics: { metricDomain: 'transformed' } }),
    );
  });
});
