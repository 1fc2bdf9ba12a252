/** The lab page: data and pipelines on the left, results on the right; state lives in the URL. */
import { lazy, Suspense, useEffect, useState } from 'react';
import { useLab } from '../state/store';
import { redo, undo } from '../state/url-sync';
import { useExperiment } from '../bridge/useExperiment';
import { DataPanel } from '../panels/DataPanel';
import { PipelinesPanel } from '../panels/PipelinesPanel';
import { ResultsTable } from '../panels/ResultsTable';
import { ErrorBoundary } from './ErrorBoundary';
import { ShareBar } from '../panels/ShareBar';
import { TeachLink } from '../views/teach/TeachLink';
import { AnalysisSwitcher } from '../views/AnalysisSwitcher';
import { CheckpointView } from '../panels/CheckpointView';
import { Progress, TaskList } from '../panels/Progress';
import { RunEstimate } from '../panels/RunEstimate';

const SLOW_RUN_MS = 300;

// d3 and the charts load on demand so the table's first render does not wait for them.
const ChartsPanel = lazy(() => import('../panels/ChartsPanel').then((m) => ({ default: m.ChartsPanel })));

function StatusBar({ run }: { run: ReturnType<typeof useExperiment> }) {
  const [now, setNow] = useState(() => performance.now());
  const config = useLab((s) => s.config);
  const { progress } = run;
  useEffect(() => {
    if (!progress) return;
    const t = setInterval(() => setNow(performance.now()), 100);
    return () => clearInterval(t);
  }, [progress]);
  if (run.isError) {
    return (
      <div className="status error" role="alert" data-testid="run-error">
        {run.error.message}{' '}
        <button type="button" onClick={() => void run.refetch()}>
          Retry
        </button>
      </div>
    );
  }
  if (run.gate)
    return <RunEstimate gate={run.gate} config={config} onRun={run.confirm} onDecline={run.decline} />;
  if (run.cancelledNothing)
    return (
      <div className="status" data-testid="run-cancelled">
        Cancelled — nothing was computed for these settings yet.{' '}
        <button type="button" onClick={run.rerunCancelled} data-testid="rerun">
          Re-run
        </button>
      </div>
    );
  if (progress && now - progress.startedAt > SLOW_RUN_MS) {
    return (
      <div className="status running">
        <Progress
          label="Run"
          done={progress.done}
          total={progress.total}
          unit="steps"
          stage={progress.stage}
          startedAt={progress.startedAt}
          priorSeconds={run.estimate?.seconds}
          onCancel={run.cancel}
          testId="progress"
          cancelTestId="cancel"
        />
      </div>
    );
  }
  if (run.data) {
    const { results, gpuAdapter } = run.data;
    const ms = results.reduce(
      (a, r) => a + r.timingsMs.quantize + r.timingsMs.inverse + r.timingsMs.metrics,
      0,
    );
    // Which backend ran the transform and quantizer stages ("the UI shows which backend ran
    // and how long it took"); per-pipeline detail is in the results table's backend column.
    const gpuStages = results.reduce(
      (a, r) =>
        a +
        (r.timingsMs.backend.transform === 'gpu' ? 1 : 0) +
        (r.timingsMs.backend.quantize === 'gpu' ? 1 : 0),
      0,
    );
    const adapter = gpuAdapter ? ` ${gpuAdapter}` : '';
    const backend = gpuStages > 0 ? `WebGPU${adapter} for ${gpuStages} stages + CPU` : 'CPU';
    return (
      <div className="status" data-testid="status" data-backend={gpuStages > 0 ? 'gpu' : 'cpu'}>
        {run.isFetching ? 'computing…' : `computed in the worker (${backend}) · kernels ${ms.toFixed(0)} ms`}
      </div>
    );
  }
  return <div className="status">computing…</div>;
}

export function App() {
  const config = useLab((s) => s.config);
  const configError = useLab((s) => s.configError);
  const notice = useLab((s) => s.notice);
  const noticeUndoable = useLab((s) => s.noticeUndoable);
  const noticeAction = useLab((s) => s.noticeAction);
  const theme = useLab((s) => s.theme);
  const setTheme = useLab((s) => s.setTheme);
  const clearError = useLab((s) => s.clearError);
  const setNotice = useLab((s) => s.setNotice);
  const run = useExperiment(config, { confirmSlow: true });

  useEffect(() => {
    document.documentElement.dataset.theme = theme;
  }, [theme]);

  // 'confirm': a long run waits for Run / Don't run; 'cancelled': cancelled with nothing to show.
  const status = run.isError
    ? 'error'
    : run.gate && run.gate.phase !== 'checking'
      ? 'confirm'
      : run.cancelledNothing
        ? 'cancelled'
        : run.isFetching || run.isPlaceholderData || !run.data
          ? 'loading'
          : 'ready';

  return (
    <div className="app" data-status={status} data-testid="app">
      <header className="topbar">
        <h1>
          QuantScope <span className="tagline">transforms × quantizers, live</span>
        </h1>
        <div className="top-actions">
          <span className="history-buttons" role="group" aria-label="edit history">
            <button
              type="button"
              onClick={() => undo()}
              title="Undo the last edit (Ctrl+Z)"
              data-testid="undo"
            >
              ↶ Undo
            </button>
            <button type="button" onClick={() => redo()} title="Redo (Ctrl+Shift+Z)" data-testid="redo">
              ↷ Redo
            </button>
          </span>
          <ShareBar />
          <TeachLink config={config} />
          <button
            type="button"
            onClick={() => setTheme(theme === 'dark' ? 'light' : 'dark')}
            aria-label="Toggle dark theme"
          >
            {theme === 'dark' ? '☀ Light' : '☾ Dark'}
          </button>
        </div>
      </header>
      {notice && (
        <div className="banner notice" role="status" data-testid="notice">
          {notice}{' '}
          {noticeUndoable && (
            <button
              type="button"
              onClick={() => {
                setNotice(null);
                undo();
              }}
              data-testid="notice-undo"
            >
              Undo (Ctrl+Z)
            </button>
          )}{' '}
          {noticeAction && (
            <button
              type="button"
              onClick={() => {
                setNotice(null);
                noticeAction.run();
              }}
              data-testid="notice-action"
            >
              {noticeAction.label}
            </button>
          )}{' '}
          <button type="button" onClick={() => setNotice(null)} aria-label="Dismiss">
            ✕
          </button>
        </div>
      )}
      {configError && (
        <div className="banner error" role="alert" data-testid="config-error">
          {configError} — kept the last valid settings.{' '}
          <button type="button" onClick={clearError} aria-label="Dismiss">
            ✕
          </button>
        </div>
      )}
      <main className="layout">
        <aside className="controls">
          <ErrorBoundary name="data panel">
            <DataPanel />
          </ErrorBoundary>
          <ErrorBoundary name="pipelines panel">
            <PipelinesPanel />
          </ErrorBoundary>
        </aside>
        <section className="results-area" aria-labelledby="results-heading">
          <ErrorBoundary name="checkpoint view">
            <CheckpointView config={config} />
          </ErrorBoundary>
          <h2 id="results-heading">Results</h2>
          <StatusBar run={run} />
          <TaskList />
          <ErrorBoundary name="results table">{run.data && <ResultsTable output={run.data} />}</ErrorBoundary>
          <ErrorBoundary name="analysis views">
            <AnalysisSwitcher
              output={run.data}
              idle={
                status === 'cancelled'
                  ? 'not computed: the run was cancelled (Re-run above)'
                  : status === 'confirm'
                    ? 'waiting: confirm the run above'
                    : undefined
              }
            />
          </ErrorBoundary>
          <ErrorBoundary name="charts">
            <Suspense fallback={<div className="hint">loading charts…</div>}>
              {run.data && (
                // While a long run waits for confirmation the charts stay complete for the results
                // on screen (their own config), never "computing…" for a run that has not started.
                <ChartsPanel
                  config={status === 'confirm' ? run.data.config : config}
                  output={run.data}
                  runStatus={status === 'confirm' ? 'ready' : status === 'cancelled' ? 'error' : status}
                />
              )}
            </Suspense>
          </ErrorBoundary>
        </section>
      </main>
    </div>
  );
}
