/**
 * Legend state shared by every chart (DESIGN.md "Charts"): a click, Enter or Space on an entry
 * toggles its series, pointing at or focusing an entry highlights it (the others fade), and series
 * with identical numbers are named ("same as …") instead of silently hiding each other.
 *
 * The state is keyed by the legend's entry keys and reset whenever the set of series changes
 * (`resetKey`, e.g. the pipelines' labels): a hidden "p1" never carries over to whatever pipeline
 * sits at index 1 after a reorder or a new experiment.
 */
import { useCallback, useMemo, useState } from 'react';

export interface LegendState {
  readonly hidden: ReadonlySet<string>;
  readonly hover: string | null;
}

export const EMPTY_LEGEND: LegendState = { hidden: new Set(), hover: null };

/** The legend state as chart attributes (`data-hidden`, `data-highlight`) that tests and goldens read. */
export function legendAttrs(state: LegendState): { hidden: string; highlight: string } {
  return { hidden: [...state.hidden].sort().join(' '), highlight: state.hover ?? '' };
}

/** Opacity of a series that is not the highlighted one. */
export const FADED = 0.2;

export function toggleSeries(state: LegendState, key: string): LegendState {
  const hidden = new Set(state.hidden);
  if (hidden.has(key)) hidden.delete(key);
  else hidden.add(key);
  // A series hidden while highlighted stops being the highlight (nothing to point at).
  return { hidden, hover: state.hover === key && hidden.has(key) ? null : state.hover };
}

export function hoverSeries(state: LegendState, key: string | null): LegendState {
  return state.hover === key ? state : { ...state, hover: key };
}

export function isShown(state: LegendState, key: string): boolean {
  return !state.hidden.has(key);
}

/** 1 for the highlighted series (or every series when none is), FADED for the others. */
export function opacityOf(state: LegendState, key: string): number {
  return state.hover !== null && state.hover !== key ? FADED : 1;
}

/**
 * For each series, the index of the first earlier series with the same signature (the same
 * numbers), or -1. Signatures are compared exactly, so "same" means bit-identical numbers.
 */
export function sameAsOf(signatures: readonly string[]): number[] {
  const first = new Map<string, number>();
  return signatures.map((s, i) => {
    const j = first.get(s);
    if (j !== undefined) return j;
    first.set(s, i);
    return -1;
  });
}

/** FNV-1a over the IEEE-754 bits of every number: a cheap exact signature of a series' data. */
export function digestOf(...arrays: readonly ArrayLike<number>[]): string {
  const f = new Float64Array(1);
  const u = new Uint32Array(f.buffer);
  let h = 0x811c9dc5;
  let n = 0;
  for (const a of arrays) {
    for (let i = 0; i < a.length; i++) {
      f[0] = a[i];
      h = Math.imul(h ^ u[0], 0x01000193);
      h = Math.imul(h ^ u[1], 0x01000193);
      n++;
    }
    h = Math.imul(h ^ 0xffffffff, 0x01000193); // array boundary: [1,2],[3] ≠ [1],[2,3]
  }
  return `${n}:${(h >>> 0).toString(16)}`;
}

/** The label of entry i with "(same as …)" when its numbers repeat an earlier entry's. */
export function sameAsLabel(
  labels: readonly string[],
  sameAs: readonly number[],
  i: number,
  name?: (j: number) => string,
): string {
  const j = sameAs[i];
  if (j === undefined || j < 0) return labels[i];
  return `${labels[i]} (same as ${name ? name(j) : labels[j]})`;
}

export interface LegendController {
  readonly state: LegendState;
  readonly toggle: (key: string) => void;
  readonly hover: (key: string | null) => void;
  readonly shown: (key: string) => boolean;
  readonly opacity: (key: string) => number;
}

/** React state for one chart's legend, reset when `resetKey` (the series' identities) changes. */
export function useLegend(resetKey: string): LegendController {
  const [held, setHeld] = useState<{ key: string; state: LegendState }>({
    key: resetKey,
    state: EMPTY_LEGEND,
  });
  // Derived reset (no effect, no stale frame): a new set of series starts with everything shown.
  const state = held.key === resetKey ? held.state : EMPTY_LEGEND;
  const toggle = useCallback(
    (key: string) =>
      setHeld((h) => ({
        key: resetKey,
        state: toggleSeries(h.key === resetKey ? h.state : EMPTY_LEGEND, key),
      })),
    [resetKey],
  );
  const hover = useCallback(
    (key: string | null) =>
      setHeld((h) => {
        const base = h.key === resetKey ? h.state : EMPTY_LEGEND;
        const next = hoverSeries(base, key);
        return next === base && h.key === resetKey ? h : { key: resetKey, state: next };
      }),
    [resetKey],
  );
  return useMemo(
    () => ({
      state,
      toggle,
      hover,
      shown: (k: string) => isShown(state, k),
      opacity: (k: string) => opacityOf(state, k),
    }),
    [state, toggle, hover],
  );
}
