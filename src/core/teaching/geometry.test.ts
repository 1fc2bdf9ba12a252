/**
 * The step-through's geometry against closed forms and the kernels: the 3-D rotation (Rodrigues,
 * the 120° axis permutation), the exact sphere law at d = 3 (uniform on [−1, 1], so its Lloyd–Max
 * codebook is the uniform quantizer: levels (2i + 1)/2^b − 1), and, for every quantizer the view
 * draws, that each kernel output coordinate is a drawn level and lies in the drawn cell of its input.
 */
import { describe, expect, it } from 'vitest';
import { quantizersById } from '../methods';
import { withDefaults } from '../methods/params';
import { createRngFactory } from '../rng';
import { apply3, applyT3, axisGrid, cellIndex, rotation3 } from './geometry';

describe('rotation3', () => {
  it('is orthogonal with det 1 and keeps the axis (1, 1, 1)', () => {
    for (const deg of [0, 17, 90, 200, 359]) {
      const r = rotation3(deg);
      for (let i = 0; i < 3; i++)
        for (let j = 0; j < 3; j++) {
          const dot = r[i * 3] * r[j * 3] + r[i * 3 + 1] * r[j * 3 + 1] + r[i * 3 + 2] * r[j * 3 + 2];
          expect(dot).toBeCloseTo(i === j ? 1 : 0, 14);
        }
      const det =
        r[0] * (r[4] * r[8] - r[5] * r[7]) -
        r[1] * (r[3] * r[8] - r[5] * r[6]) +
        r[2] * (r[3] * r[7] - r[4] * r[6]);
      expect(det).toBeCloseTo(1, 14);
      apply3(r, [1, 1, 1]).forEach((v) => expect(v).toBeCloseTo(1, 14));
      const v = [0.3, -1.2, 2];
      applyT3(r, apply3(r, v)).forEach((w, i) => expect(w).toBeCloseTo(v[i], 14));
    }
  });
  it('120° about (1, 1, 1) permutes the axes cyclically: e₁ → e₂ → e₃', () => {
    const r = rotation3(120);
    apply3(r, [1, 0, 0]).forEach((v, i) => expect(v).toBeCloseTo([0, 1, 0][i], 14));
    apply3(r, [0, 1, 0]).forEach((v, i) => expect(v).toBeCloseTo([0, 0, 1][i], 14));
  });
});

describe('axisGrid closed forms', () => {
  it('TurboQuant at d = 3: the sphere coordinate is uniform on [−1, 1], cells are equal slabs', () => {
    for (const b of [1, 2, 3]) {
      const g = axisGrid('turboquant-mse', { bits: b }, [0, 0, 2])!;
      const n = 2 ** b;
      g.levels.forEach((v, i) => expect(v / 2).toBeCloseTo((2 * i + 1) / n - 1, 9));
      g.thresholds.forEach((t, i) => expect(t / 2).toBeCloseTo((2 * (i + 1)) / n - 1, 9));
    }
  });
  it('MXFP4 on (1.1, −0.3, 0.2): E2M1 × 2^(0 − 2), 15 values from −1.5 to 1.5', () => {
    const g = axisGrid('mxfp4', { rounding: 'nearest' }, [1.1, -0.3, 0.2])!;
    expect(g.scale).toBe(0.25);
    expect(g.levels).toEqual([-6, -4, -3, -2, -1.5, -1, -0.5, 0, 0.5, 1, 1.5, 2, 3, 4, 6].map((v) => v / 4));
  });
});

describe('axisGrid holds every kernel output (levels) in the cell of its input', () => {
  const cases: [string, Record<string, number | string | boolean>, number][] = [
    ['mxfp4', {}, 3],
    ['nvfp4', {}, 3],
    ['nf4', {}, 3],
    ['int', { bits: 4 }, 3],
    ['int', { bits: 3, symmetric: false, granularity: 'group', group: 32 }, 3],
    ['mx', { element: 'e3m2' }, 3],
    ['mx', { element: 'e4m3', scale: 'ue4m3', rule: 'round', tensorScale: true }, 3],
    ['mx', { element: 'int8' }, 3],
    ['bfp', { mantissa: 4 }, 3],
    ['turboquant-mse', { bits: 2 }, 3],
    ['turboquant-mse', { bits: 3 }, 2],
    ['eden', { bits: 2 }, 3],
    ['eden', { bits: 3, scale: 'unbiased' }, 2],
  ];
  it.each(cases)('%s %j (d = %d)', (id, p, d) => {
    const q = quantizersById.get(id)!;
    const params = withDefaults(q.params, p);
    const stream = createRngFactory(5).stream('data', 'geometry-test');
    for (let trial = 0; trial < 200; trial++) {
      const y = Float32Array.from({ length: d }, () => stream.normal() * (trial % 3 === 0 ? 3 : 1));
      const out = new Float32Array(d);
      q.quantize(y, 1, d, params, { rng: createRngFactory(1) }, out);
      const g = axisGrid(id, params, y)!;
      for (let j = 0; j < d; j++) {
        const cell = cellIndex(g.thresholds, y[j]);
        if (id === 'eden') expect(out[j]).toBeCloseTo(g.levels[cell], 5);
        else expect(Math.fround(g.levels[cell])).toBe(out[j] === 0 ? 0 : out[j]);
      }
    }
  });
  it('gives no grid for a vector longer than one block or a non-grid quantizer', () => {
    expect(
      axisGrid('mx', withDefaults(quantizersById.get('mx')!.params, { block: 2 }), [1, 2, 3]),
    ).toBeNull();
    expect(axisGrid('qjl', { bits: 1 }, [1, 2, 3])).toBeNull();
  });
});
