/**
 * Memoisation of large seeded random objects (QJL / TurboQuant_prod sketches) within one process
 * or worker, bounded by bytes.
 *
 * Keys are fingerprints of the random stream itself (its first 128 bits) plus the object's shape,
 * never the experiment seed alone: wrapped RngFactory objects share a seed but derive different
 * streams (analyses prefix their purposes), and a fingerprint cannot confuse them. The generation
 * is deterministic in the stream, so a hit returns exactly the value a fresh build would.
 *
 * Eviction: least recently used first, until the total is under the byte budget; the entry just
 * built is never evicted (a single object larger than the budget is still returned, and dropped
 * at the next insertion). Cached values are shared: callers must not mutate them.
 */
import type { Rng } from './rng';

export class ByteLru<V> {
  private readonly map = new Map<string, { value: V; bytes: number }>();
  private total = 0;
  hits = 0;
  misses = 0;

  constructor(private readonly maxBytes: number) {}

  /** The cached value for `key`, or `build()` stored under it. */
  get(key: string, bytes: number, build: () => V): V {
    const hit = this.map.get(key);
    if (hit) {
      // Map iteration is insertion order: re-insert to mark as most recently used.
      this.map.delete(key);
      this.map.set(key, hit);
      this.hits++;
      return hit.value;
    }
    this.misses++;
    const value = build();
    this.map.set(key, { value, bytes });
    this.total += bytes;
    for (const [k, v] of this.map) {
      if (this.total <= this.maxBytes) break;
      if (k === key) continue;
      this.map.delete(k);
      this.total -= v.bytes;
    }
    return value;
  }

  get size(): number {
    return this.map.size;
  }

  get bytes(): number {
    return this.total;
  }

  clear(): void {
    this.map.clear();
    this.total = 0;
    this.hits = 0;
    this.misses = 0;
  }
}

/** A 128-bit fingerprint of the stream `makeRng()` returns (a fresh stream each call). */
export function streamFingerprint(makeRng: () => Rng): string {
  const r = makeRng();
  return `${r.nextU32()}.${r.nextU32()}.${r.nextU32()}.${r.nextU32()}`;
}
