/**
 * Coupled Quantization (CQ): quantize c adjacent channels jointly with a learned codebook, so the
 * cost per channel is log2(K)/c bits and inter-channel dependence is exploited.
 *
 * Reference: Tianyi Zhang, Jonah Yi, Zhaozhuo Xu & Anshumali Shrivastava, "KV Cache is 1 Bit Per
 * Channel: Efficient Large Language Model Inference with Coupled Quantization", NeurIPS 2024
 * (arXiv:2405.03917), §3 (the joint entropy of channel groups grows slower than the sum of the
 * marginals, Fig. 1–2) and §4 (channels split into contiguous groups of c, one codebook of K = 2^B
 * centroids per group learned by k-means on calibration activations; CQ-<c>c<B>b, e.g. 8c8b =
 * 1 bit per channel). Seeds CATALOGUE §1.F.4.
 *
 * Here (rows = tokens, d = channels): every group of c adjacent channels (the last may be shorter)
 * gets K' = min(2^B, rows) centroids from k-means++ seeding and `iters` Lloyd iterations
 * (src/core/linalg/kmeans.ts) fitted on the data itself (the lab has no separate calibration set),
 * seeded from ctx.rng.stream('sketch', 'coupled', group, c, B, d) so a seed fixes every codebook.
 * Centroids are stored in fp16; each token's sub-vector is coded by its nearest stored centroid.
 * The paper's Fisher-guided centroid weighting needs gradients and is not modelled (its uniform
 * k-means variant is).
 *
 * Bits per coordinate, G = ⌈d/c⌉ groups of widths c_g:
 *   [rows·G·B + Σ_g K'·c_g·16] / (rows·d)  (= B/c + codebook, e.g. 1 + 16·K'/rows for 8c8b)
 */
import { roundToFp16 } from '../../formats/fp16';
import { kmeans } from '../../linalg/kmeans';
import { defineParams, typedParams, type ParamsOf } from '../params';
import type { QuantizerContext, QuantizerDef } from '../types';

/** fp16 rounding that saturates at ±65504 (a stored centroid is never Inf). */
function fp16Saturating(x: number): number {
  return Math.max(-65504, Math.min(65504, roundToFp16(x)));
}

export interface CoupledCodebook {
  /** First channel and width of the group. */
  readonly from: number;
  readonly width: number;
  /** K' × width centroids as stored (fp16-rounded). */
  readonly centroids: Float64Array;
  /** Index of each token's centroid. */
  readonly codes: Int32Array;
  /** k-means objective per iteration (before fp16 rounding). */
  readonly objective: readonly number[];
}

export const COUPLED_PARAMS = defineParams({
  channels: {
    kind: 'int',
    default: 8,
    min: 1,
    max: 64,
    step: 1,
    doc: 'Channels c coupled in one group (CQ: 2, 4, 8).',
  },
  codeBits: {
    kind: 'int',
    default: 8,
    min: 1,
    max: 12,
    step: 1,
    doc: 'Bits B per group code, K = 2^B centroids (CQ-8c8b: 1 bit per channel).',
  },
  iters: {
    kind: 'int',
    default: 10,
    min: 0,
    max: 100,
    step: 1,
    doc: 'Lloyd iterations after k-means++ seeding.',
  },
});

/** Fit every group's codebook (for tests and views); `quantize` decodes these. */
export function coupledCodebooks(
  input: Float32Array,
  rows: number,
  d: number,
  p: ParamsOf<typeof COUPLED_PARAMS>,
  ctx: QuantizerContext,
): CoupledCodebook[] {
  const c = p.channels;
  const bits = p.codeBits;
  const iters = p.iters;
  const out: CoupledCodebook[] = [];
  for (let from = 0, g = 0; from < d; from += c, g++) {
    const w = Math.min(c, d - from);
    const sub = new Float64Array(rows * w);
    for (let i = 0; i < rows; i++) for (let q = 0; q < w; q++) sub[i * w + q] = input[i * d + from + q];
    const rng = ctx.rng.stream('sketch', 'coupled', g, c, bits, d);
    const km = kmeans(sub, rows, w, 2 ** bits, iters, rng);
    const cent = km.centroids.map(fp16Saturating);
    const k = cent.length / w;
    const codes = new Int32Array(rows);
    for (let i = 0; i < rows; i++) {
      let best = 0;
      let bd = Infinity;
      for (let j = 0; j < k; j++) {
        let s = 0;
        for (let q = 0; q < w; q++) {
          const diff = sub[i * w + q] - cent[j * w + q];
          s += diff * diff;
        }
        if (s < bd) {
          bd = s;
          best = j;
        }
      }
      codes[i] = best;
    }
    out.push({ from, width: w, centroids: cent, codes, objective: km.objective });
  }
  return out;
}

export const coupledQuantizer: QuantizerDef = {
  id: 'coupled',
  label: 'Coupled quantization (CQ)',
  description:
    'c adjacent channels coded jointly by a k-means codebook of 2^B fp16 centroids per group: B/c bits per channel plus the codebook.',
  reference:
    'Zhang et al., KV Cache is 1 Bit Per Channel: Efficient LLM Inference with Coupled Quantization, NeurIPS 2024, §3–4.',
  params: COUPLED_PARAMS,
  quantize(input, rows, d, params, ctx, out) {
    for (const book of coupledCodebooks(input, rows, d, typedParams(COUPLED_PARAMS, params), ctx)) {
      const w = book.width;
      for (let i = 0; i < rows; i++) {
        const j = book.codes[i];
        for (let q = 0; q < w; q++) out[i * d + book.from + q] = book.centroids[j * w + q];
      }
    }
  },
  bitsPerCoord(params, rows, d) {
    const p = typedParams(COUPLED_PARAMS, params);
    const c = p.channels;
    const bits = p.codeBits;
    const k = Math.min(2 ** bits, rows);
    const groups = Math.ceil(d / c);
    // Σ_g c_g = d, so the codebooks together hold K'·d fp16 values.
    return (rows * groups * bits + k * d * 16) / (rows * d);
  },
  describe(params) {
    const p = typedParams(COUPLED_PARAMS, params);
    return `${p.channels}c${p.codeBits}b`;
  },
};
