/**
 * Inner-product normalised error: d · mean over rows i and Q = 64 seeded unit queries q of
 * ⟨q, x̂ᵢ − xᵢ⟩² / ‖xᵢ‖² (CONTRACT.md §5).
 *
 * For a random unit query, E⟨q,e⟩² = ‖e‖²/d, so for errors isotropic in law this tends to the
 * vNMSE; it differs when the error concentrates in directions (structured formats, outlier
 * channels). TurboQuant (Zandieh et al. 2025, Thm 2) bounds the inner-product error of
 * TurboQuant_prod by ≈ (π/2)·D_{b−1}/d·‖x‖²‖q‖², which this metric reports as (π/2)·D_{b−1}.
 *
 * Queries: Q i.i.d. N(0, I_d) vectors normalised to unit length, from rng('queries', d), shared by
 * every pipeline of an experiment (paired comparison). Dead rows (‖x_i‖ ≤ 1e-12·max_j‖x_j‖, zero
 * rows included; dead-rows.ts) are skipped, as in vnmse: the ratio is meaningless for them.
 * In the transformed metric domain (CONTRACT.md §5.1) the rows are Ux and ŷ for an orthogonal U,
 * and the same queries are used mapped by U (MetricContext.mapProbes): ⟨q, x̂ − x⟩ = ⟨Uq, ŷ − Ux⟩.
 *
 * Speed: the rows × Q dot products (Q·rows·d multiply-adds, the largest cost of all metrics) run
 * in the WASM SIMD kernel `ipnvar_block` when available, 16 rows at a time in SIMD lanes, each dot
 * summed in the same order as the loop below: bit-for-bit the same value (kernels.test.ts).
 */
import type { Matrix, MetricContext, MetricDef, MetricStream } from '../types';
import type { RngFactory } from '../../rng';
import { claim, noteWasmHit, WASM_LANES, wasmKernels } from '../../wasm/kernels';
import { liveThreshold, rowNormsSq } from './dead-rows';

export const IP_QUERY_COUNT = 64;

const queryCache = new Map<string, Float64Array>();

/** The Q unit queries for (seed, d), row-major Q×d; cached (they are reused by every pipeline). */
export function unitQueries(rng: RngFactory, d: number, count = IP_QUERY_COUNT): Float64Array {
  const key = `${rng.seed}|${d}|${count}`;
  const hit = queryCache.get(key);
  if (hit) return hit;
  const q = new Float64Array(count * d);
  const r = rng.stream('queries', d, count);
  r.fillNormal(q);
  for (let k = 0; k < count; k++) {
    let n = 0;
    for (let j = k * d; j < (k + 1) * d; j++) n += q[j] * q[j];
    const s = 1 / Math.sqrt(n);
    for (let j = k * d; j < (k + 1) * d; j++) q[j] *= s;
  }
  if (queryCache.size > 8) queryCache.clear();
  queryCache.set(key, q);
  return q;
}

export const ipNvarMetric: MetricDef = {
  id: 'ipNvar',
  label: 'ip nvar',
  description: 'd · mean over rows and 64 unit queries of ⟨q,x̂−x⟩²/‖x‖²',
  better: 'lower',
  // ⟨q, x̂ − x⟩ = ⟨Uq, Ux̂ − Ux⟩ and ‖x‖ = ‖Ux‖ for an orthogonal U: invariant once the queries,
  // drawn in the data domain, are mapped by U as well (MetricContext.mapProbes).
  orthogonalInvariance: 'probes',
  compute(x, xHat, ctx) {
    const s = ipNvarStream(x, ctx);
    s.add(0, x.rows, xHat);
    return s.finish();
  },
  stream: (x, ctx) => ipNvarStream(x, ctx),
  // Each row's term and norm need that row alone; the threshold and the sum in row order come after.
  rowTerms: {
    width: 2,
    rows: (x, ctx) => ipNvarRows(x, ctx),
    combine(terms, rows, d) {
      const norms = new Float64Array(rows);
      for (let r = 0; r < rows; r++) norms[r] = terms[2 * r + 1];
      // Each row's Σ x² summed in storage order: rowNormsSq's values, so the stream's threshold.
      const thr = liveThreshold(norms);
      let sum = 0;
      let counted = 0;
      for (let r = 0; r < rows; r++) {
        if (!(norms[r] > thr)) continue;
        sum += terms[2 * r];
        counted++;
      }
      return counted > 0 ? (d * sum) / counted : NaN;
    },
  },
};

/**
 * MetricDef.rowTerms.rows: for rows rowStart … rowStart + count − 1, out[2r] = Σ_q dot² / Q / ‖x‖²
 * (the stream's term) and out[2r + 1] = ‖x‖², r counted from rowStart, for every row (the stream
 * skips dead rows, and so does the threaded combine, with the same threshold once every row's norm
 * is known). The row-streamed metric (ipNvarStream) is this plus that running sum.
 */
function ipNvarRows(
  x: Matrix,
  { rng, mapProbes }: MetricContext,
): (rowStart: number, count: number, xHat: Float32Array, out: Float64Array) => void {
  const { cols: d, data } = x;
  const drawn = unitQueries(rng, d);
  const queries = mapProbes ? mapProbes(drawn, IP_QUERY_COUNT) : drawn;
  const err = new Float64Array(d);
  return (rowStart, count, xHat, out) => {
    const fast = ipNvarWasmRows(x, rowStart, count, xHat, queries);
    if (fast) {
      noteWasmHit('ipNvar');
      for (let r = 0; r < count; r++) {
        out[2 * r] = fast.terms[r];
        out[2 * r + 1] = fast.norms[r];
      }
      return;
    }
    for (let r = 0; r < count; r++) {
      const base = (rowStart + r) * d;
      const hb = r * d;
      let norm = 0;
      for (let j = 0; j < d; j++) {
        const v = data[base + j];
        err[j] = xHat[hb + j] - v;
        norm += v * v;
      }
      let acc = 0;
      for (let k = 0; k < IP_QUERY_COUNT; k++) {
        const qb = k * d;
        let dot = 0;
        for (let j = 0; j < d; j++) dot += queries[qb + j] * err[j];
        acc += dot * dot;
      }
      out[2 * r] = acc / IP_QUERY_COUNT / norm;
      out[2 * r + 1] = norm;
    }
  };
}

/**
 * The metric fed a block of rows at a time, in order: each row's term (ipNvarRows, from that row
 * alone) is added to one running sum in row order, live rows only, so any blocking gives the same
 * value bit for bit (the pipeline's row-streamed path relies on it).
 */
function ipNvarStream(x: Matrix, ctx: MetricContext): MetricStream {
  const { rows, cols: d } = x;
  const rowTerms = ipNvarRows(x, ctx);
  const thr = liveThreshold(rowNormsSq(x));
  let terms = new Float64Array(0);
  let sum = 0;
  let counted = 0;
  let next = 0;
  return {
    add(rowStart, count, xHat) {
      if (rowStart !== next)
        throw new RangeError(`rows must come in order: expected ${next}, got ${rowStart}`);
      next = rowStart + count;
      if (terms.length < 2 * count) terms = new Float64Array(2 * count);
      rowTerms(rowStart, count, xHat, terms);
      for (let r = 0; r < count; r++) {
        if (!(terms[2 * r + 1] > thr)) continue;
        sum += terms[2 * r];
        counted++;
      }
    },
    finish() {
      if (next !== rows) throw new RangeError(`ipNvar fed ${next} of ${rows} rows`);
      return counted > 0 ? (d * sum) / counted : NaN;
    },
  };
}

/**
 * The WASM path for rows rowStart … rowStart + count − 1 (x̂ given for those rows only), or null
 * when WebAssembly is unavailable: each row's term Σ_q dot² / Q / ‖x‖² and its ‖x‖² (the caller
 * decides which rows are live), the same values bit for bit as the loop above. `ipnvar_block` takes LANES rows at a time: their
 * errors, norms and the Q dot products (tiled along d so the transposed errors stay in L1 for all
 * queries) and each row's Σ dot²; the division stays here, in the reference's order.
 */
function ipNvarWasmRows(
  x: Matrix,
  rowStart: number,
  count: number,
  xHat: Float32Array,
  queries: Float64Array,
): { terms: Float64Array; norms: Float64Array } | null {
  const k = wasmKernels();
  if (!k) return null;
  const { cols: d, data } = x;
  const L = WASM_LANES;
  const Q = IP_QUERY_COUNT;
  const { ptrs, kept } = claim(k, queries, [Q * d * 8, d * L * 8, Q * L * 8, L * d * 4, L * d * 4, L * 16]);
  const [qP, eP, cP, xP, hP, oP] = ptrs;
  if (!kept) new Float64Array(k.memory.buffer, qP, Q * d).set(queries);
  const xs = new Float32Array(k.memory.buffer, xP, L * d);
  const hs = new Float32Array(k.memory.buffer, hP, L * d);
  const res = new Float64Array(k.memory.buffer, oP, 2 * L);
  const terms = new Float64Array(count);
  const norms = new Float64Array(count);
  for (let r0 = 0; r0 < count; r0 += L) {
    const n = Math.min(L, count - r0);
    xs.set(data.subarray((rowStart + r0) * d, (rowStart + r0 + n) * d));
    hs.set(xHat.subarray(r0 * d, (r0 + n) * d));
    k.ipnvar_block(xP, hP, n, d, qP, Q, eP, cP, oP);
    for (let r = 0; r < n; r++) {
      const norm = res[2 * r + 1];
      norms[r0 + r] = norm;
      terms[r0 + r] = res[2 * r] / Q / norm;
    }
  }
  return { terms, norms };
}
