import { describe, expect, it } from 'vitest';
import { createRngFactory, hash128, Xoshiro128 } from './rng';

describe('xoshiro128**', () => {
  it('matches the reference output for state (1, 2, 3, 4)', () => {
    // Reference: Blackman & Vigna's xoshiro128starstar.c transcribed to Python (arbitrary-precision
    // ints masked to 32 bits) with s = {1, 2, 3, 4}: the first five outputs.
    const r = new Xoshiro128([1, 2, 3, 4]);
    expect([r.nextU32(), r.nextU32(), r.nextU32(), r.nextU32(), r.nextU32()]).toEqual([
      11520, 0, 5927040, 70819200, 2031721883,
    ]);
  });

  it('gives identical streams for identical keys and different ones otherwise', () => {
    const a = createRngFactory(7).stream('rotation', 'haar', 1024);
    const b = createRngFactory(7).stream('rotation', 'haar', 1024);
    const c = createRngFactory(8).stream('rotation', 'haar', 1024);
    const d = createRngFactory(7).stream('sketch', 'haar', 1024);
    const sa = Array.from({ length: 8 }, () => a.nextU32());
    expect(Array.from({ length: 8 }, () => b.nextU32())).toEqual(sa);
    expect(Array.from({ length: 8 }, () => c.nextU32())).not.toEqual(sa);
    expect(Array.from({ length: 8 }, () => d.nextU32())).not.toEqual(sa);
  });

  it('hash128 never returns the all-zero state', () => {
    for (const k of ['', 'a', 'qs1|0|data|']) expect(hash128(k).some((w) => w !== 0)).toBe(true);
  });

  it('uniform() passes a chi-square test with 64 bins (n = 200k, α = 0.001)', () => {
    const r = createRngFactory(1).stream('analysis', 'chi2');
    const bins = new Array<number>(64).fill(0);
    const n = 200_000;
    for (let i = 0; i < n; i++) bins[Math.floor(r.uniform() * 64)]++;
    const e = n / 64;
    const chi2 = bins.reduce((s, o) => s + ((o - e) * (o - e)) / e, 0);
    // χ²_{63} critical value at α = 0.001 is 103.44 (standard tables).
    expect(chi2).toBeLessThan(103.44);
  });

  it('normal() has mean 0, variance 1 and kurtosis 3 within 5 standard errors (n = 400k)', () => {
    const r = createRngFactory(2).stream('analysis', 'normal');
    const n = 400_000;
    let s1 = 0,
      s2 = 0,
      s4 = 0;
    for (let i = 0; i < n; i++) {
      const z = r.normal();
      s1 += z;
      s2 += z * z;
      s4 += z ** 4;
    }
    const mean = s1 / n;
    const variance = s2 / n - mean * mean;
    const kurt = s4 / n;
    // SE(mean) = 1/√n, SE(var) = √(2/n), SE(E z⁴) = √(96/n) (E z⁸ − (E z⁴)² = 105 − 9).
    expect(Math.abs(mean)).toBeLessThan(5 / Math.sqrt(n));
    expect(Math.abs(variance - 1)).toBeLessThan(5 * Math.sqrt(2 / n));
    expect(Math.abs(kurt - 3)).toBeLessThan(5 * Math.sqrt(96 / n));
  });

  it('int(n) is unbiased for a non-power-of-two n', () => {
    const r = createRngFactory(3).stream('analysis', 'int');
    const counts = [0, 0, 0];
    const n = 90_000;
    for (let i = 0; i < n; i++) counts[r.int(3)]++;
    for (const c of counts) expect(Math.abs(c - n / 3)).toBeLessThan(5 * Math.sqrt((n * 2) / 9));
  });
});

describe('portableLog', () => {
  it('agrees with Math.log to 4 ulp over 1e-300 … 1e300 and on (0, 1)', async () => {
    const { portableLog } = await import('./rng');
    const r = createRngFactory(4).stream('analysis', 'log');
    let worst = 0;
    let worstX = 0;
    for (let i = 0; i < 200_000; i++) {
      const x = i % 2 === 0 ? r.uniform() + 1e-300 : Math.pow(10, 600 * r.uniform() - 300);
      const b = Math.log(x);
      const err = Math.abs(portableLog(x) - b) / (Number.EPSILON * Math.max(Math.abs(b), 1e-300));
      if (err > worst) {
        worst = err;
        worstX = x;
      }
    }
    expect(worst, `worst at x=${worstX}`).toBeLessThanOrEqual(4);
    expect(portableLog(1)).toBe(0);
    expect(portableLog(0)).toBe(-Infinity);
    expect(portableLog(-1)).toBeNaN();
    expect(portableLog(Number.MIN_VALUE)).toBeCloseTo(Math.log(Number.MIN_VALUE), 10);
  });
});
