/**
 * Attention view: how quantizing the key (and value) cache by each pipeline distorts
 * softmax(q·Kᵀ/√d) and the attention output, against full precision.
 *
 * K is the experiment's data (rows = cached tokens, dim = head dimension; the `outlier-channels`
 * source gives keys with the fixed outlier channels KIVI §3 and KVQuant report); V (same shape)
 * and the queries are N(0,1), seeded from rng('analysis', 'attention', …). With the pipeline's
 * transform R applied to q and K alike, q_R·K_Rᵀ = q·Kᵀ (the rotation cancels, QuaRot §3), so only
 * the quantization of K_R changes the logits. V is quantized in the rotated domain and rotated
 * back. Keys use the pipeline's quantizer as given (so KIVI's per-channel keys can be compared with
 * mode = values, i.e. per-token keys); a `kivi` pipeline always quantizes V per token (mode =
 * values), KIVI's rule for the value cache.
 *
 * Metrics per pipeline, averaged over queries: KL(p ‖ p̂) = Σ p_i (log p_i − log p̂_i) computed from
 * log-softmax (no 0·log 0 issues), top-k overlap |top_k(p) ∩ top_k(p̂)| / k, and the output error
 * ‖pV − p̂V̂‖_F / ‖pV‖_F over all queries; bits per coordinate of K and V.
 * Invariants: with K̂ = K, KL = 0 and overlap = 1 (tested).
 *
 * RoPE and heads (optional; the defaults rope = none, headDim = 0 keep the single-head computation
 * above, so old links give the same numbers). `headDim` h splits the d channels into d/h heads, each
 * with its own softmax(q_h·K_hᵀ/√h); KL and overlap are averaged over heads and queries, the output
 * error is over all heads. `rope` applies rotary position embeddings (Su et al., "RoFormer",
 * Neurocomputing 2024, §3.4.2; the Hugging Face Llama layout: channel i of a head pairs with
 * i + h/2 at frequency θ_i = base^(−2i/h)) with key j at position j and every query at position m
 * (the next token). The reference logits use RoPE(q)·RoPE(K)ᵀ in both modes:
 *  - `post`: the cache holds RoPE(K): the pipeline transforms and quantizes the keys after RoPE;
 *  - `pre`: the cache holds K before RoPE: the pipeline quantizes K, its transform is inverted and
 *    RoPE is applied to K̂ (RotateKV §3, "Pre-RoPE Grouped-Head Rotation": a rotation applied
 *    before RoPE sees the fixed per-channel outliers; RoPE turns them into position-dependent
 *    pairs, so the same method differs between the two modes).
 */
import { defineParams, type ParamsOf } from '../methods/params';
import type { Matrix, Params } from '../methods/types';
import { pipelineLabel } from '../pipeline';
import { defineAnalysis } from './define';
import type { AnalysisRunOptions, TypedAnalysisInput } from './types';
import { matmulFlops, NORMAL_FLOPS, pipelineWork, TS } from './analysis-cost';
import { matmulT, prepareTransform, quantizeWith, relativeError, rotate } from './layer-common';

export interface AttentionPipelineResult {
  readonly label: string;
  readonly bitsKey: number;
  readonly bitsValue: number;
  readonly kl: number;
  readonly topkOverlap: number;
  readonly outputError: number;
}

export interface AttentionResult {
  readonly kind: 'attention';
  readonly tokens: number;
  readonly headDim: number;
  readonly queries: number;
  readonly topK: number;
  readonly quantizeValues: boolean;
  /** RoPE mode (none, pre, post) and head dimension (= headDim when it is 1 head). */
  readonly rope?: string;
  readonly heads?: number;
  readonly pipelines: readonly AttentionPipelineResult[];
}

/** Row-wise log-softmax of logits (n × m) scaled by `scale`. */
export function logSoftmaxRows(logits: Float64Array, n: number, m: number, scale: number): Float64Array {
  const out = new Float64Array(n * m);
  for (let i = 0; i < n; i++) {
    let mx = -Infinity;
    for (let j = 0; j < m; j++) mx = Math.max(mx, logits[i * m + j] * scale);
    let s = 0;
    for (let j = 0; j < m; j++) s += Math.exp(logits[i * m + j] * scale - mx);
    const lse = mx + Math.log(s);
    for (let j = 0; j < m; j++) out[i * m + j] = logits[i * m + j] * scale - lse;
  }
  return out;
}

function topK(row: Float64Array, from: number, m: number, k: number): Set<number> {
  const idx = Array.from({ length: m }, (_, j) => j).sort((a, b) => row[from + b] - row[from + a] || a - b);
  return new Set(idx.slice(0, k));
}

/** Mean KL(p‖p̂) and mean top-k overlap over the n query rows of two log-probability matrices. */
export function attentionDivergence(
  logP: Float64Array,
  logQ: Float64Array,
  n: number,
  m: number,
  k: number,
): { kl: number; overlap: number } {
  let kl = 0;
  let overlap = 0;
  const kk = Math.min(k, m);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < m; j++) {
      const lp = logP[i * m + j];
      s += Math.exp(lp) * (lp - logQ[i * m + j]);
    }
    kl += Math.max(s, 0);
    const a = topK(logP, i * m, m, kk);
    let hit = 0;
    for (const j of topK(logQ, i * m, m, kk)) if (a.has(j)) hit++;
    overlap += kk > 0 ? hit / kk : 1;
  }
  return { kl: n > 0 ? kl / n : 0, overlap: n > 0 ? overlap / n : 1 };
}

/** out (n × d) = P·V with P = exp(logP) (n × m), V (m × d). */
export function attend(logP: Float64Array, n: number, v: Matrix): Float64Array {
  const m = v.rows;
  const d = v.cols;
  const out = new Float64Array(n * d);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < m; j++) {
      const p = Math.exp(logP[i * m + j]);
      for (let t = 0; t < d; t++) out[i * d + t] += p * v.data[j * d + t];
    }
  return out;
}

/**
 * RoPE in the rotate_half layout on every head of width h: (x_i, x_{i+h/2}) at position p turns by
 * p·θ_i, θ_i = base^(−2i/h). `position(r)` is row r's position. An odd h leaves its last channel.
 */
export function applyRope(m: Matrix, h: number, base: number, position: (row: number) => number): Matrix {
  const d = m.cols;
  const half = Math.floor(h / 2);
  const out = new Float32Array(m.data);
  for (let r = 0; r < m.rows; r++) {
    const p = position(r);
    for (let from = 0; from + h <= d; from += h)
      for (let i = 0; i < half; i++) {
        const angle = p * Math.pow(base, (-2 * i) / h);
        const c = Math.cos(angle);
        const s = Math.sin(angle);
        const a = m.data[r * d + from + i];
        const b = m.data[r * d + from + i + half];
        out[r * d + from + i] = a * c - b * s;
        out[r * d + from + i + half] = b * c + a * s;
      }
  }
  return { rows: m.rows, cols: d, data: out };
}

/** Columns [from, from + w) of m. */
function slice(m: Matrix, from: number, w: number): Matrix {
  const data = new Float32Array(m.rows * w);
  for (let r = 0; r < m.rows; r++) data.set(m.data.subarray(r * m.cols + from, r * m.cols + from + w), r * w);
  return { rows: m.rows, cols: w, data };
}

/** Per-head log-softmax of q_h·K_hᵀ/√h. */
function headLogits(q: Matrix, k: Matrix, h: number): Float64Array[] {
  const out: Float64Array[] = [];
  for (let from = 0; from < q.cols; from += h)
    out.push(logSoftmaxRows(matmulT(slice(q, from, h), slice(k, from, h)), q.rows, k.rows, 1 / Math.sqrt(h)));
  return out;
}

/** Concatenated per-head outputs P_h·V_h, n × d. */
function attendHeads(logP: readonly Float64Array[], n: number, v: Matrix, h: number): Float64Array {
  const d = v.cols;
  const out = new Float64Array(n * d);
  logP.forEach((lp, head) => {
    const o = attend(lp, n, slice(v, head * h, h));
    for (let i = 0; i < n; i++) for (let t = 0; t < h; t++) out[i * d + head * h + t] = o[i * h + t];
  });
  return out;
}

function withMode(params: Params, mode: string): Params {
  return { ...params, mode };
}

const ATTENTION_PARAMS = defineParams({
  queries: { kind: 'int', default: 32, min: 1, max: 4096, step: 1, doc: 'Number of N(0,1) queries.' },
  topK: { kind: 'int', default: 8, min: 1, max: 1024, step: 1, doc: 'k of the top-k overlap.' },
  values: { kind: 'bool', default: true, doc: 'Quantize V too (the output error needs it).' },
  rope: {
    kind: 'enum',
    default: 'none',
    options: ['none', 'pre', 'post'],
    doc: 'RoPE on keys and queries: none; pre = quantize keys before RoPE (RotateKV); post = quantize RoPE(K).',
  },
  ropeBase: {
    kind: 'number',
    default: 10000,
    min: 2,
    max: 1e7,
    step: 1,
    doc: 'RoPE base θ (Llama 2: 10000; Llama 3: 500000).',
  },
  headDim: {
    kind: 'int',
    default: 0,
    min: 0,
    max: 65_536,
    step: 1,
    doc: 'Head dimension h: dim splits into dim/h heads with their own softmax and RoPE (0 = one head of width dim).',
  },
});

export const attentionAnalysis = defineAnalysis({
  id: 'attention',
  label: 'Attention with a quantized KV cache',
  description:
    'softmax(q·Kᵀ/√d) KL divergence and top-k overlap vs full precision, and attention-output error, per pipeline.',
  reference:
    'KIVI (Liu et al., ICML 2024) §3; QuaRot (Ashkboos et al., NeurIPS 2024) §3; Vaswani et al. 2017 §3.2.1.',
  params: ATTENTION_PARAMS,
  // Queries and V drawn; exact logits (a queries × keys × dim product) and log-softmax; per
  // pipeline its transform and quantizer on keys, queries and values, the quantized logits and,
  // with values, the two attention outputs p·V and p̂·V̂ (two more products).
  cost: (params, { rows, dim }, pipelines) => {
    const nq = params.queries;
    // Products and softmax are TypeScript loops (weight TS).
    const logits = TS * (matmulFlops(nq, rows, dim) + 20 * nq * rows);
    const withValues = params.values;
    const perPipeline = (p: (typeof pipelines)[number]) =>
      pipelineWork(2 * rows + nq, dim, [p]) + logits + (withValues ? TS * 2 * matmulFlops(nq, dim, rows) : 0);
    return TS * NORMAL_FLOPS * (nq + rows) * dim + logits + pipelines.reduce((a, p) => a + perPipeline(p), 0);
  },
  run(input, options) {
    const { data: keys, pipelines, rng } = input;
    const { queries: n, topK: k, values: quantizeValues, rope, headDim } = input.params;
    const d = keys.cols;
    const m = keys.rows;
    const q: Matrix = { rows: n, cols: d, data: new Float32Array(n * d) };
    rng.stream('analysis', 'attention', 'queries', n, d).fillNormal(q.data);
    const v: Matrix = { rows: m, cols: d, data: new Float32Array(m * d) };
    rng.stream('analysis', 'attention', 'values', m, d).fillNormal(v.data);
    if (rope !== 'none' || (headDim !== 0 && headDim !== d)) {
      const result: AttentionResult = {
        kind: 'attention',
        tokens: m,
        headDim: headDim || d,
        queries: n,
        topK: k,
        quantizeValues,
        rope,
        heads: d / (headDim || d),
        pipelines: multiHead(input, q, v, options),
      };
      return result;
    }
    const scale = 1 / Math.sqrt(d);
    const logP = logSoftmaxRows(matmulT(q, keys), n, m, scale);
    const o = attend(logP, n, v);
    const results = pipelines.map((p, i): AttentionPipelineResult => {
      if (options?.signal?.aborted) throw new Error('run cancelled');
      const prepared = prepareTransform(p, rng, keys);
      const kr = rotate(prepared, keys);
      const qr = rotate(prepared, q);
      const isKivi = p.quantizer.id === 'kivi';
      const kq = quantizeWith(p.quantizer, kr, rng);
      const logQ = logSoftmaxRows(matmulT(qr, kq.out), n, m, scale);
      const { kl, overlap } = attentionDivergence(logP, logQ, n, m, k);
      let vHat = v;
      let bitsValue = 0;
      if (quantizeValues) {
        const vr = rotate(prepared, v);
        const vq = quantizeWith(
          isKivi ? { id: 'kivi', params: withMode(p.quantizer.params, 'values') } : p.quantizer,
          vr,
          rng,
        );
        const back = new Float32Array(m * d);
        prepared.inverse(vq.out.data, m, back);
        vHat = { rows: m, cols: d, data: back };
        bitsValue = (vq.bits * prepared.outDim) / d;
      }
      options?.onProgress?.(i + 1, pipelines.length, `attention: ${pipelineLabel(p)}`);
      return {
        label: pipelineLabel(p),
        bitsKey: (kq.bits * prepared.outDim) / d,
        bitsValue,
        kl,
        topkOverlap: overlap,
        outputError: relativeError(o, attend(logQ, n, vHat)),
      };
    });
    const result: AttentionResult = {
      kind: 'attention',
      tokens: m,
      headDim: d,
      queries: n,
      topK: k,
      quantizeValues,
      pipelines: results,
    };
    return result;
  },
});

/** The RoPE / multi-head path of the attention view (see the header). */
function multiHead(
  input: TypedAnalysisInput<ParamsOf<typeof ATTENTION_PARAMS>>,
  q: Matrix,
  v: Matrix,
  options: AnalysisRunOptions | undefined,
): AttentionPipelineResult[] {
  const { data: keys, pipelines, rng } = input;
  const { headDim, rope, ropeBase: base, topK: k, values: quantizeValues } = input.params;
  const d = keys.cols;
  const m = keys.rows;
  const n = q.rows;
  const h = headDim || d;
  if (d % h !== 0) throw new Error(`attention: headDim ${h} does not divide the data dim ${d}`);
  const ropeOn = (x: Matrix, pos: (r: number) => number) =>
    rope === 'none' ? x : applyRope(x, h, base, pos);
  const qPos = ropeOn(q, () => m);
  const kPos = ropeOn(keys, (j) => j);
  const logP = headLogits(qPos, kPos, h);
  const o = attendHeads(logP, n, v, h);
  return pipelines.map((p, i): AttentionPipelineResult => {
    if (options?.signal?.aborted) throw new Error('run cancelled');
    const cached = rope === 'post' ? kPos : keys;
    const prepared = prepareTransform(p, rng, cached);
    const kq = quantizeWith(p.quantizer, rotate(prepared, cached), rng);
    const back = new Float32Array(m * d);
    prepared.inverse(kq.out.data, m, back);
    const kHat =
      rope === 'pre'
        ? applyRope({ rows: m, cols: d, data: back }, h, base, (j) => j)
        : { rows: m, cols: d, data: back };
    const logQ = headLogits(qPos, kHat, h);
    let kl = 0;
    let overlap = 0;
    logP.forEach((lp, head) => {
      const dv = attentionDivergence(lp, logQ[head], n, m, k);
      kl += dv.kl / logP.length;
      overlap += dv.overlap / logP.length;
    });
    let vHat = v;
    let bitsValue = 0;
    if (quantizeValues) {
      const vq = quantizeWith(
        p.quantizer.id === 'kivi'
          ? { id: 'kivi', params: withMode(p.quantizer.params, 'values') }
          : p.quantizer,
        rotate(prepared, v),
        rng,
      );
      const vb = new Float32Array(m * d);
      prepared.inverse(vq.out.data, m, vb);
      vHat = { rows: m, cols: d, data: vb };
      bitsValue = (vq.bits * prepared.outDim) / d;
    }
    options?.onProgress?.(i + 1, pipelines.length, `attention: ${pipelineLabel(p)}`);
    return {
      label: pipelineLabel(p),
      bitsKey: (kq.bits * prepared.outDim) / d,
      bitsValue,
      kl,
      topkOverlap: overlap,
      outputError: relativeError(o, attendHeads(logQ, n, vHat, h)),
    };
  });
}
