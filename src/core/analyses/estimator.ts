/**
 * Estimator lab: what a quantizer does to inner products, attention and nearest-neighbour search.
 *
 *  1. Inner products (EDEN ICML 2022 §3 on unbiased vs MSE-optimal scales; TurboQuant, Zandieh et
 *     al., arXiv 2504.19874, §3.2: "MSE-optimal quantizers introduce bias in inner product
 *     estimation"). For unit queries q at cosine ρ with the key x, q = ρ·x/‖x‖ + √(1−ρ²)·u⊥
 *     (u⊥ a seeded random unit vector orthogonal to x), the relative error
 *     e = ⟨q, x̂ − x⟩/‖x‖ has mean (bias) and standard deviation over keys. ρ = 0 is a random query;
 *     a shrinking estimator (S < ‖y‖²/⟨y,q⟩) has bias ≈ −ρ·(1 − ipRatio), an unbiased one has
 *     bias 0 but a larger spread. Where the |bias| line crosses the spread line, unbiased-but-noisy
 *     starts to lose to biased-but-tight (in RMSE). Errors are linear in ‖q‖, so "vs ‖q‖" is
 *     reported at the norms listed for the random (ρ = 0) and the `correlation` queries.
 *  2. Attention with quantized keys: logits β·⟨q,k⟩/(‖q‖·rms‖k‖) for the held-out query rows,
 *     p = softmax(exact), p̂ = softmax(quantized keys); KL(p‖p̂) and |top-k(p) ∩ top-k(p̂)|/k,
 *     averaged over queries (KIVI / KV-cache quantization evaluate exactly this softmax error).
 *  3. Nearest neighbours (maximum inner product; cosine for unit-norm data such as `clustered`
 *     with normalize): the first `queries` rows are queries, the rest the database; exact search
 *     defines the true neighbour; recall@k = fraction of queries whose true neighbour is in the
 *     top k of the quantized scores ⟨q, x̂⟩ (asymmetric distance: queries unquantized, Jégou et al.,
 *     TPAMI 2011 §III-A; TurboQuant §4.4 "Recall@1@k"). Exact search has recall 1 by definition.
 *     Product quantization (pq.ts) with M subspaces × 2^bits k-means centroids is the baseline.
 *
 * The pipelines run on the database rows only (queries are never quantized), with the experiment
 * seed. Streams: rng('analysis', 'estimator', …) for queries.
 */
import { defineParams } from '../methods/params';
import { pipelineLabel, runExperiment } from '../pipeline';
import { defineAnalysis } from './define';
import { productQuantize, pqFlops } from './pq';
import { matmulFlops, NORMAL_FLOPS, runFlops, sortFlops, TS } from './analysis-cost';

export interface EstimatorMethod {
  readonly label: string;
  readonly kind: 'exact' | 'pipeline' | 'pq';
  readonly bitsPerCoord: number;
  /** PQ only: amortised codebook bits per coordinate (not in bitsPerCoord). */
  readonly codebookBits?: number;
  readonly ip: {
    /** Per ρ of `rhos`: mean and standard deviation of e (unit query, relative to ‖x‖). */
    readonly bias: readonly number[];
    readonly sd: readonly number[];
    /** Least-squares slope of ⟨q,x̂⟩ on ⟨q,x⟩ over correlated queries (1 = unbiased scale). */
    readonly slope: number;
  };
  readonly byNorm: {
    readonly random: { readonly bias: readonly number[]; readonly sd: readonly number[] };
    readonly correlated: { readonly bias: readonly number[]; readonly sd: readonly number[] };
  };
  readonly attention: { readonly kl: number; readonly topkOverlap: number };
  readonly recall: { readonly at1: number; readonly at10: number };
}

export interface EstimatorResult {
  readonly kind: 'estimator';
  readonly queries: number;
  readonly database: number;
  readonly dim: number;
  readonly rhos: readonly number[];
  readonly norms: readonly number[];
  readonly correlation: number;
  readonly attentionTopK: number;
  readonly sharpness: number;
  readonly pq: {
    readonly subspaces: number;
    readonly centroids: number;
    readonly subdim: number;
    readonly bits: number;
  };
  readonly methods: readonly EstimatorMethod[];
}

const RHOS = [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 1];
const NORMS = [0.25, 0.5, 1, 2, 4];

function dot(a: ArrayLike<number>, ao: number, b: ArrayLike<number>, bo: number, d: number): number {
  let s = 0;
  for (let j = 0; j < d; j++) s += a[ao + j] * b[bo + j];
  return s;
}

function topK(scores: Float64Array, k: number): number[] {
  const idx = Array.from(scores.keys());
  idx.sort((a, b) => scores[b] - scores[a] || a - b);
  return idx.slice(0, k);
}

function softmax(s: Float64Array): Float64Array {
  let m = -Infinity;
  for (const v of s) m = Math.max(m, v);
  let z = 0;
  const p = new Float64Array(s.length);
  for (let i = 0; i < s.length; i++) {
    p[i] = Math.exp(s[i] - m);
    z += p[i];
  }
  for (let i = 0; i < s.length; i++) p[i] /= z;
  return p;
}

function meanSd(v: Float64Array): [number, number] {
  let s = 0;
  for (const x of v) s += x;
  const m = s / v.length;
  let s2 = 0;
  for (const x of v) s2 += (x - m) * (x - m);
  return [m, Math.sqrt(s2 / Math.max(1, v.length - 1))];
}

const ESTIMATOR_PARAMS = defineParams({
  queries: {
    kind: 'int',
    default: 64,
    min: 1,
    max: 4096,
    doc: 'Leading rows used as queries (the rest is the database).',
  },
  correlation: {
    kind: 'number',
    default: 0.8,
    min: 0,
    max: 1,
    step: 0.05,
    doc: 'Cosine ρ of the correlated queries in the ‖q‖ table.',
  },
  attentionTopK: { kind: 'int', default: 8, min: 1, max: 256, doc: 'k of the attention top-k overlap.' },
  sharpness: {
    kind: 'number',
    default: 8,
    min: 0.1,
    max: 1000,
    doc: 'Inverse temperature β of the normalised attention logits.',
  },
  pqBits: {
    kind: 'int',
    default: 4,
    min: 1,
    max: 10,
    doc: 'PQ: bits per sub-vector index (2^bits centroids per subspace).',
  },
  pqSubdim: {
    kind: 'int',
    default: 2,
    min: 1,
    max: 256,
    doc: 'PQ: coordinates per subspace (M = ⌈d/subdim⌉).',
  },
  pqIters: { kind: 'int', default: 10, min: 0, max: 100, doc: 'PQ: k-means (Lloyd) iterations.' },
});

export const estimatorAnalysis = defineAnalysis({
  id: 'estimator',
  label: 'Estimator lab',
  description:
    'Inner-product bias and spread vs query correlation and ‖q‖, attention-softmax error with quantized keys, nearest-neighbour recall@1/@10 vs exact search and product quantization',
  reference:
    'TurboQuant (Zandieh et al., arXiv 2504.19874) §3.2, §4.4; EDEN (Vargaftik et al., ICML 2022) §3; product quantization (Jégou et al., IEEE TPAMI 2011).',
  params: ESTIMATOR_PARAMS,
  // The pipelines on the database rows, PQ's k-means, then per method (pipelines, exact, PQ):
  // error projections (6 per coordinate), every query's scores against the database (a product),
  // a softmax, KL and top-k (≈ 30 per score plus a sort); setup draws n·d normals. All but the
  // pipelines are TypeScript loops (weight TS).
  cost: (params, { rows, dim }, pipelines) => {
    const nq = Math.min(params.queries, Math.floor(rows / 2));
    const n = rows - nq;
    if (nq < 1 || n < 1) return 0;
    const perMethod = 6 * n * dim + matmulFlops(nq, n, dim) + nq * (30 * n + sortFlops(n));
    return (
      runFlops(n, dim, pipelines) +
      TS *
        (pqFlops(n, dim, Math.min(params.pqSubdim, dim), params.pqBits, params.pqIters) +
          (NORMAL_FLOPS + 12) * n * dim +
          perMethod * (pipelines.length + 2))
    );
  },
  run({ seed, rng, data, pipelines, params, denseProducts }, options) {
    const {
      queries,
      pqSubdim: subdim,
      pqBits,
      pqIters,
      correlation: rho0,
      sharpness: beta,
      attentionTopK,
    } = params;
    const d = data.cols;
    const nq = Math.min(queries, Math.floor(data.rows / 2));
    const n = data.rows - nq;
    if (nq < 1 || n < 1)
      throw new Error(`estimator: needs at least 2 rows (queries + database), got ${data.rows}`);
    const Q = data.data.subarray(0, nq * d);
    const X = { rows: n, cols: d, data: data.data.slice(nq * d) };

    const recon: {
      label: string;
      kind: EstimatorMethod['kind'];
      bits: number;
      codebookBits?: number;
      xHat: Float32Array;
    }[] = [{ label: 'exact (no quantization)', kind: 'exact', bits: 32, xHat: X.data }];
    const copies: Float32Array[] = [];
    const results = runExperiment({ seed, pipelines }, X, {
      ...(denseProducts ? { denseProducts } : {}),
      signal: options?.signal,
      collect: (b) => {
        copies[b.index] = b.xHat.slice();
      },
    });
    results.forEach((r, i) =>
      recon.push({
        label: pipelineLabel(pipelines[i]),
        kind: 'pipeline',
        bits: r.bitsPerCoord,
        xHat: copies[i],
      }),
    );
    options?.onProgress?.(1, 3, 'estimator: pipelines done');
    const pqSubdim = Math.min(subdim, d);
    const pq = productQuantize(X.data, n, d, pqSubdim, pqBits, pqIters, rng);
    recon.push({
      label: `PQ ${pq.subspaces}×${pq.centroids} (k-means)`,
      kind: 'pq',
      bits: pq.codeBits,
      codebookBits: pq.codebookBits,
      xHat: pq.xHat,
    });
    options?.onProgress?.(2, 3, 'estimator: product quantization done');

    // Per-key unit directions x̄ and random unit u⊥ ⟂ x̄ (seeded, shared by every method: paired).
    const ur = rng.stream('analysis', 'estimator', 'queries', n, d);
    const xbar = new Float64Array(n * d);
    const uperp = new Float64Array(n * d);
    const xnorm = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const o = i * d;
      const nx = Math.sqrt(dot(X.data, o, X.data, o, d));
      xnorm[i] = nx;
      for (let j = 0; j < d; j++) xbar[o + j] = nx > 0 ? X.data[o + j] / nx : 0;
      for (let j = 0; j < d; j++) uperp[o + j] = ur.normal();
      const c = dot(uperp, o, xbar, o, d);
      for (let j = 0; j < d; j++) uperp[o + j] -= c * xbar[o + j];
      const nu = Math.sqrt(dot(uperp, o, uperp, o, d));
      for (let j = 0; j < d; j++) uperp[o + j] /= nu > 0 ? nu : 1;
    }

    // Exact scores of the queries against the database: true neighbours and attention targets.
    const exactScores = Array.from({ length: nq }, (_, a) => {
      const s = new Float64Array(n);
      for (let i = 0; i < n; i++) s[i] = dot(Q, a * d, X.data, i * d, d);
      return s;
    });
    let rmsK = 0;
    for (let i = 0; i < n; i++) rmsK += xnorm[i] * xnorm[i];
    rmsK = Math.sqrt(rmsK / n);
    const kAtt = Math.min(attentionTopK, n);
    const logitScale = exactScores.map((_, a) => {
      const qn = Math.sqrt(dot(Q, a * d, Q, a * d, d));
      return qn > 0 && rmsK > 0 ? beta / (qn * rmsK) : 0;
    });
    const exactP = exactScores.map((s, a) => softmax(s.map((v) => v * logitScale[a])));
    const exactTop = exactP.map((p) => new Set(topK(p, kAtt)));
    const trueNn = exactScores.map((s) => topK(s, 1)[0]);

    const methods: EstimatorMethod[] = recon.map((m) => {
      const ex = new Float64Array(n);
      const eu = new Float64Array(n);
      let sxy = 0;
      let sxx = 0;
      for (let i = 0; i < n; i++) {
        const o = i * d;
        let a = 0;
        let b = 0;
        for (let j = 0; j < d; j++) {
          const e = m.xHat[o + j] - X.data[o + j];
          a += xbar[o + j] * e;
          b += uperp[o + j] * e;
        }
        const inv = xnorm[i] > 0 ? 1 / xnorm[i] : 0;
        ex[i] = a * inv;
        eu[i] = b * inv;
        // Slope of ⟨q,x̂⟩ on ⟨q,x⟩ for q = x̄ (ρ = 1): ⟨x̄,x⟩ = ‖x‖, ⟨x̄,x̂⟩ = ‖x‖ + a.
        sxy += xnorm[i] * (xnorm[i] + a);
        sxx += xnorm[i] * xnorm[i];
      }
      const at = (rho: number): [number, number] => {
        const c = Math.sqrt(Math.max(0, 1 - rho * rho));
        return meanSd(ex.map((v, i) => rho * v + c * eu[i]));
      };
      const byRho = RHOS.map(at);
      const [rb, rs] = at(0);
      const [cb, cs] = at(rho0);
      let kl = 0;
      let overlap = 0;
      let r1 = 0;
      let r10 = 0;
      for (let a = 0; a < nq; a++) {
        const s = new Float64Array(n);
        for (let i = 0; i < n; i++) s[i] = dot(Q, a * d, m.xHat, i * d, d);
        const p = exactP[a];
        const ph = softmax(s.map((v) => v * logitScale[a]));
        for (let i = 0; i < n; i++)
          if (p[i] > 0) kl += p[i] * (Math.log(p[i]) - Math.log(Math.max(ph[i], 1e-300)));
        const top = topK(ph, Math.max(kAtt, 10));
        overlap += top.slice(0, kAtt).filter((i) => exactTop[a].has(i)).length / kAtt;
        if (top[0] === trueNn[a]) r1++;
        if (top.slice(0, 10).includes(trueNn[a])) r10++;
      }
      return {
        label: m.label,
        kind: m.kind,
        bitsPerCoord: m.bits,
        ...(m.codebookBits !== undefined ? { codebookBits: m.codebookBits } : {}),
        ip: { bias: byRho.map((v) => v[0]), sd: byRho.map((v) => v[1]), slope: sxx > 0 ? sxy / sxx : 1 },
        byNorm: {
          random: { bias: NORMS.map((r) => r * rb), sd: NORMS.map((r) => r * rs) },
          correlated: { bias: NORMS.map((r) => r * cb), sd: NORMS.map((r) => r * cs) },
        },
        attention: { kl: kl / nq, topkOverlap: overlap / nq },
        recall: { at1: r1 / nq, at10: r10 / nq },
      };
    });
    options?.onProgress?.(3, 3, 'estimator: done');
    const result: EstimatorResult = {
      kind: 'estimator',
      queries: nq,
      database: n,
      dim: d,
      rhos: RHOS,
      norms: NORMS,
      correlation: rho0,
      attentionTopK: kAtt,
      sharpness: beta,
      pq: { subspaces: pq.subspaces, centroids: pq.centroids, subdim: pqSubdim, bits: pqBits },
      methods,
    };
    return result;
  },
});
