/**
 * int, fp8, mxfp4, nvfp4, nf4, ternary against
 *  - the independent numpy reference (testing/fixtures/gen_formats.py → formats.json), bit-exact;
 *  - hand computations from the specs (cited per case);
 *  - bitsPerCoord closed forms computed by hand;
 *  - the CONTRACT.md §4 ids, params and defaults.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createRngFactory } from '../../rng';
import { expectArrayClose, expectClose } from '../../testing/expect';
import { withDefaults } from '../params';
import type { ParamValue, QuantizerDef } from '../types';
import { fp8Quantizer } from './fp8';
import { intQuantizer } from './int';
import { mxfp4Quantizer } from './mxfp4';
import { nf4Quantizer } from './nf4';
import { nvfp4Quantizer } from './nvfp4';
import { ternaryQuantizer } from './ternary';

interface QuantizedRef {
  case: string;
  quantizer: string;
  params: Record<string, ParamValue>;
  output: number[][];
}
interface Fixture {
  inputs: Record<string, number[][]>;
  quantized: QuantizedRef[];
}
const fixture = JSON.parse(
  readFileSync(new URL('../../testing/fixtures/formats.json', import.meta.url), 'utf8'),
) as Fixture;

const BY_ID: Record<string, QuantizerDef> = {
  int: intQuantizer,
  fp8: fp8Quantizer,
  mxfp4: mxfp4Quantizer,
  nvfp4: nvfp4Quantizer,
  nf4: nf4Quantizer,
  ternary: ternaryQuantizer,
};

function run(
  q: QuantizerDef,
  rows: number[][] | Float32Array,
  given: Record<string, ParamValue> = {},
  d?: number,
) {
  const flat = rows instanceof Float32Array ? rows : Float32Array.from(rows.flat());
  const dim = d ?? (rows instanceof Float32Array ? rows.length : rows[0].length);
  const n = flat.length / dim;
  const out = new Float32Array(flat.length);
  q.quantize(flat, n, dim, withDefaults(q.params, given), { rng: createRngFactory(1) }, out);
  return out;
}

describe('bit-exact agreement with the numpy reference (formats.json)', () => {
  for (const ref of fixture.quantized) {
    const label = `${ref.quantizer} ${JSON.stringify(ref.params)} on ${ref.case}`;
    it(label, () => {
      const rows = fixture.inputs[ref.case];
      const input = Float32Array.from(rows.flat());
      const copy = input.slice();
      const out = run(BY_ID[ref.quantizer], input, ref.params, rows[0].length);
      expect(input).toEqual(copy); // input untouched
      expectArrayClose(out, ref.output.flat(), 0, label);
    });
  }
  it('covers every quantizer of this file', () => {
    const ids = new Set(fixture.quantized.map((r) => r.quantizer));
    for (const id of Object.keys(BY_ID)) expect(ids.has(id), id).toBe(true);
  });
});

describe('hand-computed examples', () => {
  it('mxfp4 (MX §6.3): amax 6 → X = 2^(2−2) = 1, ties to even, saturation at 6·X', () => {
    const block = [6, 2.5, 0.25, 0.75, 5, -3.5, 7.9, 1.25, ...new Array<number>(24).fill(0)];
    expect(Array.from(run(mxfp4Quantizer, [block]).slice(0, 8))).toEqual([6, 2, 0, 1, 4, -4, 6, 1]);
    // amax 1 → X = 2^(0 − 2) = 0.25: grid 0.25·{0, .5, 1, 1.5, 2, 3, 4, 6}; 1 = 4·X exactly.
    const small = [1, 0.3, -0.6, 0.05, ...new Array<number>(28).fill(0.01)];
    const out = run(mxfp4Quantizer, [small]);
    expect(Array.from(out.slice(0, 4))).toEqual([1, 0.25, -0.5, 0]);
    // A second block with 8 elements only (partial): amax 0.9 → X = 2^(−1−2).
    const two = [...small, 0.9, 0.1, 0, 0, 0, 0, 0, 0];
    const out2 = run(mxfp4Quantizer, [two]);
    expect(Array.from(out2.slice(32, 34))).toEqual([0.75, 0.125]); // 0.9/0.125 = 7.2 → saturates to 6; 0.8 → 1
  });
  it('nvfp4: tensor amax 2688 → s_t = 1, block scale 448; second block amax 6 → scale 1', () => {
    const row = new Array<number>(32).fill(0);
    row[0] = 2688;
    row[1] = 1000; // 1000/448 = 2.23 → 2 → 896
    row[16] = 6;
    row[17] = 2.5; // scale 1: 2.5 → 2 (tie to even)
    row[18] = -0.2; // −0.2 → −0 (sign kept, as IEEE)
    const out = run(nvfp4Quantizer, [row]);
    expect(out[0]).toBe(2688);
    expect(out[1]).toBe(896);
    expect(out[16]).toBe(6);
    expect(out[17]).toBe(2);
    expect(out[18]).toBe(-0);
  });
  it('int symmetric 4-bit: s = fp16(1/7) = 0.142822265625', () => {
    const out = run(intQuantizer, [[1, -0.5, 0.3, 0, 0, 0, 0, 0]], { granularity: 'row' });
    // 1/s = 7.0017 → 7; −0.5/s = −3.5009 → −4; 0.3/s = 2.1005 → 2.
    expect(Array.from(out.slice(0, 3))).toEqual([
      7 * 0.142822265625,
      -4 * 0.142822265625,
      2 * 0.142822265625,
    ]);
  });
  it('int asymmetric 2-bit: range [−1, 2] → s = 1, z = 1, levels {−1, 0, 1, 2}', () => {
    const out = run(intQuantizer, [[-1, 2, 0.4, 1.5, 0.6, -0.5, 0, 0]], {
      bits: 2,
      granularity: 'row',
      symmetric: false,
    });
    // −0.5 → round(−0.5) = 0 (tie to even) → q = z → 0.
    expect(Array.from(out)).toEqual([-1, 2, 0, 2, 1, 0, 0, 0]);
  });
  it('ternary (TWN §2.2): Δ = 0.7·mean|w|, α = mean of |w| above Δ', () => {
    const w = [2, -1, 0.5, 0.1, 0, 0, 0, 0];
    // mean|w| = 3.6/8 = 0.45 → Δ = 0.315; above: 2, 1, 0.5 → α = 3.5/3 → fp16 1.1669921875.
    const out = run(ternaryQuantizer, [w], { group: 8 });
    expect(Array.from(out)).toEqual([1.1669921875, -1.1669921875, 1.1669921875, 0, 0, 0, 0, 0]);
  });
  it('nf4: block absmax 2 → x̂ = 2·NF4[nearest(x/2)]', () => {
    const out = run(nf4Quantizer, [[2, -1, 0.3, 0]], { block: 64 });
    expect(out[0]).toBe(2);
    expect(out[1]).toBe(Math.fround(2 * -0.5250730514526367)); // −0.5 nearest −0.52507
    expect(out[2]).toBe(Math.fround(2 * 0.16093020141124725)); // 0.15 nearest 0.16093
    expect(out[3]).toBe(0);
  });
  it('fp8 e4m3 tensor: s = fp32(amax/448)', () => {
    const out = run(fp8Quantizer, [[448, 17, 19, -0.001]]);
    // s = 1; 17 → 16 and 19 → 20 (ties to even); −0.001 is 0.512 subnormal steps of 2^−9 → −2^−9.
    expect(Array.from(out)).toEqual([448, 16, 20, -(2 ** -9)]);
  });
});

describe('NaN input is never silently turned into a number', () => {
  for (const q of Object.values(BY_ID)) {
    it(q.id, () => {
      const row = [1, -2, NaN, 0.5, ...new Array<number>(28).fill(0.25)];
      const out = run(q, [row], q.id === 'ternary' ? { group: 32 } : {});
      expect(Number.isNaN(out[2]), `${q.id}: x̂ = ${out[2]}`).toBe(true);
    });
  }
});

describe('bitsPerCoord (hand-computed)', () => {
  const p = (q: QuantizerDef, given: Record<string, ParamValue> = {}) => withDefaults(q.params, given);
  const cases: [string, QuantizerDef, Record<string, ParamValue>, number, number, number][] = [
    ['mxfp4 d=1024', mxfp4Quantizer, {}, 256, 1024, 4.25],
    ['mxfp4 d=1000 (32 blocks, last partial)', mxfp4Quantizer, {}, 3, 1000, 4 + 256 / 1000],
    ['mxfp4 d=33', mxfp4Quantizer, {}, 1, 33, 4 + 16 / 33],
    ['nvfp4 256×1024', nvfp4Quantizer, {}, 256, 1024, 4.5 + 32 / 262144],
    ['nvfp4 1×20', nvfp4Quantizer, {}, 1, 20, 4 + 16 / 20 + 32 / 20],
    ['nf4 d=1024', nf4Quantizer, {}, 8, 1024, 4.5],
    ['nf4 d=100', nf4Quantizer, {}, 8, 100, 4.64],
    ['nf4 block 256 d=1024', nf4Quantizer, { block: 256 }, 8, 1024, 4.125],
    ['int b4 g128 sym', intQuantizer, {}, 256, 1024, 4.125],
    ['int b4 g128 asym', intQuantizer, { symmetric: false }, 256, 1024, 4 + (20 * 8) / 1024],
    ['int b4 g128 d=200', intQuantizer, {}, 2, 200, 4.16],
    [
      'int b8 row asym',
      intQuantizer,
      { bits: 8, granularity: 'row', symmetric: false },
      4,
      1024,
      8 + 24 / 1024,
    ],
    ['int b3 tensor sym', intQuantizer, { bits: 3, granularity: 'tensor' }, 256, 1024, 3 + 16 / 262144],
    ['fp8 tensor', fp8Quantizer, {}, 256, 1024, 8 + 32 / 262144],
    ['fp8 row', fp8Quantizer, { granularity: 'row' }, 256, 1024, 8.03125],
    ['ternary g128 d=1024', ternaryQuantizer, {}, 4, 1024, 1.725],
    ['ternary g128 d=200', ternaryQuantizer, {}, 4, 200, 1.76],
  ];
  for (const [name, q, given, rows, d, want] of cases) {
    it(name, () => expectClose(q.bitsPerCoord(p(q, given), rows, d), want, 1e-12, name));
  }
});

describe('CONTRACT.md §4 ids, params, defaults and labels', () => {
  it('ids and defaults', () => {
    expect(intQuantizer.id).toBe('int');
    expect(withDefaults(intQuantizer.params)).toEqual({
      bits: 4,
      granularity: 'group',
      group: 128,
      symmetric: true,
      rounding: 'nearest',
    });
    expect(fp8Quantizer.id).toBe('fp8');
    expect(withDefaults(fp8Quantizer.params)).toEqual({
      format: 'e4m3',
      granularity: 'tensor',
      rounding: 'nearest',
    });
    expect(mxfp4Quantizer.id).toBe('mxfp4');
    expect(withDefaults(mxfp4Quantizer.params)).toEqual({ rounding: 'nearest' });
    expect(nvfp4Quantizer.id).toBe('nvfp4');
    expect(withDefaults(nvfp4Quantizer.params)).toEqual({ rounding: 'nearest' });
    expect(nf4Quantizer.id).toBe('nf4');
    expect(withDefaults(nf4Quantizer.params)).toEqual({ block: 64, rounding: 'nearest' });
    expect(ternaryQuantizer.id).toBe('ternary');
    expect(withDefaults(ternaryQuantizer.params)).toEqual({ group: 128, rounding: 'nearest' });
  });
  it('option strings and ranges', () => {
    const spec = intQuantizer.params;
    expect(spec.granularity).toMatchObject({ kind: 'enum', options: ['tensor', 'row', 'group'] });
    expect(spec.bits).toMatchObject({ kind: 'int', min: 2, max: 8 });
    expect(spec.group).toMatchObject({ kind: 'int', min: 8, max: 4096 });
    expect(fp8Quantizer.params.format).toMatchObject({ kind: 'enum', options: ['e4m3', 'e5m2'] });
    expect(fp8Quantizer.params.granularity).toMatchObject({ kind: 'enum', options: ['tensor', 'row'] });
    for (const q of Object.values(BY_ID)) {
      expect(q.params.rounding, q.id).toMatchObject({
        kind: 'enum',
        default: 'nearest',
        options: ['nearest', 'stochastic'],
      });
    }
  });
  it('describe()', () => {
    const d = (q: QuantizerDef, given: Record<string, ParamValue> = {}) =>
      q.describe(withDefaults(q.params, given));
    expect(d(intQuantizer)).toBe('b=4 g128 sym');
    expect(d(intQuantizer, { granularity: 'row', symmetric: false, bits: 8 })).toBe('b=8 row asym');
    expect(d(intQuantizer, { rounding: 'stochastic' })).toBe('b=4 g128 sym sr');
    expect(d(fp8Quantizer)).toBe('e4m3 tensor');
    expect(d(fp8Quantizer, { format: 'e5m2', granularity: 'row' })).toBe('e5m2 row');
    expect(d(nf4Quantizer)).toBe('b64');
    expect(d(ternaryQuantizer)).toBe('g128 twn');
    expect(d(mxfp4Quantizer).length).toBeGreaterThan(0);
    expect(d(nvfp4Quantizer).length).toBeGreaterThan(0);
  });
});
