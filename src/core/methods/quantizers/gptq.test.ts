/**
 * gptq against
 *  - the independent numpy GPTQ of testing/fixtures/gen_gptq.py (gptq.json): identical quantized
 *    weights on a fixed 12 × 48 case with an outlier and a dead input channel, for int (sym/asym,
 *    groups inside and across lazy blocks, act-order), mxfp4 and nvfp4 grids;
 *  - the registry quantizers: without calibration (H = I) GPTQ is their round-to-nearest, bit for
 *    bit, which checks that the column grid is the registry format's grid;
 *  - bits: the grid's closed form plus d·⌈log2 d⌉ for act-order's permutation (by hand).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createRngFactory } from '../../rng';
import { withDefaults } from '../params';
import type { Matrix, ParamValue } from '../types';
import { fp8Quantizer } from './fp8';
import { gptqQuantizer, NO_CALIBRATION_NOTE } from './gptq';
import { intQuantizer } from './int';
import { mxfp4Quantizer } from './mxfp4';
import { nf4Quantizer } from './nf4';
import { nvfp4Quantizer } from './nvfp4';

interface Case {
  spec: Record<string, ParamValue>;
  gptq: number[];
  errGptq: number;
  errRtn: number;
}
const fixture = JSON.parse(
  readFileSync(new URL('../../testing/fixtures/gptq.json', import.meta.url), 'utf8'),
) as { rows: number; d: number; tokens: number; w: number[]; x: number[]; cases: Case[] };

const rng = createRngFactory(1);

function run(params: Record<string, ParamValue>, w: Float32Array, rows: number, d: number, x?: Matrix) {
  const out = new Float32Array(rows * d);
  const p = withDefaults(gptqQuantizer.params, params);
  gptqQuantizer.quantize(w, rows, d, p, x ? { rng, calibration: x } : { rng }, out);
  return out;
}

describe('gptq vs the numpy reference (gen_gptq.py)', () => {
  const { rows, d, tokens } = fixture;
  const w = Float32Array.from(fixture.w);
  const x: Matrix = { rows: tokens, cols: d, data: Float32Array.from(fixture.x) };
  it.each(fixture.cases.map((c) => [JSON.stringify(c.spec), c] as const))('%s', (_name, c) => {
    const { grid, bits, group, symmetric, actOrder, damp, block } = c.spec;
    const out = run({ grid, bits, group, symmetric, actOrder, damp, block }, w, rows, d, x);
    let mismatches = 0;
    for (let i = 0; i < out.length; i++) if (out[i] !== Math.fround(c.gptq[i])) mismatches++;
    expect(mismatches, `${mismatches} of ${out.length} quantized weights differ`).toBe(0);
    // The dead channel (17) is zeroed, as the reference code does.
    for (let r = 0; r < rows; r++) expect(out[r * d + 17]).toBe(0);
  });

  it('lazy batches change only the order of the updates: block 1, 7 and 128 give the same weights', () => {
    const p = { grid: 'int', bits: 4, group: 16, symmetric: true, actOrder: true };
    const ref = run({ ...p, block: 1 }, w, rows, d, x);
    for (const block of [7, 128]) {
      const out = run({ ...p, block }, w, rows, d, x);
      let diff = 0;
      for (let i = 0; i < out.length; i++) if (out[i] !== ref[i]) diff++;
      expect(diff, `block ${block}`).toBe(0);
    }
  });

  it('lowers the layer error below RTN in the reference for every case but int3 asym act-order', () => {
    for (const c of fixture.cases.filter((k) => k.errGptq < k.errRtn)) {
      expect(c.errGptq / c.errRtn).toBeLessThan(0.9);
    }
    expect(fixture.cases.filter((k) => k.errGptq < k.errRtn).length).toBe(fixture.cases.length - 1);
  });
});

describe('gptq without calibration is the registry quantizer (H = I)', () => {
  const rows = 6;
  const d = 96;
  const w = new Float32Array(rows * d);
  createRngFactory(5).stream('data', 'gptq-rtn').fillNormal(w);
  for (let r = 0; r < rows; r++) w[r * d + 3 + r] *= 30; // outliers move scales
  const cases: [Record<string, ParamValue>, (out: Float32Array) => void][] = [
    [
      { grid: 'int', bits: 4, group: 32, symmetric: true },
      (o) =>
        intQuantizer.quantize(
          w,
          rows,
          d,
          withDefaults(intQuantizer.params, { bits: 4, group: 32 }),
          { rng },
          o,
        ),
    ],
    [
      { grid: 'int', bits: 3, group: 16, symmetric: false },
      (o) =>
        intQuantizer.quantize(
          w,
          rows,
          d,
          withDefaults(intQuantizer.params, { bits: 3, group: 16, symmetric: false }),
          { rng },
          o,
        ),
    ],
    [
      { grid: 'mxfp4' },
      (o) => mxfp4Quantizer.quantize(w, rows, d, withDefaults(mxfp4Quantizer.params), { rng }, o),
    ],
    [
      { grid: 'nvfp4' },
      (o) => nvfp4Quantizer.quantize(w, rows, d, withDefaults(nvfp4Quantizer.params), { rng }, o),
    ],
    [
      { grid: 'nf4', group: 64 },
      (o) => nf4Quantizer.quantize(w, rows, d, withDefaults(nf4Quantizer.params, { block: 64 }), { rng }, o),
    ],
    [
      { grid: 'fp8' },
      (o) =>
        fp8Quantizer.quantize(
          w,
          rows,
          d,
          withDefaults(fp8Quantizer.params, { granularity: 'row' }),
          { rng },
          o,
        ),
    ],
  ];
  it.each(cases.map(([p, f]) => [JSON.stringify(p), p, f] as const))('%s', (_n, p, f) => {
    const expected = new Float32Array(rows * d);
    f(expected);
    expect(Array.from(run(p, w, rows, d))).toEqual(Array.from(expected));
  });

  it('says so in its note, and only without calibration', () => {
    const p = withDefaults(gptqQuantizer.params);
    expect(gptqQuantizer.note?.(p, { rng })).toBe(NO_CALIBRATION_NOTE);
    const x: Matrix = { rows: 2, cols: d, data: new Float32Array(2 * d).fill(1) };
    expect(gptqQuantizer.note?.(p, { rng, calibration: x })).toBeUndefined();
  });

  it('the mse scale search never raises a group’s RTN error', () => {
    for (const grid of ['int', 'mxfp4', 'nvfp4', 'nf4'] as const) {
      const base = run({ grid, group: 32 }, w, rows, d);
      const searched = run({ grid, group: 32, scaleSearch: 'mse' }, w, rows, d);
      let e0 = 0;
      let e1 = 0;
      for (let i = 0; i < w.length; i++) {
        e0 += (w[i] - base[i]) ** 2;
        e1 += (w[i] - searched[i]) ** 2;
      }
      expect(e1, grid).toBeLessThanOrEqual(e0);
      // MXFP4 has only power-of-two scales to choose from: its gain is small.
      if (grid !== 'mxfp4') expect(e1, grid).toBeLessThan(e0 * 0.999);
    }
  });
});

describe('gptq bits and errors', () => {
  it('charges the grid, plus d·⌈log2 d⌉ bits for act-order', () => {
    const p = withDefaults(gptqQuantizer.params);
    expect(gptqQuantizer.bitsPerCoord(p, 256, 512)).toBe(4 + 16 / 128);
    const ao = withDefaults(gptqQuantizer.params, { actOrder: true });
    expect(gptqQuantizer.bitsPerCoord(ao, 256, 512)).toBe(4 + 16 / 128 + (512 * 9) / (256 * 512));
    expect(gptqQuantizer.bitsPerCoord(withDefaults(gptqQuantizer.params, { grid: 'nvfp4' }), 4, 64)).toBe(
      4 + 0.5 + 32 / 256,
    );
    expect(gptqQuantizer.bitsPerCoord(withDefaults(gptqQuantizer.params, { grid: 'mxfp4' }), 4, 64)).toBe(
      4.25,
    );
  });

  it('refuses calibration of the wrong width and a singular undamped Hessian, naming them', () => {
    const w = new Float32Array(2 * 8).fill(1);
    const x8: Matrix = { rows: 1, cols: 8, data: new Float32Array(8).fill(1) };
    expect(() => run({ damp: 0 }, w, 2, 8, x8)).toThrow(/not positive definite \(damp = 0\)/);
    const x4: Matrix = { rows: 1, cols: 4, data: new Float32Array(4) };
    expect(() => run({}, w, 2, 8, x4)).toThrow(/4 columns, the weight has 8/);
  });
});
