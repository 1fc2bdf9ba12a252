/**
 * The one analysis selector: offers every registered analysis (src/core/analyses/index.ts), picks
 * `config.analysis` (so every view is a permalink), shows the analysis's params as controls
 * generated from its schema (like methods), renders its view from the UI registry (ViewRouter)
 * for the result `runConfig` returned, and adds the methods/citation panel and the "Reproduce in
 * Python" export. Mounted once in App.tsx.
 */
import { lazy, Suspense, useMemo, useState } from 'react';
import type { ExperimentOutput } from '../../engine/experiment';
import { canonicalKey, type ExperimentConfig } from '../../core/config/schema';
import { ANALYSES, analysesById } from '../../core/analyses';
import { dataSourcesById, quantizersById, transformsById } from '../../core/methods';
import type { ParamValue } from '../../core/methods/types';
import { pipelineLabel } from '../../core/pipeline';
import { downloadBlob, downloadText } from '../export/browser-io';
import { CopyButton } from '../panels/CopyButton';
import { ParamControl } from '../panels/ParamControl';
import { InfoButton } from '../panels/InfoButton';
import { useLab } from '../state/store';
import { buildPython } from '../bridge/teach-client';
import './views.css';

// The views and d3 load on demand, so the page's first render does not wait for them.
const View = lazy(() => import('./ViewRouter'));

const pl = (t: string, tp: Record<string, ParamValue>, q: string, qp: Record<string, ParamValue>) => ({
  transforms: t === 'identity' ? [] : [{ id: t, params: tp }],
  quantizer: { id: q, params: qp },
});

/** A data + pipeline setup that shows each view at its best (the seed and params are kept). */
const SUGGESTED: Readonly<Record<string, Pick<ExperimentConfig, 'data' | 'pipelines'>>> = {
  estimator: {
    data: { source: 'clustered', rows: 2048, dim: 128 },
    pipelines: [
      pl('haar', {}, 'eden', { bits: 2, scale: 'mse' }),
      pl('haar', {}, 'eden', { bits: 2, scale: 'unbiased' }),
      pl('rht', { rounds: 1 }, 'turboquant-mse', { bits: 2 }),
      pl('rht', { rounds: 1 }, 'turboquant-prod', { bits: 2 }),
    ],
  },
  seeds: {
    data: { source: 'gaussian', rows: 256, dim: 256 },
    pipelines: [
      pl('haar', {}, 'eden', { bits: 2, scale: 'mse' }),
      pl('rht', { rounds: 1 }, 'turboquant-mse', { bits: 2 }),
      pl('rht', { rounds: 1 }, 'eden', { bits: 2, scale: 'unbiased' }),
    ],
  },
  'rotation-quality': {
    data: { source: 'one-hot', rows: 16, dim: 64 },
    pipelines: [pl('rht', { rounds: 1 }, 'eden', { bits: 2 })],
  },
  formats: {
    data: { source: 'sparse-spikes', rows: 16, dim: 64 },
    pipelines: [pl('identity', {}, 'mxfp4', {})],
  },
  'scale-rule': {
    data: { source: 'gaussian', rows: 16, dim: 64 },
    pipelines: [pl('haar', {}, 'eden', { bits: 2 })],
  },
  'channel-entropy': {
    data: { source: 'correlated-channels', rows: 2048, dim: 128 },
    pipelines: [pl('identity', {}, 'coupled', { channels: 4, codeBits: 4 })],
  },
};

/** Every reference behind the current view: the analysis, the data source and each method. */
export function citations(config: ExperimentConfig): { what: string; reference: string }[] {
  const out: { what: string; reference: string }[] = [];
  const seen = new Set<string>();
  const add = (what: string, reference: string | undefined) => {
    if (!reference || seen.has(reference)) return;
    seen.add(reference);
    out.push({ what, reference });
  };
  if (config.analysis) {
    const a = analysesById.get(config.analysis.id);
    add(`view: ${a?.label ?? config.analysis.id}`, a?.reference);
  }
  add(`data: ${config.data.source}`, dataSourcesById.get(config.data.source)?.reference);
  for (const p of config.pipelines) {
    for (const t of p.transforms) add(`transform: ${t.id}`, transformsById.get(t.id)?.reference);
    add(`quantizer: ${p.quantizer.id}`, quantizersById.get(p.quantizer.id)?.reference);
  }
  return out;
}

function CitationPanel({ config }: { config: ExperimentConfig }) {
  const list = citations(config);
  return (
    <details className="analysis-aside" data-testid="citations">
      <summary>Methods and citations ({list.length})</summary>
      <ul>
        {list.map((c) => (
          <li key={c.what}>
            <strong>{c.what}</strong> — {c.reference}
          </li>
        ))}
      </ul>
    </details>
  );
}

function PythonPanel({ config }: { config: ExperimentConfig }) {
  const [index, setIndex] = useState(0);
  const [out, setOut] = useState<{ script: string; files: ReadonlyMap<string, Uint8Array> } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  // Built in the teaching worker (engine/python-export.ts re-runs the pipeline and solves the
  // Lloyd–Max codebook): the page stays responsive and never solves on its main thread.
  const make = () => {
    setBusy(true);
    setError(null);
    buildPython(config, Math.min(index, config.pipelines.length - 1)).then(
      (r) => {
        setOut({ script: r.script, files: r.files });
        setBusy(false);
      },
      (e: unknown) => {
        setOut(null);
        setError(e instanceof Error ? e.message : String(e));
        setBusy(false);
      },
    );
  };
  return (
    <details className="analysis-aside" data-testid="python-export">
      <summary>Reproduce in Python (numpy)</summary>
      <p className="muted">
        numpy&apos;s RNG differs from ours, so the script carries x and our x̂ bit for bit (inline when small,
        else as .npy files) and recomputes every metric; for identity/wht/rht with eden or turboquant-mse it
        also re-runs the pipeline from x with the exported signs and codebook (float64: agrees to ~1e-6, not
        bit for bit).
      </p>
      <label className="param">
        <span className="param-name">pipeline</span>
        <select value={index} onChange={(e) => setIndex(Number(e.target.value))}>
          {config.pipelines.map((p, i) => (
            <option key={i} value={i}>
              {i + 1}. {pipelineLabel(p)}
            </option>
          ))}
        </select>
      </label>{' '}
      <button type="button" onClick={make} disabled={busy} aria-busy={busy} data-testid="python-make">
        {busy ? 'Building…' : 'Build script'}
      </button>
      {busy && (
        <span className="muted" data-testid="python-building">
          {' '}
          re-running the pipeline in a worker…
        </span>
      )}
      {error && (
        <p className="flag" role="alert" data-testid="python-error">
          {error}
        </p>
      )}
      {out && (
        <div>
          <CopyButton getText={() => out.script} label="Copy script" testId="python-copy" />{' '}
          <button
            type="button"
            onClick={() => downloadText(out.script, 'quantscope_repro.py', 'text/x-python')}
          >
            Download .py
          </button>{' '}
          {[...out.files].map(([name, bytes]) => (
            <button
              key={name}
              type="button"
              onClick={() =>
                downloadBlob(new Blob([bytes.slice().buffer], { type: 'application/octet-stream' }), name)
              }
            >
              {name}
            </button>
          ))}
          <pre className="python-snippet" data-testid="python-script">
            {out.script.length > 6000
              ? `${out.script.slice(0, 6000)}\n… (${out.script.length} characters; copy or download for all)`
              : out.script}
          </pre>
        </div>
      )}
    </details>
  );
}

export function AnalysisSwitcher({
  output,
  idle,
}: {
  output: ExperimentOutput | undefined;
  /** Why nothing is being computed (a cancelled run, a run waiting for confirmation), if so. */
  idle?: string;
}) {
  const config = useLab((s) => s.config);
  const setConfig = useLab((s) => s.setConfig);
  const current = config.analysis && analysesById.has(config.analysis.id) ? config.analysis : undefined;
  const def = current ? analysesById.get(current.id) : undefined;
  const ready = useMemo(
    () => !!output && !!current && canonicalKey(output.config) === canonicalKey(config),
    [output, current, config],
  );
  const choose = (id: string) => {
    if (id === '') {
      const { analysis: _drop, ...rest } = config;
      void _drop;
      setConfig(rest);
    } else setConfig({ ...config, analysis: { id, params: {} } });
  };
  const setParam = (name: string, value: ParamValue) => {
    if (!current) return;
    setConfig({ ...config, analysis: { id: current.id, params: { ...current.params, [name]: value } } });
  };
  const suggested = current ? SUGGESTED[current.id] : undefined;
  const views = ANALYSES;
  return (
    <section className="analysis-switcher" aria-labelledby="analysis-heading" data-testid="analysis-switcher">
      <h2 id="analysis-heading">Analysis</h2>
      <div className="analysis-controls">
        <label className="param">
          <span className="param-name">view</span>
          <select
            value={current?.id ?? ''}
            onChange={(e) => choose(e.target.value)}
            data-testid="analysis-select"
          >
            <option value="">none (metrics table only)</option>
            {views.map((a) => (
              <option key={a.id} value={a.id}>
                {a.label}
              </option>
            ))}
          </select>
        </label>
        {def && (
          <InfoButton title={def.label} testId="info-analysis">
            {def.description} <em>{def.reference}</em>
          </InfoButton>
        )}
        {suggested && (
          <button
            type="button"
            onClick={() => {
              // The baseline index belongs to the pipelines being replaced.
              const { baseline: _baseline, ...keep } = config;
              if (setConfig({ ...keep, ...suggested }))
                useLab
                  .getState()
                  .setNotice(
                    `Replaced the data and ${config.pipelines.length} pipeline(s) with the setup suggested for ${def?.label ?? current?.id}.`,
                    true,
                  );
            }}
            title="Replace data and pipelines with a setup suited to this view (seed and view params kept; undo with Ctrl+Z)"
            data-testid="analysis-suggested"
          >
            Use suggested data &amp; pipelines
          </button>
        )}
      </div>
      {def && current && (
        <>
          <p className="muted">{def.description}</p>
          <div className="analysis-params">
            {Object.entries(def.params).map(([name, spec]) => (
              <ParamControl
                key={name}
                name={name}
                spec={spec}
                value={current.params[name] ?? spec.default}
                onChange={(v) => setParam(name, v)}
                testId={`analysis-param-${name}`}
                info
              />
            ))}
          </div>
          <div
            className="analysis-body"
            data-status={ready ? 'ready' : idle ? 'idle' : 'loading'}
            data-testid="analysis-view"
          >
            {ready && output ? (
              <Suspense fallback={<p className="muted">loading view…</p>}>
                <View
                  id={current.id}
                  result={output.analysis}
                  pipelines={output.config.pipelines}
                  baseline={output.config.baseline}
                />
              </Suspense>
            ) : (
              <p className="muted">{idle ?? 'computing…'}</p>
            )}
          </div>
          <CitationPanel config={config} />
          <PythonPanel config={config} />
        </>
      )}
    </section>
  );
}
