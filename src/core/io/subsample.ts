/**
 * Seeded row subsampling for tensors too large to analyse whole ("offer seeded row
 * subsampling, clearly labelled in the UI and in the results").
 *
 * Deliberately independent of `core/rng.ts` streams: a permalink records `subsampleSeed`, and the
 * chosen rows must stay the same even if the experiment RNG changes. The generator is SplitMix32
 * (the 32-bit variant of Steele, Lea & Flood, "Fast splittable pseudorandom number generators",
 * OOPSLA 2014: Weyl increment 0x9e3779b9, then the MurmurHash3 fmix32 finaliser), and the
 * k-of-n choice is Floyd's algorithm (Bentley & Floyd, "A sample of brilliance", CACM 30(9),
 * 1987): exactly k distinct indices, uniform over all k-subsets, O(k) time and memory regardless
 * of n. Indices are returned sorted so reads stay sequential.
 */

function splitmix32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/**
 * k distinct indices from [0, n), sorted ascending, determined by `seed` alone (an integer; only
 * its low 32 bits matter). k ≥ n returns all of [0, n).
 */
export function subsampleIndices(n: number, k: number, seed: number): Uint32Array {
  if (!Number.isSafeInteger(n) || n < 0 || n > 0xffffffff) throw new RangeError(`bad n ${n}`);
  if (k >= n) return Uint32Array.from({ length: n }, (_, i) => i);
  const next = splitmix32(seed);
  const chosen = new Set<number>();
  for (let j = n - k; j < n; j++) {
    // Uniform integer in [0, j] from 53 random bits: bias < 2^-20 for any j < 2^32.
    const u = (next() * 2 ** 21 + (next() >>> 11)) / 2 ** 53;
    const t = Math.floor(u * (j + 1));
    chosen.add(chosen.has(t) ? j : t);
  }
  return Uint32Array.from(chosen).sort();
}
