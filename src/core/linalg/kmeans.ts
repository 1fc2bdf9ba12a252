/**
 * k-means (squared Euclidean) with k-means++ seeding, float64 throughout.
 *
 * References: Arthur & Vassilvitskii, "k-means++: The Advantages of Careful Seeding", SODA 2007,
 * §2.2 (first centre uniform; each next centre drawn with probability D(x)²/Σ D²); Lloyd, "Least
 * squares quantization in PCM", IEEE Trans. Inf. Theory 28(2), 1982 (alternate nearest-centre
 * assignment and centroid update).
 *
 * Conventions, so an independent implementation can reproduce every step (gen_kv.py does):
 *  - assignment: the nearest centre, ties to the lower centre index;
 *  - update: the mean of the assigned points; an empty cluster takes the point currently farthest
 *    from its own centre (ties to the lower point index), which then counts as at distance 0, so
 *    several empty clusters take different points;
 *  - `objective[i]` is Σ min‖x − c‖² after the i-th assignment; iteration `iters` only assigns,
 *    so there are at most iters + 1 values and the last matches the returned assignment;
 *  - early stop: when an assignment equals the previous one and the update in between re-seeded
 *    no empty cluster, the centres are already the means of their clusters, so further iterations
 *    would repeat it exactly; the loop ends there (same result, fewer values in `objective`).
 * The objective never increases across iterations (Lloyd's monotonicity; tested).
 * Randomness only in the seeding, from the caller's stream, so a seed fixes the codebook.
 */
import type { Rng } from '../rng';

/** Squared distance between point i of `x` (n × dim) and centre c of `cent` (k × dim). */
function dist2(x: ArrayLike<number>, i: number, cent: Float64Array, c: number, dim: number): number {
  let s = 0;
  for (let q = 0; q < dim; q++) {
    const diff = x[i * dim + q] - cent[c * dim + q];
    s += diff * diff;
  }
  return s;
}

/** k-means++ seeding: the indices of the k points chosen as initial centres. */
export function kmeansPlusPlusSeeds(
  x: ArrayLike<number>,
  n: number,
  dim: number,
  k: number,
  rng: Rng,
): Int32Array {
  const seeds = new Int32Array(k);
  if (k === 0 || n === 0) return seeds;
  const d2 = new Float64Array(n).fill(Infinity);
  const cent = new Float64Array(dim);
  let pick = rng.int(n);
  for (let c = 0; c < k; c++) {
    seeds[c] = pick;
    for (let q = 0; q < dim; q++) cent[q] = x[pick * dim + q];
    let total = 0;
    for (let i = 0; i < n; i++) {
      const v = dist2(x, i, cent, 0, dim);
      if (v < d2[i]) d2[i] = v;
      total += d2[i];
    }
    if (c + 1 === k) break;
    if (!(total > 0)) {
      pick = rng.int(n);
      continue;
    }
    const u = rng.uniform() * total;
    let acc = 0;
    pick = n - 1;
    for (let i = 0; i < n; i++) {
      acc += d2[i];
      if (acc > u) {
        pick = i;
        break;
      }
    }
  }
  return seeds;
}

export interface KmeansResult {
  /** k × dim centres. */
  readonly centroids: Float64Array;
  /** Nearest-centre index of every point. */
  readonly assign: Int32Array;
  /** Σ min‖x − c‖² after each assignment step (iters + 1 values). */
  readonly objective: readonly number[];
}

/** Lloyd iterations from the given initial centres (k × dim, copied). */
export function lloyd(
  x: ArrayLike<number>,
  n: number,
  dim: number,
  init: Float64Array,
  iters: number,
): KmeansResult {
  const k = init.length / dim;
  const cent = init.slice();
  const assign = new Int32Array(n);
  const best = new Float64Array(n);
  const sums = new Float64Array(k * dim);
  const counts = new Int32Array(k);
  const objective: number[] = [];
  const previous = new Int32Array(n).fill(-1);
  let reseeded = true;
  for (let it = 0; ; it++) {
    let obj = 0;
    for (let i = 0; i < n; i++) {
      let bc = 0;
      let bd = Infinity;
      for (let c = 0; c < k; c++) {
        const v = dist2(x, i, cent, c, dim);
        if (v < bd) {
          bd = v;
          bc = c;
        }
      }
      assign[i] = bc;
      best[i] = bd;
      obj += bd;
    }
    objective.push(obj);
    if (it === iters) break;
    let same = !reseeded;
    for (let i = 0; same && i < n; i++) same = assign[i] === previous[i];
    if (same) break;
    previous.set(assign);
    reseeded = false;
    sums.fill(0);
    counts.fill(0);
    for (let i = 0; i < n; i++) {
      const c = assign[i];
      counts[c]++;
      for (let q = 0; q < dim; q++) sums[c * dim + q] += x[i * dim + q];
    }
    for (let c = 0; c < k; c++) {
      if (counts[c] > 0) {
        for (let q = 0; q < dim; q++) cent[c * dim + q] = sums[c * dim + q] / counts[c];
        continue;
      }
      let far = 0;
      for (let i = 1; i < n; i++) if (best[i] > best[far]) far = i;
      for (let q = 0; q < dim; q++) cent[c * dim + q] = x[far * dim + q];
      best[far] = 0;
      reseeded = true;
    }
  }
  return { centroids: cent, assign, objective };
}

/** k-means++ seeding then `iters` Lloyd iterations (k capped at n). */
export function kmeans(
  x: ArrayLike<number>,
  n: number,
  dim: number,
  k: number,
  iters: number,
  rng: Rng,
): KmeansResult {
  const kk = Math.min(k, n);
  const seeds = kmeansPlusPlusSeeds(x, n, dim, kk, rng);
  const init = new Float64Array(kk * dim);
  for (let c = 0; c < kk; c++) for (let q = 0; q < dim; q++) init[c * dim + q] = x[seeds[c] * dim + q];
  return lloyd(x, n, dim, init, iters);
}
