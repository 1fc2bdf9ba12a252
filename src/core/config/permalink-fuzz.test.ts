/**
 * Hostile permalinks (issue 8): ≥ 10⁴ fuzzed and hand-crafted hashes. Every one either decodes to
 * a valid canonical config or throws a ConfigError with a one-line message naming the problem;
 * nothing else escapes, nothing pollutes Object.prototype. Figures are printed.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import LZString from 'lz-string';
import { decodePermalink, permalinkHash } from './codec';
import { ConfigError } from './errors';
import { canonicalKey, restoreConfig } from './schema';
import { DEFAULT_CONFIG } from './defaults';

type Outcome = 'ok' | 'config-error';

function classify(hash: string): Outcome {
  try {
    const c = decodePermalink(hash);
    // A decoded config is canonical and survives a second round trip unchanged.
    expect(canonicalKey(decodePermalink(permalinkHash(c)))).toBe(canonicalKey(c));
    return 'ok';
  } catch (e) {
    if (!(e instanceof ConfigError))
      throw new Error(`non-ConfigError for ${hash.slice(0, 80)}: ${String(e)}`);
    expect(e.message).not.toContain('\n');
    expect(e.message.length).toBeLessThan(600);
    return 'config-error';
  }
}

const compressed = (value: unknown) => `#c=${LZString.compressToEncodedURIComponent(JSON.stringify(value))}`;

/** Replace one nested field of the default config by an arbitrary JSON value. */
function mutate(path: readonly (string | number)[], value: unknown): unknown {
  const c = structuredClone(DEFAULT_CONFIG) as unknown as Record<string, unknown>;
  let node: unknown = c;
  for (let i = 0; i < path.length - 1; i++) {
    if (typeof node !== 'object' || node === null) return c;
    node = (node as Record<string | number, unknown>)[path[i]];
  }
  if (typeof node === 'object' && node !== null)
    (node as Record<string | number, unknown>)[path[path.length - 1]] = value;
  return c;
}

const PATHS: readonly (readonly (string | number)[])[] = [
  ['v'],
  ['seed'],
  ['data'],
  ['data', 'source'],
  ['data', 'rows'],
  ['data', 'dim'],
  ['pipelines'],
  ['pipelines', 0],
  ['pipelines', 0, 'transform'],
  ['pipelines', 0, 'transform', 'id'],
  ['pipelines', 1, 'quantizer', 'params'],
  ['pipelines', 1, 'quantizer', 'params', 'bits'],
  ['pipelines', 2, 'transform', 'params', 'rounds'],
  ['pipelines', 3, 'label'],
  ['analysis'],
  ['__proto__'],
  ['constructor'],
];

describe('hostile permalinks', () => {
  const counts = { ok: 0, 'config-error': 0 };
  const tally = (o: Outcome) => counts[o]++;

  it('random strings after #c= (4000 cases)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 400 }), (s) => {
        tally(classify(`#c=${s}`));
      }),
      { numRuns: 4000, seed: 1 },
    );
  });

  it('arbitrary compressed JSON values, including __proto__ keys (3000 cases)', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 6 }), (v) => {
        tally(classify(compressed(v)));
      }),
      { numRuns: 3000, seed: 2 },
    );
  });

  it('the default config with one field replaced by an arbitrary value (3000 cases)', () => {
    fc.assert(
      fc.property(fc.constantFrom(...PATHS), fc.jsonValue({ maxDepth: 3 }), (path, value) => {
        tally(classify(compressed(mutate(path, value))));
      }),
      { numRuns: 3000, seed: 3 },
    );
  });

  it('hand-crafted hostile links', () => {
    const deep = (n: number) => '{"a":'.repeat(n) + '1' + '}'.repeat(n);
    const hostile = [
      '#c=',
      '#',
      '#c=%00%00',
      `#c=${'A'.repeat(40_000)}`,
      `#c=${LZString.compressToEncodedURIComponent('x'.repeat(300_000))}`,
      `#c=${LZString.compressToEncodedURIComponent(deep(100_000))}`,
      `#c=${LZString.compressToEncodedURIComponent('['.repeat(200_000))}`,
      compressed({ __proto__: { polluted: true }, v: 1 }),
      `#c=${LZString.compressToEncodedURIComponent('{"__proto__":{"polluted":true},"v":1,"seed":1,"data":{"source":"gaussian","rows":4,"dim":4},"pipelines":[{"transform":{"id":"identity"},"quantizer":{"id":"int"}}]}')}`,
      compressed({ ...DEFAULT_CONFIG, v: 0 }),
      compressed({ ...DEFAULT_CONFIG, v: 2 }),
      compressed({ ...DEFAULT_CONFIG, v: '1' }),
      compressed({ ...DEFAULT_CONFIG, seed: 1e300 }),
      compressed({ ...DEFAULT_CONFIG, seed: -0.5 }),
      compressed({ ...DEFAULT_CONFIG, data: { source: '<img src=x onerror=alert(1)>', rows: 1, dim: 1 } }),
      compressed({ ...DEFAULT_CONFIG, pipelines: new Array(1000).fill(DEFAULT_CONFIG.pipelines[0]) }),
      compressed({ ...DEFAULT_CONFIG, data: { source: 'gaussian', rows: 1e9, dim: 1e9 } }),
      compressed({
        ...DEFAULT_CONFIG,
        pipelines: [{ ...DEFAULT_CONFIG.pipelines[0], label: 'x'.repeat(10_000) }],
      }),
      compressed({
        ...DEFAULT_CONFIG,
        pipelines: [{ transforms: [{ id: 'constructor' }], quantizer: { id: 'toString' } }],
      }),
    ];
    for (const h of hostile) tally(classify(h));
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('polluted');
    // Prototype keys are data, never methods: an id of "constructor" is an unknown id.
    expect(() =>
      restoreConfig({
        ...DEFAULT_CONFIG,
        pipelines: [{ transforms: [{ id: 'constructor' }], quantizer: { id: 'int' } }],
      }),
    ).toThrow(/unknown transform "constructor"/);
  });

  it('prints the figures (≥ 10⁴ cases, zero uncaught errors)', () => {
    const total = counts.ok + counts['config-error'];
    console.log(
      `hostile permalinks: ${total} cases, ${counts.ok} decoded to valid configs, ${counts['config-error']} refused with a ConfigError, 0 other errors`,
    );
    expect(total).toBeGreaterThanOrEqual(10_000);
  });
});
