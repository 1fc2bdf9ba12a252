/** The parity check applies each declared tolerance as stated (kernel-types.ts). */
import { describe, expect, it } from 'vitest';
import { checkParity, checkSums } from './tolerance';

// Two rows of d = 4 with norms 5 and 10 (3-4-0-0, 6-8-0-0).
const cpu = [3, 4, 0, 0, 6, 8, 0, 0];

describe('checkParity', () => {
  it('exact: any differing element fails; NaN equals NaN', () => {
    expect(checkParity(cpu, cpu, 2, 4, { kind: 'exact', why: 'x' }).ok).toBe(true);
    const g = cpu.slice();
    g[7] = 1e-30;
    const s = checkParity(g, cpu, 2, 4, { kind: 'exact', why: 'x' });
    expect([s.ok, s.mismatches]).toEqual([false, 1]);
    expect(checkParity([NaN], [NaN], 1, 1, { kind: 'exact', why: 'x' }).ok).toBe(true);
  });

  it('row-relative: |Δ| against the row norm, with an allowance of outliers', () => {
    const g = cpu.slice();
    g[0] += 5e-3; // 1e-3 of row norm 5
    g[4] += 5e-3; // 5e-4 of row norm 10
    const tol = { kind: 'row-relative', bound: 6e-4, fraction: 0, why: 'x' } as const;
    const s = checkParity(g, cpu, 2, 4, tol);
    expect(s.outside).toBe(1);
    expect(s.maxRowRelErr).toBeCloseTo(1e-3, 12);
    expect(s.maxRelErr).toBeCloseTo(5e-3 / 8, 12);
    expect(s.ok).toBe(false);
    expect(checkParity(g, cpu, 2, 4, { ...tol, fraction: 1 / 8 }).ok).toBe(true);
  });

  it('mismatch-fraction and relative-log2d use n and log2(d)', () => {
    const g = cpu.slice();
    g[1] = 4.5;
    expect(checkParity(g, cpu, 2, 4, { kind: 'mismatch-fraction', fraction: 1 / 8, why: 'x' }).ok).toBe(true);
    expect(checkParity(g, cpu, 2, 4, { kind: 'mismatch-fraction', fraction: 0, why: 'x' }).ok).toBe(false);
    const h = cpu.slice();
    h[0] += 5 * 2 * 2 ** -24; // exactly 1 ulp·log2(4) of the row norm 5
    expect(checkParity(h, cpu, 2, 4, { kind: 'relative-log2d', ulps: 1.01, why: 'x' }).ok).toBe(true);
    expect(checkParity(h, cpu, 2, 4, { kind: 'relative-log2d', ulps: 0.99, why: 'x' }).ok).toBe(false);
  });
});

describe('checkSums', () => {
  it('relative error per named value', () => {
    expect(checkSums({ a: 1 + 1e-6, b: 2 }, { a: 1, b: 2 }, 2e-6).ok).toBe(true);
    const r = checkSums({ a: 1 + 1e-6, b: 2 }, { a: 1, b: 2 }, 5e-7);
    expect(r.ok).toBe(false);
    expect(r.worst).toBeCloseTo(1e-6, 9);
  });
});
