/**
 * Hostile permalinks: ≥ 10⁴ fuzzed and hand-crafted hashes. Every one either decodes to
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

  it('nesting: configs with a value nested 1–200 deep at any field (1000 cases)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...PATHS),
        fc.integer({ min: 1, max: 200 }),
        fc.constantFrom('[', '{"a":'),
        (path, depth, open) => {
          const close = open === '[' ? ']' : '}';
          const json = JSON.stringify(mutate(path, '@@')).replace(
            '"@@"',
            `${open.repeat(depth)}1${close.repeat(depth)}`,
          );
          const outcome = classify(`#c=${LZString.compressToEncodedURIComponent(json)}`);
          tally(outcome);
          // (A "__proto__" path sets the clone's prototype, so nothing nested reaches the JSON.)
          if (depth > 32 && json.includes(open.repeat(depth))) expect(outcome).toBe('config-error');
        },
      ),
      { numRuns: 1000, seed: 5 },
    );
  });

  it('size lies and degenerate values: huge/zero/negative/fractional sizes, long strings, empty arrays (1000 cases)', () => {
    const degenerate = fc.constantFrom<unknown>(
      0,
      -0,
      -1,
      0.5,
      1e308,
      -1e308,
      2 ** 31,
      2 ** 53,
      2 ** 53 + 2,
      Number.MIN_VALUE,
      '',
      'x'.repeat(5000),
      [],
      {},
      null,
      true,
      '1',
      ' 1',
      '0x10',
      '1e3',
    );
    const paths: (string | number)[][] = [
      ...PATHS.map((p) => [...p]),
      ['data', 'rowStart'],
      ['data', 'rowEnd'],
      ['data', 'maxRows'],
      ['pipelines', 1, 'quantizer', 'params', 'sketch'],
    ];
    fc.assert(
      fc.property(fc.constantFrom(...paths), degenerate, (path, value) => {
        tally(classify(compressed(mutate(path, value))));
      }),
      { numRuns: 1000, seed: 6 },
    );
  });

  it('single-character edits of checked links never give a different valid config silently', () => {
    // Every deletion and a spread of substitutions at every position of three links.
    const alphabet = 'AZaz09+-$._';
    let silentlyDifferent = 0;
    let tried = 0;
    for (const config of [DEFAULT_CONFIG, restoreConfig({ ...DEFAULT_CONFIG, seed: 12345 })]) {
      const hash = permalinkHash(config);
      const key = canonicalKey(config);
      for (let i = 3; i < hash.length; i++) {
        const variants = [hash.slice(0, i) + hash.slice(i + 1)];
        for (const ch of alphabet)
          if (ch !== hash[i]) variants.push(hash.slice(0, i) + ch + hash.slice(i + 1));
        for (const v of variants) {
          tried++;
          const outcome = classify(v);
          tally(outcome);
          if (outcome === 'ok' && canonicalKey(decodePermalink(v)) !== key) silentlyDifferent++;
        }
      }
    }
    console.log(
      `single-character edits: ${tried} tried, ${silentlyDifferent} decoded to a different valid config`,
    );
    expect(silentlyDifferent).toBe(0);
    // Links written before the checksum existed still decode (src/core/config/__saved__ holds more).
    const legacy = `#c=${LZString.compressToEncodedURIComponent(canonicalKey(DEFAULT_CONFIG))}`;
    expect(canonicalKey(decodePermalink(legacy))).toBe(canonicalKey(DEFAULT_CONFIG));
    // …also at the end of a sentence.
    expect(canonicalKey(decodePermalink(`see ${legacy}.`))).toBe(canonicalKey(DEFAULT_CONFIG));
  });

  it('prints the figures (≥ 10⁴ cases, zero uncaught errors)', () => {
    const total = counts.ok + counts['config-error'];
    console.log(
      `hostile permalinks: ${total} cases, ${counts.ok} decoded to valid configs, ${counts['config-error']} refused with a ConfigError, 0 other errors`,
    );
    expect(total).toBeGreaterThanOrEqual(10_000);
  });
});
