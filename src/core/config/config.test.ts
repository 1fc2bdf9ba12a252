/** Config contract (CONTRACT.md §1): defaults, canonical form, errors naming the field, the codec. */
import { describe, expect, it } from 'vitest';
import LZString from 'lz-string';
import { canonicalKey, parseConfig, restoreConfig } from './schema';
import { decodePermalink, encodeConfig, permalinkHash, MAX_ENCODED_LENGTH } from './codec';
import { DEFAULT_CONFIG } from './defaults';

const contractExample = {
  v: 1,
  seed: 7,
  data: { source: 'gaussian', rows: 256, dim: 1024 },
  pipelines: [
    { transforms: [{ id: 'haar' }], quantizer: { id: 'eden', params: { bits: 2, scale: 'mse' } } },
    {
      transforms: [{ id: 'rht', params: { rounds: 2 } }],
      quantizer: { id: 'turboquant-prod', params: { bits: 3 } },
    },
  ],
};

function errorOf(input: unknown): string {
  const r = parseConfig(input);
  if (r.ok) throw new Error('expected an error');
  return r.error;
}

describe('config', () => {
  it('accepts the CONTRACT.md example and spells every param out', () => {
    const c = restoreConfig(contractExample);
    expect(c.pipelines[0].transforms).toEqual([{ id: 'haar', params: {} }]);
    expect(c.pipelines[0].quantizer.params).toEqual({ bits: 2, scale: 'mse' });
    expect(c.pipelines[1].transforms[0].params).toEqual({ rounds: 2, size: 'pad' });
    expect(c.data).toEqual({ source: 'gaussian', rows: 256, dim: 1024 });
  });

  it('canonical form is independent of key order and of omitted defaults', () => {
    const shuffled = {
      pipelines: [
        {
          quantizer: { params: { scale: 'mse', bits: 2 }, id: 'eden' },
          transforms: [{ id: 'haar', params: {} }],
        },
        { quantizer: { id: 'turboquant-prod' }, transforms: [{ params: { rounds: 2 }, id: 'rht' }] },
      ],
      data: { dim: 1024, rows: 256, source: 'gaussian' },
      seed: 7,
      v: 1,
    };
    expect(canonicalKey(restoreConfig(shuffled))).toBe(canonicalKey(restoreConfig(contractExample)));
  });

  it('names the field in every error', () => {
    expect(errorOf({ ...contractExample, v: 99 })).toMatch(/^v: config version 99 is newer/);
    expect(errorOf({ ...contractExample, seed: -1 })).toMatch(/^seed/);
    expect(errorOf({ ...contractExample, data: { source: 'nope', rows: 1, dim: 1 } })).toMatch(
      /^data\.source: unknown data source "nope"/,
    );
    expect(errorOf({ ...contractExample, data: { source: 'gaussian', rows: 0, dim: 8 } })).toMatch(
      /^data\.rows: expected an integer in \[1, /,
    );
    expect(errorOf({ ...contractExample, data: { source: 'gaussian', rows: 2, dim: 8, bogus: 1 } })).toMatch(
      /^data\.bogus: unknown param/,
    );
    const badBits = structuredClone(contractExample) as typeof contractExample;
    (badBits.pipelines[0].quantizer.params as Record<string, unknown>).bits = 99;
    expect(errorOf(badBits)).toMatch(
      /^pipelines\[0\]\.quantizer\.params\.bits: expected an integer in \[1, 8\], got 99/,
    );
    const badId = structuredClone(contractExample);
    badId.pipelines[1].transforms[0].id = 'fourier';
    expect(errorOf(badId)).toMatch(
      /^pipelines\[1\]\.transforms\[0\]\.id: unknown transform "fourier"; known: /,
    );
    expect(errorOf({ ...contractExample, pipelines: [] })).toMatch(/^pipelines/);
    expect(errorOf({ ...contractExample, extra: true })).toMatch(/extra: unknown field/);
    expect(errorOf('nope')).toMatch(/config must be a JSON object/);
    expect(errorOf({ ...contractExample, data: { source: 'gaussian', rows: 'many', dim: 8 } })).toMatch(
      /^data\.rows: expected an integer/,
    );
  });

  it('refuses sizes beyond the memory budget with the size and the limit', () => {
    expect(
      errorOf({ ...contractExample, data: { source: 'gaussian', rows: 1_000_000, dim: 65_536 } }),
    ).toMatch(
      /^data: rows×dim = 1000000×65536 = .* coordinates exceeds the memory budget of 32Mi \(33554432\)/,
    );
  });

  it('permalink round trip preserves the canonical config', () => {
    const c = restoreConfig(contractExample);
    expect(canonicalKey(decodePermalink(permalinkHash(c)))).toBe(canonicalKey(c));
    expect(canonicalKey(decodePermalink(`https://example.org/app/#c=${encodeConfig(c)}`))).toBe(
      canonicalKey(c),
    );
    expect(canonicalKey(decodePermalink(permalinkHash(DEFAULT_CONFIG)))).toBe(canonicalKey(DEFAULT_CONFIG));
  });

  it('hostile links give a ConfigError, never a crash', () => {
    const bad = [
      '#c=',
      '#c=!!!!',
      '#nothing',
      `#c=${'A'.repeat(MAX_ENCODED_LENGTH + 1)}`,
      `#c=${LZString.compressToEncodedURIComponent('{"v":1,')}`,
      `#c=${LZString.compressToEncodedURIComponent('{"__proto__":{"polluted":1},"v":1}')}`,
      `#c=${LZString.compressToEncodedURIComponent('[1,2,3]')}`,
      `#c=${LZString.compressToEncodedURIComponent('"<script>alert(1)</script>"')}`,
      `#c=${LZString.compressToEncodedURIComponent('['.repeat(5000) + ']'.repeat(5000))}`,
    ];
    for (const h of bad)
      expect(() => decodePermalink(h), h.slice(0, 40)).toThrow(/permalink|config|v:|pipelines|data/);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('baseline', () => {
  const base = {
    v: 1,
    seed: 1,
    data: { source: 'gaussian', rows: 8, dim: 16 },
    pipelines: [
      { transforms: [{ id: 'identity' }], quantizer: { id: 'int' } },
      { transforms: [{ id: 'haar' }], quantizer: { id: 'eden' } },
    ],
  };
  it('is optional: absent from a config without it, kept (last) when set', () => {
    expect('baseline' in restoreConfig(base)).toBe(false);
    const withBase = restoreConfig({ ...base, baseline: 1 });
    expect(withBase.baseline).toBe(1);
    expect(Object.keys(withBase).at(-1)).toBe('baseline');
    expect(restoreConfig(JSON.parse(canonicalKey(withBase)))).toEqual(withBase);
  });
  it('names the field and the allowed range when out of range', () => {
    const r = parseConfig({ ...base, baseline: 2 });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.field).toBe('baseline');
      expect(r.error).toMatch(/0…1/);
    }
    const bad = parseConfig({ ...base, baseline: 1.5 });
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.error).toMatch(/baseline/);
  });
});

describe('config.numerics (CONTRACT.md §1, §5)', () => {
  const base = {
    v: 2,
    seed: 7,
    data: { source: 'gaussian', rows: 8, dim: 16 },
    pipelines: [{ transforms: [], quantizer: { id: 'int' } }],
  };

  it('is absent from old links and from an explicit data domain: one canonical text', () => {
    const plain = canonicalKey(restoreConfig(base));
    expect(plain).not.toMatch(/numerics/);
    expect(canonicalKey(restoreConfig({ ...base, numerics: { metricDomain: 'data' } }))).toBe(plain);
    expect(canonicalKey(restoreConfig({ ...base, numerics: {} }))).toBe(plain);
  });

  it('keeps the transformed domain through a permalink, as part of the key', () => {
    const c = restoreConfig({ ...base, numerics: { metricDomain: 'transformed' } });
    expect(c.numerics).toEqual({ metricDomain: 'transformed' });
    expect(canonicalKey(c)).not.toBe(canonicalKey(restoreConfig(base)));
    expect(decodePermalink(permalinkHash(c)).numerics).toEqual({ metricDomain: 'transformed' });
  });

  it('refuses an unknown domain or field, naming it', () => {
    expect(errorOf({ ...base, numerics: { metricDomain: 'rotated' } })).toMatch(/numerics\.metricDomain/);
    expect(errorOf({ ...base, numerics: { fp16: true } })).toMatch(/numerics/);
    expect(errorOf({ ...base, numerics: { denseProducts: 'float16' } })).toMatch(/numerics\.denseProducts/);
  });

  it('denseProducts (§5.2): float64 is the absent field; float32 is kept alone or beside a domain', () => {
    const plain = canonicalKey(restoreConfig(base));
    expect(canonicalKey(restoreConfig({ ...base, numerics: { denseProducts: 'float64' } }))).toBe(plain);
    const f32 = restoreConfig({ ...base, numerics: { denseProducts: 'float32' } });
    expect(f32.numerics).toEqual({ denseProducts: 'float32' });
    expect(canonicalKey(f32)).not.toBe(plain);
    const both = restoreConfig({
      ...base,
      numerics: { denseProducts: 'float32', metricDomain: 'transformed' },
    });
    // Fixed key order whatever the input's.
    expect(canonicalKey(both)).toMatch(
      /"numerics":\{"metricDomain":"transformed","denseProducts":"float32"\}/,
    );
    expect(decodePermalink(permalinkHash(both)).numerics).toEqual({
      metricDomain: 'transformed',
      denseProducts: 'float32',
    });
    // The transformed-domain links made before the field keep their text.
    const tr = { ...base, numerics: { metricDomain: 'transformed' } };
    expect(
      canonicalKey(restoreConfig({ ...tr, numerics: { ...tr.numerics, denseProducts: 'float64' } })),
    ).toBe(canonicalKey(restoreConfig(tr)));
  });
});
