/**
 * Singular-value spectrum of a large matrix without a dense O(n³) decomposition: stochastic
 * Lanczos quadrature (SLQ) on the Gram matrix of the shorter side. ALGORITHMS.md
 * "Spectra"; DESIGN.md "Performance targets" (4096² spectra on the UI path).
 *
 * Method (Ubaru, Chen & Saad, "Fast estimation of tr(f(A)) via stochastic Lanczos quadrature",
 * SIAM J. Matrix Anal. Appl. 38(4), 2017, §3; Lin, Saad & Yang, "Approximating spectral densities
 * of large matrices", SIAM Review 58(1), 2016, §3.2): for M = A·Aᵀ (or AᵀA, whichever is k × k with
 * k = min(rows, cols)) and a random unit probe v, m steps of Lanczos give a tridiagonal T_m with
 * eigenpairs (θ_j, y_j); the Gauss quadrature Σ_j y_j[0]²·δ(θ_j) approximates vᵀ·δ(M − λ)·v, whose
 * expectation over Rademacher probes is the spectral density (1/k)·Σ_i δ(λ_i). Averaging `probes`
 * such measures gives the estimate; singular values are σ = √θ. The extreme Ritz values converge
 * first, so the top of the spectrum (the "spikes" above the Marchenko–Pastur edge) is accurate to
 * many digits after a few dozen steps, while the bulk is resolved as a smooth density.
 *
 * Cost: probes·steps products with M, each 2·rows·cols multiply-adds (A is read once per step for
 * all probes), plus full reorthogonalisation O(probes·steps²·k); memory probes·steps·k float64.
 * The exact path for small matrices is `singularValues` (eig.ts); `estimateSpectrum` chooses it
 * itself when k ≤ exactMaxK.
 *
 * Speed: the Gram products run in the WASM SIMD kernels `rows_axpy` / `rows_dot` when available
 * (float32 matrix copied once into WASM memory: rows·cols·4 bytes, which the instance keeps).
 * Each output is the same float64 sum in the same order as the loops in `mult`, so the estimate is
 * bit-identical with or without WASM (src/core/wasm/kernels.test.ts).
 *
 * Determinism: the probes come from the seeded stream ('analysis', 'slq', rows, cols) and every
 * sum runs in a fixed order, so the same matrix and options give the same output bits.
 */
import { singularValues, symmetricEigen } from './eig';
import { createRngFactory } from '../rng';
import { allFinite, claim, noteWasmHit, wasmKernels } from '../wasm/kernels';

export interface SpectrumEstimate {
  /** Singular values σ_j at the quadrature nodes (descending), or the exact values. */
  readonly values: Float64Array;
  /** Probability weights of `values` (sum 1): the estimated share of the k singular values near
   * each node. Exact path: 1/k each. Multiply by k for counts, e.g. to draw a histogram. */
  readonly weights: Float64Array;
  /** k = min(rows, cols), the number of singular values described. */
  readonly k: number;
  /** 'exact' (dense Gram eigensolve) or 'slq' (estimate). */
  readonly method: 'exact' | 'slq';
}

export interface SpectrumOptions {
  /** Random probes averaged (default 4). More probes reduce the variance of the bulk density. */
  readonly probes?: number;
  /** Lanczos steps per probe (default 40, capped at k). */
  readonly steps?: number;
  /** Seed of the probes (default 0). */
  readonly seed?: number;
  /** Use the exact dense path when k ≤ this (default 1024). */
  readonly exactMaxK?: number;
}

/**
 * Estimate the singular-value distribution of a rows × cols row-major matrix (see the header).
 * For the charts: `values` with `weights` is a discrete measure; histogram it with weights·k.
 */
export function estimateSpectrum(
  data: ArrayLike<number>,
  rows: number,
  cols: number,
  opts: SpectrumOptions = {},
): SpectrumEstimate {
  const k = Math.min(rows, cols);
  if (k === 0) return { values: new Float64Array(0), weights: new Float64Array(0), k, method: 'exact' };
  if (k <= (opts.exactMaxK ?? 1024)) {
    const values = singularValues(data, rows, cols);
    return { values, weights: new Float64Array(k).fill(1 / k), k, method: 'exact' };
  }
  const probes = Math.max(1, opts.probes ?? 4);
  const steps = Math.max(1, Math.min(opts.steps ?? 40, k));
  const rng = createRngFactory(opts.seed ?? 0).stream('analysis', 'slq', rows, cols);
  const other = rows + cols - k;
  // Gram of the shorter side: M·v = A(Aᵀv) if rows ≤ cols, else Aᵀ(Av); `tmp` has the other length.
  const short = rows <= cols;
  const tmp = new Float64Array(probes * other);
  const multWasm = gramProductWasm(data, rows, cols, probes);
  const mult = (v: Float64Array, out: Float64Array): void => {
    if (multWasm) {
      multWasm(v, out);
      return;
    }
    tmp.fill(0);
    out.fill(0);
    if (short) {
      // tmp_p = Aᵀ v_p (row-wise accumulation), then out_p = A tmp_p (row dots).
      for (let i = 0; i < rows; i++) {
        const base = i * cols;
        for (let p = 0; p < probes; p++) {
          const vi = v[p * k + i];
          if (vi === 0) continue;
          const t = p * other;
          for (let j = 0; j < cols; j++) tmp[t + j] += vi * data[base + j];
        }
      }
      for (let i = 0; i < rows; i++) {
        const base = i * cols;
        for (let p = 0; p < probes; p++) {
          const t = p * other;
          let s = 0;
          for (let j = 0; j < cols; j++) s += data[base + j] * tmp[t + j];
          out[p * k + i] = s;
        }
      }
    } else {
      // tmp_p = A v_p (row dots), then out_p = Aᵀ tmp_p.
      for (let i = 0; i < rows; i++) {
        const base = i * cols;
        for (let p = 0; p < probes; p++) {
          const vb = p * k;
          let s = 0;
          for (let j = 0; j < cols; j++) s += data[base + j] * v[vb + j];
          tmp[p * other + i] = s;
        }
      }
      for (let i = 0; i < rows; i++) {
        const base = i * cols;
        for (let p = 0; p < probes; p++) {
          const ti = tmp[p * other + i];
          if (ti === 0) continue;
          const ob = p * k;
          for (let j = 0; j < cols; j++) out[ob + j] += ti * data[base + j];
        }
      }
    }
  };

  // Lanczos basis Q[p][s] (probes × steps × k), all probes advanced together (A read once a step).
  const Q = new Float64Array(probes * steps * k);
  const alpha = new Float64Array(probes * steps);
  const beta = new Float64Array(probes * steps);
  const done = new Uint8Array(probes);
  const lens = new Int32Array(probes).fill(steps);
  const cur = new Float64Array(probes * k);
  const w = new Float64Array(probes * k);
  const inv = 1 / Math.sqrt(k);
  for (let p = 0; p < probes; p++) for (let i = 0; i < k; i++) Q[p * steps * k + i] = rng.sign() * inv;
  for (let s = 0; s < steps; s++) {
    for (let p = 0; p < probes; p++) cur.set(Q.subarray((p * steps + s) * k, (p * steps + s + 1) * k), p * k);
    mult(cur, w);
    for (let p = 0; p < probes; p++) {
      if (done[p]) continue;
      const wp = w.subarray(p * k, (p + 1) * k);
      const qs = cur.subarray(p * k, (p + 1) * k);
      let a = 0;
      for (let i = 0; i < k; i++) a += qs[i] * wp[i];
      alpha[p * steps + s] = a;
      // Full reorthogonalisation against every earlier basis vector, twice (Parlett 1998, §13.8):
      // keeps T's Ritz values free of spurious copies at these step counts.
      for (let pass = 0; pass < 2; pass++) {
        for (let j = 0; j <= s; j++) {
          const qj = Q.subarray((p * steps + j) * k, (p * steps + j + 1) * k);
          let c = 0;
          for (let i = 0; i < k; i++) c += qj[i] * wp[i];
          for (let i = 0; i < k; i++) wp[i] -= c * qj[i];
        }
      }
      let b = 0;
      for (let i = 0; i < k; i++) b += wp[i] * wp[i];
      b = Math.sqrt(b);
      if (s + 1 >= steps) continue;
      // An invariant subspace was found: T is exact, stop this probe.
      if (!(b > 1e-12 * Math.max(Math.abs(a), 1e-300))) {
        done[p] = 1;
        lens[p] = s + 1;
        continue;
      }
      beta[p * steps + s] = b;
      const next = Q.subarray((p * steps + s + 1) * k, (p * steps + s + 2) * k);
      for (let i = 0; i < k; i++) next[i] = wp[i] / b;
    }
  }

  // Gauss quadrature of each probe: nodes θ_j, weights (first component of T's eigenvector)².
  const nodes: number[] = [];
  const wts: number[] = [];
  for (let p = 0; p < probes; p++) {
    const m = lens[p];
    const T = new Float64Array(m * m);
    for (let i = 0; i < m; i++) {
      T[i * m + i] = alpha[p * steps + i];
      if (i + 1 < m) {
        T[i * m + i + 1] = beta[p * steps + i];
        T[(i + 1) * m + i] = beta[p * steps + i];
      }
    }
    const { values, vectors: vec } = symmetricEigen(T, m);
    const vectors = vec as Float64Array;
    for (let j = 0; j < m; j++) {
      const y0 = vectors[j * m];
      nodes.push(Math.sqrt(Math.max(values[j], 0)));
      wts.push((y0 * y0) / probes);
    }
  }
  const order = nodes.map((_, i) => i).sort((a, b) => nodes[b] - nodes[a] || a - b);
  return {
    values: Float64Array.from(order, (i) => nodes[i]),
    weights: Float64Array.from(order, (i) => wts[i]),
    k,
    method: 'slq',
  };
}

/**
 * The Gram product of estimateSpectrum's `mult` in WASM for finite float32 data, or null. The
 * kernels take the probe vectors interleaved (entry i of probe p at i·P + p, P = probes rounded up
 * to even with a zero probe) so SIMD lanes hold probes, never parts of one sum. The matrix is
 * copied in once per call of estimateSpectrum; no other kernel claims memory until it returns.
 */
function gramProductWasm(
  data: ArrayLike<number>,
  rows: number,
  cols: number,
  probes: number,
): ((v: Float64Array, out: Float64Array) => void) | null {
  const kern = wasmKernels();
  if (!kern || !(data instanceof Float32Array) || !allFinite(data)) return null;
  const k = Math.min(rows, cols);
  const other = rows + cols - k;
  const P = probes + (probes & 1);
  const owner = {};
  const { ptrs } = claim(kern, owner, [rows * cols * 4, k * P * 8, other * P * 8, k * P * 8]);
  const [aP, vP, tP, oP] = ptrs;
  const mem = kern.memory.buffer;
  new Float32Array(mem, aP, rows * cols).set(data.subarray(0, rows * cols));
  const V = new Float64Array(mem, vP, k * P);
  const O = new Float64Array(mem, oP, k * P);
  V.fill(0);
  return (v, out) => {
    noteWasmHit('lanczos.gram');
    for (let p = 0; p < probes; p++) for (let i = 0; i < k; i++) V[i * P + p] = v[p * k + i];
    if (rows <= cols) {
      kern.rows_axpy(aP, rows, cols, vP, P, tP); // tmp = Aᵀ v
      kern.rows_dot(aP, rows, cols, tP, P, oP); // out = A tmp
    } else {
      kern.rows_dot(aP, rows, cols, vP, P, tP); // tmp = A v
      kern.rows_axpy(aP, rows, cols, tP, P, oP); // out = Aᵀ tmp
    }
    for (let p = 0; p < probes; p++) for (let i = 0; i < k; i++) out[p * k + i] = O[i * P + p];
  };
}
