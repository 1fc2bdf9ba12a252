/**
 * AdaHOP: outlier-pattern-aware choice between the Inner Hadamard Transform (IHT) and IHT plus
 * Outlier Extraction (OE), then MXFP4.
 *
 * Reference: Kim, Khodamoradi, Denolf & Park, "AdaHOP: Fast and Accurate Low-Precision Training
 * via Outlier-Pattern-Aware Rotation", arXiv:2604.02525 (2026), abstract and §1: each operand of
 * Y = A·B is classified Row-wise, Column-wise or None; IHT, (A·H)(Hᵀ·B), is used "where
 * inner-dimension smoothing is effective", otherwise IHT with selective OE "routing dominant
 * outliers to a high-precision path" (the reference code extracts dominant outlier rows or
 * columns into BF16); the rest goes to MXFP4. Seeds CATALOGUE §1.B.1.
 *
 * Why a quantizer, not a transform: the choice depends on the operand's data and OE changes what
 * is stored (BF16 rows next to MXFP4 blocks), which a transform (free, orthogonal, data-blind for
 * the quantizer) cannot express. The pipeline's transform should be `identity`; the IHT is inside.
 *
 * Here the operand is rows × d with d the inner (reduction) dimension, the axis MXFP4 blocks and
 * the Hadamard run along. Classification (`classifyOutlierPattern`, our criterion — the paper's
 * exact statistic is not in the seed): with r_i = max_j |x_ij| and c_j = max_i |x_ij|,
 *   ρ_row = max r / median r, ρ_col = max c / median c;
 *   None if both ≤ τ; else Column-wise if ρ_col ≥ ρ_row, Row-wise otherwise.
 * Column-wise outliers sit in fixed inner channels, which the IHT mixes with ordinary ones: IHT
 * alone. Row-wise outliers are whole rows the IHT cannot mix with other rows: IHT + OE of the rows
 * with r_i > τ·median r (at most `maxExtract`). strategy = auto follows this rule; none, iht and
 * iht+oe force one (iht+oe then extracts the pattern's dominant rows or, for Column-wise,
 * columns). The IHT is a block-diagonal randomized Hadamard of size `hadamard` (signs from
 * ctx.rng.stream('rotation', 'adahop', D, hadamard)), rows zero-padded to D = ⌈d/hadamard⌉·hadamard
 * (a multiple of 32 whenever hadamard ≥ 32).
 *
 * Bits per coordinate, with e extracted rows and f extracted columns (data-dependent: computed by
 * `bitsPerCoordOf`; `bitsPerCoord` is the e = f = 0 case):
 *   [(rows − e)·(4·D_f + 8·⌈D_f/32⌉) + 16·(e·d + f·(rows − e)) + ⌈log2 n⌉·(e + f)] / (rows·d),
 * D_f the padded width of the d − f kept columns (D_f = d − f without IHT).
 */
import { roundToBf16 } from '../../formats/fp16';
import { fwhtOrthonormalInPlace } from '../../linalg/fwht';
import { randomSigns } from '../../linalg/signedHadamard';
import { defineParams, typedParams, withDefaults, type ParamsOf } from '../params';
import type { Params, QuantizerContext, QuantizerDef } from '../types';
import { MX_BLOCK, mxfp4Quantizer } from './mxfp4';

export type OutlierPattern = 'row-wise' | 'column-wise' | 'none';

export interface PatternReport {
  readonly pattern: OutlierPattern;
  readonly rowRatio: number;
  readonly colRatio: number;
}

function median(values: Float64Array): number {
  const s = Float64Array.from(values).sort();
  const n = s.length;
  if (n === 0) return 0;
  return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

function absMaxima(x: Float32Array, rows: number, d: number): { row: Float64Array; col: Float64Array } {
  const row = new Float64Array(rows);
  const col = new Float64Array(d);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < d; j++) {
      const a = Math.abs(x[i * d + j]);
      if (a > row[i]) row[i] = a;
      if (a > col[j]) col[j] = a;
    }
  }
  return { row, col };
}

function ratio(values: Float64Array): number {
  const m = median(values);
  let mx = 0;
  for (const v of values) mx = Math.max(mx, v);
  return m > 0 ? mx / m : mx > 0 ? Infinity : 1;
}

/** AdaHOP-style Row-wise / Column-wise / None label of a rows × d operand (see the header). */
export function classifyOutlierPattern(x: Float32Array, rows: number, d: number, tau: number): PatternReport {
  const { row, col } = absMaxima(x, rows, d);
  const rowRatio = ratio(row);
  const colRatio = ratio(col);
  const pattern: OutlierPattern =
    rowRatio <= tau && colRatio <= tau ? 'none' : colRatio >= rowRatio ? 'column-wise' : 'row-wise';
  return { pattern, rowRatio, colRatio };
}

interface Plan {
  readonly iht: boolean;
  readonly rows: readonly number[];
  readonly cols: readonly number[];
}

export const ADAHOP_PARAMS = defineParams({
  strategy: {
    kind: 'enum',
    default: 'auto',
    options: ['auto', 'none', 'iht', 'iht+oe'],
    doc: 'auto: AdaHOP’s choice from the pattern; none: plain MXFP4; iht / iht+oe: forced.',
  },
  tau: {
    kind: 'number',
    default: 8,
    min: 1,
    max: 1e6,
    step: 0.5,
    doc: 'Outlier ratio τ: max/median of row or column absmax above τ is an outlier pattern; also the OE cut.',
  },
  maxExtract: {
    kind: 'int',
    default: 16,
    min: 0,
    max: 65_536,
    step: 1,
    doc: 'At most this many rows or columns extracted to BF16.',
  },
  hadamard: {
    kind: 'int',
    default: 32,
    min: 2,
    max: 4096,
    step: 1,
    powerOfTwo: true,
    doc: 'IHT block size (block-diagonal randomized Hadamard along the inner dimension).',
  },
  rounding: {
    kind: 'enum',
    default: 'nearest',
    options: ['nearest', 'stochastic'],
    doc: 'MXFP4 element rounding: nearest even or stochastic (seeded).',
  },
});

type AdahopParams = ParamsOf<typeof ADAHOP_PARAMS>;

function dominant(values: Float64Array, tau: number, cap: number): number[] {
  const m = median(values);
  const idx: number[] = [];
  values.forEach((v, i) => {
    if (v > tau * m) idx.push(i);
  });
  idx.sort((a, b) => values[b] - values[a]);
  return idx.slice(0, cap).sort((a, b) => a - b);
}

export function adahopPlan(
  x: Float32Array,
  rows: number,
  d: number,
  p: AdahopParams,
): Plan & { report: PatternReport } {
  const tau = p.tau;
  const report = classifyOutlierPattern(x, rows, d, tau);
  const strategy = p.strategy;
  const cap = p.maxExtract;
  const extract = strategy === 'iht+oe' || (strategy === 'auto' && report.pattern === 'row-wise');
  if (!extract) return { iht: strategy !== 'none', rows: [], cols: [], report };
  const { row, col } = absMaxima(x, rows, d);
  return report.pattern === 'column-wise'
    ? { iht: true, rows: [], cols: dominant(col, tau, Math.min(cap, d)), report }
    : { iht: true, rows: dominant(row, tau, Math.min(cap, rows)), cols: [], report };
}

function keptWidth(d: number, f: number, iht: boolean, block: number): number {
  const n = d - f;
  return iht ? Math.ceil(n / block) * block : n;
}

function planBits(plan: Plan, rows: number, d: number, block: number): number {
  const e = plan.rows.length;
  const f = plan.cols.length;
  const D = keptWidth(d, f, plan.iht, block);
  const idx = Math.ceil(Math.log2(Math.max(rows, d, 2)));
  return (
    ((rows - e) * (4 * D + 8 * Math.ceil(D / MX_BLOCK)) + 16 * (e * d + f * (rows - e)) + idx * (e + f)) /
    (rows * d)
  );
}

function run(
  input: Float32Array,
  rows: number,
  d: number,
  params: Params,
  ctx: QuantizerContext,
  out: Float32Array,
): void {
  const p = typedParams(ADAHOP_PARAMS, params);
  const plan = adahopPlan(input, rows, d, p);
  const block = p.hadamard;
  const rowOut = new Uint8Array(rows);
  for (const i of plan.rows) rowOut[i] = 1;
  const colOut = new Uint8Array(d);
  for (const j of plan.cols) colOut[j] = 1;
  const keptCols: number[] = [];
  for (let j = 0; j < d; j++) if (!colOut[j]) keptCols.push(j);
  const keptRows: number[] = [];
  for (let i = 0; i < rows; i++) if (!rowOut[i]) keptRows.push(i);
  const n = keptCols.length;
  const D = keptWidth(d, plan.cols.length, plan.iht, block);
  const m = keptRows.length;
  const y = new Float32Array(m * D);
  const yHat = new Float32Array(m * D);
  const signs = plan.iht && D > 0 ? randomSigns(ctx.rng.stream('rotation', 'adahop', D, block), D) : null;
  const w = new Float64Array(D);
  keptRows.forEach((i, r) => {
    w.fill(0);
    for (let c = 0; c < n; c++) w[c] = input[i * d + keptCols[c]];
    if (signs) {
      for (let c = 0; c < D; c++) w[c] *= signs[c];
      for (let b = 0; b < D; b += block) fwhtOrthonormalInPlace(w, b, block);
    }
    for (let c = 0; c < D; c++) y[r * D + c] = w[c];
  });
  if (m > 0 && D > 0)
    mxfp4Quantizer.quantize(
      y,
      m,
      D,
      withDefaults(mxfp4Quantizer.params, { rounding: p.rounding }),
      ctx,
      yHat,
    );
  keptRows.forEach((i, r) => {
    for (let c = 0; c < D; c++) w[c] = yHat[r * D + c];
    if (signs) {
      for (let b = 0; b < D; b += block) fwhtOrthonormalInPlace(w, b, block);
      for (let c = 0; c < D; c++) w[c] *= signs[c];
    }
    for (let c = 0; c < n; c++) out[i * d + keptCols[c]] = w[c];
    for (const j of plan.cols) out[i * d + j] = roundToBf16(input[i * d + j]);
  });
  for (const i of plan.rows) for (let j = 0; j < d; j++) out[i * d + j] = roundToBf16(input[i * d + j]);
}

export const adahopQuantizer: QuantizerDef = {
  id: 'adahop',
  label: 'AdaHOP',
  description:
    'Classify the outlier pattern (row / column / none); IHT, or IHT + BF16 outlier extraction; then MXFP4.',
  reference:
    'Kim et al., AdaHOP: Fast and Accurate Low-Precision Training via Outlier-Pattern-Aware Rotation, arXiv:2604.02525 (2026).',
  params: ADAHOP_PARAMS,
  quantize: run,
  bitsPerCoord(params, rows, d) {
    const p = typedParams(ADAHOP_PARAMS, params);
    return planBits({ iht: p.strategy !== 'none', rows: [], cols: [] }, rows, d, p.hadamard);
  },
  bitsPerCoordOf(input, rows, d, params) {
    const p = typedParams(ADAHOP_PARAMS, params);
    return planBits(adahopPlan(input, rows, d, p), rows, d, p.hadamard);
  },
  describe(params) {
    const p = typedParams(ADAHOP_PARAMS, params);
    return `${p.strategy} τ=${p.tau} h${p.hadamard}${p.rounding === 'stochastic' ? ' sr' : ''}`;
  },
};
