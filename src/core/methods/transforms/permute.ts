/**
 * Channel permutation (reordering) before block quantization: y_j = x_{π(j)}, a data-dependent
 * permutation of the dim coordinates fitted on ctx.data, so that the blocks a block quantizer forms
 * (BFP, MX, int g) hold channels of similar or of balanced magnitude.
 *
 * Modes (per channel j over the rows of ctx.data: amax_j = max_i |x_ij|, norm_j = ‖x_·j‖₂):
 *  - amax: channels sorted by decreasing amax_j, so outlier channels share blocks and the others
 *    get small scales (RotateKV's outlier-aware channel reordering; the reordering of "Accurate
 *    Block Quantization in LLMs with Outliers", Trukhanov & Soloveychik, arXiv:2403.20137).
 *  - norm: channels sorted by decreasing norm_j: that paper's K-sort (its channels are the rows
 *    of W_k sorted by norm, fixed at compile time).
 *  - zigzag: DuQuant's zigzag permutation (Lin et al., NeurIPS 2024, §3.2, and its reference code
 *    permutation_zigzag): channels sorted by decreasing amax_j are dealt to the ⌈dim/B⌉ blocks of
 *    B in the order 0, 1, …, K−1, K−1, …, 0, 0, 1, … (the turning block takes two in a row), so
 *    block maxima even out; within a block, channels keep the deal order (decreasing amax). A full
 *    block (the last one when B does not divide dim) is skipped in the deal.
 *  - massdiff: balance the block masses. "massdiff" has no definition in the seed papers, their
 *    catalogue or DuQuant's code; this file defines it as the greedy longest-processing-time
 *    balancing that the zigzag deal approximates (DuQuant §3.2 motivates the zigzag by evening out
 *    the blocks' outlier mass): channels in decreasing amax_j each go to the non-full block whose
 *    total mass Σ amax is smallest so far (ties: lowest block index), which keeps the difference
 *    between the heaviest and lightest block at most one channel's mass.
 * Ties in the sort keys go to the lower channel index (stable).
 *
 * Bits: every mode is computed from the data (zigzag too: it deals channels sorted by their
 * magnitudes, so it is not a fixed, data-oblivious permutation), so the permutation is side
 * information: dim·⌈log2 dim⌉ bits over the rows × dim matrix (sideInfoBits), i.e. ⌈log2 dim⌉/rows
 * per coordinate. A fixed data-independent permutation would be free; none is offered here.
 * Orthogonal, outDim = dim (no padding), inverse ∘ forward = identity exactly (a copy).
 */
import { defineParams, typedParams, type ParamValueOf } from '../params';
import type { Matrix, TransformDef } from '../types';

export const PERMUTE_MODES = ['amax', 'norm', 'zigzag', 'massdiff'] as const;

export const PERMUTE_PARAMS = defineParams({
  mode: {
    kind: 'enum',
    default: 'amax',
    options: PERMUTE_MODES,
    doc: 'amax / norm: sort channels by decreasing max |x| / norm; zigzag: DuQuant deal to blocks; massdiff: balance block masses.',
  },
  block: {
    kind: 'int',
    default: 32,
    min: 1,
    max: 4096,
    step: 1,
    doc: 'Block size the zigzag and massdiff modes balance over (set it to the quantizer’s block).',
  },
});

/** ⌈log2 n⌉ for an integer n ≥ 1, exactly. */
export function ceilLog2(n: number): number {
  let k = 0;
  while (2 ** k < n) k++;
  return k;
}

/** Per-channel max |x| and Euclidean norm over the rows of a rows × dim matrix. */
function channelStats(data: Matrix): { amax: Float64Array; norm: Float64Array } {
  const { rows, cols: dim } = data;
  const amax = new Float64Array(dim);
  const sq = new Float64Array(dim);
  for (let r = 0; r < rows; r++)
    for (let j = 0; j < dim; j++) {
      const v = data.data[r * dim + j];
      const a = Math.abs(v);
      if (a > amax[j]) amax[j] = a;
      sq[j] += v * v;
    }
  return { amax, norm: sq.map(Math.sqrt) };
}

/** Channel indices by decreasing key, ties to the lower index. */
function byDecreasing(key: Float64Array): number[] {
  return Array.from(key, (_, i) => i).sort((a, b) => key[b] - key[a] || a - b);
}

/** DuQuant's zigzag deal (header); perm[newPosition] = old channel. */
export function zigzagDeal(amax: Float64Array, B: number): Int32Array {
  const dim = amax.length;
  const K = Math.ceil(dim / B);
  const cap = Array.from({ length: K }, (_, k) => Math.min(B, dim - k * B));
  const members: number[][] = Array.from({ length: K }, () => []);
  let cur = 0;
  let up = true;
  const advance = () => {
    if (up) {
      if (cur === K - 1) up = false;
      else cur++;
    } else if (cur === 0) up = true;
    else cur--;
  };
  for (const ch of byDecreasing(amax)) {
    while (members[cur].length >= cap[cur]) advance();
    members[cur].push(ch);
    advance();
  }
  return Int32Array.from(members.flat());
}

/** Greedy block-mass balancing (header "massdiff"); perm[newPosition] = old channel. */
export function massBalance(amax: Float64Array, B: number): Int32Array {
  const dim = amax.length;
  const K = Math.ceil(dim / B);
  const members: number[][] = Array.from({ length: K }, () => []);
  const mass = new Float64Array(K);
  for (const ch of byDecreasing(amax)) {
    let best = -1;
    for (let k = 0; k < K; k++) {
      if (members[k].length >= Math.min(B, dim - k * B)) continue;
      if (best < 0 || mass[k] < mass[best]) best = k;
    }
    members[best].push(ch);
    mass[best] += amax[ch];
  }
  return Int32Array.from(members.flat());
}

/** The permutation of a mode fitted on `data`; perm[newPosition] = old channel. */
export function channelPermutation(
  data: Matrix,
  mode: ParamValueOf<(typeof PERMUTE_PARAMS)['mode']>,
  B: number,
): Int32Array {
  const { amax, norm } = channelStats(data);
  if (mode === 'amax') return Int32Array.from(byDecreasing(amax));
  if (mode === 'norm') return Int32Array.from(byDecreasing(norm));
  if (mode === 'zigzag') return zigzagDeal(amax, B);
  if (mode === 'massdiff') return massBalance(amax, B);
  // Unreachable for validated params; kept for a clear message if an unchecked mode gets here.
  throw new RangeError(`permute: unknown mode "${String(mode)}" (expected ${PERMUTE_MODES.join(', ')})`);
}

export const permuteTransform: TransformDef = {
  id: 'permute',
  label: 'Channel permutation',
  description:
    'Reorder channels before blocking: sort by amax or norm (BFP K-sort, RotateKV), DuQuant zigzag, or mass balancing; the permutation is charged.',
  reference:
    'Trukhanov & Soloveychik, Accurate Block Quantization in LLMs with Outliers, arXiv:2403.20137 (K-sort); DuQuant, NeurIPS 2024, §3.2 (zigzag); RotateKV (channel reordering).',
  params: PERMUTE_PARAMS,
  // A permutation matrix is orthogonal (inverse = transpose).
  orthogonal: true,
  outDim: (_params, dim) => dim,
  sideInfoBits: (_params, _rows, dim) => dim * ceilLog2(dim),
  prepare(params, ctx) {
    const { dim, data } = ctx;
    if (data.cols !== dim)
      throw new RangeError(`permute: data has ${data.cols} columns, expected dim ${dim}`);
    const p = typedParams(PERMUTE_PARAMS, params);
    const perm = channelPermutation(data, p.mode, p.block);
    return {
      outDim: dim,
      forward(input, rows, out) {
        for (let r = 0; r < rows; r++) {
          const base = r * dim;
          for (let j = 0; j < dim; j++) out[base + j] = input[base + perm[j]];
        }
      },
      inverse(input, rows, out) {
        for (let r = 0; r < rows; r++) {
          const base = r * dim;
          for (let j = 0; j < dim; j++) out[base + perm[j]] = input[base + j];
        }
      },
    };
  },
};
