/**
 * Channel permutations for outlier-aware reordering (RotateKV's channel reordering; reusable by a
 * permuting transform). A permutation is stored as `order`, where position j of the reordered
 * vector holds source channel order[j]; storing it costs d·⌈log2 d⌉ bits (one index per position),
 * which every method using one must charge.
 */

/** Stable descending order of `keys`: ties keep the lower index first. */
export function descendingOrder(keys: ArrayLike<number>): Int32Array {
  const idx = Array.from({ length: keys.length }, (_, i) => i);
  idx.sort((a, b) => keys[b] - keys[a] || a - b);
  return Int32Array.from(idx);
}

/** y[j] = x[order[j]] for `rows` rows of length d. */
export function permuteRows(
  x: ArrayLike<number>,
  rows: number,
  d: number,
  order: Int32Array,
  y: Float32Array | Float64Array,
): void {
  for (let i = 0; i < rows; i++) for (let j = 0; j < d; j++) y[i * d + j] = x[i * d + order[j]];
}

/** The inverse of `permuteRows`: x[order[j]] = y[j]. */
export function unpermuteRows(
  y: ArrayLike<number>,
  rows: number,
  d: number,
  order: Int32Array,
  x: Float32Array | Float64Array,
): void {
  for (let i = 0; i < rows; i++) for (let j = 0; j < d; j++) x[i * d + order[j]] = y[i * d + j];
}

/** Bits to store a permutation of d items as d indices of ⌈log2 d⌉ bits (0 for d ≤ 1). */
export function permutationBits(d: number): number {
  return d > 1 ? d * Math.ceil(Math.log2(d)) : 0;
}
