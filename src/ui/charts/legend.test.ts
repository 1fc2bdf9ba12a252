/** Legend state (legend.ts): toggle, highlight, identical-series detection. */
import { describe, expect, it } from 'vitest';
import {
  EMPTY_LEGEND,
  FADED,
  digestOf,
  hoverSeries,
  isShown,
  opacityOf,
  sameAsLabel,
  sameAsOf,
  toggleSeries,
} from './legend';
import { baselineAt } from './RateDistortionChart';

describe('legend state', () => {
  it('a toggle hides a series and a second toggle shows it again; others are untouched', () => {
    const a = toggleSeries(EMPTY_LEGEND, 'p1');
    expect(isShown(a, 'p1')).toBe(false);
    expect(isShown(a, 'p0')).toBe(true);
    const b = toggleSeries(toggleSeries(a, 'p0'), 'p1');
    expect(isShown(b, 'p1')).toBe(true);
    expect(isShown(b, 'p0')).toBe(false);
    expect(EMPTY_LEGEND.hidden.size).toBe(0); // never mutated
  });

  it('highlight fades every other series to FADED; none highlighted leaves all at 1', () => {
    expect(opacityOf(EMPTY_LEGEND, 'p0')).toBe(1);
    const h = hoverSeries(EMPTY_LEGEND, 'p2');
    expect(opacityOf(h, 'p2')).toBe(1);
    expect(opacityOf(h, 'p0')).toBe(FADED);
    expect(hoverSeries(h, 'p2')).toBe(h); // same highlight: same state object (no re-render)
    expect(opacityOf(hoverSeries(h, null), 'p0')).toBe(1);
  });

  it('hiding the highlighted series drops the highlight', () => {
    const s = toggleSeries(hoverSeries(EMPTY_LEGEND, 'p1'), 'p1');
    expect(s.hover).toBeNull();
    expect(opacityOf(s, 'p0')).toBe(1);
  });

  it('sameAsOf names the first earlier identical series', () => {
    expect(sameAsOf(['a', 'b', 'a', 'c', 'b', 'a'])).toEqual([-1, -1, 0, -1, 1, 0]);
    expect(sameAsLabel(['x', 'y', 'x2'], [-1, -1, 0], 2)).toBe('x2 (same as x)');
    expect(sameAsLabel(['x', 'y', 'x2'], [-1, -1, 0], 2, (j) => String(j + 1))).toBe('x2 (same as 1)');
    expect(sameAsLabel(['x', 'y'], [-1, -1], 1)).toBe('y');
  });

  it('digestOf is exact: equal numbers match, any bit differs, array boundaries count', () => {
    expect(digestOf([1, 2, 3])).toBe(digestOf(Float64Array.of(1, 2, 3)));
    expect(digestOf([0.1 + 0.2])).not.toBe(digestOf([0.3])); // 0.30000000000000004 ≠ 0.3
    expect(digestOf([1, 2], [3])).not.toBe(digestOf([1], [2, 3]));
    expect(digestOf([0])).not.toBe(digestOf([-0]));
    expect(digestOf([NaN])).toBe(digestOf([NaN]));
  });
});

describe('baselineAt (Δ against the baseline at equal bits)', () => {
  const pts = [
    { bitsPerCoord: 3, vnmse: 0.001 },
    { bitsPerCoord: 1, vnmse: 0.1 },
    { bitsPerCoord: 2, vnmse: 0.01 },
  ];
  it('is exact at its points and log-linear between them', () => {
    expect(baselineAt(pts, 2)).toBe(0.01);
    // Half-way in bits between 0.1 and 0.01 on a log axis: 10^−1.5.
    expect(baselineAt(pts, 1.5)).toBeCloseTo(10 ** -1.5, 12);
    expect(baselineAt(pts, 2.25)).toBeCloseTo(10 ** -2.25, 12);
  });
  it('is undefined outside the baseline’s bits and skips unusable points', () => {
    expect(baselineAt(pts, 0.5)).toBeUndefined();
    expect(baselineAt(pts, 3.5)).toBeUndefined();
    expect(
      baselineAt(
        [
          { bitsPerCoord: 1, vnmse: 0 },
          { bitsPerCoord: 2, vnmse: 0.01 },
        ],
        1.5,
      ),
    ).toBeUndefined();
  });
});
