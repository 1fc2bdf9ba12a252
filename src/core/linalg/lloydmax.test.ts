/**
 * Lloyd–Max codebooks against independent references:
 *  - Max (1960) / ALGORITHMS.md / seeds CATALOGUE §1.A.1 constants for N(0,1);
 *  - the scipy solver in src/core/testing/fixtures/gen_codebooks.py (full 2^b-level fixed point, no
 *    symmetry assumed, quad integrals) for N(0,1) b ≤ 4 and the sphere law d ∈ {2,3,4,16,64};
 *  - closed forms: b = 1 (level E|T|, distortion 1 − d·E|T|²), d = 3 (uniform law), the 1/d
 *    expansion toward the Gaussian, and the Panter–Dite high-rate limit √3·π/2.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import fixture from '../testing/fixtures/codebooks.json';
import { expectArrayClose, expectClose, expectRelClose } from '../testing/expect';
import {
  lloydMaxCacheSize,
  lloydMaxGaussian,
  lloydMaxSolveCount,
  lloydMaxSphere,
  lloydSweeps,
  nearestLevelIndex,
} from './lloydmax';

const upperHalf = (a: Float64Array): number[] => Array.from(a.slice(a.length / 2));

describe('Gaussian Lloyd–Max (Max 1960)', () => {
  it('b = 1: level √(2/π), distortion 1 − 2/π (closed form)', () => {
    const cb = lloydMaxGaussian(1);
    expectClose(cb.levels[1], Math.sqrt(2 / Math.PI), 1e-15, 'level');
    expectClose(cb.levels[0], -Math.sqrt(2 / Math.PI), 1e-15, 'level');
    expectClose(cb.distortion, 1 - 2 / Math.PI, 1e-15, 'D_1');
  });
  it('distortions D_1…D_4 = 0.363380, 0.117482, 0.034548, 0.009501 (ALGORITHMS.md, 6 decimals)', () => {
    const D = [0.36338, 0.117482, 0.034548, 0.009501];
    D.forEach((v, i) => expectClose(lloydMaxGaussian(i + 1).distortion, v, 5e-7, `D_${i + 1}`));
  });
  it('positive centroids to the printed digits (ALGORITHMS.md, CATALOGUE §1.A.1)', () => {
    expectArrayClose(upperHalf(lloydMaxGaussian(2).levels), [0.45278, 1.51042], 5e-6, 'b=2');
    expectArrayClose(
      upperHalf(lloydMaxGaussian(3).levels),
      [0.24509, 0.75601, 1.34391, 2.15195],
      5e-6,
      'b=3',
    );
    const b4 = [0.1284, 0.388, 0.6568, 0.9423, 1.2562, 1.618, 2.069, 2.7326];
    expectArrayClose(upperHalf(lloydMaxGaussian(4).levels), b4, 5e-5, 'b=4');
  });
  it('matches the independent scipy solver to 1e-12 (levels, thresholds) and 1e-11 (distortion)', () => {
    for (const e of fixture.gaussianCodebooks) {
      const cb = lloydMaxGaussian(e.bits);
      expectArrayClose(cb.levels, e.levels, 1e-12, `levels b=${e.bits}`);
      expectArrayClose(cb.thresholds, e.thresholds, 1e-12, `thresholds b=${e.bits}`);
      expectRelClose(cb.distortion, e.distortion, 1e-11, `D b=${e.bits}`);
    }
  });
  it('b = 5…8: D_b·4^b rises toward the Panter–Dite limit √3·π/2 ≈ 2.7207 and stays below it', () => {
    let prev = 0;
    for (let b = 1; b <= 8; b++) {
      const cb = lloydMaxGaussian(b);
      const r = cb.distortion * 4 ** b;
      expect(r).toBeGreaterThan(prev);
      expect(r).toBeLessThan((Math.sqrt(3) * Math.PI) / 2);
      expect(cb.residual).toBeLessThan(1e-12);
      expect(cb.levels.length).toBe(2 ** b);
      prev = r;
    }
    expectClose(prev, 2.7, 0.01, 'D_8·4^8'); // 2.699: within 1% of the high-rate limit at b = 8
  });
});

describe('sphere-coordinate Lloyd–Max (TurboQuant §3.1 law)', () => {
  it('matches the independent scipy solver for d = 2, 3, 4, 16, 64 and b = 1…4', () => {
    for (const e of fixture.sphereCodebooks) {
      const cb = lloydMaxSphere(e.bits, e.d);
      expectArrayClose(cb.levels, e.levels, 1e-12, `levels d=${e.d} b=${e.bits}`);
      expectArrayClose(cb.thresholds, e.thresholds, 1e-12, `thresholds d=${e.d} b=${e.bits}`);
      expectRelClose(cb.distortion, e.distortion, 1e-11, `D d=${e.d} b=${e.bits}`);
    }
  });
  it('d = 3 is the uniform law on [−1, 1]: uniform levels, distortion 4^−b (b = 1…8)', () => {
    for (let b = 1; b <= 8; b++) {
      const L = 2 ** b;
      const cb = lloydMaxSphere(b, 3);
      const want = Array.from({ length: L }, (_, k) => (2 * k + 1 - L) / L);
      // The uniform law is the worst-conditioned Lloyd–Max fixed point (Jacobian eigenvalues down to
      // ~(π/2K)², K = 2^(b−1)): round-off of ~1e-16 in the cell masses is amplified ~K², so the
      // tolerance is 3e-16·4^b (2e-14 at b = 4, 2e-11 at b = 8; observed 1e-12 at b = 8).
      expectArrayClose(cb.levels, want, Math.max(1e-14, 3e-16 * 4 ** b), `levels b=${b}`);
      // Distortion = Σ (M2 − 2cM1 + c²P) over cells, each term O(P·c²): an absolute floor of ~1e-15.
      expectClose(cb.distortion, 4 ** -b, 2e-15, `D b=${b}`);
    }
  });
  it('b = 1: level E|T| = Γ(d/2)/(√π·Γ((d+1)/2)) (mpmath) and distortion 1 − d·E|T|² for d up to 65536', () => {
    for (const [d, eAbs] of fixture.sphereAbsMean) {
      const cb = lloydMaxSphere(1, d);
      expectRelClose(cb.levels[1], eAbs, 1e-14, `E|T| d=${d} (mpmath)`);
      expectRelClose(cb.distortion, 1 - d * eAbs * eAbs, 1e-13, `D_1 d=${d}`);
    }
  });
  it('√d·codebook → Gaussian codebook with a clean 1/d rate (b = 1, 2, 4, 8)', () => {
    // Expansion: levels and distortion differ from the Gaussian ones by C/d + O(1/d²), so d·diff at
    // d = 4096 and 65536 must agree (to 2%); for b = 1 the distortion constant is exactly 1/π
    // (from Γ(x)/Γ(x+½) = x^{−½}(1 + 1/(8x) + …): D_1(d) = 1 − 2/π − 1/(π·d) + O(1/d²)).
    for (const b of [1, 2, 4, 8]) {
      const g = lloydMaxGaussian(b);
      const scaled = (d: number): { lev: number; dist: number } => {
        const s = lloydMaxSphere(b, d);
        let w = 0;
        for (let i = 0; i < g.levels.length; i++)
          w = Math.max(w, Math.abs(s.levels[i] * Math.sqrt(d) - g.levels[i]));
        return { lev: w * d, dist: (g.distortion - s.distortion) * d };
      };
      const a = scaled(4096);
      const z = scaled(65536);
      expectRelClose(z.lev, a.lev, 0.02, `d·max level gap, b=${b}`);
      if (b < 8) expectRelClose(z.dist, a.dist, 0.02, `d·distortion gap, b=${b}`);
      if (b === 1) expectClose(z.dist, 1 / Math.PI, 1e-4, 'b=1 distortion constant');
    }
  });
  it('converges (fixed-point residual) for every b at d = 2 … 65536', () => {
    for (const d of [2, 4, 7, 100, 1024, 65536]) {
      for (let b = 1; b <= 8; b++) {
        const cb = lloydMaxSphere(b, d);
        // The floor is the accuracy of the cell masses (see special.ts): ≤ 1e-12 up to d = 1024.
        expect(cb.residual).toBeLessThan(d > 1024 ? 1e-10 : 5e-12);
        for (let i = 1; i < cb.levels.length; i++) expect(cb.levels[i]).toBeGreaterThan(cb.levels[i - 1]);
        expect(cb.levels[cb.levels.length - 1]).toBeLessThan(1);
      }
    }
  });
  it('is cached and validates its arguments', () => {
    expect(lloydMaxSphere(3, 77)).toBe(lloydMaxSphere(3, 77));
    expect(lloydMaxGaussian(3)).toBe(lloydMaxGaussian(3));
    expect(() => lloydMaxGaussian(0)).toThrow(RangeError);
    expect(() => lloydMaxGaussian(9)).toThrow(RangeError);
    expect(() => lloydMaxSphere(2, 1)).toThrow(RangeError);
    expect(() => lloydMaxSphere(2.5, 16)).toThrow(RangeError);
  });
});

describe('nearestLevelIndex', () => {
  it('returns the nearest level (brute force) for any value and b', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 8 }), fc.double({ min: -6, max: 6, noNaN: true }), (b, v) => {
        const cb = lloydMaxGaussian(b);
        const k = nearestLevelIndex(cb.thresholds, v);
        let best = Infinity;
        for (const l of cb.levels) best = Math.min(best, Math.abs(v - l));
        expectClose(Math.abs(v - cb.levels[k]), best, 1e-15, `|v − level| for v=${v}, b=${b}`);
      }),
      { numRuns: 2000 },
    );
  });
  it('maps the extremes to the end levels', () => {
    const cb = lloydMaxGaussian(4);
    expect(nearestLevelIndex(cb.thresholds, -1e9)).toBe(0);
    expect(nearestLevelIndex(cb.thresholds, 1e9)).toBe(15);
    expect(nearestLevelIndex(cb.thresholds, 0)).toBe(7); // ties at a threshold go down
  });
});

describe('lloydSweeps (plain Lloyd from a uniform start)', () => {
  it.each([1, 2, 3])(
    'Gaussian b=%i: distortion non-increasing, converging to the mpmath fixed point',
    (bits) => {
      const states = lloydSweeps('gaussian', bits, 0, 400);
      for (let i = 1; i < states.length; i++)
        expect(states[i].distortion).toBeLessThanOrEqual(states[i - 1].distortion + 1e-15);
      const ref = fixture.gaussianCodebooks.find((e) => e.bits === bits)!;
      expect(Math.abs(states[states.length - 1].distortion - ref.distortion)).toBeLessThan(1e-9);
      expectArrayClose(states[states.length - 1].levels, ref.levels, 1e-6, `levels b=${bits}`);
    },
  );
  it('sphere d=16: b=2 reaches the Newton solution; b=1 needs one sweep (centroid E|T|, D = 1 − d·E[|T|]²)', () => {
    const states = lloydSweeps('sphere', 2, 16, 300);
    const cb = lloydMaxSphere(2, 16);
    expectArrayClose(states[states.length - 1].levels, Array.from(cb.levels), 1e-8, 'sphere levels');
    // b = 1: the one cell [0, 1] has centroid E|T| after one sweep, and D = 1 − d·E[|T|]².
    const one = lloydSweeps('sphere', 1, 16, 1)[1];
    const absMean = one.levels[1];
    expect(one.distortion).toBeCloseTo(1 - 16 * absMean * absMean, 12);
  });
  it('rejects bad sweeps and d', () => {
    expect(() => lloydSweeps('sphere', 2, 1, 3)).toThrow(/d must be/);
    expect(() => lloydSweeps('gaussian', 2, 0, -1)).toThrow(/sweeps/);
  });
});

describe('solve count (the e2e proof that the page never solves reads it)', () => {
  it('counts a cache miss and a sweep run once each, a cache hit not at all', () => {
    const n0 = lloydMaxSolveCount();
    const size0 = lloydMaxCacheSize();
    const a = lloydMaxSphere(3, 4099); // a d no other test uses: a miss
    expect(lloydMaxSolveCount()).toBe(n0 + 1);
    expect(lloydMaxCacheSize()).toBe(size0 + 1);
    expect(lloydMaxSphere(3, 4099)).toBe(a);
    expect(lloydMaxSolveCount()).toBe(n0 + 1);
    lloydSweeps('gaussian', 2, 0, 3);
    expect(lloydMaxSolveCount()).toBe(n0 + 2);
  });
});
