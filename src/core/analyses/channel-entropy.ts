/**
 * Joint vs marginal entropy of adjacent channel groups: the observation Coupled Quantization
 * builds on ("the joint entropy of multiple channels grows at a slower rate than the sum of their
 * marginal entropies", Zhang et al., "KV Cache is 1 Bit Per Channel: Efficient LLM Inference with
 * Coupled Quantization", NeurIPS 2024, §3, Fig. 1). Seeds CATALOGUE §1.F.4.
 *
 * Each channel (column of the data: rows = tokens) is binned into 2^bits equal-width bins over its
 * own [min, max] (a constant channel is one bin; the maximum falls in the last bin). For group
 * sizes c = 1, 2, 4, … ≤ maxChannels, every group of c adjacent channels (full groups only) gives
 *   marginal = Σ_j H(channel j),  joint = H(binned c-tuple),
 * both plug-in (empirical) entropies in bits from counts over the rows. Reported per channel
 * (divided by c), averaged over groups. By subadditivity joint ≤ marginal; the gap is the bits per
 * channel a joint code (CQ's codebook) can save over independent per-channel codes.
 *
 * Caveat, shown in the view: the plug-in joint entropy of N samples is at most log2(N) (every
 * tuple distinct), so for large c·bits it is limited by the sample size; `ceiling` = log2(rows)/c
 * says where that bites.
 */
import { defineParams } from '../methods/params';
import { defineAnalysis } from './define';
import { TS } from './analysis-cost';

export interface ChannelEntropyPoint {
  readonly channels: number;
  readonly groups: number;
  /** Mean over groups of Σ_j H(x_j) / c, bits per channel. */
  readonly marginalPerChannel: number;
  /** Mean over groups of H(x_1…x_c) / c, bits per channel. */
  readonly jointPerChannel: number;
  /** log2(rows) / c: the largest joint value N samples can show. */
  readonly ceilingPerChannel: number;
}

export interface ChannelEntropyResult {
  readonly kind: 'channel-entropy';
  readonly rows: number;
  readonly dim: number;
  readonly bits: number;
  readonly points: readonly ChannelEntropyPoint[];
}

/** Plug-in entropy in bits of the empirical distribution given by counts summing to n. */
export function entropyBits(counts: Iterable<number>, n: number): number {
  let h = 0;
  for (const c of counts) if (c > 0) h -= (c / n) * Math.log2(c / n);
  return h;
}

/** Bin index (0 … 2^bits − 1) of every entry, per column's own equal-width bins. */
export function binColumns(x: ArrayLike<number>, rows: number, d: number, bits: number): Int32Array {
  const levels = 2 ** bits;
  const out = new Int32Array(rows * d);
  for (let t = 0; t < d; t++) {
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = 0; i < rows; i++) {
      const v = x[i * d + t];
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    const width = (hi - lo) / levels;
    for (let i = 0; i < rows; i++) {
      const b = width > 0 ? Math.floor((x[i * d + t] - lo) / width) : 0;
      out[i * d + t] = Math.min(levels - 1, Math.max(0, b));
    }
  }
  return out;
}

const CHANNEL_ENTROPY_PARAMS = defineParams({
  bits: {
    kind: 'int',
    default: 2,
    min: 1,
    max: 8,
    step: 1,
    doc: 'Bins per channel = 2^bits (equal width over the channel’s range).',
  },
  maxChannels: {
    kind: 'int',
    default: 8,
    min: 1,
    max: 64,
    step: 1,
    doc: 'Largest group size c (c doubles from 1).',
  },
});

export const channelEntropyAnalysis = defineAnalysis({
  id: 'channel-entropy',
  label: 'Joint vs marginal channel entropy',
  description:
    'Plug-in entropy of groups of c adjacent channels (binned) vs the sum of their marginal entropies, per channel, for c = 1, 2, 4, … up to maxChannels.',
  reference:
    'Zhang et al., KV Cache is 1 Bit Per Channel: Efficient LLM Inference with Coupled Quantization, NeurIPS 2024, §3 (Fig. 1).',
  params: CHANNEL_ENTROPY_PARAMS,
  // Binning and marginal counts (a few per entry), then per group size c a string key of c bins
  // per group and row (≈ 40 operations per bin appended) and a map update (≈ 100) per group and row.
  cost: (params, { rows, dim }) => {
    let work = 10 * rows * dim;
    for (let c = 1; c <= Math.min(params.maxChannels, dim); c *= 2) {
      const groups = Math.floor(dim / c);
      work += rows * groups * (40 * c + 100);
    }
    return TS * work;
  },
  run(input) {
    const { data, params: p } = input;
    const rows = data.rows;
    const d = data.cols;
    const bits = p.bits;
    const bins = binColumns(data.data, rows, d, bits);
    const levels = 2 ** bits;
    const marg = new Float64Array(d);
    for (let t = 0; t < d; t++) {
      const counts = new Float64Array(levels);
      for (let i = 0; i < rows; i++) counts[bins[i * d + t]]++;
      marg[t] = entropyBits(counts, rows);
    }
    const points: ChannelEntropyPoint[] = [];
    for (let c = 1; c <= Math.min(p.maxChannels, d); c *= 2) {
      const groups = Math.floor(d / c);
      let m = 0;
      let j = 0;
      for (let g = 0; g < groups; g++) {
        const counts = new Map<string, number>();
        for (let i = 0; i < rows; i++) {
          let key = '';
          for (let q = 0; q < c; q++) key += `${bins[i * d + g * c + q]},`;
          counts.set(key, (counts.get(key) ?? 0) + 1);
        }
        j += entropyBits(counts.values(), rows);
        for (let q = 0; q < c; q++) m += marg[g * c + q];
      }
      points.push({
        channels: c,
        groups,
        marginalPerChannel: m / (groups * c),
        jointPerChannel: j / (groups * c),
        ceilingPerChannel: Math.log2(rows) / c,
      });
    }
    const result: ChannelEntropyResult = { kind: 'channel-entropy', rows, dim: d, bits, points };
    return result;
  },
});
