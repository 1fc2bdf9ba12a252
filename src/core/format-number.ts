/**
 * The one number formatter: the CLI table, the page's tables and every chart's ticks, tooltips and
 * read-outs use these, so the same value reads the same everywhere.
 */

/**
 * A plain number at `digits` significant digits (trailing zeros dropped), exponent notation below
 * 1e-3 and from 1e5 up; NaN reads "n/a" (an undefined statistic, e.g. the kurtosis of all-zero
 * rows), ±∞ as "∞" / "−∞".
 */
export function formatNumber(v: number, digits = 4): string {
  if (Number.isNaN(v)) return 'n/a';
  if (!Number.isFinite(v)) return v > 0 ? '∞' : '−∞';
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e5 || a < 1e-3) return v.toExponential(Math.max(0, digits - 1)).replace('e+', 'e');
  return Number(v.toPrecision(digits)).toString();
}

/** A metric value in a results table: 4 significant digits kept (SQNR in dB: 2 decimals). */
export function formatMetric(id: string, v: number | undefined): string {
  if (v === undefined || Number.isNaN(v)) return '—';
  if (!Number.isFinite(v)) return v > 0 ? '∞' : '−∞';
  if (id === 'sqnrDb') return v.toFixed(2);
  if (v !== 0 && (Math.abs(v) < 1e-3 || Math.abs(v) >= 1e5)) return v.toExponential(3);
  return v.toPrecision(4);
}

/** A signed difference against a baseline, "+0.0123" / "−0.0123" (U+2212), at `digits` digits. */
export function formatDelta(d: number, digits = 3): string {
  if (Number.isNaN(d)) return 'n/a';
  if (d === 0) return '±0';
  return `${d > 0 ? '+' : '−'}${formatNumber(Math.abs(d), digits)}`;
}

/** A ratio against a baseline, "×1.23" (empty when the baseline is 0 or either side is not finite). */
export function formatRatio(v: number, base: number, digits = 3): string {
  const r = v / base;
  return Number.isFinite(r) && base !== 0 ? `×${formatNumber(r, digits)}` : '';
}
