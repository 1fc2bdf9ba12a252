/**
 * RotateKV: 2-bit KV-cache quantization after an outlier-aware rotation, with attention sinks
 * kept in high precision.
 *
 * Reference: Zunhai Su et al., "RotateKV: Accurate and Robust 2-Bit KV Cache
 * Quantization for LLMs via Outlier-Aware Adaptive Rotations", IJCAI 2025 (arXiv:2501.16383), §3:
 *  (i) Outlier-Aware Rotation: channels are reordered by a calibrated per-channel statistic before
 *      the fast Walsh–Hadamard transform, so each Hadamard block (and the per-token quantization
 *      group it feeds) mixes channels of similar magnitude instead of spreading a few outlier
 *      channels over every group, and the FWHT keeps its O(d log d) cost;
 * (ii) Pre-RoPE Grouped-Head Rotation: the rotation spans a group of heads (block = heads per
 *      group × head dim) and is applied to keys before RoPE, whose position-dependent pairwise
 *      rotations would otherwise move the outliers between channels token by token (the attention
 *      analysis's `rope` param applies RoPE before or after the pipeline to show this);
 * (iii) Attention-Sink-Aware Quantization: tokens with massive activations (the attention sinks)
 *      are found from those activations and kept in 16 bits.
 * Seeds CATALOGUE §1.F.2.
 *
 * Here (rows = tokens, d = channels of all heads side by side):
 *  1. sinks: the `sinks` tokens with the largest max |x| (ties to the lower index) are stored in
 *     fp16 with their token index and skip steps 2–4;
 *  2. reorder (if on): channels sorted by mean |x| over the other tokens, descending (the authors'
 *     calibration sorts channel sums of calibration keys; the lab fits on the data it is given),
 *     stored as a permutation of d indices;
 *  3. rotate: orthonormal FWHT on consecutive blocks of `block` channels (a power of two: the
 *     grouped-head size, capped at the largest power of two ≤ d); a trailing d mod block channels
 *     are left unrotated;
 *  4. quantize: `int` asymmetric min–max per token, groups of `group` channels (fp16 scale + b-bit
 *     zero-point), then everything is inverted.
 *
 * Bits per coordinate, N = rows·d, s = min(sinks, rows), T = rows − s:
 *   [T·d·b + T·⌈d/group⌉·(16 + b) + s·(16·d + ⌈log2 rows⌉) + (reorder ? d·⌈log2 d⌉ : 0)] / N
 */
import { roundToFp16 } from '../../formats/fp16';
import { fwhtOrthonormalInPlace } from '../../linalg/fwht';
import { descendingOrder, permutationBits, permuteRows, unpermuteRows } from '../../linalg/permutation';
import { defineParams, typedParams, withDefaults } from '../params';
import type { QuantizerDef } from '../types';
import { intQuantizer } from './int';

/** The s tokens with the largest max |x| (massive activations), ascending token order. */
export function sinkTokens(x: Float32Array, rows: number, d: number, s: number): Int32Array {
  const peak = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    let m = 0;
    for (let t = 0; t < d; t++) m = Math.max(m, Math.abs(x[i * d + t]));
    peak[i] = m;
  }
  return descendingOrder(peak).slice(0, Math.min(s, rows)).sort();
}

/** Channel order of step 2: mean |x| over the non-sink tokens, descending. */
export function rotatekvChannelOrder(x: Float32Array, rows: number, d: number, skip: Uint8Array): Int32Array {
  const mag = new Float64Array(d);
  for (let i = 0; i < rows; i++) {
    if (skip[i]) continue;
    for (let t = 0; t < d; t++) mag[t] += Math.abs(x[i * d + t]);
  }
  return descendingOrder(mag);
}

/** The FWHT block used: `block`, capped at the largest power of two ≤ d. */
export function rotatekvBlock(block: number, d: number): number {
  let b = 1;
  while (b * 2 <= d) b *= 2;
  return Math.min(block, b);
}

function rotateBlocks(y: Float32Array, rows: number, d: number, block: number): void {
  if (block <= 1) return;
  for (let i = 0; i < rows; i++)
    for (let from = 0; from + block <= d; from += block) fwhtOrthonormalInPlace(y, i * d + from, block);
}

const ROTATEKV_PARAMS = defineParams({
  bits: { kind: 'int', default: 2, min: 2, max: 8, step: 1, doc: 'Bits per code (RotateKV: 2).' },
  group: {
    kind: 'int',
    default: 128,
    min: 8,
    max: 4096,
    step: 1,
    doc: 'Channels per quantization group within a token (fp16 scale + b-bit zero-point).',
  },
  block: {
    kind: 'int',
    default: 128,
    min: 1,
    max: 4096,
    step: 1,
    powerOfTwo: true,
    doc: 'FWHT block in channels: heads per rotation group × head dim (1 = no rotation).',
  },
  reorder: {
    kind: 'bool',
    default: true,
    doc: 'Outlier-aware channel reordering (by mean |x|, descending) before the FWHT; the permutation is charged.',
  },
  sinks: {
    kind: 'int',
    default: 4,
    min: 0,
    max: 1_048_576,
    step: 1,
    doc: 'Tokens with the largest activation (attention sinks) kept in fp16 with their index.',
  },
  rounding: {
    kind: 'enum',
    default: 'nearest',
    options: ['nearest', 'stochastic'],
    doc: 'Round to nearest (ties to even) or stochastically (unbiased, seeded).',
  },
});

export const rotatekvQuantizer: QuantizerDef = {
  id: 'rotatekv',
  label: 'RotateKV',
  description:
    'KV cache at 2 bits: channel reordering by magnitude, block FWHT (grouped heads), per-token int groups, sink tokens in fp16.',
  reference:
    'Su et al., RotateKV: Accurate and Robust 2-Bit KV Cache Quantization for LLMs via Outlier-Aware Adaptive Rotations, IJCAI 2025, §3.',
  params: ROTATEKV_PARAMS,
  quantize(input, rows, d, params, ctx, out) {
    const p = typedParams(ROTATEKV_PARAMS, params);
    const sinks = sinkTokens(input, rows, d, p.sinks);
    const isSink = new Uint8Array(rows);
    for (const i of sinks) isSink[i] = 1;
    const kept: number[] = [];
    for (let i = 0; i < rows; i++) if (!isSink[i]) kept.push(i);
    const T = kept.length;
    const order = p.reorder
      ? rotatekvChannelOrder(input, rows, d, isSink)
      : Int32Array.from({ length: d }, (_, j) => j);
    const x = new Float32Array(T * d);
    for (let k = 0; k < T; k++) x.set(input.subarray(kept[k] * d, kept[k] * d + d), k * d);
    const y = new Float32Array(T * d);
    permuteRows(x, T, d, order, y);
    const block = rotatekvBlock(p.block, d);
    rotateBlocks(y, T, d, block);
    const q = new Float32Array(T * d);
    const intParams = withDefaults(intQuantizer.params, {
      bits: p.bits,
      granularity: 'group',
      group: p.group,
      symmetric: false,
      rounding: p.rounding,
    });
    intQuantizer.quantize(y, T, d, intParams, ctx, q);
    rotateBlocks(q, T, d, block);
    unpermuteRows(q, T, d, order, x);
    for (let k = 0; k < T; k++) out.set(x.subarray(k * d, k * d + d), kept[k] * d);
    for (const i of sinks)
      for (let t = 0; t < d; t++)
        out[i * d + t] = Math.max(-65504, Math.min(65504, roundToFp16(input[i * d + t])));
  },
  bitsPerCoord(params, rows, d) {
    const p = typedParams(ROTATEKV_PARAMS, params);
    const b = p.bits;
    const s = Math.min(p.sinks, rows);
    const T = rows - s;
    const indexBits = rows > 1 ? Math.ceil(Math.log2(rows)) : 1;
    const total =
      T * d * b +
      T * Math.ceil(d / p.group) * (16 + b) +
      s * (16 * d + indexBits) +
      (p.reorder ? permutationBits(d) : 0);
    return total / (rows * d);
  },
  describe(params) {
    const p = typedParams(ROTATEKV_PARAMS, params);
    const ro = p.reorder ? ' reorder' : '';
    const sr = p.rounding === 'stochastic' ? ' sr' : '';
    return `b=${p.bits} g${p.group} H${p.block}${ro} sinks=${p.sinks}${sr}`;
  },
};
