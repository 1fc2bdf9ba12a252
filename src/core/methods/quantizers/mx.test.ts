/**
 * mx (the microscaling design space) against
 *  - the independent numpy reference (testing/fixtures/gen_formats2.py → formats2.json): every
 *    code of every element and scale format, and quantize–dequantize bit for bit for every element
 *    format, scale format × scale rule × tensor scale, and 2-D tiles;
 *  - a brute-force count of stored bits (bits per coordinate exact for every combination);
 *  - mxfp4 and nvfp4, which must equal their mx settings bit for bit on LLM-like data.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decode, E2M1, E2M3, E3M2, E4M3, E5M2, UE4M3, type MinifloatFormat } from '../../formats/minifloat';
import { decodeE8m0 } from '../../formats/e8m0';
import { createRngFactory } from '../../rng';
import { getDataSource } from '..';
import { withDefaults } from '../params';
import type { ParamValue } from '../types';
import { elementMax, mxBitsPerCoord, mxQuantize, mxQuantizer, UE5M3, type MxSettings } from './mx';
import { MXFP4_SETTINGS, mxfp4Quantizer } from './mxfp4';
import { NVFP4_SETTINGS, nvfp4Quantizer } from './nvfp4';

interface Fixture {
  codeTables: Record<string, (number | string | null)[]>;
  mxInput: { rows: number; dim: number; x: number[] };
  mx: { params: Record<string, ParamValue>; output: (number | null)[] }[];
  mxBits: { rows: number; dim: number; params: Record<string, ParamValue>; bits: number }[];
}
const fx = JSON.parse(
  readFileSync(new URL('../../testing/fixtures/formats2.json', import.meta.url), 'utf8'),
) as Fixture;

function run(params: Record<string, ParamValue>, x: Float32Array, rows: number, d: number, seed = 1) {
  const out = new Float32Array(x.length);
  mxQuantizer.quantize(
    x,
    rows,
    d,
    withDefaults(mxQuantizer.params, params),
    { rng: createRngFactory(seed) },
    out,
  );
  return out;
}

function sameBits(a: Float32Array, b: Float32Array, what: string): void {
  expect(a.length).toBe(b.length);
  for (let i = 0; i < a.length; i++)
    if (!Object.is(a[i], b[i])) throw new Error(`${what}: index ${i}: ${a[i]} ≠ ${b[i]}`);
}

describe('code tables (every code of every element and scale format)', () => {
  const formats: Record<string, MinifloatFormat> = {
    e2m1: E2M1,
    e2m3: E2M3,
    e3m2: E3M2,
    e4m3: E4M3,
    e5m2: E5M2,
    ue4m3: UE4M3,
    ue5m3: UE5M3,
  };
  for (const [name, f] of Object.entries(formats))
    it(`${name}: ${f.ncodes} codes decode to the spec values`, () => {
      const ref = fx.codeTables[name];
      expect(ref.length).toBe(f.ncodes);
      ref.forEach((v, c) => {
        const got = decode(f, c);
        if (v === null) expect(got, `code ${c}`).toBeNaN();
        else expect(got, `code ${c}`).toBe(typeof v === 'string' ? Number(v.replace('inf', 'Infinity')) : v);
      });
    });
  it('e8m0: 2^(c − 127), 255 = NaN', () => {
    fx.codeTables.e8m0.forEach((v, c) =>
      v === null ? expect(decodeE8m0(c)).toBeNaN() : expect(decodeE8m0(c)).toBe(v),
    );
  });
  it('int8 (MXINT8, implicit 2^−6): the grid mx reaches is k/64, |k| ≤ 127', () => {
    const ref = fx.codeTables.int8;
    expect(ref[127]).toBe(elementMax('int8'));
    // Every non-negative code value is a fixed point of the element rounding (X = 1 block: amax in [1, 2)).
    const x = Float32Array.from(ref.filter((v): v is number => typeof v === 'number' && v >= 0));
    const pinned = Float32Array.from([...x, 1.5]); // amax 1.984375 → X = 2^0
    const out = run({ element: 'int8', block: pinned.length }, pinned, 1, pinned.length);
    sameBits(out.subarray(0, x.length), x, 'int8 grid');
  });
  it('element maxima: E2M1 6, E2M3 7.5, E3M2 28, E4M3 448, E5M2 57344, INT8 127/64 (MX v1.0 §5.3)', () => {
    expect([
      elementMax('e2m1'),
      elementMax('e2m3'),
      elementMax('e3m2'),
      elementMax('e4m3'),
      elementMax('e5m2'),
    ]).toEqual([6, 7.5, 28, 448, 57344]);
    expect(UE5M3.maxFinite).toBe(61440);
  });
});

describe('bit-exact agreement with the numpy reference (formats2.json)', () => {
  const { rows, dim } = fx.mxInput;
  const x = Float32Array.from(fx.mxInput.x);
  for (const ref of fx.mx) {
    const label = JSON.stringify(ref.params);
    it(label, () => {
      const copy = x.slice();
      const out = run(ref.params, x, rows, dim);
      expect(x).toEqual(copy);
      const want = Float32Array.from(ref.output, (v) => (v === null ? NaN : v));
      sameBits(out, want, label);
    });
  }
  it('covers every element format, scale format, rule, both layouts and the tensor scale', () => {
    const seen = (k: string) => new Set(fx.mx.map((c) => String(c.params[k])));
    for (const o of mxQuantizer.params.element.kind === 'enum' ? mxQuantizer.params.element.options : [])
      expect(seen('element').has(o), o).toBe(true);
    for (const k of ['scale', 'rule', 'layout'] as const) {
      const spec = mxQuantizer.params[k];
      if (spec.kind === 'enum') for (const o of spec.options) expect(seen(k).has(o), `${k} ${o}`).toBe(true);
    }
    expect(seen('tensorScale')).toEqual(new Set(['true', 'false']));
  });
});

describe('bits per coordinate', () => {
  it('equals a brute-force count of stored bits for every combination in the fixture', () => {
    for (const c of fx.mxBits) {
      const p = withDefaults(mxQuantizer.params, c.params);
      expect(Math.abs(mxQuantizer.bitsPerCoord(p, c.rows, c.dim) - c.bits), JSON.stringify(c)).toBeLessThan(
        1e-12,
      );
    }
  });
  it('MXFP4 4.25, MXFP6 6.25, MXFP8 / MXINT8 8.25, NVFP4 4.5 + 32/(rows·d), 2-D NVFP4 4 + 8/256 + 32/(rows·d)', () => {
    const b = (p: Record<string, ParamValue>, rows = 4, d = 1024) =>
      mxQuantizer.bitsPerCoord(withDefaults(mxQuantizer.params, p), rows, d);
    expect(b({ element: 'e2m1' })).toBe(4.25);
    expect(b({ element: 'e3m2' })).toBe(6.25);
    expect(b({ element: 'int8' })).toBe(8.25);
    expect(b({ block: 16, scale: 'ue4m3', rule: 'round', tensorScale: true }, 64, 1024)).toBe(
      4.5 + 32 / 65536,
    );
    expect(b({ block: 16, scale: 'ue4m3', rule: 'round', tensorScale: true, layout: '2d' }, 64, 1024)).toBe(
      4 + 8 / 256 + 32 / 65536,
    );
    expect(b({ scale: 'fp32' })).toBe(5);
  });
  it('mxfp4 and nvfp4 report the same bits as their mx settings', () => {
    for (const [rows, d] of [
      [1, 1],
      [3, 40],
      [17, 33],
      [64, 4096],
    ]) {
      expect(mxfp4Quantizer.bitsPerCoord({}, rows, d)).toBe(mxBitsPerCoord(MXFP4_SETTINGS, rows, d));
      expect(nvfp4Quantizer.bitsPerCoord({}, rows, d)).toBe(mxBitsPerCoord(NVFP4_SETTINGS, rows, d));
    }
  });
});

describe('mxfp4 and nvfp4 are points of mx, bit for bit', () => {
  const sources: [string, Record<string, ParamValue>][] = [
    ['llm-weights', { rows: 64, dim: 1000 }],
    ['outlier-channels', { rows: 48, dim: 768 }],
    ['student-t', { rows: 32, dim: 515 }],
  ];
  const asMx = (s: MxSettings): Record<string, ParamValue> => ({ ...s });
  for (const [id, given] of sources) {
    const def = getDataSource(id);
    if (!def) throw new Error(id);
    const data = def.generate(withDefaults(def.params, given), { rng: createRngFactory(11) });
    for (const [q, settings] of [
      [mxfp4Quantizer, MXFP4_SETTINGS],
      [nvfp4Quantizer, NVFP4_SETTINGS],
    ] as const) {
      it(`${q.id} = mx ${JSON.stringify(settings)} on ${id} ${data.rows}×${data.cols}`, () => {
        const a = new Float32Array(data.data.length);
        q.quantize(data.data, data.rows, data.cols, withDefaults(q.params), { rng: createRngFactory(3) }, a);
        sameBits(a, run(asMx(settings), data.data, data.rows, data.cols), q.id);
        // Stochastic rounding: the same kernel fed the wrapper's own stream.
        const b = new Float32Array(data.data.length);
        q.quantize(
          data.data,
          data.rows,
          data.cols,
          withDefaults(q.params, { rounding: 'stochastic' }),
          { rng: createRngFactory(3) },
          b,
        );
        const c = new Float32Array(data.data.length);
        mxQuantize(
          data.data,
          data.rows,
          data.cols,
          settings,
          createRngFactory(3).stream('rounding', q.id),
          c,
        );
        sameBits(b, c, `${q.id} stochastic`);
        expect(b).not.toEqual(a);
      });
    }
  }
});

describe('properties', () => {
  it('ceil never saturates, floor (OCP) may: the block max is kept within one ulp-grid step with ceil', () => {
    const x = Float32Array.from([7.9, 1, 0.5, -0.25]); // amax 7.9: floor X = 2^(2−2) = 1 → 7.9 saturates to 6
    expect(run({ rule: 'floor', block: 4 }, x, 1, 4)[0]).toBe(6);
    expect(run({ rule: 'ceil', block: 4 }, x, 1, 4)[0]).toBe(8); // X = 2^⌈log2(7.9/6)⌉ = 2 → 4·2
  });
  it('2-D tiles share one scale across rows: a 16×16 tile with one outlier zeros small values in other rows', () => {
    const x = new Float32Array(16 * 16).fill(0.01);
    x[0] = 100;
    const tile = run({ layout: '2d', block: 16 }, x, 16, 16);
    const rowwise = run({ layout: '1d', block: 16 }, x, 16, 16);
    expect(tile[16]).toBe(0); // row 1 shares the outlier's scale
    // Row-wise: amax 0.01 → X = 2^(⌊log2 0.01⌋ − 2) = 2^−9, 0.01/X = 5.12 → 6.
    expect(rowwise[16]).toBe(6 / 512);
  });
  it('stochastic rounding is unbiased inside the range (mean over 4000 draws, 5σ)', () => {
    const n = 4000;
    const x = new Float32Array(n).fill(0.3);
    x[0] = 6; // X = 1 for e2m1 floor, block n: 0.3 lies between 0 and 0.5
    const out = run({ block: n, rounding: 'stochastic' }, x, 1, n, 9);
    let s = 0;
    for (let i = 1; i < n; i++) s += out[i];
    const mean = s / (n - 1);
    const sd = Math.sqrt(0.3 * 0.2) / Math.sqrt(n - 1);
    expect(Math.abs(mean - 0.3)).toBeLessThan(5 * sd);
  });
});
