/**
 * App state (zustand): the shareable config slice (what a permalink holds) and a UI-only slice.
 * Every edit goes through `parseConfig`, so the store only ever holds a valid canonical config; an
 * invalid edit leaves the last good config in place and sets `configError` (CONTRACT.md §1: "the
 * browser shows the message and keeps the last good state").
 */
import { create } from 'zustand';
import { DEFAULT_CONFIG } from '../../core/config/defaults';
import {
  parseConfig,
  type CanonicalConfig,
  type ExperimentConfig,
  type PipelineConfig,
} from '../../core/config/schema';
import type { ParamValue } from '../../core/methods/types';
import { dataParamSchema } from '../../core/config/schema';
import { quantizersById, transformsById } from '../../core/methods';
import { withDefaults } from '../../core/methods/params';
import { pipelineLabel } from '../../core/pipeline';

export type Theme = 'light' | 'dark';

export interface NoticeAction {
  readonly label: string;
  readonly run: () => void;
}

export interface LabState {
  config: CanonicalConfig;
  configError: string | null;
  /** Messages about a link that could not be restored as given (shown once, dismissible). */
  notice: string | null;
  /** The notice reports a destructive edit: the banner offers Undo (one history step back). */
  noticeUndoable: boolean;
  /** An extra button in the notice (e.g. "Re-run" after a cancelled run). */
  noticeAction: NoticeAction | null;
  theme: Theme;
  /** Replace the whole config (e.g. from a permalink); invalid → keep the current one. */
  setConfig(next: unknown): boolean;
  setSeed(seed: number): void;
  setDataSource(source: string): void;
  setDataParam(name: string, value: ParamValue): void;
  /** Set stage `stage` of pipeline `index`'s chain (0 by default; 'identity' removes the stage). */
  setTransform(index: number, id: string, stage?: number): void;
  setQuantizer(index: number, id: string): void;
  setTransformParam(index: number, name: string, value: ParamValue, stage?: number): void;
  /** Append a stage to the chain (a random Hadamard rotation, the usual last step). */
  addTransform(index: number): void;
  removeTransform(index: number, stage: number): void;
  moveTransform(index: number, stage: number, delta: -1 | 1): void;
  setQuantizerParam(index: number, name: string, value: ParamValue): void;
  setLabel(index: number, label: string): void;
  /** Pin pipeline `index` as the baseline of the table's Δ and ratio (null: none). */
  setBaseline(index: number | null): void;
  /** Pin a saved config (its seed, data and pipelines) as the baseline (null: none). */
  setBaselineConfig(saved: ExperimentConfig | null): boolean;
  addPipeline(): void;
  duplicatePipeline(index: number): void;
  removePipeline(index: number): void;
  movePipeline(index: number, delta: -1 | 1): void;
  setNotice(notice: string | null, undoable?: boolean, action?: NoticeAction): void;
  clearError(): void;
  setTheme(theme: Theme): void;
}

function initialTheme(): Theme {
  if (typeof window === 'undefined' || !window.matchMedia) return 'light';
  return window.matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}

export const useLab = create<LabState>()((set, get) => {
  const apply = (next: unknown): boolean => {
    const r = parseConfig(next);
    if (r.ok) {
      set({ config: r.config, configError: null });
      return true;
    }
    set({ configError: r.error });
    return false;
  };
  /**
   * Edit the pipeline list; `remap` says where the pipeline at an old index went (null: removed),
   * so the baseline follows its pipeline through removals and reorders.
   */
  const editPipelines = (
    fn: (ps: PipelineConfig[]) => PipelineConfig[],
    remap: (old: number) => number | null = (i) => i,
  ) => {
    const c = get().config;
    const { baseline: old, ...rest } = c;
    const baseline = old === undefined ? null : remap(old);
    apply({ ...rest, pipelines: fn([...c.pipelines]), ...(baseline === null ? {} : { baseline }) });
  };
  const editPipeline = (index: number, fn: (p: PipelineConfig) => PipelineConfig) =>
    editPipelines((ps) => ps.map((p, i) => (i === index ? fn(p) : p)));

  return {
    config: DEFAULT_CONFIG,
    configError: null,
    notice: null,
    noticeUndoable: false,
    noticeAction: null,
    theme: initialTheme(),
    setConfig: apply,
    setSeed: (seed) => apply({ ...get().config, seed }),
    setDataSource: (source) => {
      const c = get().config;
      const schema = dataParamSchema(source) ?? {};
      // Keep rows/dim across generators so switching the law keeps the shape.
      const carried: Record<string, ParamValue> = {};
      for (const k of ['rows', 'dim']) if (k in schema && k in c.data) carried[k] = c.data[k];
      apply({ ...c, data: { source, ...withDefaults(schema, carried) } });
    },
    setDataParam: (name, value) => {
      const c = get().config;
      apply({ ...c, data: { ...c.data, [name]: value } });
    },
    setTransform: (index, id, stage = 0) =>
      editPipeline(index, (p) => {
        const ref = { id, params: withDefaults(transformsById.get(id)?.params ?? {}) };
        const transforms = [...p.transforms];
        if (stage >= transforms.length) transforms.push(ref);
        else transforms[stage] = ref;
        // The identity is the empty stage: the canonical form drops it.
        return { ...p, transforms: transforms.filter((t) => t.id !== 'identity') };
      }),
    setQuantizer: (index, id) =>
      editPipeline(index, (p) => {
        const schema = quantizersById.get(id)?.params ?? {};
        // Carry `bits` over when both quantizers have it, so comparisons stay at equal rate.
        const carried: Record<string, ParamValue> = {};
        if ('bits' in schema && 'bits' in p.quantizer.params) carried.bits = p.quantizer.params.bits;
        const params = withDefaults(schema, carried);
        const r = parseConfig({
          ...get().config,
          pipelines: [{ transforms: p.transforms, quantizer: { id, params } }],
        });
        return { ...p, quantizer: { id, params: r.ok ? params : withDefaults(schema) } };
      }),
    setTransformParam: (index, name, value, stage = 0) =>
      editPipeline(index, (p) => ({
        ...p,
        transforms: p.transforms.map((t, k) =>
          k === stage ? { ...t, params: { ...t.params, [name]: value } } : t,
        ),
      })),
    addTransform: (index) =>
      editPipeline(index, (p) => ({
        ...p,
        transforms: [
          ...p.transforms,
          { id: 'rht', params: withDefaults(transformsById.get('rht')?.params ?? {}) },
        ],
      })),
    removeTransform: (index, stage) =>
      editPipeline(index, (p) => ({ ...p, transforms: p.transforms.filter((_, k) => k !== stage) })),
    moveTransform: (index, stage, delta) =>
      editPipeline(index, (p) => {
        const to = stage + delta;
        if (to < 0 || to >= p.transforms.length) return p;
        const transforms = [...p.transforms];
        [transforms[stage], transforms[to]] = [transforms[to], transforms[stage]];
        return { ...p, transforms };
      }),
    setQuantizerParam: (index, name, value) =>
      editPipeline(index, (p) => ({
        ...p,
        quantizer: { ...p.quantizer, params: { ...p.quantizer.params, [name]: value } },
      })),
    setLabel: (index, label) =>
      editPipeline(index, (p) => {
        const { label: _old, ...rest } = p;
        return label.trim() ? { ...rest, label } : rest;
      }),
    addPipeline: () =>
      editPipelines((ps) => [
        ...ps,
        { transforms: [{ id: 'rht', params: { rounds: 1 } }], quantizer: { id: 'int', params: { bits: 4 } } },
      ]),
    duplicatePipeline: (index) =>
      editPipelines(
        (ps) => [...ps.slice(0, index + 1), ps[index], ...ps.slice(index + 1)],
        (i) => (i > index ? i + 1 : i),
      ),
    removePipeline: (index) => {
      const ps = get().config.pipelines;
      if (ps.length <= 1) return;
      const label = pipelineLabel(ps[index]);
      editPipelines(
        (all) => all.filter((_, i) => i !== index),
        (i) => (i === index ? null : i > index ? i - 1 : i),
      );
      set({ notice: `Removed pipeline ${index + 1} (${label}).`, noticeUndoable: true, noticeAction: null });
    },
    movePipeline: (index, delta) => {
      const j = index + delta;
      if (j < 0 || j >= get().config.pipelines.length) return;
      editPipelines(
        (ps) => {
          const out = [...ps];
          [out[index], out[j]] = [out[j], out[index]];
          return out;
        },
        (i) => (i === index ? j : i === j ? index : i),
      );
    },
    setBaseline: (index) => {
      // One baseline at a time: pinning a pipeline unpins a saved config.
      const { baseline: _old, baselineConfig: _saved, ...rest } = get().config;
      apply(index === null ? rest : { ...rest, baseline: index });
    },
    setBaselineConfig: (saved) => {
      const { baseline: _old, baselineConfig: _saved, ...rest } = get().config;
      return apply(
        saved === null
          ? rest
          : { ...rest, baselineConfig: { seed: saved.seed, data: saved.data, pipelines: saved.pipelines } },
      );
    },
    setNotice: (notice, undoable = false, action) =>
      set({
        notice,
        noticeUndoable: notice !== null && undoable,
        noticeAction: (notice !== null && action) || null,
      }),
    clearError: () => set({ configError: null }),
    setTheme: (theme) => set({ theme }),
  };
});
