/**
 * Test helpers: comparisons whose failure messages print input, expected, actual and tolerance
 * (DESIGN.md). Only for tests.
 */
import { expect } from 'vitest';

export function expectClose(actual: number, expected: number, tol: number, what = 'value'): void {
  const ok = Math.abs(actual - expected) <= tol || (Number.isNaN(actual) && Number.isNaN(expected));
  if (!ok) {
    throw new Error(
      `${what}: expected ${expected} ± ${tol}, got ${actual} (|diff| = ${Math.abs(actual - expected)})`,
    );
  }
  expect(ok).toBe(true);
}

export function expectRelClose(actual: number, expected: number, relTol: number, what = 'value'): void {
  expectClose(actual, expected, Math.abs(expected) * relTol, what);
}

export function expectArrayClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  tol: number,
  what = 'array',
): void {
  if (actual.length !== expected.length) {
    throw new Error(`${what}: length ${actual.length} ≠ expected ${expected.length}`);
  }
  let worst = -1;
  let worstDiff = 0;
  for (let i = 0; i < actual.length; i++) {
    const d = Math.abs(actual[i] - expected[i]);
    const bad = !(d <= tol); // NaN counts as bad
    if (bad && (worst < 0 || !(d <= worstDiff))) {
      worst = i;
      worstDiff = d;
    }
  }
  if (worst >= 0) {
    throw new Error(
      `${what}[${worst}]: expected ${expected[worst]} ± ${tol}, got ${actual[worst]} (|diff| = ${worstDiff})`,
    );
  }
  expect(worst).toBe(-1);
}
