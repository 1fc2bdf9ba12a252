/**
 * Embed mode: `?embed=<chart id>` plus the `#c=` config renders one chart with minimal
 * chrome for teaching material: the chart, a one-line caption and a link back to the full lab.
 *
 * Sizing: the charts lay out to the frame's width (ChartsPanel measures its container with a
 * ResizeObserver); this wrapper measures the frame's height with another ResizeObserver and, when
 * the chart's natural height does not fit, scales it down uniformly (CSS transform, which does not
 * change layout width, so there is no measure/resize feedback loop). Charts are never scaled up
 * (canvas layers would blur), and never below MIN_SCALE: a chart much taller than its frame (the
 * outliers card with one heatmap per pipeline) scrolls at full size instead of shrinking to
 * unreadable text.
 *
 * The config comes from the URL exactly as in the lab (startUrlSync in main.tsx), so Back/Forward
 * and edited links behave the same. `&theme=dark|light` pins the theme (course pages differ);
 * otherwise it follows prefers-color-scheme.
 */
import { lazy, Suspense, useEffect, useLayoutEffect, useRef, useState, type ReactNode } from 'react';
import { useExperiment } from '../bridge/useExperiment';
import { CHART_IDS, chartById } from '../charts/registry';
import { ChartsPanel } from '../panels/ChartsPanel';
import { useLab, type Theme } from '../state/store';
import { analysesById } from '../../core/analyses';
import { ErrorBoundary } from './ErrorBoundary';
import './sharing.css';

// Analysis views embed too: `?embed=analysis` (or the id of one of their charts)
// renders the config's analysis view; loaded on demand like in the lab.
const AnalysisResultView = lazy(() => import('../views/AnalysisResultView'));

function themeFromSearch(search: string): Theme | null {
  const t = new URLSearchParams(search).get('theme');
  return t === 'dark' || t === 'light' ? t : null;
}

/** The full lab for the same config: this URL without the embed parameters. */
function labUrl(): string {
  const url = new URL(window.location.href);
  url.searchParams.delete('embed');
  url.searchParams.delete('theme');
  return url.toString();
}

/**
 * The registry chart an embed id renders: a registry id, or the id of one svg inside a chart's
 * card (`outliers-heatmap`), which renders that card showing that svg alone (`data-part`, CSS in
 * sharing.css). A card id alone shows the card's first chart: one chart per frame is what fits a
 * 720×440 iframe (the outliers card's heatmaps, one per pipeline, do not fit under its histogram).
 */
function embeddedChart(id: string) {
  return chartById(id) ?? CHART_IDS.map((c) => chartById(c)).find((c) => c && id.startsWith(`${c.id}-`));
}

const MIN_SCALE = 0.6;

/** Calls onMount once its children are committed (after a lazy child inside Suspense resolved). */
function OnMount({ onMount, children }: { onMount: () => void; children: ReactNode }) {
  useEffect(onMount, [onMount]);
  return <>{children}</>;
}

/** Scales its child down (never up) so the child's natural height fits the box's height. */
function FitToFrame({ children, className = '' }: { children: ReactNode; className?: string }) {
  const outer = useRef<HTMLDivElement>(null);
  const inner = useRef<HTMLDivElement>(null);
  // 1: fits; (MIN_SCALE, 1): scaled down to fit; 0: too tall to shrink, scrolls at full size.
  const [scale, setScale] = useState(1);
  useLayoutEffect(() => {
    const o = outer.current;
    const i = inner.current;
    if (!o || !i || typeof ResizeObserver === 'undefined') return;
    const update = () => {
      const available = o.clientHeight;
      const natural = i.offsetHeight; // layout size: unaffected by the transform below
      const fit = natural > 0 && available > 0 ? Math.min(1, available / natural) : 1;
      setScale(fit >= MIN_SCALE ? fit : 0);
    };
    const ro = new ResizeObserver(update);
    ro.observe(o);
    ro.observe(i);
    update();
    return () => ro.disconnect();
  }, []);
  return (
    <div
      ref={outer}
      className={`embed-chart ${className}${scale === 0 ? ' scroll' : ''}`}
      data-scale={scale.toFixed(3)}
    >
      <div
        ref={inner}
        style={{
          transform: scale > 0 && scale < 1 ? `scale(${scale})` : undefined,
          transformOrigin: 'top center',
        }}
      >
        {children}
      </div>
    </div>
  );
}

export function Embed({ chartId }: { chartId: string }) {
  const config = useLab((s) => s.config);
  const notice = useLab((s) => s.notice);
  const theme = useLab((s) => s.theme);
  const setTheme = useLab((s) => s.setTheme);
  const run = useExperiment(config);
  const entry = embeddedChart(chartId);
  const [viewShown, setViewShown] = useState(false);

  useEffect(() => {
    const pinned = themeFromSearch(window.location.search);
    if (pinned) setTheme(pinned);
    document.documentElement.classList.add('embed-mode');
    return () => document.documentElement.classList.remove('embed-mode');
  }, [setTheme]);
  useEffect(() => {
    document.documentElement.dataset.theme = theme;
  }, [theme]);
  useEffect(() => {
    if (entry) document.title = `${entry.title} · QuantScope`;
  }, [entry]);

  const analysisId = config.analysis?.id;
  if (!entry && analysisId !== undefined) {
    const result = run.data?.config.analysis?.id === analysisId ? run.data.analysis : undefined;
    // Ready once the view itself is on screen (it loads on demand), not when its data arrived.
    const status = run.isError
      ? 'error'
      : result === undefined || run.isFetching || !viewShown
        ? 'loading'
        : 'ready';
    return (
      <div className="embed" data-testid="embed" data-status={status} data-embed="analysis">
        <h1 className="embed-title" data-testid="embed-title">
          {analysesById.get(analysisId)?.label ?? analysisId}
        </h1>
        {(notice || run.isError) && (
          <p className="embed-message" role="alert">
            {run.isError ? run.error.message : notice}
          </p>
        )}
        <FitToFrame className="embed-analysis">
          <ErrorBoundary name={`${analysisId} view`}>
            <Suspense fallback={<p className="embed-message">loading…</p>}>
              {result !== undefined ? (
                <OnMount onMount={() => setViewShown(true)}>
                  <AnalysisResultView id={analysisId} result={result} pipelines={config.pipelines} />
                </OnMount>
              ) : (
                <p className="embed-message">computing…</p>
              )}
            </Suspense>
          </ErrorBoundary>
        </FitToFrame>
        <footer className="embed-foot">
          <span>
            {analysisId} · seed {config.seed}
          </span>
          <a href={labUrl()} target="_blank" rel="noopener" data-testid="embed-open-lab">
            open in QuantScope ↗
          </a>
        </footer>
      </div>
    );
  }

  if (!entry) {
    return (
      <div className="embed" data-testid="embed" data-status="error">
        <p className="embed-message" role="alert">
          Unknown chart “{chartId}”. Use ?embed= with one of: {CHART_IDS.join(', ')} (or “analysis” for a link
          with an analysis view).
        </p>
      </div>
    );
  }

  const status = run.isError
    ? 'error'
    : run.isFetching || run.isPlaceholderData || !run.data
      ? 'loading'
      : 'ready';
  const data = run.data?.data;
  return (
    <div className="embed" data-testid="embed" data-status={status} data-embed={entry.id} data-part={chartId}>
      {(notice || run.isError) && (
        <p className="embed-message" role="alert">
          {run.isError ? run.error.message : notice}
        </p>
      )}
      <FitToFrame>
        <ErrorBoundary name={`${entry.title} chart`}>
          {run.data ? (
            <ChartsPanel config={config} output={run.data} runStatus={status} only={[entry.id]} />
          ) : (
            <p className="embed-message">computing…</p>
          )}
        </ErrorBoundary>
      </FitToFrame>
      <footer className="embed-foot">
        <span>
          {data ? `${data.source} ${data.rows}×${data.dim}, seed ${config.seed}` : ''}
          {status === 'loading' && data ? ' · computing…' : ''}
        </span>
        <a href={labUrl()} target="_blank" rel="noopener" data-testid="embed-open-lab">
          open in QuantScope ↗
        </a>
      </footer>
    </div>
  );
}
