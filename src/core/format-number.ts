/** Number formatting shared by the CLI table and the page, so both show the same digits. */

export function formatMetric(id: string, v: number | undefined): string {
  if (v === undefined || Number.isNaN(v)) return '—';
  if (!Number.isFinite(v)) return v > 0 ? '∞' : '−∞';
  if (id === 'sqnrDb') return v.toFixed(2);
  if (v !== 0 && (Math.abs(v) < 1e-3 || Math.abs(v) >= 1e5)) return v.toExponential(3);
  return v.toPrecision(4);
}
