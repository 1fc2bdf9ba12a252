/**
 * Stable pipeline colours: Okabe & Ito's colour-blind-safe palette (Color Universal Design, 2008),
 * extended with Tableau-10 hues beyond eight pipelines. The page colours pipelines by identity
 * (pipelineColors); `pipelineColor(i)` is the positional fallback for fixtures and goldens.
 */
import { sweepInvariant } from '../../core/artifacts/rateDistortion';
import type { Params } from '../../core/methods/types';

export const PIPELINE_COLORS = [
  '#0072B2',
  '#D55E00',
  '#009E73',
  '#CC79A7',
  '#E69F00',
  '#56B4E9',
  '#8c564b',
  '#F0E442',
  '#7f7f7f',
  '#bcbd22',
  '#17becf',
  '#9467bd',
  '#e377c2',
  '#2ca02c',
  '#d62728',
  '#1f77b4',
] as const;

export function pipelineColor(index: number): string {
  return PIPELINE_COLORS[index % PIPELINE_COLORS.length];
}

/** FNV-1a, 32 bit: a stable small hash of a pipeline's identity string. */
function hash32(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

interface Identified {
  readonly transforms: readonly { readonly id: string; readonly params?: Params }[];
  readonly quantizer: { readonly id: string; readonly params?: Params };
  readonly label?: string;
}

/**
 * The tie-break identity: the pipeline without its cost-axis parameter (bits, FP format, rank…:
 * sweepInvariant), so moving a bits slider never reorders two pipelines that share a hash slot.
 */
function invariant(p: Identified): string {
  const spec = {
    transforms: p.transforms.map((t) => ({ id: t.id, params: t.params ?? {} })),
    quantizer: { id: p.quantizer.id, params: p.quantizer.params ?? {} },
  };
  return JSON.stringify(sweepInvariant(spec));
}

const cache = new WeakMap<readonly Identified[], readonly string[]>();

/**
 * Colours keyed to each pipeline's identity (transform id, quantizer id, label), not its position:
 * reordering, adding or removing pipelines keeps everyone's colour, and moving a bits slider does
 * too. Identities that land on a colour already taken (or repeat) probe to the next free palette
 * entry, in a fixed order of the identities, so the assignment is a function of the set.
 */
export function pipelineColors(pipelines: readonly Identified[]): readonly string[] {
  const hit = cache.get(pipelines);
  if (hit) return hit;
  const n = PIPELINE_COLORS.length;
  const keyed = pipelines.map((p, i) => ({
    i,
    id: `${p.transforms.map((t) => t.id).join('+')}|${p.quantizer.id}|${p.label ?? ''}`,
    full: invariant(p),
  }));
  const order = [...keyed].sort(
    (a, b) =>
      (a.id < b.id ? -1 : a.id > b.id ? 1 : 0) ||
      (a.full < b.full ? -1 : a.full > b.full ? 1 : 0) ||
      a.i - b.i,
  );
  const used = new Set<number>();
  const out = new Array<string>(pipelines.length);
  for (const k of order) {
    let h = hash32(k.id) % n;
    while (used.has(h) && used.size < n) h = (h + 1) % n;
    used.add(h);
    out[k.i] = PIPELINE_COLORS[h];
  }
  cache.set(pipelines, out);
  return out;
}

/** `pipelineColors` as an index → colour function (what the charts take). */
export function colorOf(pipelines: readonly Identified[]): (index: number) => string {
  const colors = pipelineColors(pipelines);
  return (i) => colors[i] ?? pipelineColor(i);
}
