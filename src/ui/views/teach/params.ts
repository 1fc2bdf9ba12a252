/**
 * View parameters of the teaching widgets, kept in the query string next to `?embed=` (the config
 * stays in the `#c=` hash, owned by url-sync). Every read is validated: integers are parsed
 * strictly and clamped to their range, enums must match, anything else falls back to the
 * default, so a hostile or stale link renders the default view instead of failing.
 */
import { useCallback, useState } from 'react';

export const TEACH_IDS = ['step', 'block', 'codebook', 'lesson'] as const;
export type TeachId = (typeof TEACH_IDS)[number];

export function isTeachId(id: string): id is TeachId {
  return (TEACH_IDS as readonly string[]).includes(id);
}

export const TEACH_TITLES: Record<TeachId, string> = {
  step: 'Step through one vector',
  block: 'Block inspector',
  codebook: 'Codebook lab (Lloyd–Max)',
  lesson: 'Lessons',
};

const INT = /^-?\d{1,9}$/;
const NUM = /^-?\d{1,9}(\.\d{1,9})?$/;

export function readInt(search: string, name: string, min: number, max: number, fallback: number): number {
  const v = new URLSearchParams(search).get(name);
  if (v === null || !INT.test(v)) return fallback;
  return Math.min(max, Math.max(min, Number(v)));
}

export function readNum(search: string, name: string, min: number, max: number, fallback: number): number {
  const v = new URLSearchParams(search).get(name);
  if (v === null || !NUM.test(v)) return fallback;
  return Math.min(max, Math.max(min, Number(v)));
}

export function readEnum<T extends string>(
  search: string,
  name: string,
  options: readonly T[],
  fallback: T,
): T {
  const v = new URLSearchParams(search).get(name);
  return v !== null && (options as readonly string[]).includes(v) ? (v as T) : fallback;
}

/** Write one view param into the current URL (replaceState: scrubbing does not flood history). */
export function writeParam(name: string, value: string | number | null): void {
  const url = new URL(window.location.href);
  if (value === null) url.searchParams.delete(name);
  else url.searchParams.set(name, String(value));
  window.history.replaceState(window.history.state, '', url.toString());
}

/** A view param as React state mirrored into the URL. */
export function useViewParam<T extends string | number>(
  name: string,
  read: (search: string) => T,
): [T, (v: T) => void] {
  const [value, setValue] = useState<T>(() => read(window.location.search));
  const set = useCallback(
    (v: T) => {
      setValue(v);
      writeParam(name, v);
    },
    [name],
  );
  return [value, set];
}

/** `?embed=<id>&…params…#c=…`: a permalink to a teaching view of the given config hash. */
export function teachUrl(
  pageUrl: string,
  id: TeachId,
  params: Readonly<Record<string, string | number>>,
  hash: string,
): string {
  const url = new URL(pageUrl);
  url.search = '';
  url.searchParams.set('embed', id);
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, String(v));
  url.hash = hash.startsWith('#') ? hash.slice(1) : hash;
  return url.toString();
}

/** Compact number for tables: 4 significant digits, exponent outside [1e-3, 1e4). */
export function fmt(v: number): string {
  if (v === 0) return Object.is(v, -0) ? '−0' : '0';
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  // Exponents, codes and small integers read better without decimals.
  if (Number.isInteger(v) && a < 1e4) return String(v).replace('-', '−');
  const s = a >= 1e-3 && a < 1e4 ? v.toPrecision(4) : v.toExponential(2);
  return s.replace('-', '−');
}
