/**
 * Product quantization (Jégou, Douze & Schmid, "Product Quantization for Nearest Neighbor Search",
 * IEEE TPAMI 33(1), 2011, §II): split each d-vector into M = ⌈d/subdim⌉ sub-vectors of `subdim`
 * coordinates (the last may be shorter), learn 2^bits centroids per subspace with k-means
 * (Lloyd 1982) on the database itself, store one bits-wide index per sub-vector.
 *
 * This is the classic baseline the TurboQuant abstract compares to for nearest-neighbour recall
 * (Zandieh et al., arXiv 2504.19874, §4.4): PQ needs a training pass over the data (k-means), the
 * rotation + scalar family needs none.
 *
 * k-means: Forgy initialisation (k distinct rows drawn from rng('analysis', 'pq', m)), `iters`
 * Lloyd iterations with squared-L2 assignment, an empty cluster is re-seeded with a random row.
 * k is capped at the number of rows (with k ≥ rows every row is its own centroid).
 *
 * Bits per coordinate: codes M·bits/d; codebooks M·2^bits·subdim·32 bits, amortised over
 * rows·d coordinates (reported separately: they are shared by the whole database).
 */
import type { RngFactory } from '../rng';

export interface PqResult {
  /** Reconstruction, rows × d. */
  readonly xHat: Float32Array;
  readonly subspaces: number;
  readonly centroids: number;
  /** Code bits per coordinate, M·bits/d. */
  readonly codeBits: number;
  /** Codebook bits per coordinate, M·2^bits·subdim·32/(rows·d). */
  readonly codebookBits: number;
}

export function productQuantize(
  data: Float32Array,
  rows: number,
  d: number,
  subdim: number,
  bits: number,
  iters: number,
  rng: RngFactory,
): PqResult {
  const m = Math.ceil(d / subdim);
  const k = Math.min(2 ** bits, rows);
  const xHat = new Float32Array(rows * d);
  const assign = new Int32Array(rows);
  for (let s = 0; s < m; s++) {
    const from = s * subdim;
    const w = Math.min(subdim, d - from);
    const r = rng.stream('analysis', 'pq', s, d, subdim, bits);
    // Forgy: k distinct rows by a partial Fisher–Yates shuffle.
    const perm = new Int32Array(rows);
    for (let i = 0; i < rows; i++) perm[i] = i;
    const cent = new Float64Array(k * w);
    for (let c = 0; c < k; c++) {
      const j = c + r.int(rows - c);
      const t = perm[c];
      perm[c] = perm[j];
      perm[j] = t;
      for (let q = 0; q < w; q++) cent[c * w + q] = data[perm[c] * d + from + q];
    }
    const sums = new Float64Array(k * w);
    const counts = new Int32Array(k);
    for (let it = 0; it <= iters; it++) {
      // Assignment (the last pass, it = iters, only assigns).
      for (let i = 0; i < rows; i++) {
        const base = i * d + from;
        let best = 0;
        let bestD = Infinity;
        for (let c = 0; c < k; c++) {
          let dist = 0;
          for (let q = 0; q < w; q++) {
            const diff = data[base + q] - cent[c * w + q];
            dist += diff * diff;
          }
          if (dist < bestD) {
            bestD = dist;
            best = c;
          }
        }
        assign[i] = best;
      }
      if (it === iters) break;
      sums.fill(0);
      counts.fill(0);
      for (let i = 0; i < rows; i++) {
        const c = assign[i];
        counts[c]++;
        for (let q = 0; q < w; q++) sums[c * w + q] += data[i * d + from + q];
      }
      for (let c = 0; c < k; c++) {
        if (counts[c] === 0) {
          const i = r.int(rows);
          for (let q = 0; q < w; q++) cent[c * w + q] = data[i * d + from + q];
        } else for (let q = 0; q < w; q++) cent[c * w + q] = sums[c * w + q] / counts[c];
      }
    }
    for (let i = 0; i < rows; i++) {
      const c = assign[i];
      for (let q = 0; q < w; q++) xHat[i * d + from + q] = cent[c * w + q];
    }
  }
  return {
    xHat,
    subspaces: m,
    centroids: k,
    codeBits: (m * bits) / d,
    codebookBits: (m * 2 ** bits * subdim * 32) / (rows * d),
  };
}

/**
 * Modelled work of productQuantize (the cost model's flops, src/core/cost.ts): iters + 1
 * assignment passes, each rows × k distances of w coordinates per subspace (a subtract, a
 * multiply, an add per coordinate, a compare per centroid: 3·d + M per row and centroid over the
 * M subspaces), and iters centroid updates (an add per coordinate, a divide per centroid entry).
 */
export function pqFlops(rows: number, d: number, subdim: number, bits: number, iters: number): number {
  const m = Math.ceil(d / Math.max(1, subdim));
  const k = Math.min(2 ** bits, rows);
  return (iters + 1) * rows * k * (3 * d + m) + iters * (rows * d + k * d);
}
