/**
 * ResQ: mixed-precision quantization with a high-variance subspace kept at 8 bits and the rest at
 * 4 bits, with a random rotation inside each subspace.
 *
 * Reference: Saxena et al., "ResQ: Mixed-Precision Quantization of Large Language Models with
 * Low-Rank Residuals", ICML 2025 (arXiv:2412.14363), §3.2–3.3: U = [U_h, U_l] with U_h the top
 * d/8 principal components of the calibration activations (PCA of XᵀX), the coefficients in U_h
 * quantized to 8 bits and those in U_l to 4 bits, each subspace multiplied by its own random
 * orthogonal matrix ("invariant random rotation") to spread outliers; the paper proves this split
 * minimises the quantization error bound. Seeds CATALOGUE §1.E.1.
 *
 * Here, for rows × d input and k = round(highFraction·d):
 *  1. U_h = top-k right singular vectors of the calibration rows X̃ (ctx.calibration from the layer
 *     analysis; otherwise the data's own rows, as the `pca` transform does), by the truncated SVD
 *     `svd` (matrix/lowrank.ts): 'exact' (default for new configs) or 'randomized-2' (subspace
 *     iteration, 2 power steps; what configs without the param mean); topped up with orthonormalised seeded Gaussian vectors if X̃
 *     has rank < k.
 *  2. A Householder QR of U_h gives k reflectors whose product Q has U_h's span as its first k
 *     columns; its last d − k columns are an orthonormal basis of the complement. Applying Qᵀ
 *     costs O(k·d) per row.
 *  3. Haar rotations (Stewart 1980, linalg/householder.ts) of size k and d − k, from
 *     ctx.rng.stream('rotation', 'resq', 'high'|'low', size), rotate each part.
 *  4. INT-`highBits` on the k high coordinates and INT-`lowBits` on the d − k others, symmetric
 *     absmax with fp16 scales, one scale per row per subspace (group = 0) or per `group`.
 *  5. Undo 3 and 2.
 *
 * Basis cost: ResQ fuses U into the weights of the neighbouring layers offline, so at inference it
 * costs nothing (basis = fused, 0 bits, the convention of the `pca` transform). basis = stored
 * charges U_h in fp16: 16·d·k bits (the complement basis and rotations follow from U_h and the
 * seed).
 * Bits per coordinate: [k·int(highBits; rows, k) + (d − k)·int(lowBits; rows, d − k)]/d
 *   + (stored ? 16·k/rows : 0), with int(b; rows, n) = b + 16·(scales per row)/n.
 */
import { HouseholderApplier, householderRotation } from '../../linalg/householder';
import { SVD_PARAM, lowRankSvd, matrixOperator, orthonormalize } from '../matrix/lowrank';
import { defineParams, typedParams, withDefaults, type ParamsOf } from '../params';
import type { Params, QuantizerDef } from '../types';
import { intQuantizer } from './int';

const RESQ_PARAMS = defineParams({
  highFraction: {
    kind: 'number',
    default: 0.125,
    min: 0,
    max: 1,
    step: 0.0625,
    doc: 'Fraction of dimensions in the high-precision PCA subspace (ResQ: 1/8).',
  },
  highBits: {
    kind: 'int',
    default: 8,
    min: 2,
    max: 8,
    step: 1,
    doc: 'Bits of the high-variance subspace.',
  },
  lowBits: { kind: 'int', default: 4, min: 2, max: 8, step: 1, doc: 'Bits of the complement.' },
  group: {
    kind: 'int',
    default: 0,
    min: 0,
    max: 4096,
    step: 1,
    doc: 'Scale group within each subspace; 0 = one fp16 scale per row per subspace (minimum 8 otherwise).',
  },
  basis: {
    kind: 'enum',
    default: 'fused',
    options: ['fused', 'stored'],
    doc: 'fused: basis merged into neighbouring layers (free, as in ResQ); stored: U_h charged in fp16.',
  },
  rounding: {
    kind: 'enum',
    default: 'nearest',
    options: ['nearest', 'stochastic'],
    doc: 'Round to nearest or stochastically (seeded) in both subspaces.',
  },
  svd: SVD_PARAM,
});

type ResqParams = ParamsOf<typeof RESQ_PARAMS>;

function highDims(p: ResqParams, d: number): number {
  return Math.min(d, Math.max(0, Math.round(p.highFraction * d)));
}

function intParams(p: ResqParams, bits: number): Params {
  const group = p.group;
  return withDefaults(intQuantizer.params, {
    bits,
    granularity: group === 0 ? 'row' : 'group',
    group: Math.max(group, 8),
    symmetric: true,
    rounding: p.rounding,
  });
}

/** k Householder reflectors (v_j of length d − j, β_j) with H_{k−1}⋯H_0·U_h upper triangular. */
function householderBasis(
  basis: readonly Float64Array[],
  d: number,
): { v: Float64Array[]; beta: Float64Array } {
  const k = basis.length;
  const cols = basis.map((b) => Float64Array.from(b));
  const vs: Float64Array[] = [];
  const beta = new Float64Array(k);
  for (let j = 0; j < k; j++) {
    const a = cols[j];
    let norm = 0;
    for (let i = j; i < d; i++) norm += a[i] * a[i];
    norm = Math.sqrt(norm);
    const alpha = a[j] >= 0 ? -norm : norm;
    const v = new Float64Array(d - j);
    for (let i = j; i < d; i++) v[i - j] = a[i];
    v[0] -= alpha;
    let vv = 0;
    for (let i = 0; i < v.length; i++) vv += v[i] * v[i];
    beta[j] = vv > 0 ? 2 / vv : 0;
    vs.push(v);
    for (let c = j + 1; c < k; c++) reflect(cols[c], v, beta[j], j);
  }
  return { v: vs, beta };
}

function reflect(x: Float64Array, v: Float64Array, beta: number, offset: number): void {
  if (beta === 0) return;
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i] * x[offset + i];
  s *= beta;
  for (let i = 0; i < v.length; i++) x[offset + i] -= s * v[i];
}

export const resqQuantizer: QuantizerDef = {
  id: 'resq',
  label: 'ResQ',
  description:
    'Top-variance PCA subspace (d/8) at 8 bits, the complement at 4 bits, random rotation inside each.',
  reference:
    'Saxena et al., ResQ: Mixed-Precision Quantization of LLMs with Low-Rank Residuals, ICML 2025, §3.2–3.3.',
  params: RESQ_PARAMS,
  quantize(input, rows, d, params, ctx, out) {
    const p = typedParams(RESQ_PARAMS, params);
    const k = highDims(p, d);
    const calib = ctx.calibration ?? { rows, cols: d, data: input };
    const { v } = lowRankSvd(
      p.svd,
      matrixOperator(calib.data, calib.rows, d),
      k,
      ctx.rng.stream('sketch', 'resq', d, k),
    );
    const filler = ctx.rng.stream('sketch', 'resq', 'fill', d, k);
    let basis = orthonormalize(v.map((x) => Float64Array.from(x)));
    while (basis.length < k) {
      const extra: Float64Array[] = [];
      for (let j = basis.length; j < k; j++) {
        const g = new Float64Array(d);
        for (let i = 0; i < d; i++) g[i] = filler.normal();
        extra.push(g);
      }
      basis = orthonormalize([...basis, ...extra]);
    }
    const hh = householderBasis(basis, d);
    const lo = d - k;
    const coords = new Float32Array(rows * d);
    const w = new Float64Array(d);
    for (let r = 0; r < rows; r++) {
      for (let i = 0; i < d; i++) w[i] = input[r * d + i];
      for (let j = 0; j < k; j++) reflect(w, hh.v[j], hh.beta[j], j);
      for (let i = 0; i < d; i++) coords[r * d + i] = w[i];
    }
    const high = new Float32Array(rows * k);
    const low = new Float32Array(rows * lo);
    const highQ = new Float32Array(rows * k);
    const lowQ = new Float32Array(rows * lo);
    const rotHigh =
      k > 1
        ? new HouseholderApplier(householderRotation(() => ctx.rng.stream('rotation', 'resq', 'high', k), k))
        : null;
    const rotLow =
      lo > 1
        ? new HouseholderApplier(householderRotation(() => ctx.rng.stream('rotation', 'resq', 'low', lo), lo))
        : null;
    if (k > 0) {
      if (rotHigh) rotHigh.forward(coords, rows, high, d, k);
      else for (let r = 0; r < rows; r++) high[r] = coords[r * d];
      intQuantizer.quantize(high, rows, k, intParams(p, p.highBits), ctx, highQ);
      if (rotHigh) rotHigh.transpose(highQ, rows, coords, k, d);
      else for (let r = 0; r < rows; r++) coords[r * d] = highQ[r];
    }
    if (lo > 0) {
      const shifted = coords.subarray(k);
      if (rotLow) rotLow.forward(shifted, rows, low, d, lo);
      else for (let r = 0; r < rows; r++) low[r] = coords[r * d + k];
      intQuantizer.quantize(low, rows, lo, intParams(p, p.lowBits), ctx, lowQ);
      if (rotLow) rotLow.transpose(lowQ, rows, shifted, lo, d);
      else for (let r = 0; r < rows; r++) coords[r * d + k] = lowQ[r];
    }
    for (let r = 0; r < rows; r++) {
      for (let i = 0; i < d; i++) w[i] = coords[r * d + i];
      for (let j = k - 1; j >= 0; j--) reflect(w, hh.v[j], hh.beta[j], j);
      for (let i = 0; i < d; i++) out[r * d + i] = w[i];
    }
  },
  bitsPerCoord(params, rows, d) {
    const p = typedParams(RESQ_PARAMS, params);
    const k = highDims(p, d);
    const lo = d - k;
    const hb = k > 0 ? k * intQuantizer.bitsPerCoord(intParams(p, p.highBits), rows, k) : 0;
    const lb = lo > 0 ? lo * intQuantizer.bitsPerCoord(intParams(p, p.lowBits), rows, lo) : 0;
    return (hb + lb) / d + (p.basis === 'stored' ? (16 * k) / rows : 0);
  },
  describe(params) {
    const p = typedParams(RESQ_PARAMS, params);
    const g = p.group;
    const exact = p.svd === 'exact' ? ' exact' : '';
    return `${p.highFraction}·d@${p.highBits}b rest@${p.lowBits}b ${g === 0 ? 'row' : `g${g}`} ${p.basis}${exact}`;
  },
};
