/**
 * Matrix methods against references derived independently of the code: exact
 * constructions (integer rank-r products, planted outliers, hand-computed fp16 grids), a naive
 * Sylvester–Hadamard for ITQ3_S's bound, Eckart–Young via the dense eigen-solver, and bits per
 * coordinate worked out by hand from each header's formula.
 */
import { describe, expect, it } from 'vitest';
import { createRngFactory } from '../../rng';
import { singularValues } from '../../linalg/eig';
import { typedParams, withDefaults } from '../params';
import type { QuantizerDef } from '../types';
import { SVDQUANT_PARAMS, svdquantDecompose, svdquantQuantizer } from './svdquant';
import { llmInt8OutlierColumns, llmInt8Quantizer } from './llm-int8';
import { kiviQuantizer } from './kivi';
import { itq3sQuantizer } from './itq3s';
import { resqQuantizer } from './resq';
import { eoraQuantizer } from './eora';
import { adahopQuantizer, classifyOutlierPattern } from './adahop';
import { intQuantizer } from './int';
import { duquantTransform, zigzagPermutation } from '../transforms/duquant';
import { runExperiment } from '../../pipeline';

const rng = createRngFactory(11);
const ctx = { rng };

function run(
  q: QuantizerDef,
  x: Float32Array,
  rows: number,
  d: number,
  given: Record<string, number | string | boolean> = {},
) {
  const out = new Float32Array(rows * d);
  q.quantize(x, rows, d, withDefaults(q.params, given), ctx, out);
  return out;
}

function frob(a: ArrayLike<number>, b?: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] - (b ? b[i] : 0)) ** 2;
  return Math.sqrt(s);
}

function gaussian(rows: number, d: number, key: string): Float32Array {
  const x = new Float32Array(rows * d);
  createRngFactory(5).stream('data', key).fillNormal(x);
  return x;
}

describe('svdquant', () => {
  // A = L·R with small integers: exactly representable in float32 and of rank exactly r.
  const rows = 48;
  const d = 64;
  const r = 5;
  const ints = createRngFactory(3).stream('data', 'ints');
  const L = Array.from({ length: rows * r }, () => ints.int(7) - 3);
  const R = Array.from({ length: r * d }, () => ints.int(7) - 3);
  const a = new Float32Array(rows * d);
  for (let i = 0; i < rows; i++)
    for (let t = 0; t < d; t++) for (let c = 0; c < r; c++) a[i * d + t] += L[i * r + c] * R[c * d + t];

  it('recovers an exactly rank-r matrix at rank r: residual and output error at float32 round-off', () => {
    const params = typedParams(
      SVDQUANT_PARAMS,
      withDefaults(SVDQUANT_PARAMS, { rank: r, lowRankFormat: 'fp32' }),
    );
    const split = svdquantDecompose(a, rows, d, params, ctx);
    expect(split.rank).toBe(r);
    expect(frob(split.residual) / frob(a)).toBeLessThan(1e-6);
    expect(
      frob(run(svdquantQuantizer, a, rows, d, { rank: r, lowRankFormat: 'fp32' }), a) / frob(a),
    ).toBeLessThan(1e-6);
  });

  it('at rank r−1 the residual is the Eckart–Young optimum σ_r (dense eigen-solver reference)', () => {
    const sigma = singularValues(a, rows, d);
    const split = svdquantDecompose(
      a,
      rows,
      d,
      typedParams(SVDQUANT_PARAMS, withDefaults(SVDQUANT_PARAMS, { rank: r - 1, lowRankFormat: 'fp32' })),
      ctx,
    );
    expect(frob(split.residual)).toBeCloseTo(sigma[r - 1], 3);
  });

  it('bits: 4 + 16/64 + 16·r·(rows + d)/(rows·d)', () => {
    const p = withDefaults(svdquantQuantizer.params);
    expect(svdquantQuantizer.bitsPerCoord(p, 256, 1024)).toBeCloseTo(4.25 + (16 * 32 * 1280) / 262144, 12); // 6.75
    expect(
      svdquantQuantizer.bitsPerCoord(
        withDefaults(svdquantQuantizer.params, { format: 'mxfp4', rank: 16 }),
        64,
        64,
      ),
    ).toBeCloseTo(4.25 + (16 * 16 * 128) / 4096, 12);
    expect(
      svdquantQuantizer.bitsPerCoord(withDefaults(svdquantQuantizer.params, { rank: 100 }), 8, 32),
    ).toBeCloseTo(4 + 16 / 32 + (16 * 8 * 40) / 256, 12); // rank capped at 8; one partial int4 group per row
  });
});

describe('llm-int8', () => {
  const rows = 4;
  const d = 16;
  const x = new Float32Array(rows * d);
  for (let i = 0; i < rows; i++) for (let j = 0; j < d; j++) x[i * d + j] = ((i + j) % 5) - 2; // |x| ≤ 2
  x[1 * d + 3] = 6; // exactly τ: an outlier (|x| ≥ τ)
  x[2 * d + 7] = -7.25;
  x[0 * d + 5] = 5.99; // just below τ: not an outlier
  x[3 * d + 0] = 127 / 50; // row 3 absmax 2.54 → s = 0.02

  it('outlier columns are exactly the thresholded set {j : ∃i |x_ij| ≥ 6}', () => {
    expect(llmInt8OutlierColumns(x, rows, d, 6)).toEqual([3, 7]);
    expect(llmInt8OutlierColumns(x, rows, d, 5.5)).toEqual([3, 5, 7]);
    expect(llmInt8OutlierColumns(x, rows, d, 100)).toEqual([]);
  });

  it('outlier columns are kept in fp16, the rest int8 with the row absmax of the non-outliers', () => {
    const out = run(llmInt8Quantizer, x, rows, d);
    expect(out[1 * d + 3]).toBe(6);
    expect(out[2 * d + 7]).toBe(-7.25);
    // Row 0: non-outlier absmax fround(5.99) → s = fround(that/127); x = 2 → round(2/s) = round(42.40…) = 42.
    const s0 = Math.fround(Math.fround(5.99) / 127);
    expect(out[0 * d + 4]).toBe(Math.fround(42 * s0));
    expect(out[0 * d + 5]).toBe(Math.fround(127 * s0));
  });

  it('bits: (rows·(d−o)·8 + rows·o·16 + rows·32 + o·⌈log2 d⌉)/(rows·d), through the pipeline', () => {
    const expected = (4 * 14 * 8 + 4 * 2 * 16 + 4 * 32 + 2 * 4) / 64; // 11.125
    expect(llmInt8Quantizer.bitsPerCoordOf?.(x, rows, d, withDefaults(llmInt8Quantizer.params))).toBe(
      expected,
    );
    const [res] = runExperiment(
      {
        seed: 1,
        pipelines: [
          {
            transforms: [{ id: 'identity', params: {} }],
            quantizer: { id: 'llm-int8', params: withDefaults(llmInt8Quantizer.params) },
          },
        ],
      },
      { rows, cols: d, data: x },
    );
    expect(res.bitsPerCoord).toBe(11.125);
    expect(llmInt8Quantizer.bitsPerCoord(withDefaults(llmInt8Quantizer.params), 256, 1024)).toBe(
      8 + 32 / 1024,
    );
  });
});

describe('kivi', () => {
  // 4 tokens × 2 channels. fp16(1/3) = 1365/4096, fp16(10/3) = 1707/512, fp16(8/3) = 1365/512
  // (10-bit mantissas rounded to nearest by hand).
  const x = Float32Array.from([0, 10, 3, 11, 1, 12, 2, 13]);
  const third = 1365 / 4096;

  it('keys: per-channel groups along tokens', () => {
    const out = run(kiviQuantizer, x, 4, 2, { mode: 'keys', group: 2, residual: 0 });
    // channel 0: tokens {0,1} = [0,3] → min 0, s = 1: exact; tokens {2,3} = [1,2] → s = fp16(1/3), 2 → 1 + 3s.
    // channel 1: [10,11] → 10, 10 + 3s; [12,13] → 12, 12 + 3s.
    expect(Array.from(out)).toEqual([0, 10, 3, 10 + 3 * third, 1, 12, 1 + 3 * third, 12 + 3 * third]);
  });

  it('values: per-token groups along channels', () => {
    const out = run(kiviQuantizer, x, 4, 2, { mode: 'values', group: 2, residual: 0 });
    // token 0: [0,10] → s = fp16(10/3) = 1707/512, 10 → 3s; token 1: [3,11] → s = fp16(8/3), 11 → 3 + 3s;
    // token 2: [1,12] → s = fp16(11/3) = 1877/512 (3.666015625), 12 → 1 + 3s; token 3: [2,13] → same s.
    const s11 = 1877 / 512;
    expect(Array.from(out)).toEqual([
      0,
      3 * (1707 / 512),
      3,
      3 + 3 * (1365 / 512),
      1,
      1 + 3 * s11,
      2,
      2 + 3 * s11,
    ]);
  });

  it('the residual window keeps the last tokens in fp16', () => {
    const out = run(kiviQuantizer, x, 4, 2, { mode: 'keys', group: 2, residual: 1 });
    expect(out[6]).toBe(2);
    expect(out[7]).toBe(13);
    // Tokens 0..2 quantized: channel 0's second group is the lone token 2 (a constant group: stored as its min).
    expect(out[4]).toBe(1);
  });

  it('bits by hand', () => {
    const p = (g: Record<string, number | string>) => withDefaults(kiviQuantizer.params, g);
    expect(kiviQuantizer.bitsPerCoord(p({ group: 2, residual: 0 }), 4, 2)).toBe((4 * 2 * 2 + 32 * 4) / 8); // 18
    expect(kiviQuantizer.bitsPerCoord(p({}), 256, 128)).toBe(
      (128 * 128 * 2 + 32 * 128 * 4 + 128 * 128 * 16) / (256 * 128),
    ); // 9.5
    expect(kiviQuantizer.bitsPerCoord(p({ mode: 'values', residual: 0 }), 100, 64)).toBe(
      (100 * 64 * 2 + 32 * 100 * 2) / 6400,
    ); // 3
  });
});

describe('itq3s', () => {
  /** Naive orthonormal Sylvester–Hadamard, H_ij = (−1)^popcount(i&j)/√n. */
  function hadamard(v: Float64Array): Float64Array {
    const n = v.length;
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < n; j++) {
        let b = i & j;
        let parity = 0;
        while (b) {
          parity ^= b & 1;
          b >>= 1;
        }
        s += parity ? -v[j] : v[j];
      }
      out[i] = s / Math.sqrt(n);
    }
    return out;
  }

  it('‖ŵ − w‖₂ ≤ ε_q = (Σ_g n_g·Δ_g²)^½ per 256-block, Δ_g = amax_g(Hw)/7 (fp16 slack 2^−10)', () => {
    const rows = 6;
    const d = 512;
    const x = gaussian(rows, d, 'itq3s');
    for (let i = 0; i < rows; i++) x[i * d + 17 * (i + 1)] *= 40; // a planted outlier per row
    const out = run(itq3sQuantizer, x, rows, d, { signs: false });
    for (let i = 0; i < rows; i++) {
      for (let b = 0; b < d; b += 256) {
        const w = Float64Array.from(x.subarray(i * d + b, i * d + b + 256));
        const y = hadamard(w);
        let eps2 = 0;
        for (let g = 0; g < 256; g += 32) {
          let amax = 0;
          for (let t = g; t < g + 32; t++) amax = Math.max(amax, Math.abs(y[t]));
          eps2 += 32 * (amax / 7) ** 2;
        }
        const err = frob(w, out.subarray(i * d + b, i * d + b + 256));
        expect(err).toBeLessThanOrEqual(Math.sqrt(eps2) * (1 + 2 ** -10));
      }
    }
  });

  it('beats a uniform 3-bit grid without rotation at the same 3.5 bits on outlier rows', () => {
    const rows = 64;
    const d = 1024;
    const x = gaussian(rows, d, 'itq3s-cmp');
    for (let i = 0; i < rows; i++) for (const c of [5, 300, 777]) x[i * d + c] *= 25;
    const e1 = frob(run(itq3sQuantizer, x, rows, d), x);
    const e2 = frob(run(intQuantizer, x, rows, d, { bits: 3, group: 32 }), x);
    expect(itq3sQuantizer.bitsPerCoord(withDefaults(itq3sQuantizer.params), rows, d)).toBe(3.5);
    expect(
      intQuantizer.bitsPerCoord(withDefaults(intQuantizer.params, { bits: 3, group: 32 }), rows, d),
    ).toBe(3.5);
    expect(e1).toBeLessThan(e2);
  });

  it('bits with padding: (3 + 16/32)·1024/1000; ternary (1.6 + 16/128)·256/256', () => {
    expect(itq3sQuantizer.bitsPerCoord(withDefaults(itq3sQuantizer.params), 4, 1000)).toBeCloseTo(
      (3.5 * 1024) / 1000,
      12,
    );
    expect(
      itq3sQuantizer.bitsPerCoord(
        withDefaults(itq3sQuantizer.params, { grid: 'ternary', group: 128 }),
        4,
        256,
      ),
    ).toBeCloseTo(1.725, 12);
  });
});

describe('resq', () => {
  it('bits: [k(8 + 16/k) + (d−k)(4 + 16/(d−k))]/d, plus 16k/rows when the basis is stored', () => {
    const p = withDefaults(resqQuantizer.params);
    expect(resqQuantizer.bitsPerCoord(p, 256, 1024)).toBeCloseTo((128 * 8 + 16 + 896 * 4 + 16) / 1024, 12); // 4.53125
    expect(
      resqQuantizer.bitsPerCoord(withDefaults(resqQuantizer.params, { basis: 'stored' }), 256, 1024),
    ).toBeCloseTo(4.53125 + 8, 12);
  });

  it('keeps a planted high-variance subspace at 8 bits: far below per-row int4 on such data', () => {
    const rows = 128;
    const d = 64;
    const x = gaussian(rows, d, 'resq');
    const dirs = gaussian(8, d, 'resq-dirs');
    const coef = gaussian(rows, 8, 'resq-coef');
    for (let i = 0; i < rows; i++)
      for (let c = 0; c < 8; c++)
        for (let t = 0; t < d; t++) x[i * d + t] += 10 * coef[i * 8 + c] * dirs[c * d + t];
    const eResq = frob(run(resqQuantizer, x, rows, d), x);
    const eInt4 = frob(run(intQuantizer, x, rows, d, { granularity: 'row' }), x);
    expect(eResq).toBeLessThan(0.5 * eInt4);
  });
});

describe('eora', () => {
  it('with calibration activations, the eigenspace correction beats plain SVD in ‖(W − Ŵ)X̃ᵀ‖ and never worsens it', () => {
    const rows = 64;
    const d = 128;
    const n = 256;
    const w = gaussian(rows, d, 'eora-w');
    const x = gaussian(n, d, 'eora-x');
    for (let t = 0; t < n; t++) for (const c of [3, 40, 90]) x[t * d + c] *= 20;
    const calibCtx = { rng, calibration: { rows: n, cols: d, data: x } };
    const q = (space: string, rank: number) => {
      const out = new Float32Array(rows * d);
      eoraQuantizer.quantize(w, rows, d, withDefaults(eoraQuantizer.params, { space, rank }), calibCtx, out);
      return out;
    };
    const outErr = (wHat: Float32Array) => {
      let s = 0;
      for (let t = 0; t < n; t++)
        for (let i = 0; i < rows; i++) {
          let e = 0;
          for (let j = 0; j < d; j++) e += (w[i * d + j] - wHat[i * d + j]) * x[t * d + j];
          s += e * e;
        }
      return Math.sqrt(s);
    };
    const base = outErr(q('eigen', 0));
    const eigen = outErr(q('eigen', 16));
    const plain = outErr(q('plain', 16));
    expect(eigen).toBeLessThan(base);
    expect(eigen).toBeLessThan(plain);
  });
});

describe('adahop', () => {
  it('classifies constructed row-wise, column-wise and flat operands', () => {
    const rows = 64;
    const d = 64;
    const col = gaussian(rows, d, 'ada');
    for (let i = 0; i < rows; i++) col[i * d + 9] *= 50;
    const row = gaussian(rows, d, 'ada');
    for (let j = 0; j < d; j++) row[7 * d + j] *= 50;
    expect(classifyOutlierPattern(col, rows, d, 8).pattern).toBe('column-wise');
    expect(classifyOutlierPattern(row, rows, d, 8).pattern).toBe('row-wise');
    expect(classifyOutlierPattern(gaussian(rows, d, 'ada'), rows, d, 8).pattern).toBe('none');
    // Row-wise → one BF16 row extracted: [63·(4·64 + 8·2) + 16·64 + 6·1]/(64·64).
    expect(adahopQuantizer.bitsPerCoordOf?.(row, rows, d, withDefaults(adahopQuantizer.params))).toBeCloseTo(
      (63 * 272 + 1024 + 6) / 4096,
      12,
    );
    expect(adahopQuantizer.bitsPerCoord(withDefaults(adahopQuantizer.params), 4, 100)).toBeCloseTo(
      (128 * 4.25) / 100,
      12,
    );
  });
});

describe('duquant', () => {
  it('zigzag deals sorted channels 0,1,2,3,3,2,1,0 to blocks', () => {
    const mags = Float64Array.from([8, 7, 6, 5, 4, 3, 2, 1]);
    expect(Array.from(zigzagPermutation(mags, 2))).toEqual([0, 7, 1, 6, 2, 5, 3, 4]);
  });

  it('is orthogonal: inverse(forward(x)) = x and norms are kept, both variants', () => {
    const rows = 16;
    const d = 40; // padded to 64
    const x = gaussian(rows, d, 'duq');
    for (const variant of ['duquant++', 'duquant']) {
      const t = duquantTransform.prepare(withDefaults(duquantTransform.params, { variant }), {
        rng,
        dim: d,
        data: { rows, cols: d, data: x },
      });
      const y = new Float32Array(rows * t.outDim);
      t.forward(x, rows, y);
      const back = new Float32Array(rows * d);
      t.inverse(y, rows, back);
      expect(frob(back, x) / frob(x)).toBeLessThan(1e-6);
      expect(frob(y)).toBeCloseTo(frob(x), 3);
    }
  });
});
