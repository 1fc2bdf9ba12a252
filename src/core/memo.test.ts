/**
 * The byte-bounded memo (memo.ts) and its use for QJL / TurboQuant_prod sketches: one draw per
 * (stream, m, d) per process, equal to a fresh draw, never confused between streams that share a
 * seed, and bounded in bytes.
 */
import { describe, expect, it } from 'vitest';
import { ByteLru, streamFingerprint } from './memo';
import { createRngFactory } from './rng';
import { makeSketch, sketchCache } from './methods/quantizers/qjl';
import { quantizersById } from './methods';

describe('ByteLru', () => {
  it('evicts least recently used entries beyond the byte budget, never the newest', () => {
    const lru = new ByteLru<string>(100);
    let builds = 0;
    const get = (k: string, bytes: number) =>
      lru.get(k, bytes, () => {
        builds++;
        return k.toUpperCase();
      });
    expect(get('a', 40)).toBe('A');
    expect(get('b', 40)).toBe('B');
    expect(get('a', 40)).toBe('A'); // hit: a becomes most recent
    expect(builds).toBe(2);
    get('c', 40); // 120 > 100: evicts b (least recent), keeps a
    expect(lru.size).toBe(2);
    expect(lru.bytes).toBe(80);
    get('a', 40);
    expect(builds).toBe(3);
    get('b', 40);
    expect(builds).toBe(4);
    get('huge', 1000); // larger than the budget: kept alone until the next insertion
    expect(lru.size).toBe(1);
    expect(lru.hits).toBe(2);
  });

  it('fingerprints differ between streams and repeat for the same stream', () => {
    const rng = createRngFactory(7);
    const a = streamFingerprint(() => rng.stream('sketch', 4, 4));
    expect(streamFingerprint(() => rng.stream('sketch', 4, 4))).toBe(a);
    expect(streamFingerprint(() => rng.stream('sketch', 4, 5))).not.toBe(a);
    expect(streamFingerprint(() => createRngFactory(8).stream('sketch', 4, 4))).not.toBe(a);
  });
});

describe('sketch cache', () => {
  it('returns the fresh draw, once per (stream, m, d), shared across pipelines and calls', () => {
    sketchCache.clear();
    const rng = createRngFactory(11);
    const s1 = makeSketch({ rng }, 24, 32);
    const fresh = new Float32Array(24 * 32);
    createRngFactory(11).stream('sketch', 24, 32).fillNormal(fresh);
    expect(s1).toEqual(fresh);
    expect(makeSketch({ rng: createRngFactory(11) }, 24, 32)).toBe(s1);
    expect(makeSketch({ rng }, 32, 32)).not.toBe(s1);
    // Same seed, different streams (a wrapped factory, as analyses use): a different sketch.
    const wrapped = {
      seed: 11,
      stream: (_p: 'sketch', ...keys: (string | number)[]) => rng.stream('analysis', ...keys),
    };
    expect(makeSketch({ rng: wrapped as never }, 24, 32)).not.toEqual(s1);
    expect(sketchCache.misses).toBe(3);
  });

  it('TurboQuant_prod draws its d×d sketch once for repeated quantize calls', () => {
    sketchCache.clear();
    const tq = quantizersById.get('turboquant-prod');
    if (!tq) throw new Error('turboquant-prod missing');
    const rows = 8;
    const d = 64;
    const y = new Float32Array(rows * d);
    createRngFactory(1).stream('data', 'memo').fillNormal(y);
    const outs = [0, 1, 2].map(() => {
      const out = new Float32Array(rows * d);
      tq.quantize(y, rows, d, { bits: 3 }, { rng: createRngFactory(5) }, out);
      return out;
    });
    expect(sketchCache.misses).toBe(1);
    expect(sketchCache.hits).toBe(2);
    expect(outs[1]).toEqual(outs[0]);
    expect(outs[2]).toEqual(outs[0]);
  });
});
