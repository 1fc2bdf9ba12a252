/**
 * The block inspector against (1) an independent numpy reference (fixtures/gen_teaching.py: grids
 * enumerated from the spec decode formulas, nearest search, numpy.frexp exponents, numpy.float16
 * scales) and (2) the quantizer kernels themselves: the reconstruction it shows must be exactly
 * what the lab computes for the same block.
 */
import { describe, expect, it } from 'vitest';
import fixture from '../testing/fixtures/teaching.json';
import { elementInfo, inspectBlock, outlierEffect, type BlockFormat, type BlockOptions } from './block';
import { quantizersById } from '../methods';
import { withDefaults } from '../methods/params';
import { createRngFactory } from '../rng';

describe('inspectBlock vs the numpy reference (gen_teaching.py)', () => {
  for (const ref of fixture.refs) {
    const x = (fixture.blocks as Record<string, number[]>)[ref.block];
    const params = ref.params as Partial<BlockOptions>;
    it(`${ref.format} ${JSON.stringify(params)} on ${ref.block}`, () => {
      const got = inspectBlock(x, { format: ref.format as BlockFormat, ...params });
      expect(got.scale).toBe(ref.scale.scale);
      if ('zeroPoint' in ref.scale) expect(got.zeroPoint).toBe(ref.scale.zeroPoint);
      const exponent = (ref.scale as { exponent?: number | null }).exponent;
      if (ref.format.startsWith('mx') && exponent !== null && exponent !== undefined)
        expect(got.steps.find((s) => s.label.startsWith('e ='))?.value).toBe(exponent);
      if (ref.format === 'bfp' && exponent !== null && exponent !== undefined)
        expect(got.steps.find((s) => s.label.startsWith('E ='))?.value).toBe(exponent);
      if (ref.format === 'nvfp4') {
        expect(got.steps.find((s) => s.label.startsWith('s_t'))?.value).toBe(ref.scale.st);
        expect(got.steps.find((s) => s.label.startsWith('s_b'))?.value).toBe(ref.scale.sb);
      }
      expect(got.elements.map((e) => e.code)).toEqual(ref.codes);
      got.elements.forEach((e, i) => {
        expect(e.level).toBe(ref.levels[i] === 0 ? e.level : ref.levels[i]); // ±0 levels compare as 0
        expect(e.xHat === 0 ? 0 : e.xHat).toBe(ref.xHat[i] === 0 ? 0 : ref.xHat[i]);
      });
    });
  }
});

describe('inspectBlock equals the quantizer kernels', () => {
  const cases: [BlockFormat, string, Record<string, number | string | boolean>, number][] = [
    ['mxfp4', 'mxfp4', {}, 32],
    ['nvfp4', 'nvfp4', {}, 16],
    ['nf4', 'nf4', { block: 64 }, 64],
    ['int', 'int', { bits: 4, granularity: 'group', group: 32, symmetric: true }, 32],
    ['int', 'int', { bits: 3, granularity: 'group', group: 32, symmetric: false }, 32],
    ['mx', 'mx', { element: 'e2m3' }, 32],
    ['mx', 'mx', { element: 'e3m2' }, 32],
    ['mx', 'mx', { element: 'e4m3' }, 32],
    ['mx', 'mx', { element: 'e5m2' }, 32],
    ['mx', 'mx', { element: 'int8' }, 32],
    ['mx', 'mx', { element: 'e2m3', rule: 'ceil', block: 16 }, 16],
    ['mx', 'mx', { element: 'e4m3', rule: 'round', block: 8 }, 8],
    ['mx', 'mx', { element: 'e2m1', scale: 'ue4m3', rule: 'round', tensorScale: true, block: 16 }, 16],
    ['mx', 'mx', { element: 'e3m2', scale: 'ue5m3', rule: 'floor', tensorScale: true, block: 16 }, 16],
    ['mx', 'mx', { element: 'e2m1', scale: 'fp32', rule: 'ceil', block: 32 }, 32],
    ['bfp', 'bfp', { mantissa: 4, block: 32 }, 32],
    ['bfp', 'bfp', { mantissa: 8, block: 16 }, 16],
    ['bfp', 'bfp', { mantissa: 3, block: 64 }, 64],
  ];
  it.each(cases)('%s (%s %j)', (format, id, p, block) => {
    const q = quantizersById.get(id)!;
    const params = withDefaults(q.params, p);
    const rows = 3;
    const d = block * 4;
    const stream = createRngFactory(11).stream('data', 'teaching-test');
    const x = new Float32Array(rows * d);
    for (let i = 0; i < x.length; i++) x[i] = stream.normal() * (i % 37 === 5 ? 12 : 1);
    const out = new Float32Array(x.length);
    q.quantize(x, rows, d, params, { rng: createRngFactory(1) }, out);
    let tensorAmax = 0;
    for (const v of x) tensorAmax = Math.max(tensorAmax, Math.abs(v));
    for (let r = 0; r < rows; r++)
      for (let s = 0; s < d; s += block) {
        const from = r * d + s;
        const got = inspectBlock(x.subarray(from, from + block), {
          format,
          bits: Number(params.bits ?? 4),
          symmetric: params.symmetric !== false,
          tensorAmax,
          element: params.element as BlockOptions['element'],
          scaleFormat: params.scale as BlockOptions['scaleFormat'],
          rule: params.rule as BlockOptions['rule'],
          tensorScale: params.tensorScale === true,
          mantissa: params.mantissa === undefined ? undefined : Number(params.mantissa),
        });
        got.elements.forEach((e, i) => expect(Math.fround(e.xHat)).toBe(out[from + i]));
      }
  });
});

describe('element formats vs the spec tables (OCP MX v1.0 §5.3, OFP8 rev 1.0)', () => {
  // [max normal, min normal, min subnormal, emax_elem] as printed in the spec tables.
  const table: [Parameters<typeof elementInfo>[0], number, number, number, number, number][] = [
    ['e2m1', 4, 6, 1, 0.5, 2],
    ['e2m3', 6, 7.5, 1, 0.125, 2],
    ['e3m2', 6, 28, 0.25, 0.0625, 4],
    ['e4m3', 8, 448, 2 ** -6, 2 ** -9, 8],
    ['e5m2', 8, 57344, 2 ** -14, 2 ** -16, 15],
    ['int8', 8, 1.984375, 2 ** -6, 2 ** -6, 0],
  ];
  it.each(table)(
    '%s: %d bits, max %d, min normal %d, subnormal step %d, emax %d',
    (el, bits, max, minN, sub, emax) => {
      const info = elementInfo(el);
      expect([info.bits, info.maxNormal, info.minNormal, info.minSubnormal, info.emax]).toEqual([
        bits,
        max,
        minN,
        sub,
        emax,
      ]);
    },
  );
  it('shows the spec bit patterns of the max normal and the smallest subnormal', () => {
    // Block [E_max·2^k, subnormal·2^k]: the floor rule maps amax to 2^emax·X exactly.
    const cases: [BlockFormat, number, number, string, string][] = [
      ['mxfp6-e2m3', 7.5, 0.125, '0.11.111', '0.00.001'],
      ['mxfp6-e3m2', 28, 0.0625, '0.111.11', '0.000.01'],
      ['mxfp8-e4m3', 448, 2 ** -9, '0.1111.110', '0.0000.001'],
      ['mxfp8-e5m2', 57344, 2 ** -16, '0.11110.11', '0.00000.01'],
      ['mxint8', 127 / 64, 1 / 64, '01111111', '00000001'],
    ];
    for (const [format, max, sub, maxBits, subBits] of cases) {
      const got = inspectBlock([max, sub, -max], { format });
      expect(got.scale).toBe(1);
      expect(got.elements.map((e) => e.bits)).toEqual([
        maxBits,
        subBits,
        format === 'mxint8' ? '10000001' : `1${maxBits.slice(1)}`,
      ]);
      expect(got.elements.map((e) => e.xHat)).toEqual([max, sub, -max]);
    }
  });
  it('MXFP6 E2M3 saturates under the floor rule and not under ceil (MX v1.0 §6.3)', () => {
    // amax 7.9: floor → X = 2^(2 − 2) = 1, 7.9 > 7.5 saturates; ceil → X = 2^⌈log2(7.9/7.5)⌉ = 2.
    const floor = inspectBlock([7.9, 1], { format: 'mxfp6-e2m3' });
    expect(floor.scale).toBe(1);
    expect(floor.elements[0].saturated).toBe(true);
    expect(floor.elements[0].xHat).toBe(7.5);
    const ceil = inspectBlock([7.9, 1], { format: 'mx', element: 'e2m3', rule: 'ceil' });
    expect(ceil.scale).toBe(2);
    expect(ceil.elements[0].saturated).toBe(false);
    expect(ceil.elements[0].xHat).toBe(8);
  });
  it('BFP: shared exponent, sign–magnitude mantissa, saturation near 2^(E+1)', () => {
    // amax 3.9 → E = 1, m = 4: Δ = 2^(1 − 2) = 0.5, qmax = 7; 3.9/0.5 = 7.8 → 8 saturates to 7.
    const got = inspectBlock([3.9, -1.25, 0.2], { format: 'bfp', mantissa: 4 });
    expect(got.scale).toBe(0.5);
    expect(got.elements.map((e) => e.code)).toEqual([7, -2, 0]);
    expect(got.elements.map((e) => e.bits)).toEqual(['0.111', '1.010', '0.000']);
    expect(got.elements[0].saturated).toBe(true);
    expect(() => inspectBlock([1], { format: 'bfp', mantissa: 1 })).toThrow(/bfp mantissa/);
  });
});

describe('outlierEffect (the shared-scale effect)', () => {
  it('an outlier ×20 in an MXFP4 block raises the scale by 2^4 and zeroes the small elements', () => {
    const x = [0.3, -0.2, 0.45, 1.1, -0.9, 0.05, 0.6, -0.35];
    const eff = outlierEffect(x, { format: 'mxfp4' }, 3, 20);
    // amax 1.1 → e = 0 − 2 = −2; amax 22 → e = 4 − 2 = 2: the scale grows by 2^4.
    expect(eff.before.scale).toBe(0.25);
    expect(eff.after.scale).toBe(4);
    // With X = 4 the E2M1 grid is {0, 2, 4, …}: every other |x| < 1 rounds to 0.
    expect(eff.after.elements.filter((e) => e.index !== 3).every((e) => e.xHat === 0)).toBe(true);
    expect(eff.othersSseAfter).toBeGreaterThan(eff.othersSseBefore);
    expect(eff.after.elements[3].setsScale).toBe(true);
  });
  it('rejects bad int bits with the field named', () => {
    expect(() => inspectBlock([1, 2], { format: 'int', bits: 9 })).toThrow(/int bits/);
  });
});
