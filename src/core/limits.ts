/**
 * The memory budget (documented in README "Limits" and SECURITY.md). A pipeline holds about five
 * float32 copies of the data at once (x, Rx, its quantization, x̂, plus one transform's scratch), so
 * 2^25 coordinates ≈ 128 MiB per copy keeps a run well under 1 GiB in a browser tab.
 */
export const MAX_COORDINATES = 1 << 25;
export const MAX_PIPELINES = 16;

export function formatCount(n: number): string {
  if (n >= 1 << 20) return `${(n / (1 << 20)).toFixed(n % (1 << 20) === 0 ? 0 : 1)}Mi`;
  if (n >= 1 << 10) return `${(n / (1 << 10)).toFixed(n % (1 << 10) === 0 ? 0 : 1)}Ki`;
  return String(n);
}
