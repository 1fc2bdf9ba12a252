/**
 * The charts, below the results table: containers wiring the run's artifacts and the
 * on-demand sweep and spectra queries to the presentational charts of src/ui/charts. Loaded lazily
 * (React.lazy in App) so d3 and the charts stay out of the main bundle.
 *
 * The sweep and the spectra start only once the main run for the current config is in, so the
 * table appears first; each has its own worker and query key, and keepPreviousData leaves the last
 * chart on screen while the next one computes. Every card reports data-status="ready" only when
 * what it shows belongs to the current config (tests wait on it, never on time).
 */
import { useDeferredValue, useMemo, useState } from 'react';
import type { ExperimentConfig } from '../../core/config/schema';
import type { ExperimentOutput } from '../../engine/experiment';
import { useSpectra, useSweep } from '../bridge/useAnalysis';
import { CHARTS, type ChartEntry, type ChartId } from '../charts/registry';
import { useWidth } from '../charts/common';
import type { EnergyBasis } from '../charts/SpectraChart';
import { exportFileStem } from '../export/results-format';
import { ChartExportButtons } from './ChartExportButtons';
import { ErrorBoundary } from '../app/ErrorBoundary';
import type { RdFrontierPoint } from '../../core/artifacts/types';
import { formatMetric } from '../../core/format-number';
import { colorOf } from './colors';
import { InfoButton } from './InfoButton';
import '../charts/charts.css';

export interface ChartsPanelProps {
  readonly config: ExperimentConfig;
  /** The main run's output (possibly the previous config's while recomputing). */
  readonly output: ExperimentOutput;
  /** 'ready' when `output` is the current config's and no run is in flight. */
  readonly runStatus: 'ready' | 'loading' | 'error';
  /** Restrict to some charts (embed mode); all by default. */
  readonly only?: readonly ChartId[];
}

/** The Pareto frontier of the sweep as a list: which pipeline, at which setting, costs what. */
function FrontierList({
  frontier,
  params,
  labels,
  color,
}: {
  frontier: readonly RdFrontierPoint[];
  params: readonly (string | null)[];
  labels: readonly string[];
  color: (index: number) => string;
}) {
  return (
    <details className="frontier-list" data-testid="rd-frontier-list" open={frontier.length <= 12}>
      <summary>Pareto frontier: {frontier.length} points no other point beats on both bits and vNMSE</summary>
      <ol>
        {frontier.map((f, i) => (
          <li key={i} data-index={f.index}>
            <span className="swatch" style={{ background: color(f.index) }} aria-hidden="true" />
            {labels[f.index] ?? `pipeline ${f.index + 1}`}
            {f.value !== null && (
              <span className="muted">
                {' '}
                at {typeof f.value === 'string' ? f.value : `${params[f.index] ?? 'bits'} = ${f.value}`}
              </span>
            )}
            : {f.bitsPerCoord.toFixed(3)} bits/coord, vNMSE {formatMetric('vnmse', f.vnmse)}
          </li>
        ))}
      </ol>
    </details>
  );
}

export function ChartsPanel({ config, output: current, runStatus, only }: ChartsPanelProps) {
  const [ref, width] = useWidth<HTMLDivElement>();
  // The charts draw a new output in a deferred render, after the results table has committed:
  // the table is what an edit waits for (README "Performance"), and redrawing thousands of marks
  // in the same commit delayed it. Until the deferred render lands the cards say "loading".
  const output = useDeferredValue(current);
  const drawing = output !== current;
  const [basis, setBasis] = useState<EnergyBasis>('walsh');
  const charts = only ? CHARTS.filter((c) => only.includes(c.id)) : CHARTS;
  const mainReady = runStatus === 'ready';
  const wantSweep = charts.some((c) => c.needs === 'sweep');
  const wantSpectra = charts.some((c) => c.needs === 'spectra');
  const sweep = useSweep(config, mainReady && wantSweep);
  const spectra = useSpectra(config, mainReady && wantSpectra);
  // A previous config's sweep (react-query placeholder) is never drawn: its series would sit under
  // the new legend. While the sweep recomputes the chart shows theory and the current points.
  const sweepData = sweep.isPlaceholderData || runStatus !== 'ready' ? undefined : sweep.data;
  // Theory curves come with every sweep from the worker and depend on nothing: keep the last ones.
  const theory = sweep.data?.theory;

  const statusOf = (c: ChartEntry): { status: 'ready' | 'loading' | 'error'; note: string } => {
    if (runStatus === 'ready' && drawing) return { status: 'loading', note: 'drawing…' };
    if (runStatus !== 'ready')
      return {
        status: runStatus === 'error' ? 'error' : 'loading',
        note: runStatus === 'error' ? '' : 'computing…',
      };
    const q = c.needs === 'sweep' ? sweep : c.needs === 'spectra' ? spectra : null;
    if (!q) return { status: 'ready', note: '' };
    if (q.isError) return { status: 'error', note: q.error.message };
    if (q.isFetching || q.isPlaceholderData || !q.data)
      return { status: 'loading', note: c.needs === 'sweep' ? 'sweeping bits…' : 'computing spectra…' };
    return { status: 'ready', note: '' };
  };

  // Chart elements depend only on the data and the size, not on the config being edited: memoise
  // them so a control change (which re-renders this panel) never redraws thousands of marks while
  // the previous result is still on screen.
  const chartWidth = Math.max(320, width - 2);
  const elements = useMemo(
    () =>
      new Map(
        charts.map((c) => [
          c.id,
          c.render({ output, sweep: sweepData, theory, spectra: spectra.data, basis }, { width: chartWidth }),
        ]),
      ),
    // `charts` is derived from `only`.
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [only, output, sweepData, theory, spectra.data, basis, chartWidth],
  );

  return (
    <div className="charts" ref={ref} data-testid="charts">
      {charts.map((c) => {
        const { status, note } = statusOf(c);
        const element = elements.get(c.id);
        return (
          <figure
            key={c.id}
            className="chart-card"
            data-testid={`chart-${c.id}`}
            data-status={status}
            aria-busy={status === 'loading'}
          >
            <figcaption>
              <span className="chart-title">
                {c.title}
                <InfoButton title={c.title} testId={`info-chart-${c.id}`}>
                  {c.description}
                  {c.id === 'rd' &&
                    ' Lower-left is better; the grey band is the Pareto frontier over every swept point (no other point has both fewer bits and lower vNMSE). Cover & Thomas, Elements of Information Theory §10.'}
                </InfoButton>
              </span>
              <span className="chart-desc">{c.description}</span>
              {note && <span className={status === 'error' ? 'chart-note error' : 'chart-note'}>{note}</span>}
              {c.id === 'spectra' && (
                <span className="chart-toggle" role="group" aria-label="energy basis">
                  {(['walsh', 'dct'] as const).map((b) => (
                    <button
                      key={b}
                      type="button"
                      aria-pressed={basis === b}
                      data-testid={`spectra-basis-${b}`}
                      onClick={() => setBasis(b)}
                    >
                      {b === 'walsh' ? 'Walsh sequency' : 'DCT frequency'}
                    </button>
                  ))}
                </span>
              )}
              <ChartExportButtons chartId={c.id} fileStem={exportFileStem(output)} />
            </figcaption>
            {/* One boundary per chart: a chart that throws shows its error and a Retry; the others stay. */}
            <ErrorBoundary name={`${c.title} chart`}>
              {element ?? (
                <div className="chart-pending">{status === 'error' ? 'not available' : 'computing…'}</div>
              )}
            </ErrorBoundary>
            {c.id === 'rd' && sweepData?.frontier && sweepData.frontier.length > 0 && (
              <FrontierList
                frontier={sweepData.frontier}
                params={sweepData.series.map((s) => s.param)}
                labels={output.results.map((r) => r.label)}
                color={colorOf(output.config.pipelines)}
              />
            )}
          </figure>
        );
      })}
    </div>
  );
}
