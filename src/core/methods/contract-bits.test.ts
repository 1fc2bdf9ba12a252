/**
 * Registry-wide bit accounting: for every quantizer, on small cases (a power-of-two width and a
 * ragged one), the bits per coordinate it declares equal a brute-force count over an explicit
 * encoding of that case: every element code, scale, norm, zero-point, index, codebook entry and
 * low-rank factor a decoder needs is enumerated item by item, block by block (ragged last blocks
 * included), and summed (CONTRACT.md §4: "Every quantizer reports bitsPerCoord including its side
 * information"). Where one scale serves a block of codes, the actual output is checked too: a block
 * may hold no more distinct values than its code width can name (2^b, or 3 for ternary), so the
 * declared code width is the one the encoding really needs. A quantizer without an encoding here
 * fails by name: register one with the method.
 */
import { describe, expect, it } from 'vitest';
import { QUANTIZERS } from '.';
import { typedParams, withDefaults } from './params';
import type { Params } from './types';
import { num, str, bool } from './params';
import { createRngFactory } from '../rng';
import { ELEMENT_BITS, SCALE_BITS, type MxElement, type MxScale } from './quantizers/mx';
import { llmInt8OutlierColumns } from './quantizers/llm-int8';
import { ADAHOP_PARAMS, adahopPlan } from './quantizers/adahop';
import { PALU_PARAMS, paluBlocks } from './quantizers/palu';
import { MR_GPTQ_PARAMS, microBlock } from './quantizers/mr-gptq';

/** One stored item kind of an encoding: `count` items of `bits` bits each. */
interface Field {
  readonly what: string;
  readonly bits: number;
}

class Encoding {
  readonly items: Field[] = [];
  /** One stored item. */
  put(what: string, bits: number): void {
    this.items.push({ what, bits });
  }
  putEach(what: string, count: number, bits: number): void {
    for (let i = 0; i < count; i++) this.put(what, bits);
  }
  total(): number {
    let t = 0;
    for (const f of this.items) t += f.bits;
    return t;
  }
}

interface Case {
  readonly rows: number;
  readonly d: number;
  readonly params: Params;
  readonly x: Float32Array;
}

/** Lengths of consecutive blocks of `size` over `len` (the last one ragged). */
function blocks(len: number, size: number): number[] {
  const out: number[] = [];
  for (let from = 0; from < len; from += size) out.push(Math.min(size, len - from));
  return out;
}

const log2ceil = (n: number) => Math.ceil(Math.log2(n));

/** Per row, per block of `size` columns: the codes of the block, then its side fields. */
function rowBlocks(
  e: Encoding,
  rows: number,
  width: number,
  size: number,
  codeBits: number,
  side: readonly [string, number][],
): void {
  for (let r = 0; r < rows; r++)
    for (const len of blocks(width, size)) {
      e.putEach('element code', len, codeBits);
      for (const [what, bits] of side) e.put(what, bits);
    }
}

/** `int` with the given params on a rows × width block. */
function intEncoding(e: Encoding, rows: number, width: number, p: Params): void {
  const b = num(p, 'bits');
  const side: [string, number][] = [['fp16 scale', 16]];
  if (!bool(p, 'symmetric')) side.push(['zero-point', b]);
  const g = str(p, 'granularity');
  if (g === 'tensor') {
    e.putEach('element code', rows * width, b);
    for (const [what, bits] of side) e.put(what, bits);
  } else rowBlocks(e, rows, width, g === 'row' ? width : num(p, 'group'), b, side);
}

/** The 4-bit inner formats of the low-rank and GPTQ methods (matrix/inner.ts, gptq.ts grids). */
function gridEncoding(
  e: Encoding,
  rows: number,
  width: number,
  format: string,
  group: number,
  bits = 4,
  symmetric = true,
): void {
  if (format === 'mxfp4') rowBlocks(e, rows, width, 32, 4, [['e8m0 block scale', 8]]);
  else if (format === 'nvfp4') {
    rowBlocks(e, rows, width, 16, 4, [['e4m3 block scale', 8]]);
    e.put('fp32 tensor scale', 32);
  } else if (format === 'nf4') rowBlocks(e, rows, width, group, 4, [['fp32 absmax', 32]]);
  else if (format === 'fp8') {
    e.putEach('element code', rows * width, 8);
    e.putEach('fp32 row scale', rows, 32);
  } else intEncoding(e, rows, width, { bits, granularity: 'group', group, symmetric, rounding: 'nearest' });
}

/** Blocks of one row whose values must fit the declared code: [block length, distinct values allowed]. */
type CodeCheck = { readonly block: number; readonly levels: number };

interface Layout {
  encode(c: Case, e: Encoding): void;
  /** Blocks along a row sharing one scale, and how many distinct values a block may hold. */
  codes?(c: Case): CodeCheck;
}

const LAYOUTS: Readonly<Record<string, Layout>> = {
  int: {
    encode: ({ rows, d, params }, e) => intEncoding(e, rows, d, params),
    codes: ({ d, params }) => ({
      block: str(params, 'granularity') === 'group' ? num(params, 'group') : d,
      levels: 2 ** num(params, 'bits'),
    }),
  },
  eden: {
    encode: ({ rows, d, params }, e) => rowBlocks(e, rows, d, d, num(params, 'bits'), [['fp32 scale S', 32]]),
    codes: ({ d, params }) => ({ block: d, levels: 2 ** num(params, 'bits') }),
  },
  'turboquant-mse': {
    encode: ({ rows, d, params }, e) => rowBlocks(e, rows, d, d, num(params, 'bits'), [['fp32 norm', 32]]),
    codes: ({ d, params }) => ({ block: d, levels: 2 ** num(params, 'bits') }),
  },
  'turboquant-prod': {
    encode: ({ rows, d, params }, e) => {
      for (let r = 0; r < rows; r++) {
        e.putEach('mse code', d, num(params, 'bits') - 1);
        e.put('fp32 norm', 32);
        e.putEach('QJL sign (m = d)', d, 1);
        e.put('fp32 residual norm', 32);
      }
    },
  },
  qjl: {
    encode: ({ rows, d, params }, e) => {
      const m = num(params, 'sketch') === 0 ? d : num(params, 'sketch');
      for (let r = 0; r < rows; r++) {
        e.putEach('sign of S·y', m, 1);
        e.put('fp32 norm', 32);
      }
    },
  },
  fp8: {
    encode: ({ rows, d, params }, e) => {
      e.putEach('fp8 code', rows * d, 8);
      e.putEach('fp32 scale', str(params, 'granularity') === 'tensor' ? 1 : rows, 32);
    },
    codes: ({ d }) => ({ block: d, levels: 256 }),
  },
  mxfp4: {
    encode: ({ rows, d }, e) => rowBlocks(e, rows, d, 32, 4, [['e8m0 block scale', 8]]),
    codes: () => ({ block: 32, levels: 16 }),
  },
  nvfp4: {
    encode: ({ rows, d }, e) => {
      rowBlocks(e, rows, d, 16, 4, [['e4m3 block scale', 8]]);
      e.put('fp32 tensor scale', 32);
    },
    codes: () => ({ block: 16, levels: 16 }),
  },
  nf4: {
    encode: ({ rows, d, params }, e) => rowBlocks(e, rows, d, num(params, 'block'), 4, [['fp32 absmax', 32]]),
    codes: ({ params }) => ({ block: num(params, 'block'), levels: 16 }),
  },
  ternary: {
    // Five trits per byte (3^5 = 243 ≤ 256): 8/5 = 1.6 bits per ternary code.
    encode: ({ rows, d, params }, e) =>
      rowBlocks(e, rows, d, num(params, 'group'), 8 / 5, [['fp16 scale', 16]]),
    codes: ({ params }) => ({ block: num(params, 'group'), levels: 3 }),
  },
  bfp: {
    encode: ({ rows, d, params }, e) =>
      rowBlocks(e, rows, d, num(params, 'block'), num(params, 'mantissa'), [['shared exponent', 8]]),
    codes: ({ params }) => ({ block: num(params, 'block'), levels: 2 ** num(params, 'mantissa') }),
  },
  matquant: {
    encode: ({ rows, d, params }, e) =>
      rowBlocks(e, rows, d, d, num(params, 'bits'), [
        ['fp16 α', 16],
        ['fp16 z', 16],
      ]),
    codes: ({ d, params }) => ({ block: d, levels: 2 ** num(params, 'bits') }),
  },
  mx: {
    encode: ({ rows, d, params }, e) => {
      const eb = ELEMENT_BITS[str(params, 'element') as MxElement];
      const sb = SCALE_BITS[str(params, 'scale') as MxScale];
      const block = num(params, 'block');
      e.putEach('element code', rows * d, eb);
      if (str(params, 'layout') === '2d')
        for (const _r of blocks(rows, block)) for (const _c of blocks(d, block)) e.put('tile scale', sb);
      else for (let r = 0; r < rows; r++) for (const _c of blocks(d, block)) e.put('block scale', sb);
      if (bool(params, 'tensorScale')) e.put('fp32 tensor scale', 32);
    },
  },
  kivi: {
    encode: ({ rows, d, params }, e) => {
      const b = num(params, 'bits');
      const g = num(params, 'group');
      const T = Math.max(rows - num(params, 'residual'), 0);
      e.putEach('element code', T * d, b);
      if (str(params, 'mode') === 'keys')
        for (let j = 0; j < d; j++) for (const _t of blocks(T, g)) e.put('fp16 min + fp16 step', 32);
      else for (let t = 0; t < T; t++) for (const _c of blocks(d, g)) e.put('fp16 min + fp16 step', 32);
      e.putEach('fp16 residual token value', (rows - T) * d, 16);
    },
  },
  'llm-int8': {
    encode: ({ rows, d, params, x }, e) => {
      const o = llmInt8OutlierColumns(x, rows, d, num(params, 'threshold')).length;
      for (let r = 0; r < rows; r++) {
        e.putEach('int8 code', d - o, 8);
        e.putEach('fp16 outlier value', o, 16);
        e.put('fp32 row scale', 32);
      }
      e.putEach('outlier column index', o, d > 1 ? log2ceil(d) : 1);
    },
  },
  adahop: {
    encode: ({ rows, d, params, x }, e) => {
      const plan = adahopPlan(x, rows, d, typedParams(ADAHOP_PARAMS, params));
      const erows = plan.rows.length;
      const f = plan.cols.length;
      const block = num(params, 'hadamard');
      const kept = d - f;
      const D = plan.iht ? Math.ceil(kept / block) * block : kept;
      // The rows not extracted: MXFP4 of their kept columns (padded to the Hadamard block).
      rowBlocks(e, rows - erows, D, 32, 4, [['e8m0 block scale', 8]]);
      e.putEach('fp16 extracted row value', erows * d, 16);
      e.putEach('fp16 extracted column value', f * (rows - erows), 16);
      e.putEach('extracted index', erows + f, log2ceil(Math.max(rows, d, 2)));
    },
  },
  'qjl-kv': {
    encode: ({ rows, d, params }, e) => {
      const m = num(params, 'sketch') === 0 ? d : num(params, 'sketch');
      const mo = num(params, 'outlierSketch') === 0 ? m : num(params, 'outlierSketch');
      const o = Math.min(num(params, 'outliers'), d);
      const g = num(params, 'group');
      for (let r = 0; r < rows; r++) {
        if (d - o > 0) {
          e.putEach('inlier sign', m, 1);
          e.put('fp32 inlier norm', 32);
        }
        if (o > 0) {
          e.putEach('outlier sign', mo, 1);
          e.put('fp32 outlier norm', 32);
        }
      }
      if (o > 0 && o < d)
        for (const _grp of blocks(rows, g === 0 ? rows : g))
          e.putEach('outlier channel index', o, d > 1 ? log2ceil(d) : 1);
    },
  },
  itq3s: {
    encode: ({ rows, d, params }, e) => {
      const block = num(params, 'block');
      const D = Math.ceil(d / block) * block;
      const code = str(params, 'grid') === 'ternary' ? 8 / 5 : 3;
      rowBlocks(e, rows, D, num(params, 'group'), code, [['fp16 scale', 16]]);
    },
  },
  gear: {
    encode: ({ rows, d, params }, e) => {
      const n = rows * d;
      const b = num(params, 'bits');
      intEncoding(e, rows, d, {
        bits: b,
        granularity: 'group',
        group: num(params, 'group'),
        symmetric: false,
      });
      const k = Math.min(n, Math.floor((num(params, 'outliers') * n) / 100 + 1e-9));
      for (let i = 0; i < k; i++) {
        e.put('fp16 outlier value', 16);
        e.put('outlier flat index', n > 1 ? log2ceil(n) : 1);
      }
      const r = Math.min(num(params, 'rank'), rows, d);
      e.putEach('low-rank factor entry', r * (rows + d), str(params, 'lowRankFormat') === 'fp32' ? 32 : 16);
    },
  },
  palu: {
    encode: ({ rows, d, params }, e) => {
      const b = num(params, 'bits');
      const f = str(params, 'basisFormat') === 'fp32' ? 32 : 16;
      for (const blk of paluBlocks(typedParams(PALU_PARAMS, params), rows, d)) {
        intEncoding(e, rows, blk.latent, {
          bits: b,
          granularity: 'group',
          group: num(params, 'group'),
          symmetric: false,
        });
        e.putEach('basis entry', blk.r * blk.width, f);
      }
    },
  },
  coupled: {
    encode: ({ rows, d, params }, e) => {
      const c = num(params, 'channels');
      const bits = num(params, 'codeBits');
      const K = Math.min(2 ** bits, rows);
      for (const width of blocks(d, c)) {
        e.putEach('codeword index', rows, bits);
        e.putEach('fp16 codebook value', K * width, 16);
      }
    },
  },
  rotatekv: {
    encode: ({ rows, d, params }, e) => {
      const b = num(params, 'bits');
      const s = Math.min(num(params, 'sinks'), rows);
      intEncoding(e, rows - s, d, {
        bits: b,
        granularity: 'group',
        group: num(params, 'group'),
        symmetric: false,
      });
      for (let i = 0; i < s; i++) {
        e.putEach('fp16 sink value', d, 16);
        e.put('sink token index', rows > 1 ? log2ceil(rows) : 1);
      }
      if (bool(params, 'reorder')) e.putEach('channel permutation entry', d > 1 ? d : 0, log2ceil(d));
    },
  },
  svdquant: {
    encode: ({ rows, d, params }, e) => {
      gridEncoding(e, rows, d, str(params, 'format'), num(params, 'group'));
      const k = Math.min(num(params, 'rank'), rows, d);
      e.putEach('low-rank factor entry', k * (rows + d), str(params, 'lowRankFormat') === 'fp32' ? 32 : 16);
    },
  },
  eora: {
    encode: ({ rows, d, params }, e) => {
      gridEncoding(e, rows, d, str(params, 'format'), num(params, 'group'));
      const k = Math.min(num(params, 'rank'), rows, d);
      e.putEach('fp16 low-rank factor entry', k * (rows + d), 16);
    },
  },
  resq: {
    encode: ({ rows, d, params }, e) => {
      const k = Math.min(d, Math.max(0, Math.round(num(params, 'highFraction') * d)));
      const g = num(params, 'group');
      const part = (bits: number) => ({
        bits,
        granularity: g === 0 ? 'row' : 'group',
        group: Math.max(g, 8),
        symmetric: true,
      });
      if (k > 0) intEncoding(e, rows, k, part(num(params, 'highBits')));
      if (d - k > 0) intEncoding(e, rows, d - k, part(num(params, 'lowBits')));
      if (str(params, 'basis') === 'stored') e.putEach('fp16 basis entry', k * d, 16);
    },
  },
  gptq: {
    encode: ({ rows, d, params }, e) => {
      gridEncoding(
        e,
        rows,
        d,
        str(params, 'grid'),
        num(params, 'group'),
        num(params, 'bits'),
        bool(params, 'symmetric'),
      );
      if (bool(params, 'actOrder') && d > 1) e.putEach('act-order permutation entry', d, log2ceil(d));
    },
  },
  'mr-gptq': {
    encode: ({ rows, d, params }, e) => {
      const b = microBlock(typedParams(MR_GPTQ_PARAMS, params));
      const dp = bool(params, 'rotate') ? Math.ceil(d / b) * b : d;
      const f = str(params, 'format');
      gridEncoding(e, rows, dp, f === 'int4' ? 'int' : f, num(params, 'group'));
      if (bool(params, 'actOrder') && dp > 1) e.putEach('act-order permutation entry', dp, log2ceil(dp));
    },
  },
};

function testMatrix(rows: number, d: number): Float32Array {
  const rng = createRngFactory(21).stream('data', 'bits-contract');
  const out = new Float32Array(rows * d);
  for (let i = 0; i < out.length; i++) out[i] = rng.normal() * (i % d === 3 ? 8 : 1);
  return out;
}

/** Largest count of distinct values in one block of `block` consecutive coordinates of a row. */
function maxDistinct(out: Float32Array, rows: number, d: number, block: number): number {
  let most = 0;
  for (let r = 0; r < rows; r++)
    for (let from = 0; from < d; from += block) {
      const seen = new Set<number>();
      for (let j = from; j < Math.min(from + block, d); j++) seen.add(out[r * d + j]);
      most = Math.max(most, seen.size);
    }
  return most;
}

const CASES: readonly [number, number][] = [
  [16, 64],
  [12, 40],
];

/** Non-default params that change the encoding's structure (granularity, layout, side fields). */
const VARIANTS: readonly [string, Readonly<Record<string, string | number | boolean>>][] = [
  ['int', { granularity: 'tensor', symmetric: false }],
  ['int', { granularity: 'row', bits: 3 }],
  ['int', { granularity: 'group', group: 24, symmetric: false }],
  ['fp8', { granularity: 'row', format: 'e5m2' }],
  ['mx', { layout: '2d', block: 8, scale: 'fp32', tensorScale: true }],
  ['mx', { element: 'e4m3', scale: 'ue4m3' }],
  ['kivi', { mode: 'values', group: 24 }],
  ['gptq', { grid: 'nvfp4', actOrder: true }],
  ['gptq', { grid: 'int', bits: 3, symmetric: false, group: 16 }],
  ['rotatekv', { reorder: true, sinks: 2 }],
  ['svdquant', { format: 'mxfp4', lowRankFormat: 'fp32' }],
  ['mr-gptq', { format: 'nvfp4', rotate: true }],
  ['itq3s', { grid: 'ternary' }],
  ['qjl-kv', { group: 4, outliers: 3, outlierSketch: 16 }],
  ['ternary', { group: 24 }],
  ['nf4', { block: 32 }],
];

describe('every quantizer has a registered encoding', () => {
  it('no quantizer is missing from LAYOUTS', () => {
    const missing = QUANTIZERS.map((q) => q.id).filter((id) => !(id in LAYOUTS));
    expect(missing, `quantizers without an encoding: ${missing.join(', ')}`).toEqual([]);
  });
});

describe.each(QUANTIZERS.map((q) => [q.id, q] as const))('quantizer %s', (id, q) => {
  it.each(CASES)(
    'declared bits per coordinate = a brute-force count of its encoding (%i × %i)',
    (rows, d) => {
      const layout = LAYOUTS[id];
      expect(layout, `${id}: no encoding registered`).toBeDefined();
      const params = withDefaults(q.params);
      const x = testMatrix(rows, d);
      const e = new Encoding();
      layout.encode({ rows, d, params, x }, e);
      const counted = e.total() / (rows * d);
      const declared = q.bitsPerCoordOf?.(x, rows, d, params) ?? q.bitsPerCoord(params, rows, d);
      expect(
        declared,
        `${id} at ${rows}×${d}: declared ${declared}, counted ${counted} bits/coord`,
      ).toBeCloseTo(counted, 10);
      const check = layout.codes?.({ rows, d, params, x });
      if (check) {
        const out = new Float32Array(rows * d);
        q.quantize(x, rows, d, params, { rng: createRngFactory(3) }, out);
        const most = maxDistinct(out, rows, d, check.block);
        expect(
          most,
          `${id} at ${rows}×${d}: a block holds ${most} distinct values, its code names ${check.levels}`,
        ).toBeLessThanOrEqual(check.levels);
      }
    },
  );
});

describe.each(VARIANTS)('%s with %o', (id, given) => {
  it.each(CASES)('declared bits = the brute-force count (%i × %i)', (rows, d) => {
    const q = QUANTIZERS.find((m) => m.id === id)!;
    for (const name of Object.keys(given)) expect(q.params, `${id}.${name}`).toHaveProperty(name);
    const params = withDefaults(q.params, given);
    const x = testMatrix(rows, d);
    const e = new Encoding();
    LAYOUTS[id].encode({ rows, d, params, x }, e);
    const declared = q.bitsPerCoordOf?.(x, rows, d, params) ?? q.bitsPerCoord(params, rows, d);
    expect(declared, `${id} ${JSON.stringify(given)} at ${rows}×${d}`).toBeCloseTo(
      e.total() / (rows * d),
      10,
    );
  });
});
