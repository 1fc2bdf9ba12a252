/**
 * Checkpoint view (config.sweep): every matching tensor of the opened checkpoint through every
 * pipeline, as a sortable heatmap table (layers × pipelines; vNMSE, SQNR or bits per cell, coloured
 * from best to worst), grouped by layer type (layer-groups.ts), worst layers first, with totals
 * weighted by parameter count (summarizeSweep). Tensors stream one at a time through their own
 * worker (ComputeClient.checkpoint: bounded memory, whatever the checkpoint size); rows fill in as
 * results arrive, with a progress bar, an ETA (by parameters done) and Cancel. Clicking a layer
 * opens it in the single-tensor lab below (data.tensor), keeping the sweep. The view is the
 * permalink: the `sweep` field in the config, files by name (+ SHA-256 of the tensor in view).
 */
import { readsBytes } from '../../core/methods';
import { useEffect, useId, useMemo, useRef, useState } from 'react';
import { create } from 'zustand';
import { canonicalKey, type ExperimentConfig } from '../../core/config/schema';
import { fileParams } from '../../core/config/data-params';
import { SWEEP_DEFAULTS, type SweepConfig } from '../../core/config/sweep-config';
import { computeClient } from '../bridge/client';
import { Progress } from './Progress';
import { summarizeSweep, type SweepTensorResult } from '../../engine/checkpoint';
import type { CheckpointMessage } from '../../worker/worker-api';
import { LAYER_GROUPS, layerGroup, type LayerGroup } from '../../engine/layer-groups';
import { formatMetric } from '../../core/format-number';
import { AbortError, pipelineLabel } from '../../core/pipeline';
import { useLab } from '../state/store';
import './checkpoint.css';

/** Bumped whenever the user opens files, so a sweep waiting for them starts again. */
export const useFilesEpoch = create<{ epoch: number; bump(): void }>()((set) => ({
  epoch: 0,
  bump: () => set((s) => ({ epoch: s.epoch + 1 })),
}));

/** Data panel controls: start a sweep of every layer, or edit/close it (filters live in the link). */
export function SweepControls({ sweep }: { sweep: SweepConfig | undefined }) {
  const incId = useId();
  const excId = useId();
  const minId = useId();
  const [draft, setDraft] = useState<SweepConfig>(sweep ?? SWEEP_DEFAULTS);
  useEffect(() => setDraft(sweep ?? SWEEP_DEFAULTS), [sweep]);
  const apply = (next: SweepConfig | undefined) => {
    const c = useLab.getState().config;
    const { sweep: _old, ...rest } = c;
    useLab
      .getState()
      .setConfig(
        next
          ? { ...rest, data: { ...c.data, rowStart: 0, rowEnd: 0, colStart: 0, colEnd: 0 }, sweep: next }
          : rest,
      );
  };
  if (!sweep) {
    return (
      <p>
        <button type="button" data-testid="sweep-start" onClick={() => apply(SWEEP_DEFAULTS)}>
          Sweep every layer
        </button>{' '}
        <span className="hint">every tensor with ≥ 2 dims and ≥ 1024 elements, through every pipeline</span>
      </p>
    );
  }
  return (
    <form
      className="sweep-controls"
      data-testid="sweep-controls"
      onSubmit={(e) => {
        e.preventDefault();
        apply(draft);
      }}
    >
      <label className="param" htmlFor={incId}>
        <span className="param-name">include (regex)</span>
        <input
          id={incId}
          value={draft.include}
          maxLength={256}
          placeholder="every tensor"
          data-testid="sweep-include"
          onChange={(e) => setDraft({ ...draft, include: e.target.value })}
          onBlur={() => apply(draft)}
        />
      </label>
      <label className="param" htmlFor={excId}>
        <span className="param-name">exclude (regex)</span>
        <input
          id={excId}
          value={draft.exclude}
          maxLength={256}
          placeholder="none"
          data-testid="sweep-exclude"
          onChange={(e) => setDraft({ ...draft, exclude: e.target.value })}
          onBlur={() => apply(draft)}
        />
      </label>
      <label className="param" htmlFor={minId}>
        <span className="param-name">min elements</span>
        <input
          id={minId}
          type="number"
          min={1}
          value={draft.minElements}
          data-testid="sweep-min"
          onChange={(e) =>
            setDraft({ ...draft, minElements: Math.max(1, Math.floor(Number(e.target.value) || 1)) })
          }
          onBlur={() => apply(draft)}
        />
      </label>
      <p>
        <button type="submit">Apply</button>{' '}
        <button type="button" data-testid="sweep-close" onClick={() => apply(undefined)}>
          Close sweep
        </button>
      </p>
    </form>
  );
}

interface PlanRow {
  readonly name: string;
  readonly shape: readonly number[];
  readonly parameters: number;
}

type SweepStatus = 'running' | 'done' | 'cancelled' | 'error';

interface SweepState {
  readonly plan: readonly PlanRow[];
  readonly results: readonly SweepTensorResult[];
  readonly status: SweepStatus;
  readonly error?: string;
  readonly startedAt: number;
  readonly finishedAt?: number;
}

/** The sweep's key: the config without the tensor in view (picking a layer must not restart it). */
function sweepKey(config: ExperimentConfig): string | null {
  if (!config.sweep || !readsBytes(config.data.source)) return null;
  return canonicalKey({ ...config, data: { ...config.data, tensor: '', sha256: '' } });
}

function useCheckpointSweep(config: ExperimentConfig) {
  const key = sweepKey(config);
  const epoch = useFilesEpoch((s) => s.epoch);
  const [nonce, setNonce] = useState(0);
  const [state, setState] = useState<SweepState | null>(null);
  const ctrlRef = useRef<AbortController | null>(null);
  const configRef = useRef(config);
  configRef.current = config;
  useEffect(() => {
    if (!key) {
      setState(null);
      return;
    }
    const ctrl = new AbortController();
    ctrlRef.current = ctrl;
    const startedAt = performance.now();
    setState({ plan: [], results: [], status: 'running', startedAt });
    const onMessage = (m: CheckpointMessage) => {
      if (ctrl.signal.aborted) return;
      if (m.kind === 'plan') setState((s) => (s ? { ...s, plan: m.tensors } : s));
      else setState((s) => (s ? { ...s, results: [...s.results, m.tensor] } : s));
    };
    computeClient.checkpoint(configRef.current, { signal: ctrl.signal, onMessage }).then(
      (out) =>
        setState((s) =>
          s ? { ...s, results: out.tensors, status: 'done', finishedAt: performance.now() } : s,
        ),
      (e: unknown) => {
        const cancelled = e instanceof AbortError;
        setState((s) =>
          s
            ? {
                ...s,
                status: cancelled ? 'cancelled' : 'error',
                error: cancelled ? undefined : (e as Error).message,
                finishedAt: performance.now(),
              }
            : s,
        );
      },
    );
    return () => ctrl.abort();
  }, [key, epoch, nonce]);
  return {
    state,
    cancel: () => ctrlRef.current?.abort(),
    restart: () => setNonce((n) => n + 1),
  };
}

type Metric = 'vnmse' | 'sqnrDb' | 'bits';
const METRIC_LABEL: Record<Metric, string> = { vnmse: 'vNMSE', sqnrDb: 'SQNR (dB)', bits: 'bits/coord' };

function cellValue(t: SweepTensorResult, i: number, metric: Metric): number {
  const r = t.results[i];
  if (!r) return NaN;
  return metric === 'bits' ? r.bitsPerCoord : r.metrics[metric];
}

/** 0 = best … 1 = worst of the values on screen (vNMSE on a log scale). */
function badness(v: number, metric: Metric, lo: number, hi: number): number {
  if (!Number.isFinite(v) || !(hi > lo)) return 0;
  const f = metric === 'vnmse' ? (x: number) => Math.log10(Math.max(x, 1e-30)) : (x: number) => x;
  const t = (f(v) - f(lo)) / (f(hi) - f(lo) || 1);
  return metric === 'sqnrDb' ? 1 - t : t;
}

function heat(b: number): string {
  // Green (best) → yellow → red (worst), translucent so the text keeps its contrast in both themes.
  return `hsla(${Math.round(120 * (1 - b))}, 75%, 45%, 0.28)`;
}

function heatSolid(b: number): string {
  return `hsl(${Math.round(120 * (1 - b))}, 65%, 55%)`;
}

function formatEta(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '…';
  const s = Math.round(ms / 1000);
  return s >= 60 ? `${Math.floor(s / 60)} min ${s % 60} s` : `${s} s`;
}

/**
 * Overview heatmap: one column per layer (in the table's order), one row per pipeline, the same
 * colours as the table; hover names the cell, click opens the layer. Compact enough for the ~700
 * tensors of a 70B checkpoint.
 */
function HeatmapStrip({
  rows,
  labels,
  metric,
  ranges,
  onOpen,
}: {
  rows: readonly SweepTensorResult[];
  labels: readonly string[];
  metric: Metric;
  ranges: readonly (readonly [number, number])[];
  onOpen: (name: string) => void;
}) {
  if (rows.length === 0) return null;
  const cellH = 14;
  return (
    <div className="heatmap-strip" data-testid="checkpoint-heatmap">
      <div className="heatmap-labels" aria-hidden="true">
        {labels.map((l, i) => (
          <div key={i} style={{ height: cellH }} title={l}>
            {l}
          </div>
        ))}
      </div>
      <svg
        role="img"
        aria-label={`${METRIC_LABEL[metric]} per layer (columns) and pipeline (rows); the table below has the numbers`}
        viewBox={`0 0 ${rows.length} ${labels.length * cellH}`}
        preserveAspectRatio="none"
        height={labels.length * cellH}
      >
        {rows.map((t, j) =>
          labels.map((l, i) => {
            const v = cellValue(t, i, metric);
            return (
              <rect
                key={`${j}-${i}`}
                x={j}
                y={i * cellH}
                width={1}
                height={cellH - 1}
                fill={heatSolid(badness(v, metric, ranges[i][0], ranges[i][1]))}
                onClick={() => onOpen(t.name)}
              >
                <title>{`${t.name} · ${l}: ${metric === 'bits' ? v.toFixed(3) : formatMetric(metric, v)}`}</title>
              </rect>
            );
          }),
        )}
      </svg>
    </div>
  );
}

/** A dotted tensor name that may wrap after each dot (never inside a word). */
function breakable(name: string) {
  const parts = name.split('.');
  return parts.map((part, i) => (
    <span key={i}>
      {part}
      {i < parts.length - 1 && (
        <>
          .<wbr />
        </>
      )}
    </span>
  ));
}

type SortKey = 'worst' | 'name' | 'params' | 'dead' | `p${number}`;

export function CheckpointView({ config }: { config: ExperimentConfig }) {
  const { state, cancel, restart } = useCheckpointSweep(config);
  const [metric, setMetric] = useState<Metric>('vnmse');
  const [grouped, setGrouped] = useState(true);
  const [sort, setSort] = useState<{ key: SortKey; dir: 1 | -1 }>({ key: 'worst', dir: -1 });
  const [, tick] = useState(0);
  const metricId = useId();
  useEffect(() => {
    if (state?.status !== 'running') return;
    const t = setInterval(() => tick((n) => n + 1), 500);
    return () => clearInterval(t);
  }, [state?.status]);

  const results = useMemo(() => state?.results ?? [], [state?.results]);
  const pipelines = config.pipelines;
  const summary = useMemo(() => summarizeSweep(config, results), [config, results]);
  // Colour range per pipeline (column): "which layers break under this pipeline" is read down a
  // column; the numbers themselves compare pipelines across a row.
  const ranges = useMemo(
    () =>
      pipelines.map((_, i) => {
        let a = Infinity;
        let b = -Infinity;
        for (const t of results) {
          const v = cellValue(t, i, metric);
          if (Number.isFinite(v)) {
            a = Math.min(a, v);
            b = Math.max(b, v);
          }
        }
        return [a, b] as const;
      }),
    [results, pipelines, metric],
  );

  if (!state) return null;
  const plan = state.plan;
  const doneParams = results.reduce((a, t) => a + t.parameters, 0);
  const totalParams = plan.reduce((a, t) => a + t.parameters, 0);
  const elapsed = (state.finishedAt ?? performance.now()) - state.startedAt;

  const worstOf = (t: SweepTensorResult) =>
    t.results.reduce(
      (m, r) => (Number.isFinite(r.metrics.vnmse) ? Math.max(m, r.metrics.vnmse) : m),
      -Infinity,
    );
  const compare = (a: SweepTensorResult, b: SweepTensorResult): number => {
    const k = sort.key;
    let d: number;
    if (k === 'name') d = a.name.localeCompare(b.name, undefined, { numeric: true });
    else if (k === 'params') d = a.parameters - b.parameters;
    else if (k === 'dead') d = a.deadRows - b.deadRows;
    else if (k === 'worst') d = worstOf(a) - worstOf(b);
    else {
      const i = Number(k.slice(1));
      const va = cellValue(a, i, metric);
      const vb = cellValue(b, i, metric);
      d = Number.isNaN(va) ? -1 : Number.isNaN(vb) ? 1 : va - vb;
    }
    return sort.dir * d || a.name.localeCompare(b.name, undefined, { numeric: true });
  };
  const sorted = [...results].sort(compare);
  const groups: { group: LayerGroup | null; rows: SweepTensorResult[] }[] = grouped
    ? LAYER_GROUPS.map((g) => ({
        group: g,
        rows: sorted.filter((t) => layerGroup(t.name, t.shape) === g),
      })).filter((g) => g.rows.length > 0)
    : [{ group: null, rows: sorted }];
  // Worst groups first too (by their parameter-weighted vNMSE under the worst pipeline).
  if (grouped && sort.key === 'worst') {
    const gw = (rows: SweepTensorResult[]) =>
      Math.max(
        ...summarizeSweep(config, rows)
          .pipelines.map((p) => p.metrics.vnmse)
          .filter(Number.isFinite),
      );
    groups.sort((a, b) => sort.dir * (gw(a.rows) - gw(b.rows)));
  }
  const pending = plan.filter((p) => !results.some((r) => r.name === p.name));

  const open = (name: string) => {
    const c = useLab.getState().config;
    useLab.getState().setConfig({ ...c, data: { ...c.data, tensor: name, sha256: '' } });
    document.getElementById('results-heading')?.scrollIntoView({ block: 'start' });
  };
  const sortHeader = (key: SortKey, label: string, title?: string) => (
    <th scope="col" aria-sort={sort.key === key ? (sort.dir === 1 ? 'ascending' : 'descending') : 'none'}>
      <button
        type="button"
        className="sort-button"
        title={title}
        data-testid={`checkpoint-sort-${key}`}
        onClick={() =>
          setSort((s) => ({ key, dir: s.key === key ? (-s.dir as 1 | -1) : key === 'worst' ? -1 : 1 }))
        }
      >
        {label}
        {sort.key === key ? (sort.dir === 1 ? ' ▲' : ' ▼') : ''}
      </button>
    </th>
  );
  const cells = (values: (i: number) => number, keyPrefix: string) =>
    pipelines.map((_, i) => {
      const v = values(i);
      return (
        <td
          key={`${keyPrefix}-${i}`}
          className="num heat"
          style={{ background: heat(badness(v, metric, ranges[i][0], ranges[i][1])) }}
          data-value={String(v)}
        >
          {metric === 'bits' ? (Number.isFinite(v) ? v.toFixed(3) : '—') : formatMetric(metric, v)}
        </td>
      );
    });
  const totals = (rows: readonly SweepTensorResult[]) => {
    const s = rows === results ? summary : summarizeSweep(config, rows);
    return (i: number) => {
      const p = s.pipelines[i];
      return metric === 'bits' ? p.bitsPerCoord : p.metrics[metric];
    };
  };

  return (
    <section
      className="checkpoint"
      aria-labelledby="checkpoint-heading"
      data-testid="checkpoint-view"
      data-status={state.status}
    >
      <h2 id="checkpoint-heading">Checkpoint</h2>
      <div className="checkpoint-status" data-testid="checkpoint-status">
        {state.status === 'running' && (
          // Units: parameters swept (tensors differ in size by orders of magnitude), so the ETA
          // extrapolates by parameters; the tensor count is the stage line.
          <Progress
            label="Checkpoint sweep"
            done={doneParams}
            total={totalParams}
            unit="parameters"
            countText={`${results.length} / ${plan.length || '…'} tensors`}
            stage={pending[0] ? `next: ${pending[0].name}` : undefined}
            startedAt={state.startedAt}
            onCancel={cancel}
            testId="checkpoint-progress"
            cancelTestId="checkpoint-cancel"
            etaTestId="checkpoint-eta"
          />
        )}
        {state.status === 'done' && (
          <span>
            {results.length} tensors, {summary.parameters.toLocaleString('en-US')} parameters in{' '}
            {formatEta(elapsed)}
            {summary.skipped ? ` (${summary.skipped} skipped: shape over a limit)` : ''}.{' '}
          </span>
        )}
        {state.status === 'cancelled' && (
          <span>
            Cancelled after {results.length} of {plan.length} tensors.{' '}
            <button type="button" onClick={restart} data-testid="checkpoint-restart">
              Run again
            </button>
          </span>
        )}
        {state.status === 'error' && (
          <span className="inline-error" role="alert" data-testid="checkpoint-error">
            {state.error}{' '}
            <button type="button" onClick={restart}>
              Retry
            </button>
          </span>
        )}
      </div>
      <div className="checkpoint-options">
        <label htmlFor={metricId}>
          cells{' '}
          <select
            id={metricId}
            value={metric}
            data-testid="checkpoint-metric"
            onChange={(e) => setMetric(e.target.value as Metric)}
          >
            {(Object.keys(METRIC_LABEL) as Metric[]).map((m) => (
              <option key={m} value={m}>
                {METRIC_LABEL[m]}
              </option>
            ))}
          </select>
        </label>
        <label>
          <input type="checkbox" checked={grouped} onChange={(e) => setGrouped(e.target.checked)} /> group by
          layer type
        </label>
      </div>
      <HeatmapStrip
        rows={groups.flatMap((g) => g.rows)}
        labels={pipelines.map((p, i) => results[0]?.results[i]?.label ?? pipelineLabel(p))}
        metric={metric}
        ranges={ranges}
        onOpen={open}
      />
      <div className="table-wrap checkpoint-scroll">
        <table className="checkpoint-table" data-testid="checkpoint-table">
          <thead>
            <tr>
              {sortHeader('name', 'layer')}
              {sortHeader('params', 'params')}
              {sortHeader(
                'dead',
                'dead rows',
                'rows with ‖x_i‖ ≤ 1e-12·max‖x_j‖, left out of vNMSE and cosine',
              )}
              {pipelines.map((p, i) => (
                <th
                  key={i}
                  scope="col"
                  aria-sort={sort.key === `p${i}` ? (sort.dir === 1 ? 'ascending' : 'descending') : 'none'}
                >
                  <button
                    type="button"
                    className="sort-button"
                    data-testid={`checkpoint-sort-p${i}`}
                    onClick={() =>
                      setSort((s) => ({
                        key: `p${i}`,
                        dir: s.key === `p${i}` ? (-s.dir as 1 | -1) : metric === 'sqnrDb' ? 1 : -1,
                      }))
                    }
                  >
                    {results[0]?.results[i]?.label ?? pipelineLabel(p)}
                    {sort.key === `p${i}` ? (sort.dir === 1 ? ' ▲' : ' ▼') : ''}
                  </button>
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {groups.map(({ group, rows }) => [
              group && (
                <tr key={`g-${group}`} className="group-row" data-testid="checkpoint-group">
                  <th scope="rowgroup">
                    {group} ({rows.length})
                  </th>
                  <td className="num">
                    {rows.reduce((a, t) => a + t.parameters, 0).toLocaleString('en-US')}
                  </td>
                  <td className="num">{rows.reduce((a, t) => a + t.deadRows, 0)}</td>
                  {cells(totals(rows), `g-${group}`)}
                </tr>
              ),
              ...rows.map((t) => (
                <tr
                  key={t.name}
                  data-testid="checkpoint-row"
                  data-tensor={t.name}
                  className={t.name === fileParams(config.data).tensor ? 'current' : undefined}
                >
                  <th scope="row" className="layer-name">
                    <button
                      type="button"
                      className="link-button"
                      title={`open ${t.name} in the lab below`}
                      onClick={() => open(t.name)}
                    >
                      {breakable(t.name)}
                    </button>
                    <span className="hint">
                      {' '}
                      {t.rows}×{t.dim}
                      {t.layout === 'cols-first' ? ' cols-first' : ''}
                      {t.subsampled ? ' (subsampled)' : ''}
                    </span>
                  </th>
                  <td className="num">{t.parameters.toLocaleString('en-US')}</td>
                  <td className="num">{t.deadRows}</td>
                  {t.skipped ? (
                    <td colSpan={pipelines.length} className="hint">
                      skipped: {t.skipped}
                    </td>
                  ) : (
                    cells((i) => cellValue(t, i, metric), t.name)
                  )}
                </tr>
              )),
            ])}
            {pending.map((p) => (
              <tr key={`pending-${p.name}`} className="pending" data-testid="checkpoint-pending">
                <th scope="row" className="layer-name">
                  {breakable(p.name)}
                </th>
                <td className="num">{p.parameters.toLocaleString('en-US')}</td>
                <td />
                {pipelines.map((_, i) => (
                  <td key={i} className="num">
                    …
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
          {results.length > 0 && (
            <tfoot>
              <tr data-testid="checkpoint-total">
                <th scope="row">total (parameter-weighted)</th>
                <td className="num">{summary.parameters.toLocaleString('en-US')}</td>
                <td className="num">{summary.deadRows}</td>
                {cells(totals(results), 'total')}
              </tr>
            </tfoot>
          )}
        </table>
      </div>
      <p className="hint">
        Cells: {METRIC_LABEL[metric]}, coloured per pipeline from its best (green) to its worst (red) layer.
        vNMSE and cosine leave out dead rows (‖x_i‖ ≤ 1e-12·max‖x_j‖); SQNR and mse count every row. Totals:
        parameter-weighted means; SQNR from the summed signal and error; bits = total bits / total parameters.
        Click a layer to open it with every chart below.
      </p>
    </section>
  );
}
