/**
 * Property tests (fast-check, fixed seed) for int, fp8, mxfp4, nvfp4, nf4, ternary:
 *  - finite output for finite input, input untouched, rows independent where the scheme says so;
 *  - |x̂| within each scheme's bound, derived here from the spec rather than from the code;
 *  - idempotence of nearest rounding where it is an invariant (see each file's header);
 *  - stochastic rounding is seeded and unbiased: over N = 4000 seeds the mean of x̂ is within
 *    5 standard errors of x, using the worst-case per-draw deviation (half the local grid gap)
 *    as the standard deviation bound.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createRngFactory } from '../../rng';
import { withDefaults } from '../params';
import type { ParamValue, QuantizerDef } from '../types';
import { fp8Quantizer } from './fp8';
import { intQuantizer } from './int';
import { mxfp4Quantizer } from './mxfp4';
import { nf4Quantizer } from './nf4';
import { nvfp4Quantizer } from './nvfp4';
import { ternaryQuantizer } from './ternary';

const FC = { numRuns: 150, seed: 20240611 };

interface Case {
  q: QuantizerDef;
  params: Record<string, ParamValue>;
}
const CASES: Case[] = [
  { q: intQuantizer, params: {} },
  { q: intQuantizer, params: { symmetric: false } },
  { q: intQuantizer, params: { bits: 8, granularity: 'row' } },
  { q: intQuantizer, params: { bits: 2, granularity: 'tensor', symmetric: false } },
  { q: fp8Quantizer, params: {} },
  { q: fp8Quantizer, params: { format: 'e5m2', granularity: 'row' } },
  { q: mxfp4Quantizer, params: {} },
  { q: nvfp4Quantizer, params: {} },
  { q: nf4Quantizer, params: {} },
  { q: nf4Quantizer, params: { block: 16 } },
  { q: ternaryQuantizer, params: { group: 16 } },
];

function run(
  q: QuantizerDef,
  x: Float32Array,
  rows: number,
  d: number,
  given: Record<string, ParamValue>,
  seed = 1,
) {
  const out = new Float32Array(x.length);
  q.quantize(x, rows, d, withDefaults(q.params, given), { rng: createRngFactory(seed) }, out);
  return out;
}

/** A rows × d matrix of float32 values in ±`max`, with |x| < `floor` flushed to 0. */
function matrix(max: number, floor: number) {
  return fc
    .record({ rows: fc.integer({ min: 1, max: 3 }), d: fc.integer({ min: 1, max: 150 }) })
    .chain(({ rows, d }) =>
      fc
        .array(
          fc.float({ min: Math.fround(-max), max: Math.fround(max), noNaN: true, noDefaultInfinity: true }),
          {
            minLength: rows * d,
            maxLength: rows * d,
          },
        )
        .map((vals) => ({
          rows,
          d,
          x: Float32Array.from(vals, (v) => (Math.abs(v) < floor ? 0 : v)),
        })),
    );
}

function blockMaxAbs(x: Float32Array, from: number, to: number): number {
  let m = 0;
  for (let i = from; i < to; i++) m = Math.max(m, Math.abs(x[i]));
  return m;
}

/** For each block of `size` in each row: check(i, blockAmax) for every i in it. */
function forBlocks(
  rows: number,
  d: number,
  size: number,
  x: Float32Array,
  check: (i: number, amax: number) => void,
) {
  for (let r = 0; r < rows; r++) {
    for (let s = 0; s < d; s += size) {
      const from = r * d + s;
      const to = r * d + Math.min(s + size, d);
      const amax = blockMaxAbs(x, from, to);
      for (let i = from; i < to; i++) check(i, amax);
    }
  }
}

describe('finite output, untouched input, zero rows give zeros', () => {
  for (const { q, params } of CASES) {
    it(`${q.id} ${q.describe(withDefaults(q.params, params))}`, () => {
      fc.assert(
        fc.property(matrix(1e30, 0), ({ rows, d, x }) => {
          const copy = x.slice();
          const out = run(q, x, rows, d, params);
          expect(x).toEqual(copy);
          for (let i = 0; i < out.length; i++) if (!Number.isFinite(out[i])) return false;
          return true;
        }),
        FC,
      );
      const zeros = run(q, new Float32Array(3 * 40), 3, 40, params);
      expect(Array.from(zeros).every((v) => v === 0)).toBe(true);
    });
  }
});

describe('|x̂| stays within the block bound', () => {
  it('mxfp4: x̂/X ∈ E2M1 and |x̂| ≤ 6·X with X = 2^(⌊log2 amax⌋−2) (MX §6.3)', () => {
    const grid = new Set([0, 0.5, 1, 1.5, 2, 3, 4, 6]);
    fc.assert(
      fc.property(matrix(1e30, 0), ({ rows, d, x }) => {
        const out = run(mxfp4Quantizer, x, rows, d, {});
        let ok = true;
        forBlocks(rows, d, 32, x, (i, amax) => {
          if (amax === 0) {
            ok &&= out[i] === 0;
            return;
          }
          let e = Math.floor(Math.log2(amax));
          if (2 ** e > amax) e -= 1; // Math.log2 may round up just below a power of two
          if (2 ** (e + 1) <= amax) e += 1;
          const X = 2 ** Math.max(e - 2, -127);
          ok &&= grid.has(Math.abs(out[i]) / X) && Math.abs(out[i]) <= 6 * X;
        });
        return ok;
      }),
      FC,
    );
  });
  it('nvfp4: |x̂| ≤ amax(tensor) and ≤ amax(block)·(1 + 2^−4) + 6·2^−10·s_t', () => {
    fc.assert(
      fc.property(matrix(1e30, 0), ({ rows, d, x }) => {
        const out = run(nvfp4Quantizer, x, rows, d, {});
        const amaxT = blockMaxAbs(x, 0, x.length);
        const st = amaxT / 2688;
        let ok = true;
        forBlocks(rows, d, 16, x, (i, amax) => {
          const a = Math.abs(out[i]);
          ok &&=
            a <= amaxT * (1 + 2 ** -22) && a <= (amax * (1 + 2 ** -4) + 6 * 2 ** -10 * st) * (1 + 2 ** -20);
        });
        return ok;
      }),
      FC,
    );
  });
  it('nf4: |x̂| ≤ amax(block)', () => {
    fc.assert(
      fc.property(matrix(1e30, 0), ({ rows, d, x }) => {
        const out = run(nf4Quantizer, x, rows, d, {});
        let ok = true;
        forBlocks(rows, d, 64, x, (i, amax) => {
          ok &&= Math.abs(out[i]) <= amax;
        });
        return ok;
      }),
      FC,
    );
  });
  it('int symmetric: |x̂| ≤ amax(group)·(1 + 2^−11) (fp16 scale, normal range)', () => {
    fc.assert(
      fc.property(matrix(1e3, 1e-2), ({ rows, d, x }) => {
        const out = run(intQuantizer, x, rows, d, { group: 16 });
        let ok = true;
        forBlocks(rows, d, 16, x, (i, amax) => {
          ok &&= Math.abs(out[i]) <= amax * (1 + 2 ** -11);
        });
        return ok;
      }),
      FC,
    );
  });
  it('int asymmetric: x̂ ∈ [lo, hi] of the zero-widened range, up to one fp16 rounding of the scale', () => {
    fc.assert(
      fc.property(matrix(1e3, 1e-2), ({ rows, d, x }) => {
        const out = run(intQuantizer, x, rows, d, { group: 16, symmetric: false, bits: 3 });
        let ok = true;
        for (let r = 0; r < rows; r++) {
          for (let s = 0; s < d; s += 16) {
            let lo = 0;
            let hi = 0;
            const to = r * d + Math.min(s + 16, d);
            for (let i = r * d + s; i < to; i++) {
              lo = Math.min(lo, x[i]);
              hi = Math.max(hi, x[i]);
            }
            const slack = (hi - lo) * 2 ** -10 + ((hi - lo) / 7) * 0.5; // scale rounding + half a step of z
            for (let i = r * d + s; i < to; i++) ok &&= out[i] >= lo - slack && out[i] <= hi + slack;
          }
        }
        return ok;
      }),
      FC,
    );
  });
  it('fp8: |x̂| ≤ amax·(1 + 2^−22)', () => {
    fc.assert(
      fc.property(matrix(1e30, 0), ({ rows, d, x }) => {
        const out = run(fp8Quantizer, x, rows, d, {});
        const amax = blockMaxAbs(x, 0, x.length);
        return out.every((v) => Math.abs(v) <= amax * (1 + 2 ** -22));
      }),
      FC,
    );
  });
  it('ternary: x̂ ∈ {−α, 0, α} with α ≤ amax(group)·(1 + 2^−11)', () => {
    fc.assert(
      fc.property(matrix(1e3, 1e-2), ({ rows, d, x }) => {
        const out = run(ternaryQuantizer, x, rows, d, { group: 16 });
        let ok = true;
        for (let r = 0; r < rows; r++) {
          for (let s = 0; s < d; s += 16) {
            const from = r * d + s;
            const to = r * d + Math.min(s + 16, d);
            const amax = blockMaxAbs(x, from, to);
            const mags = new Set<number>();
            for (let i = from; i < to; i++) if (out[i] !== 0) mags.add(Math.abs(out[i]));
            ok &&= mags.size <= 1 && [...mags].every((m) => m <= amax * (1 + 2 ** -11));
          }
        }
        return ok;
      }),
      FC,
    );
  });
});

describe('idempotence of nearest rounding (Q(Q(x)) = Q(x))', () => {
  const exact: Case[] = [
    { q: mxfp4Quantizer, params: {} },
    { q: nf4Quantizer, params: {} },
    { q: nf4Quantizer, params: { block: 16 } },
    { q: intQuantizer, params: {} },
    { q: intQuantizer, params: { bits: 8, granularity: 'row' } },
    { q: intQuantizer, params: { bits: 2, granularity: 'tensor' } },
    { q: ternaryQuantizer, params: { group: 16 } },
    { q: ternaryQuantizer, params: {} },
  ];
  for (const { q, params } of exact) {
    it(`${q.id} ${q.describe(withDefaults(q.params, params))} (exact)`, () => {
      // |x| ≥ 1e−2 keeps fp16 scales normal; below that the int/ternary scale loses relative precision.
      fc.assert(
        fc.property(matrix(1e3, 1e-2), ({ rows, d, x }) => {
          const once = run(q, x, rows, d, params);
          const twice = run(q, once, rows, d, params);
          for (let i = 0; i < once.length; i++)
            if (!Object.is(once[i], twice[i]) && once[i] !== twice[i]) return false;
          return true;
        }),
        FC,
      );
    });
  }
  it('fp8 e4m3 / e5m2: equal up to the last fp32 bit of the re-derived scale (relative 2^−21)', () => {
    for (const params of [{}, { format: 'e5m2', granularity: 'row' }] as Record<string, ParamValue>[]) {
      fc.assert(
        fc.property(matrix(1e30, 1e-30), ({ rows, d, x }) => {
          const once = run(fp8Quantizer, x, rows, d, params);
          const twice = run(fp8Quantizer, once, rows, d, params);
          for (let i = 0; i < once.length; i++)
            if (Math.abs(once[i] - twice[i]) > Math.abs(once[i]) * 2 ** -21) return false;
          return true;
        }),
        FC,
      );
    }
  });
});

describe('stochastic rounding: seeded and unbiased', () => {
  const N = 4000;
  /** Inputs chosen so every value lies inside the representable range (no saturation bias). */
  const cases: {
    q: QuantizerDef;
    params: Record<string, ParamValue>;
    x: number[];
    gap: (v: number) => number;
  }[] = [
    {
      // mxfp4: block amax 5 → X = 1, grid spacing ≤ 2 (between 4 and 6).
      q: mxfp4Quantizer,
      params: { rounding: 'stochastic' },
      x: [
        5,
        -4.7,
        3.3,
        2.2,
        -1.1,
        0.3,
        0.1,
        -0.05,
        ...Array.from({ length: 24 }, (_, i) => Math.fround(Math.sin(i) * 4)),
      ],
      gap: () => 2,
    },
    {
      // int sym 4-bit: amax 7 → s = 1 exactly, unit grid.
      q: intQuantizer,
      params: { rounding: 'stochastic', granularity: 'row' },
      x: [7, -6.5, 3.3, 0.2, -0.7, 2.5, 1.01, -3.99],
      gap: () => 1,
    },
    {
      // int asym 3-bit: range [−3, 4] → s = 1, z = 3.
      q: intQuantizer,
      params: { rounding: 'stochastic', granularity: 'row', symmetric: false, bits: 3 },
      x: [-3, 4, 0.5, -2.25, 3.75, 1.1],
      gap: () => 1,
    },
    {
      // nf4: within [−1, 1]·amax by construction; widest NF4 gap is 0.2771·amax (0.7230 → 1).
      q: nf4Quantizer,
      params: { rounding: 'stochastic' },
      x: [2, 1.9, -1.3, 0.4, -0.05, 0.77, 1.2, -1.99],
      gap: () => 2 * 0.305,
    },
    {
      // fp8 e4m3: amax 448 → s = 1; spacing at 300 is 32.
      q: fp8Quantizer,
      params: { rounding: 'stochastic' },
      x: [448, 300, -17, 0.3, -0.001, 100.5],
      gap: (v) => Math.max(2 ** -9, 2 ** (Math.floor(Math.log2(Math.abs(v) || 1)) - 3)),
    },
    {
      // nvfp4: tensor amax 2688 (s_t = 1, block scale 448); second block amax 6 (scale 1).
      q: nvfp4Quantizer,
      params: { rounding: 'stochastic' },
      x: [
        2688,
        1000,
        -700,
        100,
        ...new Array<number>(12).fill(0),
        6,
        2.5,
        -0.3,
        4.4,
        ...new Array<number>(12).fill(0.7),
      ],
      gap: (v) => (Math.abs(v) > 6 ? 896 : 2),
    },
    {
      // ternary: α = 1 exactly (support {±1}); the small values are below Δ and round stochastically.
      q: ternaryQuantizer,
      params: { rounding: 'stochastic', group: 8 },
      x: [1, -1, 1, -1, 0.3, -0.2, 0.1, 0.05],
      gap: () => 1,
    },
  ];
  for (const { q, params, x, gap } of cases) {
    it(`${q.id} ${q.describe(withDefaults(q.params, params))}`, () => {
      const input = Float32Array.from(x);
      const d = input.length;
      const a = run(q, input, 1, d, params, 5);
      const b = run(q, input, 1, d, params, 5);
      expect(a).toEqual(b); // same seed → same draws
      let differs = false;
      const mean = new Float64Array(d);
      for (let s = 0; s < N; s++) {
        const out = run(q, input, 1, d, params, 1000 + s);
        for (let i = 0; i < d; i++) {
          mean[i] += out[i] / N;
          if (out[i] !== a[i]) differs = true;
        }
      }
      expect(differs).toBe(true); // different seeds → different draws
      for (let i = 0; i < d; i++) {
        const tol = (5 * (gap(input[i]) / 2)) / Math.sqrt(N);
        const err = Math.abs(mean[i] - input[i]);
        if (!(err <= tol)) {
          throw new Error(`${q.id} x[${i}] = ${input[i]}: mean x̂ = ${mean[i]}, |bias| ${err} > tol ${tol}`);
        }
      }
    });
  }
});

describe('rows are independent for per-row / per-block schemes', () => {
  const perRow: Case[] = [
    { q: intQuantizer, params: {} },
    { q: intQuantizer, params: { granularity: 'row', symmetric: false } },
    { q: fp8Quantizer, params: { granularity: 'row' } },
    { q: mxfp4Quantizer, params: {} },
    { q: nf4Quantizer, params: {} },
    { q: ternaryQuantizer, params: {} },
  ];
  for (const { q, params } of perRow) {
    it(`${q.id} ${q.describe(withDefaults(q.params, params))}: row 0 unchanged when row 1 changes`, () => {
      fc.assert(
        fc.property(matrix(1e3, 0), fc.float({ min: 1, max: 1e6, noNaN: true }), ({ d, x }, k) => {
          const two = new Float32Array(2 * d);
          two.set(x.subarray(0, d));
          for (let i = 0; i < d; i++) two[d + i] = Math.fround(x[i] * k + 1);
          const alone = run(q, x.subarray(0, d).slice(), 1, d, params);
          const withOther = run(q, two, 2, d, params);
          return alone.every((v, i) => Object.is(v, withOther[i]));
        }),
        FC,
      );
    });
  }
});
