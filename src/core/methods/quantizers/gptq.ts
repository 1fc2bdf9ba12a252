/**
 * GPTQ: quantize a weight one input column at a time and push each column's rounding error onto
 * the columns not yet quantized, through the inverse Hessian of the layer-wise squared error.
 *
 * Reference: Frantar, Ashkboos, Hoefler & Alistarh, "GPTQ: Accurate Post-Training Quantization for
 * Generative Pre-trained Transformers", ICLR 2023, §3 and Algorithm 1, and its reference code
 * (gptq.py, quant.py): the input is W (rows = output channels × d input features) and calibration
 * activations X (tokens × d, ctx.calibration, in the same domain as W's columns).
 *   H = 2XᵀX/N + λI,  λ = damp · mean(diag(2XᵀX/N))     (damp default 0.01, "percdamp")
 *   dead columns (H_jj = 0: the input never excites them): H_jj ← 1, W_:,j ← 0 (as gptq.py)
 *   act-order (optional): columns processed by decreasing H_jj (stable order on ties)
 *   U = upper Cholesky factor of H⁻¹ (H⁻¹ = UᵀU)
 *   for each block of B columns (lazy batch updates, B = `block`, default 128):
 *     for each column j of the block:
 *       if j starts a group: fit the group's scales on the CURRENT columns [j, j + g), i.e. with
 *         every update so far, including the current block's updates still pending for columns
 *         past the block (the reference code fits on values without the block's updates, so
 *         its result depends on B when g < B; here B only reorders floating-point sums)
 *       Q_:,j = quant(W_:,j);  E_:,j = (W_:,j − Q_:,j) / U_jj;  W_:,j:block_end −= E_:,j · U_j,j:block_end
 *     W_:,block_end: −= E_block · U_block,block_end:
 * The grid is a registry scalar format (`grid`: int, fp8, mxfp4, nvfp4, nf4) quantized column by
 * column with the same arithmetic as that quantizer (src/core/methods/matrix/grid.ts), so with
 * H ∝ I (no calibration) GPTQ is exactly that quantizer's round-to-nearest.
 *
 * Without calibration activations (everywhere but the layer analysis) the Hessian is the identity
 * and the result IS round-to-nearest on the grid: `note` says so and the results table shows it.
 *
 * Act-order with groups forms each group from consecutive columns in processing order, as the
 * reference does (its `g_idx`); the permutation is then side information the kernel must know:
 * charged d·⌈log2 d⌉ bits over the rows × d matrix.
 *
 * Cost: tokens·d²/2 for H, ≈ d³ for the Cholesky factor of H⁻¹ (three triangular passes, float64)
 * and rows·d² for the column updates: ≈ 1 s at d = 512 in node, minutes at d = 4096.
 *
 * Bits per coordinate: the grid quantizer's own closed form for a rows × d block (int: bits +
 * (16 [+ bits if asymmetric])/group; mxfp4: 4 + 8/32; nvfp4: 4 + 8/16 + 32/(rows·d); nf4: 4 +
 * 32/group; fp8: 8 + 32/d) + (act-order ? d·⌈log2 d⌉/(rows·d) : 0).
 */
import { upperCholeskyOfInverse } from '../../linalg/cholesky';
import { GRID_FORMATS, columnGrid, type GridOptions } from '../matrix/grid';
import { defineParams, typedParams, withDefaults, type ParamsOf } from '../params';
import type { Matrix, Params, QuantizerDef } from '../types';
import { fp8Quantizer } from './fp8';
import { intQuantizer } from './int';
import { mxfp4Quantizer } from './mxfp4';
import { nf4Quantizer } from './nf4';
import { nvfp4Quantizer } from './nvfp4';

export interface GptqOptions {
  readonly grid: GridOptions;
  readonly actOrder: boolean;
  readonly damp: number;
  readonly block: number;
}

/**
 * GPTQ (Algorithm 1) on the rows × d weight `w` with calibration rows `x` (tokens × d; undefined =
 * identity Hessian), dequantized into `out` (rows × d).
 */
export function gptqQuantize(
  w: Float32Array,
  rows: number,
  d: number,
  x: Matrix | undefined,
  o: GptqOptions,
  out: Float32Array,
): void {
  if (x && x.cols !== d)
    throw new RangeError(`gptq: calibration activations have ${x.cols} columns, the weight has ${d}`);
  // H (d × d, float64): 2XᵀX/N, or the identity without calibration.
  const H = new Float64Array(d * d);
  if (x && x.rows > 0) {
    const n = x.rows;
    const xd = x.data;
    for (let t = 0; t < n; t++) {
      const base = t * d;
      for (let i = 0; i < d; i++) {
        const xi = xd[base + i];
        if (xi === 0) continue;
        const hi = i * d;
        for (let j = i; j < d; j++) H[hi + j] += xi * xd[base + j];
      }
    }
    const c = 2 / n;
    for (let i = 0; i < d; i++)
      for (let j = i; j < d; j++) {
        const v = H[i * d + j] * c;
        H[i * d + j] = v;
        H[j * d + i] = v;
      }
  } else for (let i = 0; i < d; i++) H[i * d + i] = 1;
  const W = Float64Array.from(w);
  for (let j = 0; j < d; j++) {
    if (H[j * d + j] !== 0) continue;
    H[j * d + j] = 1;
    for (let r = 0; r < rows; r++) W[r * d + j] = 0;
  }
  // Processing order: act-order sorts by decreasing H_jj (stable).
  const perm = Array.from({ length: d }, (_, j) => j);
  if (o.actOrder) perm.sort((a, b) => H[b * d + b] - H[a * d + a] || a - b);
  const Hp = new Float64Array(d * d);
  let meanDiag = 0;
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < d; j++) Hp[i * d + j] = H[perm[i] * d + perm[j]];
    meanDiag += Hp[i * d + i];
  }
  const lambda = (o.damp * meanDiag) / d;
  for (let i = 0; i < d; i++) Hp[i * d + i] += lambda;
  let U: Float64Array;
  try {
    U = upperCholeskyOfInverse(Hp, d);
  } catch (e) {
    throw new RangeError(
      `gptq: the damped Hessian is not positive definite (damp = ${o.damp}); raise damp. ${(e as Error).message}`,
    );
  }
  const Wp = new Float64Array(rows * d);
  for (let r = 0; r < rows; r++) for (let j = 0; j < d; j++) Wp[r * d + j] = W[r * d + perm[j]];
  const grid = columnGrid(o.grid, Wp, rows, d);
  const g = grid.group;
  const B = Math.max(1, o.block);
  const Q = new Float64Array(rows * d);
  const E = new Float64Array(rows * B);
  const groupBuf = new Float64Array(rows * Math.min(g, d));
  for (let i1 = 0; i1 < d; i1 += B) {
    const i2 = Math.min(i1 + B, d);
    const count = i2 - i1;
    for (let i = 0; i < count; i++) {
      const j = i1 + i;
      if (j % g === 0) {
        // The group's current values: columns past the block still owe this block's updates.
        const gEnd = Math.min(j + g, d);
        const gl = gEnd - j;
        for (let r = 0; r < rows; r++) {
          const base = r * d;
          for (let k = j; k < gEnd; k++) {
            let v = Wp[base + k];
            if (k >= i2) for (let t = 0; t < i; t++) v -= E[r * B + t] * U[(i1 + t) * d + k];
            groupBuf[r * gl + (k - j)] = v;
          }
        }
        grid.fit(groupBuf, rows, gl, 0, gl);
      }
      const ujj = U[j * d + j];
      for (let r = 0; r < rows; r++) {
        const base = r * d;
        const wv = Wp[base + j];
        const q = grid.quantize(r, wv);
        Q[base + j] = q;
        const err = (wv - q) / ujj;
        E[r * B + i] = err;
        if (err === 0) continue;
        const uj = j * d;
        for (let k = j + 1; k < i2; k++) Wp[base + k] -= err * U[uj + k];
      }
    }
    if (i2 < d) {
      for (let r = 0; r < rows; r++) {
        const base = r * d;
        for (let i = 0; i < count; i++) {
          const err = E[r * B + i];
          if (err === 0) continue;
          const uj = (i1 + i) * d;
          for (let k = i2; k < d; k++) Wp[base + k] -= err * U[uj + k];
        }
      }
    }
  }
  for (let r = 0; r < rows; r++) for (let j = 0; j < d; j++) out[r * d + perm[j]] = Q[r * d + j];
}

/** ⌈log2 d⌉ bits per index of a stored permutation of d columns. */
export function permutationBits(d: number): number {
  return d > 1 ? d * Math.ceil(Math.log2(d)) : 0;
}

/** The registry quantizer (with params) whose round-to-nearest grid GPTQ uses. */
export function gridQuantizerRef(o: GridOptions): { def: QuantizerDef; params: Params } {
  switch (o.format) {
    case 'mxfp4':
      return { def: mxfp4Quantizer, params: withDefaults(mxfp4Quantizer.params) };
    case 'nvfp4':
      return { def: nvfp4Quantizer, params: withDefaults(nvfp4Quantizer.params) };
    case 'nf4':
      return { def: nf4Quantizer, params: withDefaults(nf4Quantizer.params, { block: o.group }) };
    case 'fp8':
      return { def: fp8Quantizer, params: withDefaults(fp8Quantizer.params, { granularity: 'row' }) };
    default:
      return {
        def: intQuantizer,
        params: withDefaults(intQuantizer.params, {
          bits: o.bits,
          granularity: 'group',
          group: o.group,
          symmetric: o.symmetric,
        }),
      };
  }
}

/** Shared GPTQ params (also used by mr-gptq). */
export const GPTQ_COMMON_PARAMS = defineParams({
  actOrder: {
    kind: 'bool',
    default: false,
    doc: 'Process columns by decreasing Hessian diagonal (act-order); the permutation is charged d·⌈log2 d⌉ bits.',
  },
  damp: {
    kind: 'number',
    default: 0.01,
    min: 0,
    max: 1,
    step: 0.005,
    doc: 'Dampening λ = damp · mean diag(H) added to the Hessian diagonal (GPTQ percdamp).',
  },
  block: {
    kind: 'int',
    default: 128,
    min: 1,
    max: 4096,
    step: 1,
    doc: 'Lazy batch size B: columns updated together before the rest of the matrix (same result, fewer passes).',
  },
});

export const NO_CALIBRATION_NOTE =
  'no calibration activations: Hessian = identity, so GPTQ here is round-to-nearest on its grid (the layer view supplies activations)';

const GPTQ_PARAMS = defineParams({
  grid: {
    kind: 'enum',
    default: 'int',
    options: GRID_FORMATS,
    doc: 'Scalar format of the rounding grid: int (bits, group, symmetric), fp8 e4m3 (row scale), mxfp4 (b32), nvfp4 (b16), nf4 (block = group).',
  },
  bits: { kind: 'int', default: 4, min: 2, max: 8, step: 1, doc: 'Bits per integer code (grid = int).' },
  group: {
    kind: 'int',
    default: 128,
    min: 8,
    max: 4096,
    step: 1,
    doc: 'Group size of the int grid and block size of nf4; mxfp4, nvfp4 and fp8 use their own.',
  },
  symmetric: {
    kind: 'bool',
    default: true,
    doc: 'int grid: absmax (true) or min–max with a zero-point (false).',
  },
  scaleSearch: {
    kind: 'enum',
    default: 'absmax',
    options: ['absmax', 'mse'],
    doc: 'Group scale: absmax (as the registry format) or the stored scale minimising the group’s squared error.',
  },
  ...GPTQ_COMMON_PARAMS,
});

type GptqParams = ParamsOf<typeof GPTQ_PARAMS>;

function gridOptions(p: GptqParams): GridOptions {
  return {
    format: p.grid,
    bits: p.bits,
    group: p.group,
    symmetric: p.symmetric,
    search: p.scaleSearch,
  };
}

export const gptqQuantizer: QuantizerDef = {
  id: 'gptq',
  label: 'GPTQ',
  description:
    'Column-by-column rounding with error feedback through the inverse Hessian of calibration activations (Algorithm 1); grid = a registry format.',
  reference:
    'Frantar et al., GPTQ: Accurate Post-Training Quantization for Generative Pre-trained Transformers, ICLR 2023, §3, Algorithm 1.',
  params: GPTQ_PARAMS,
  quantize(input, rows, d, params, ctx, out) {
    const p = typedParams(GPTQ_PARAMS, params);
    gptqQuantize(
      input,
      rows,
      d,
      ctx.calibration,
      { grid: gridOptions(p), actOrder: p.actOrder, damp: p.damp, block: p.block },
      out,
    );
  },
  bitsPerCoord(params, rows, d) {
    const p = typedParams(GPTQ_PARAMS, params);
    const ref = gridQuantizerRef(gridOptions(p));
    const perm = p.actOrder ? permutationBits(d) / (rows * d) : 0;
    return ref.def.bitsPerCoord(ref.params, rows, d) + perm;
  },
  note(_params, ctx) {
    return ctx.calibration ? undefined : NO_CALIBRATION_NOTE;
  },
  describe(params) {
    const p = typedParams(GPTQ_PARAMS, params);
    const o = gridOptions(p);
    const grid =
      o.format === 'int'
        ? `int${o.bits} g${o.group}${o.symmetric ? '' : ' asym'}`
        : o.format === 'nf4'
          ? `nf4 b${o.group}`
          : o.format;
    const extras = `${p.actOrder ? ' act-order' : ''}${o.search === 'mse' ? ' mse-scale' : ''}`;
    return `${grid}${extras}`;
  },
};
