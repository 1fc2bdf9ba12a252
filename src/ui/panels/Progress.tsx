/**
 * The one progress display of every long computation (main run, rate–distortion sweep, spectra,
 * analyses, checkpoint sweep): a bar over the work units the worker reports (pipeline stages,
 * swept points, spectra, tensors, parameters), the time left in words and Cancel. The ETA is
 * src/core/run-estimate.ts etaSeconds: the rate of the units done so far, blended with the run's
 * estimate (when there is one) while few units are done.
 */
import { useEffect, useState } from 'react';
import { etaSeconds, secondsInWords } from '../../core/run-estimate';
import type { Task } from '../bridge/tasks';
import { useTasks } from '../bridge/tasks';
import './progress.css';

export interface ProgressProps {
  /** What runs ("Run", "Rate–distortion sweep"). */
  readonly label: string;
  readonly done: number;
  readonly total: number;
  /** The work unit's name, plural ("pipeline stages", "tensors"). */
  readonly unit: string;
  /** The count in other words than "done / total unit" (the checkpoint sweep counts tensors). */
  readonly countText?: string;
  /** What the worker is doing now ("Haar → EDEN: quantize"). */
  readonly stage?: string;
  /** performance.now() when the computation started. */
  readonly startedAt: number;
  /** The whole run's estimate in seconds, when there is one. */
  readonly priorSeconds?: number | null;
  readonly onCancel?: () => void;
  /** Test ids: the row, its Cancel button and its ETA (`${testId}-eta` by default). */
  readonly testId: string;
  readonly cancelTestId?: string;
  readonly etaTestId?: string;
}

/** Re-renders every `ms` while mounted (the ETA moves between progress messages). */
function useNow(ms: number): number {
  const [now, setNow] = useState(() => performance.now());
  useEffect(() => {
    const t = setInterval(() => setNow(performance.now()), ms);
    return () => clearInterval(t);
  }, [ms]);
  return now;
}

export function Progress(props: ProgressProps) {
  const { label, done, total, unit, stage, startedAt, priorSeconds, onCancel, testId } = props;
  const now = useNow(250);
  const elapsed = Math.max(0, (now - startedAt) / 1000);
  const eta = etaSeconds(done, total, elapsed, priorSeconds);
  const safeTotal = Math.max(1, total);
  const shown = Math.min(done, safeTotal);
  return (
    <div
      className="progress-row"
      role="group"
      aria-label={`${label} progress`}
      data-testid={testId}
      data-done={done}
      data-total={total}
    >
      <span className="progress-label">{label}</span>
      <progress max={safeTotal} value={shown} aria-label={`${label}: ${shown} of ${safeTotal} ${unit}`} />
      <span className="progress-count">{props.countText ?? `${shown} / ${safeTotal} ${unit}`}</span>
      <span className="progress-eta" data-testid={props.etaTestId ?? `${testId}-eta`}>
        {eta === null ? 'estimating time left…' : eta < 1 ? 'almost done' : `${secondsInWords(eta)} left`}
      </span>
      {onCancel && (
        <button type="button" onClick={onCancel} data-testid={props.cancelTestId ?? `${testId}-cancel`}>
          Cancel
        </button>
      )}
      {stage && <span className="progress-stage muted">{stage}</span>}
    </div>
  );
}

/** Tasks that finish within this many milliseconds never show a bar (no flicker). */
export const SHOW_AFTER_MS = 300;

function TaskRow({ task }: { task: Task }) {
  const now = useNow(100);
  if (task.status === 'running' && now - task.startedAt < SHOW_AFTER_MS) return null;
  if (task.status === 'cancelled')
    return (
      <div className="progress-row cancelled" data-testid={`task-${task.id}`} data-status="cancelled">
        <span className="progress-label">{task.label}</span>
        <span>
          cancelled after {Math.min(task.done, task.total)} of {task.total} {task.unit}.
        </span>
        <button
          type="button"
          onClick={() => {
            useTasks.getState().remove(task.id);
            task.rerun();
          }}
          data-testid={`task-${task.id}-rerun`}
        >
          Re-run
        </button>
      </div>
    );
  return (
    <Progress
      label={task.label}
      done={task.done}
      total={task.total}
      unit={task.unit}
      stage={task.stage}
      startedAt={task.startedAt}
      onCancel={task.cancel}
      testId={`task-${task.id}`}
    />
  );
}

/** Every background task's progress (tasks.ts), below the main run's status. */
export function TaskList() {
  const tasks = useTasks((s) => s.tasks);
  const list = Object.values(tasks);
  if (list.length === 0) return null;
  return (
    <div className="task-list" data-testid="task-list">
      {list.map((t) => (
        <TaskRow key={t.id} task={t} />
      ))}
    </div>
  );
}
