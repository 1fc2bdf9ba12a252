/**
 * bfp and matquant against the numpy reference (fixtures/gen_formats2.py), bit for bit, plus
 * closed-form bits and the identities their headers state: BFP with m = 8 is MXINT8; a MatQuant
 * 8-bit slice is direct int8 min–max; r-bit slices equal direct rounding onto the sliced grid
 * except where double rounding differs (the positions the reference finds).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createRngFactory } from '../../rng';
import { getDataSource } from '..';
import { withDefaults } from '../params';
import type { ParamValue, QuantizerDef } from '../types';
import { bfpQuantizer } from './bfp';
import { matquantQuantizer, sliceCode } from './matquant';
import { mxQuantizer } from './mx';

interface Fixture {
  mxInput: { rows: number; dim: number; x: number[] };
  bfp: { params: Record<string, ParamValue>; output: number[] }[];
  matquant: {
    rows: number;
    dim: number;
    x: number[];
    slices: {
      bits: number;
      output: number[];
      directOnSliceGrid: number[];
      mseSlice: number;
      mseDirectMinMax: number;
      doubleRounding: number[];
    }[];
  };
}
const fx = JSON.parse(
  readFileSync(new URL('../../testing/fixtures/formats2.json', import.meta.url), 'utf8'),
) as Fixture;

function run(q: QuantizerDef, params: Record<string, ParamValue>, x: Float32Array, rows: number, d: number) {
  const out = new Float32Array(x.length);
  q.quantize(x, rows, d, withDefaults(q.params, params), { rng: createRngFactory(2) }, out);
  return out;
}

function sameBits(a: Float32Array, b: ArrayLike<number>, what: string): void {
  expect(a.length).toBe(b.length);
  for (let i = 0; i < a.length; i++)
    if (!Object.is(a[i], Math.fround(b[i]))) throw new Error(`${what}: index ${i}: ${a[i]} ≠ ${b[i]}`);
}

describe('bfp', () => {
  const { rows, dim } = fx.mxInput;
  const x = Float32Array.from(fx.mxInput.x);
  for (const ref of fx.bfp)
    it(`numpy reference ${JSON.stringify(ref.params)}`, () => {
      sameBits(run(bfpQuantizer, ref.params, x, rows, dim), ref.output, JSON.stringify(ref.params));
    });
  it('m = 8 equals MXINT8 (mx int8, e8m0 floor) bit for bit on LLM-like weights', () => {
    const def = getDataSource('llm-weights');
    if (!def) throw new Error('llm-weights');
    const w = def.generate(withDefaults(def.params, { rows: 32, dim: 1000 }), { rng: createRngFactory(5) });
    const a = run(bfpQuantizer, { mantissa: 8, block: 32 }, w.data, w.rows, w.cols);
    const b = run(mxQuantizer, { element: 'int8', block: 32 }, w.data, w.rows, w.cols);
    expect(a).toEqual(b);
  });
  it('hand example m = 4 (BFP12), block [3, 1, 0.3, −2.9]: E = 1, Δ = 2^(1−2) = 0.5, |q| ≤ 7', () => {
    const out = run(bfpQuantizer, { mantissa: 4, block: 4 }, Float32Array.from([3, 1, 0.3, -2.9]), 1, 4);
    expect(Array.from(out)).toEqual([3, 1, 0.5, -3]);
    // 3.9 → q = 7.8 → 8 saturates to 7: 3.5.
    expect(run(bfpQuantizer, { mantissa: 4, block: 1 }, Float32Array.from([3.9]), 1, 1)[0]).toBe(3.5);
  });
  it('bits: m + 8·⌈d/B⌉/d (BFP12 at B = 32: 4.25)', () => {
    expect(bfpQuantizer.bitsPerCoord(withDefaults(bfpQuantizer.params), 8, 4096)).toBe(4.25);
    expect(
      bfpQuantizer.bitsPerCoord(withDefaults(bfpQuantizer.params, { mantissa: 6, block: 64 }), 1, 100),
    ).toBe(6 + 16 / 100);
  });
});

describe('matquant', () => {
  const { rows, dim } = fx.matquant;
  const x = Float32Array.from(fx.matquant.x);
  for (const s of fx.matquant.slices)
    it(`int8 → int${s.bits}: numpy reference, error, and the direct-quantization comparison`, () => {
      const out = run(matquantQuantizer, { bits: s.bits }, x, rows, dim);
      sameBits(out, s.output, `slice ${s.bits}`);
      let se = 0;
      for (let i = 0; i < x.length; i++) se += (out[i] - x[i]) ** 2;
      expect(Math.abs(se / x.length - s.mseSlice) / s.mseSlice).toBeLessThan(1e-12);
      // Against direct rounding onto the sliced grid: equal except where double rounding differs.
      const differ: number[] = [];
      for (let i = 0; i < x.length; i++) if (out[i] !== Math.fround(s.directOnSliceGrid[i])) differ.push(i);
      expect(differ).toEqual(s.doubleRounding);
      if (s.bits === 8) expect(differ).toEqual([]);
      // Slicing costs accuracy against a direct r-bit min–max grid, the gap MatQuant's
      // co-training closes (paper Table 1: sliced int2 of an int8 model is far worse than int2).
      if (s.bits < 8) expect(s.mseSlice).toBeGreaterThan(0);
    });
  it('an 8-bit "slice" is direct int8 min–max (r = 8 keeps every bit)', () => {
    const s8 = fx.matquant.slices.find((s) => s.bits === 8);
    if (!s8) throw new Error('no 8-bit slice');
    sameBits(run(matquantQuantizer, { bits: 8 }, x, rows, dim), s8.directOnSliceGrid, 'int8');
  });
  it('S(q, r) = clamp(⌊q/2^(8−r)⌉, 0, 2^r − 1)·2^(8−r) (MatQuant §3)', () => {
    expect([0, 7, 8, 24, 40, 247, 255].map((q) => sliceCode(q, 4))).toEqual([0, 0, 0, 32, 32, 240, 240]);
    expect([31, 32, 96, 160, 255].map((q) => sliceCode(q, 2))).toEqual([0, 0, 128, 128, 192]);
    for (let q = 0; q < 256; q++) expect(sliceCode(q, 8)).toBe(q);
  });
  it('bits: r + 32/d (fp16 α and z per row)', () => {
    expect(matquantQuantizer.bitsPerCoord(withDefaults(matquantQuantizer.params, { bits: 2 }), 4, 64)).toBe(
      2.5,
    );
  });
});
