/** The one number formatter: digits, exponent thresholds, special values, Δ and ratio. */
import { describe, expect, it } from 'vitest';
import { formatDelta, formatMetric, formatNumber, formatRatio } from './format-number';

describe('formatNumber', () => {
  it('4 significant digits, trailing zeros dropped, exponent below 1e-3 and from 1e5', () => {
    expect(formatNumber(0.123456)).toBe('0.1235');
    expect(formatNumber(2.5)).toBe('2.5');
    expect(formatNumber(12345)).toBe('12350');
    expect(formatNumber(123456)).toBe('1.235e5');
    expect(formatNumber(0.00012346)).toBe('1.235e-4');
    expect(formatNumber(0.001)).toBe('0.001');
    expect(formatNumber(-0.5)).toBe('-0.5');
    expect(formatNumber(Math.PI, 6)).toBe('3.14159');
  });
  it('special values', () => {
    expect(formatNumber(0)).toBe('0');
    expect(formatNumber(NaN)).toBe('n/a');
    expect(formatNumber(Infinity)).toBe('∞');
    expect(formatNumber(-Infinity)).toBe('−∞');
  });
});

describe('formatMetric (tables, CLI)', () => {
  it('keeps its table format', () => {
    expect(formatMetric('vnmse', 0.11749)).toBe('0.1175');
    expect(formatMetric('sqnrDb', 9.301)).toBe('9.30');
    expect(formatMetric('vnmse', 1.5e-5)).toBe('1.500e-5');
    expect(formatMetric('bitsPerCoord', 4.25)).toBe('4.250');
    expect(formatMetric('vnmse', undefined)).toBe('—');
  });
});

describe('formatDelta / formatRatio', () => {
  it('signed differences with a true minus, ratios with ×', () => {
    expect(formatDelta(0.0123)).toBe('+0.0123');
    expect(formatDelta(-0.0123)).toBe('−0.0123');
    expect(formatDelta(0)).toBe('±0');
    expect(formatRatio(0.2, 0.1)).toBe('×2');
    expect(formatRatio(0.1, 0.3)).toBe('×0.333');
    expect(formatRatio(1, 0)).toBe('');
  });
});
