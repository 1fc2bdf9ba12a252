/**
 * QJL key cache with outlier channels: the key rows are split into inlier and outlier channels and
 * each part gets its own 1-bit QJL sketch and its own stored norm.
 *
 * Reference: Zandieh, Daliri, Han, "QJL: 1-Bit Quantized JL Transform for KV Cache Quantization
 * with Zero Overhead", arXiv 2406.03482 (AAAI 2025). §3, Definition 3.1 and Algorithm 1: the QJL map
 * and its unbiased estimator (qjl.ts). §4.1 "Practical Consideration / Outliers": in deeper layers
 * "certain fixed coordinates of key embeddings consistently exhibit large magnitudes, and this
 * pattern persists within these channels across all tokens". Because the score distortion of
 * Theorem 3.6 grows with the key norms, the outlier channels are isolated and "quantize[d] using an
 * independent instance of our QJL quantizer but with a lower compression rate". §1 says how they
 * are found: "we identify these outlier channels during the prompt phase and simply apply two
 * independent copies of our quantizer to the outliers and inliers separately".
 * The authors' code (github.com/amirzandieh/QJL, models/llama2_utils_qjl.py and
 * qjl_kernel/csrc) gives the details this file follows. Per (batch, head), the prompt's key tokens
 * are cut into groups of 32 tokens. In each group the outlier channels are the top-o channels by
 * L2 norm over the group's tokens (o = 8 by default). Both parts are sketched with the same Gaussian
 * S restricted to disjoint columns, the outliers with only its first m_o rows. The norms are
 * stored in the model dtype. That code stores ‖k‖ and ‖k_out‖ and recovers ‖k_in‖ from them, which
 * is two norms per token, the count charged here.
 *
 * Here rows = key tokens of one head (oldest first) and columns = the d channels. For each group of
 * `group` consecutive rows (0: all rows form one group, i.e. one identification per head during
 * the prompt) the set O of the o = min(outliers, d) channels with the largest Σ_t k_tj² over the
 * group is picked, ties to the lower channel index. Each row k splits into k_in (the channels not
 * in O, d − o of them) and k_out (the channels in O). Write Sₘ for the first m rows of
 * S = makeSketch(ctx, max(m, m_o), d) (the qjl.ts sketch, stream ('sketch', max(m, m_o), d)).
 *   inliers:  store sign(Sₘ[:, ∉O]·k_in) ∈ {±1}^m and ‖k_in‖;  outliers: sign(S_{m_o}[:, O]·k_out) and ‖k_out‖;
 *   k̂ = P_in·qjl(k_in) + P_out·qjl(k_out), each qjl(·) = √(π/2)/m·‖·‖·Sᵀ sign(S·), via qjlEstimateBlock.
 * P_in and P_out place each part back on its own channels, so ⟨q, k̂⟩ is the authors' score
 * (q_in against the inlier sketch, q_out against the outlier sketch). Unbiased: the two sketches
 * use disjoint columns of S, so they are independent Gaussian matrices, each QJL part is unbiased
 * (qjl.ts), and O depends only on the data. Hence E k̂ = k and E⟨q, k̂⟩ = ⟨q, k⟩ for every q.
 * The two part errors are independent with mean zero, so they add: E‖k̂ − k‖² = ((π/2)(d−o) − 1)/m·‖k_in‖² +
 * ((π/2)·o − 1)/m_o·‖k_out‖² (qjl.ts' exact moment per part). When the outlier channels carry most
 * of ‖k‖², the large term is spread over only o dimensions. A uniform query meets it with weight
 * o/d, which is why the paper's split lowers the score distortion.
 * S is i.i.d. N(0,1) as in Definition 3.1, where unbiasedness is exact. The paper's experiments
 * QR-orthogonalise S (§4.1), which changes the constant, so it is not used here. The authors' code
 * keeps the newest tokens (rows mod 128) in fp16 until a 128-token buffer fills. Here every row
 * is quantized, as in qjl.ts.
 *
 * Norms are stored as fp32 (rounded with Math.fround before use), the same as qjl.ts, so the
 * comparison with plain `qjl` is like for like. Channel indices take ⌈log2 d⌉ bits each (1 if
 * d = 1), one set of o indices per group.
 * Bits per coordinate, with G = ⌈rows/group⌉ groups (G = 1 for group = 0), o = min(outliers, d),
 * [a] = 1 if the part is non-empty:
 *   [rows·(m + 32)·[d−o > 0] + rows·(m_o + 32)·[o > 0] + G·o·⌈log2 d⌉·[0 < o < d]] / (rows·d),
 * for example d = 128, m = 128, m_o = 64, o = 8, group = 32: 1 + 0.5 + 0.5 + 56/4096 = 2.0137.
 */
import { defineParams, typedParams, type ParamsOf } from '../params';
import type { DenseProducts, QuantizerDef } from '../types';
import { makeSketch, QJL_BLOCK_ROWS, qjlEstimateBlock, sketchRows } from './qjl';

const QJL_KV_PARAMS = defineParams({
  sketch: {
    kind: 'int',
    default: 0,
    min: 0,
    max: 16384,
    step: 1,
    doc: 'inlier sketch rows m (0 means m = d); m sign bits per token',
  },
  outlierSketch: {
    kind: 'int',
    default: 0,
    min: 0,
    max: 16384,
    step: 1,
    doc: 'outlier sketch rows m_o (0 means m_o = m, as the authors’ deeper layers); m_o sign bits per token',
  },
  outliers: {
    kind: 'int',
    default: 8,
    min: 0,
    max: 65_536,
    step: 1,
    doc: 'outlier channels o per group, the top-o by channel norm (authors’ code: 8; paper Fig. 2: about 4)',
  },
  group: {
    kind: 'int',
    default: 32,
    min: 0,
    max: 1_048_576,
    step: 1,
    doc: 'tokens per outlier identification (authors’ code: 32); 0 = one set for all rows',
  },
});

type QjlKvParams = ParamsOf<typeof QJL_KV_PARAMS>;

/** ⌈log2 d⌉ bits per stored channel index (1 when d = 1). */
function indexBits(d: number): number {
  return d > 1 ? Math.ceil(Math.log2(d)) : 1;
}

function outlierCount(p: QjlKvParams, d: number): number {
  return Math.min(p.outliers, d);
}

/** Outlier sketch rows m_o: 0 means the same as the inlier sketch m (the authors' deeper-layer setting). */
function outlierSketchRows(p: QjlKvParams, d: number): number {
  const mo = p.outlierSketch;
  return mo === 0 ? sketchRows(p.sketch, d) : mo;
}

/**
 * The `count` channels with the largest Σ_t x_tj² over rows [r0, r1), ties to the lower index,
 * returned ascending (the paper §4.1 and the authors' per-group top-k of channel norms).
 */
export function qjlKvOutlierChannels(
  input: Float32Array,
  d: number,
  r0: number,
  r1: number,
  count: number,
): number[] {
  const energy = new Float64Array(d);
  for (let t = r0; t < r1; t++) {
    const base = t * d;
    for (let j = 0; j < d; j++) energy[j] += input[base + j] * input[base + j];
  }
  const order = Array.from({ length: d }, (_, j) => j).sort((a, b) => energy[b] - energy[a] || a - b);
  return order.slice(0, count).sort((a, b) => a - b);
}

/** Columns `cols` of the first `m` rows of the row-major sketch (stride d), as an m × cols.length matrix. */
function subSketch(sketch: Float32Array, d: number, m: number, cols: readonly number[]): Float32Array {
  const w = cols.length;
  const out = new Float32Array(m * w);
  for (let i = 0; i < m; i++) for (let c = 0; c < w; c++) out[i * w + c] = sketch[i * d + cols[c]];
  return out;
}

/**
 * QJL of the rows [r0, r1) restricted to channels `cols`, written back to those channels of `out`:
 * gathers blocks of QJL_BLOCK_ROWS rows, runs qjlEstimateBlock, then replaces the float64 norm the
 * kernel used by its fp32 value (the stored one).
 */
function sketchPart(
  input: Float32Array,
  out: Float32Array,
  d: number,
  r0: number,
  r1: number,
  cols: readonly number[],
  sub: Float32Array,
  m: number,
  dense: DenseProducts | undefined,
): void {
  const w = cols.length;
  const block = new Float64Array(QJL_BLOCK_ROWS * w);
  const acc = new Float64Array(QJL_BLOCK_ROWS * w);
  for (let b0 = r0; b0 < r1; b0 += QJL_BLOCK_ROWS) {
    const count = Math.min(QJL_BLOCK_ROWS, r1 - b0);
    for (let k = 0; k < count; k++)
      for (let c = 0; c < w; c++) block[k * w + c] = input[(b0 + k) * d + cols[c]];
    qjlEstimateBlock(sub, m, w, block, count, acc, dense);
    for (let k = 0; k < count; k++) {
      let n2 = 0;
      for (let c = 0; c < w; c++) n2 += block[k * w + c] * block[k * w + c];
      const n = Math.sqrt(n2);
      const fix = n > 0 ? Math.fround(n) / n : 0;
      for (let c = 0; c < w; c++) out[(b0 + k) * d + cols[c]] = acc[k * w + c] * fix;
    }
  }
}

export const qjlKvQuantizer: QuantizerDef = {
  id: 'qjl-kv',
  label: 'QJL keys + outliers',
  description:
    'QJL key cache: top-o channels by norm (per token group) get their own sketch and norm, the inliers another',
  reference:
    'Zandieh, Daliri, Han, "QJL: 1-Bit Quantized JL Transform for KV Cache Quantization with Zero Overhead", arXiv 2406.03482, §3 and §4.1 (outliers)',
  params: QJL_KV_PARAMS,
  quantize(input, rows, d, params, ctx, out) {
    const p = typedParams(QJL_KV_PARAMS, params);
    const m = sketchRows(p.sketch, d);
    const mo = outlierSketchRows(p, d);
    const o = outlierCount(p, d);
    const g = p.group === 0 ? Math.max(rows, 1) : p.group;
    const sketch = makeSketch(ctx, Math.max(m, o > 0 ? mo : 0), d);
    // One pair of sub-sketches per distinct outlier set: with fixed outlier channels every group
    // reuses the same arrays, so the WASM kernel keeps them resident (claim() keys on identity).
    const subs = new Map<string, { inl: number[]; sIn: Float32Array; sOut: Float32Array }>();
    for (let r0 = 0; r0 < rows; r0 += g) {
      const r1 = Math.min(rows, r0 + g);
      const outl = qjlKvOutlierChannels(input, d, r0, r1, o);
      const key = outl.join(',');
      let s = subs.get(key);
      if (!s) {
        const isOut = new Uint8Array(d);
        for (const j of outl) isOut[j] = 1;
        const inl: number[] = [];
        for (let j = 0; j < d; j++) if (!isOut[j]) inl.push(j);
        s = { inl, sIn: subSketch(sketch, d, m, inl), sOut: subSketch(sketch, d, mo, outl) };
        subs.set(key, s);
      }
      // Sketch products in the config's arithmetic (numerics.denseProducts, CONTRACT.md §5.2).
      const dense = ctx.denseProducts;
      if (s.inl.length > 0) sketchPart(input, out, d, r0, r1, s.inl, s.sIn, m, dense);
      if (outl.length > 0) sketchPart(input, out, d, r0, r1, outl, s.sOut, mo, dense);
    }
  },
  bitsPerCoord(params, rows, d) {
    const p = typedParams(QJL_KV_PARAMS, params);
    const m = sketchRows(p.sketch, d);
    const mo = outlierSketchRows(p, d);
    const o = outlierCount(p, d);
    const g = p.group;
    const groups = g === 0 ? 1 : Math.ceil(rows / g);
    let total = 0;
    if (d - o > 0) total += rows * (m + 32);
    if (o > 0) total += rows * (mo + 32);
    if (o > 0 && o < d) total += groups * o * indexBits(d);
    return total / (rows * d);
  },
  describe(params) {
    const p = typedParams(QJL_KV_PARAMS, params);
    const s = p.sketch;
    const mo = p.outlierSketch;
    return `${s === 0 ? 'm=d' : `m=${s}`} o=${p.outliers}${mo === 0 ? '' : ` mo=${mo}`} g${p.group}`;
  },
};
