/**
 * Format conformance against the specs (hand-typed values cite their table) and against the
 * independent Python generator (testing/fixtures/gen_formats.py → formats.json, which enumerates
 * codes with the spec's decode formula and rounds by table search).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { expectClose } from '../testing/expect';
import { codeTable, e8m0CodeTable, minifloatCodeTable, nf4CodeTable } from './codeTable';
import { decodeE8m0, e8m0FromExponent, encodeE8m0 } from './e8m0';
import { roundScaleToFp16, roundToBf16, roundToFp16 } from './fp16';
import {
  BF16,
  E2M1,
  E2M3,
  E3M2,
  E4M3,
  E5M2,
  FP16,
  MINIFLOATS,
  UE4M3,
  decode,
  encode,
  floorLog2,
  roundE2M1,
  roundValue,
  roundValueIeee,
} from './minifloat';
import type { MinifloatFormat } from './minifloat';
import { NF4_VALUES, nf4Nearest, nf4Stochastic } from './nf4';
import { rintEven, roundStochastic } from './rounding';

interface TableEntry {
  code: number;
  bits: string;
  value: number | string;
}
interface FormatsFixture {
  tables: Record<string, TableEntry[]>;
}
const fixture = JSON.parse(
  readFileSync(new URL('../testing/fixtures/formats.json', import.meta.url), 'utf8'),
) as FormatsFixture;

function fixtureValue(v: number | string): number {
  if (typeof v === 'number') return v;
  if (v === 'NaN') return NaN;
  if (v === 'Infinity') return Infinity;
  if (v === '-Infinity') return -Infinity;
  throw new Error(`bad fixture value ${v}`);
}

/** Same number, distinguishing −0 from +0 and treating NaN as equal to NaN. */
function sameNumber(a: number, b: number): boolean {
  return Object.is(a, b);
}

const FIXTURE_FORMATS: readonly MinifloatFormat[] = [E2M1, E2M3, E3M2, E4M3, E5M2, UE4M3];

describe('E2M1 (MX v1.0 §5.3, FP4 element)', () => {
  it('decodes every code to the spec value', () => {
    const positive = [0, 0.5, 1, 1.5, 2, 3, 4, 6];
    for (let c = 0; c < 16; c++) {
      const expected = c < 8 ? positive[c] : -positive[c - 8];
      expect(sameNumber(decode(E2M1, c), expected), `code ${c}: ${decode(E2M1, c)} vs ${expected}`).toBe(
        true,
      );
    }
  });
  it('rounds ties to even: 2.5→2, 5→4, 0.25→0, 0.75→1, 1.25→1, 1.75→2, 3.5→4, −2.5→−2', () => {
    const cases: [number, number][] = [
      [2.5, 2],
      [5, 4],
      [0.25, 0],
      [0.75, 1],
      [1.25, 1],
      [1.75, 2],
      [3.5, 4],
      [-2.5, -2],
      [-5, -4],
      [2.6, 3],
      [4.9, 4],
      [5.1, 6],
    ];
    for (const [x, want] of cases) expect(roundValue(E2M1, x), `E2M1(${x})`).toBe(want);
  });
  it('saturates beyond ±6 and keeps the sign of negative zero', () => {
    expect(roundValue(E2M1, 7)).toBe(6);
    expect(roundValue(E2M1, 1e30)).toBe(6);
    expect(roundValue(E2M1, -100)).toBe(-6);
    expect(roundValue(E2M1, Infinity)).toBe(6);
    expect(encode(E2M1, -0.1)).toBe(8); // −0: sign bit set, magnitude 0
    expect(encode(E2M1, -6.5)).toBe(15);
  });
  it('toward-zero truncates and stochastic rounds up with probability = fraction', () => {
    expect(roundValue(E2M1, 2.9, 'toward-zero')).toBe(2);
    expect(roundValue(E2M1, -5.9, 'toward-zero')).toBe(-4);
    // 2.5 lies halfway between 2 and 3: up iff u < 0.5.
    expect(roundValue(E2M1, 2.5, 'stochastic', 0.49)).toBe(3);
    expect(roundValue(E2M1, 2.5, 'stochastic', 0.5)).toBe(2);
    // 4.5 is a quarter of the way from 4 to 6.
    expect(roundValue(E2M1, 4.5, 'stochastic', 0.2499)).toBe(6);
    expect(roundValue(E2M1, 4.5, 'stochastic', 0.25)).toBe(4);
  });
  it('the roundE2M1 fast path equals the generic codec on a dense grid, ties, ±0, NaN and overflow', () => {
    const probe = [0, -0, 0.25, 0.75, 1.25, 1.75, 2.5, 3.5, 5, 6, 6.5, 1e30, Infinity, -Infinity];
    for (let k = -8000; k <= 8000; k++) probe.push(k / 1000, k / 1024);
    for (const x of probe) {
      expect(sameNumber(roundE2M1(x), roundValue(E2M1, x)), `x = ${x}`).toBe(true);
      expect(sameNumber(roundE2M1(-x), roundValue(E2M1, -x)), `x = ${-x}`).toBe(true);
    }
    expect(Number.isNaN(roundE2M1(NaN))).toBe(true);
  });
  it('has no NaN encoding (MX element formats): encode(NaN) throws, roundValue propagates', () => {
    expect(() => encode(E2M1, NaN)).toThrow(RangeError);
    expect(Number.isNaN(roundValue(E2M1, NaN))).toBe(true);
  });
});

describe('FP6 maxima (MX v1.0 §5.3, FP6 elements)', () => {
  it('E2M3 max 7.5, E3M2 max 28, both all-finite, saturating', () => {
    expect(E2M3.maxFinite).toBe(7.5);
    expect(E3M2.maxFinite).toBe(28);
    expect(roundValue(E2M3, 8)).toBe(7.5);
    expect(roundValue(E3M2, 30)).toBe(28);
    expect(E2M3.minSubnormal).toBe(0.125);
    expect(E3M2.minSubnormal).toBe(0.0625);
    for (const f of [E2M3, E3M2])
      for (let c = 0; c < 64; c++) expect(Number.isFinite(decode(f, c))).toBe(true);
  });
});

/** Spec formula written out independently of decode() (OFP8 encoding tables). */
function specValue(code: number, ebits: number, mbits: number, bias: number): number {
  const s = code >> (ebits + mbits) ? -1 : 1;
  const e = (code >> mbits) & ((1 << ebits) - 1);
  const m = code & ((1 << mbits) - 1);
  return e === 0
    ? s * Math.pow(2, 1 - bias) * (m / Math.pow(2, mbits))
    : s * Math.pow(2, e - bias) * (1 + m / Math.pow(2, mbits));
}

describe('E4M3 (OCP OFP8 rev 1.0)', () => {
  it('max 448 = S.1111.110, NaN only at S.1111.111, no Inf, spec formula for all 256 codes', () => {
    expect(E4M3.maxFinite).toBe(448);
    expect(decode(E4M3, 0x7e)).toBe(448);
    expect(decode(E4M3, 0xfe)).toBe(-448);
    expect(Number.isNaN(decode(E4M3, 0x7f))).toBe(true);
    expect(Number.isNaN(decode(E4M3, 0xff))).toBe(true);
    expect(E4M3.hasInf).toBe(false);
    for (let c = 0; c < 256; c++) {
      const v = decode(E4M3, c);
      if ((c & 0x7f) === 0x7f) continue;
      expect(Number.isFinite(v), `code ${c}`).toBe(true);
      expect(sameNumber(v, specValue(c, 4, 3, 7)), `code ${c}: ${v}`).toBe(true);
    }
    expect(decode(E4M3, 1)).toBe(2 ** -9); // smallest subnormal
    expect(decode(E4M3, 8)).toBe(2 ** -6); // smallest normal
  });
  it('saturates (OCP saturating mode): overflow, ±Inf → ±448, NaN → S.1111.111', () => {
    expect(encode(E4M3, 449)).toBe(0x7e);
    expect(encode(E4M3, 479)).toBe(0x7e);
    expect(encode(E4M3, 1e9)).toBe(0x7e);
    expect(encode(E4M3, -1e9)).toBe(0xfe);
    expect(encode(E4M3, Infinity)).toBe(0x7e);
    expect(encode(E4M3, NaN)).toBe(0x7f);
  });
  it('ties to even in normal and subnormal range', () => {
    expect(roundValue(E4M3, 17)).toBe(16); // 16 = 1.000·2^4, 18 = 1.001·2^4
    expect(roundValue(E4M3, 19)).toBe(20); // 18 odd mantissa, 20 = 1.010·2^4
    expect(roundValue(E4M3, 2 ** -10)).toBe(0); // half the smallest subnormal → 0 (even)
    expect(roundValue(E4M3, 3 * 2 ** -10)).toBe(2 ** -8); // between codes 1 and 2 → code 2
    expect(roundValue(E4M3, 2 ** -10 * 1.0001)).toBe(2 ** -9);
  });
});

describe('E5M2 (OCP OFP8 rev 1.0)', () => {
  it('max 57344, Inf = S.11111.00, NaN = S.11111.{01,10,11}, spec formula elsewhere', () => {
    expect(E5M2.maxFinite).toBe(57344);
    expect(decode(E5M2, 0x7b)).toBe(57344);
    expect(decode(E5M2, 0x7c)).toBe(Infinity);
    expect(decode(E5M2, 0xfc)).toBe(-Infinity);
    for (const c of [0x7d, 0x7e, 0x7f, 0xfd, 0xfe, 0xff]) expect(Number.isNaN(decode(E5M2, c))).toBe(true);
    for (let c = 0; c < 256; c++) {
      if ((c & 0x7c) === 0x7c) continue;
      expect(sameNumber(decode(E5M2, c), specValue(c, 5, 2, 15)), `code ${c}`).toBe(true);
    }
    expect(decode(E5M2, 1)).toBe(2 ** -16);
  });
  it('saturates finite overflow, keeps exact ±Inf, quiet NaN code', () => {
    expect(encode(E5M2, 61440)).toBe(0x7b); // would be a tie to Inf under IEEE; saturating → max
    expect(encode(E5M2, 1e9)).toBe(0x7b);
    expect(encode(E5M2, Infinity)).toBe(0x7c);
    expect(encode(E5M2, -Infinity)).toBe(0xfc);
    expect(encode(E5M2, NaN)).toBe(0x7e);
  });
});

describe('every minifloat code round-trips decode → encode', () => {
  for (const f of MINIFLOATS) {
    it(`${f.name}: ${f.ncodes} codes (NaN codes decode to NaN and re-encode to NaN)`, () => {
      for (let c = 0; c < f.ncodes; c++) {
        const v = decode(f, c);
        if (Number.isNaN(v)) {
          expect(Number.isNaN(decode(f, encode(f, v))), `${f.name} code ${c}`).toBe(true);
          continue;
        }
        expect(encode(f, v), `${f.name} code ${c} value ${v}`).toBe(c);
        expect(sameNumber(roundValue(f, v), v)).toBe(true);
      }
    });
  }
});

describe('UE4M3 (unsigned E4M3 for NVFP4 block scales)', () => {
  it('128 codes equal to the non-negative E4M3 codes; negative input clamps to 0', () => {
    expect(UE4M3.ncodes).toBe(128);
    for (let c = 0; c < 128; c++) expect(sameNumber(decode(UE4M3, c), decode(E4M3, c))).toBe(true);
    expect(encode(UE4M3, -3)).toBe(0);
    expect(roundValue(UE4M3, -3)).toBe(0);
    expect(roundValue(UE4M3, 500)).toBe(448);
  });
});

describe('code tables match the independent Python generator (formats.json)', () => {
  for (const f of FIXTURE_FORMATS) {
    it(`${f.name}: every code, bit string and value`, () => {
      const ours = minifloatCodeTable(f);
      const ref = fixture.tables[f.name];
      expect(ours.length).toBe(ref.length);
      for (let i = 0; i < ref.length; i++) {
        expect(ours[i].code).toBe(ref[i].code);
        expect(ours[i].bits).toBe(ref[i].bits);
        const want = fixtureValue(ref[i].value);
        expect(sameNumber(ours[i].value, want), `${f.name} code ${i}: ${ours[i].value} vs ${want}`).toBe(
          true,
        );
      }
    });
    it(`${f.name}: midpoints round to the even code, off-midpoints to the nearer value`, () => {
      // Sorted distinct finite non-negative values from the reference table.
      const pos = fixture.tables[f.name]
        .map((e) => ({ code: e.code, v: fixtureValue(e.value) }))
        .filter((e) => Number.isFinite(e.v) && !Object.is(e.v, -0) && e.v >= 0)
        .sort((a, b) => a.v - b.v);
      for (let i = 0; i + 1 < pos.length; i++) {
        const a = pos[i];
        const b = pos[i + 1];
        const mid = (a.v + b.v) / 2;
        const even = a.code % 2 === 0 ? a : b;
        expect(encode(f, mid), `${f.name} midpoint ${mid}`).toBe(even.code);
        expect(encode(f, a.v + (b.v - a.v) * 0.25)).toBe(a.code);
        expect(encode(f, a.v + (b.v - a.v) * 0.75)).toBe(b.code);
        if (f.signed) expect(roundValue(f, -mid)).toBe(-even.v);
      }
      const max = pos[pos.length - 1];
      expect(encode(f, max.v * 1.5)).toBe(max.code);
    });
  }
});

describe('fp16 / bf16 rounding (IEEE 754 binary16, bfloat16)', () => {
  it('roundToFp16 on known values', () => {
    const cases: [number, number][] = [
      [1, 1],
      [1 + 2 ** -11, 1], // tie → even mantissa
      [1 + 3 * 2 ** -11, 1 + 2 ** -9], // tie → even (…10)
      [1 + 2 ** -11 + 2 ** -30, 1 + 2 ** -10],
      [0.1, 0.0999755859375],
      [1 / 3, 0.333251953125],
      [65504, 65504],
      [65519.99, 65504],
      [65520, Infinity], // tie between 65504 and 2^16 → overflow (IEEE)
      [-70000, -Infinity],
      [2 ** -24, 2 ** -24], // smallest subnormal
      [2 ** -25, 0], // tie with 0 → 0
      [3 * 2 ** -25, 2 ** -23],
      [6.103515625e-5, 6.103515625e-5], // smallest normal 2^-14
    ];
    for (const [x, want] of cases) expect(roundToFp16(x), `fp16(${x})`).toBe(want);
    expect(Number.isNaN(roundToFp16(NaN))).toBe(true);
    expect(roundScaleToFp16(1e6)).toBe(65504);
  });
  it('roundToBf16 on known values', () => {
    const cases: [number, number][] = [
      [1 + 2 ** -8, 1],
      [1 + 3 * 2 ** -8, 1 + 2 ** -6],
      [Math.PI, 3.140625],
      [Math.fround(Math.PI), 3.140625],
      [65504, 65536],
      [-0.1, -0.10009765625],
      [3.3895313892515355e38, 3.3895313892515355e38], // bf16 max
      [Math.fround(3.4e38), Infinity],
    ];
    for (const [x, want] of cases) expect(roundToBf16(x), `bf16(${x})`).toBe(want);
  });
  it('the fp32 bit-trick path of roundToBf16 agrees with the generic codec on 20 000 float32 values', () => {
    const f = new Float32Array(1);
    const u = new Uint32Array(f.buffer);
    let state = 12345;
    for (let i = 0; i < 20000; i++) {
      state = (Math.imul(state, 1103515245) + 12345) >>> 0;
      u[0] = state;
      const x = f[0];
      if (Number.isNaN(x)) continue;
      expect(sameNumber(roundToBf16(x), roundValueIeee(BF16, x)), `bits ${state.toString(16)}`).toBe(true);
    }
  });
  it('fp16 tables: 65 536 codes, 2046 NaN codes, ±Inf, max 65504', () => {
    const t = codeTable('fp16');
    expect(t.length).toBe(65536);
    expect(t.filter((e) => e.kind === 'nan').length).toBe(2046);
    expect(t.filter((e) => e.kind === 'inf').length).toBe(2);
    expect(Math.max(...t.filter((e) => Number.isFinite(e.value)).map((e) => e.value))).toBe(65504);
    expect(FP16.maxFinite).toBe(65504);
  });
});

describe('E8M0 (MX v1.0 §5.4.1)', () => {
  it('2^(e−127), 255 = NaN, no zero', () => {
    expect(decodeE8m0(127)).toBe(1);
    expect(decodeE8m0(0)).toBe(2 ** -127);
    expect(decodeE8m0(254)).toBe(2 ** 127);
    expect(decodeE8m0(130)).toBe(8);
    expect(Number.isNaN(decodeE8m0(255))).toBe(true);
    const t = e8m0CodeTable();
    expect(t.length).toBe(256);
    expect(t.filter((e) => e.value === 0).length).toBe(0);
  });
  it('encode truncates to the power of two at or below, clamps below 2^-127, NaN above 2^127', () => {
    expect(encodeE8m0(1)).toBe(127);
    expect(encodeE8m0(3)).toBe(128);
    expect(encodeE8m0(0.75)).toBe(126);
    expect(encodeE8m0(2 ** -140)).toBe(0);
    expect(encodeE8m0(0)).toBe(0);
    expect(encodeE8m0(2 ** 128)).toBe(255);
    expect(encodeE8m0(NaN)).toBe(255);
    expect(e8m0FromExponent(-130)).toBe(0);
    expect(e8m0FromExponent(127)).toBe(254);
    expect(e8m0FromExponent(128)).toBe(255);
  });
});

describe('NF4 (bitsandbytes table)', () => {
  it('matches the 16 bitsandbytes values and the 5-digit QLoRA values in ALGORITHMS.md', () => {
    // bitsandbytes csrc/kernels.cu NF4 lookup (float32 values, 17 significant digits).
    const bnb = [
      -1.0, -0.6961928009986877, -0.5250730514526367, -0.39491748809814453, -0.28444138169288635,
      -0.18477343022823334, -0.09105003625154495, 0.0, 0.07958029955625534, 0.16093020141124725,
      0.24611230194568634, 0.33791524171829224, 0.44070982933044434, 0.5626170039176941, 0.7229568362236023,
      1.0,
    ];
    const short = [
      -1, -0.69619, -0.52507, -0.39492, -0.28444, -0.18477, -0.09105, 0, 0.07958, 0.16093, 0.24611, 0.33792,
      0.44071, 0.56262, 0.72296, 1,
    ];
    expect(NF4_VALUES.length).toBe(16);
    for (let i = 0; i < 16; i++) {
      expect(NF4_VALUES[i]).toBe(bnb[i]);
      expect(Math.fround(NF4_VALUES[i])).toBe(NF4_VALUES[i]); // float32 values
      expectClose(NF4_VALUES[i], short[i], 5e-6, `nf4[${i}]`);
    }
    expect(nf4CodeTable().map((e) => e.value)).toEqual(bnb);
  });
  it('nearest lookup: exact levels, midpoints go to the lower level, clamping outside [−1, 1]', () => {
    for (let i = 0; i < 16; i++) expect(nf4Nearest(NF4_VALUES[i])).toBe(i);
    for (let i = 0; i < 15; i++) {
      const mid = (NF4_VALUES[i] + NF4_VALUES[i + 1]) / 2;
      expect(nf4Nearest(mid), `midpoint ${i}`).toBe(i);
      expect(nf4Nearest(mid + 1e-9)).toBe(i + 1);
    }
    expect(nf4Nearest(0.9)).toBe(15);
    expect(nf4Nearest(-1.5)).toBe(0);
    expect(nf4Nearest(2)).toBe(15);
    expect(nf4Stochastic(0.5 * (NF4_VALUES[8] + NF4_VALUES[9]), 0.499)).toBe(9);
    expect(nf4Stochastic(0.5 * (NF4_VALUES[8] + NF4_VALUES[9]), 0.501)).toBe(8);
  });
});

describe('scalar helpers', () => {
  it('rintEven is ties-to-even (unlike Math.round); −0.5 → −0 as numpy.rint', () => {
    expect([-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 2.4, -2.6].map(rintEven)).toEqual([-2, -2, -0, 0, 2, 2, 2, -3]);
    expect(roundStochastic(1.25, 0.2)).toBe(2);
    expect(roundStochastic(1.25, 0.25)).toBe(1);
    expect(roundStochastic(-1.25, 0.7)).toBe(-1);
    expect(roundStochastic(-1.25, 0.8)).toBe(-2);
  });
  it('floorLog2 is exact next to powers of two', () => {
    expect(floorLog2(1)).toBe(0);
    expect(floorLog2(1 - 2 ** -53)).toBe(-1);
    expect(floorLog2(2 ** 100)).toBe(100);
    expect(floorLog2(2 ** 100 * (1 - 2 ** -53))).toBe(99);
    expect(floorLog2(5e-324)).toBe(-1074);
    expect(floorLog2(Math.fround(2 ** -149))).toBe(-149);
  });
});
