/**
 * The block inspector against (1) an independent numpy reference (fixtures/gen_teaching.py: grids
 * enumerated from the spec decode formulas, nearest search, numpy.frexp exponents, numpy.float16
 * scales) and (2) the quantizer kernels themselves: the reconstruction it shows must be exactly
 * what the lab computes for the same block.
 */
import { describe, expect, it } from 'vitest';
import fixture from '../testing/fixtures/teaching.json';
import { inspectBlock, outlierEffect, type BlockFormat } from './block';
import { quantizersById } from '../methods';
import { withDefaults } from '../methods/params';
import { createRngFactory } from '../rng';

describe('inspectBlock vs the numpy reference (gen_teaching.py)', () => {
  for (const ref of fixture.refs) {
    const x = (fixture.blocks as Record<string, number[]>)[ref.block];
    const params = ref.params as { tensorAmax?: number; bits?: number; symmetric?: boolean };
    it(`${ref.format} ${JSON.stringify(params)} on ${ref.block}`, () => {
      const got = inspectBlock(x, { format: ref.format as BlockFormat, ...params });
      expect(got.scale).toBe(ref.scale.scale);
      if ('zeroPoint' in ref.scale) expect(got.zeroPoint).toBe(ref.scale.zeroPoint);
      if (ref.format === 'mxfp4' && ref.scale.exponent !== null)
        expect(got.steps.find((s) => s.label.startsWith('e ='))?.value).toBe(ref.scale.exponent);
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
        });
        got.elements.forEach((e, i) => expect(Math.fround(e.xHat)).toBe(out[from + i]));
      }
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
