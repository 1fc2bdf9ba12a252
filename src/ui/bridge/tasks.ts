/**
 * The page's long computations besides the main run (rate–distortion sweep, spectra): each
 * registers here while it runs, with the work units its worker reports (swept pipelines, spectra
 * done), so the status area shows one progress bar, ETA and Cancel per task (panels/Progress.tsx).
 * A cancelled task stays listed with a Re-run button until it is re-run or its config changes.
 */
import { create } from 'zustand';

export interface Task {
  readonly id: string;
  /** The query key the task computes (a cancelled entry goes once the page moves on). */
  readonly key: string;
  /** What runs, in words ("Rate–distortion sweep"). */
  readonly label: string;
  /** Work units done and in all (as the worker reports them), and the unit's name. */
  readonly done: number;
  readonly total: number;
  readonly unit: string;
  readonly stage: string;
  readonly startedAt: number;
  readonly status: 'running' | 'cancelled';
  readonly cancel: () => void;
  readonly rerun: () => void;
}

interface TasksState {
  tasks: Readonly<Record<string, Task>>;
  put(task: Task): void;
  update(id: string, done: number, total: number, stage: string): void;
  remove(id: string): void;
  /** Drop task `id` if it is a cancelled one for another key than `key`. */
  forgetStale(id: string, key: string): void;
}

export const useTasks = create<TasksState>()((set) => ({
  tasks: {},
  put: (task) => set((s) => ({ tasks: { ...s.tasks, [task.id]: task } })),
  update: (id, done, total, stage) =>
    set((s) => {
      const t = s.tasks[id];
      return t && t.status === 'running' ? { tasks: { ...s.tasks, [id]: { ...t, done, total, stage } } } : s;
    }),
  forgetStale: (id, key) =>
    set((s) => {
      const t = s.tasks[id];
      if (!t || t.status !== 'cancelled' || t.key === key) return s;
      const { [id]: _gone, ...rest } = s.tasks;
      return { tasks: rest };
    }),
  remove: (id) =>
    set((s) => {
      if (!(id in s.tasks)) return s;
      const { [id]: _gone, ...rest } = s.tasks;
      return { tasks: rest };
    }),
}));

/** What the chart shows after Cancel (its card's note): never "computing…". */
export const CANCELLED_MESSAGE = 'cancelled — Re-run it from the progress area above the table';

/**
 * Runs `work` as task `id`: registered while running with progress from `onProgress`; Cancel
 * aborts it (its worker is terminated) and the promise rejects with a plain Error (so react-query
 * keeps it as the query's error instead of reverting to "pending"), leaving a cancelled entry with
 * `rerun`. A stale run aborted through `signal` (its key changed) just disappears.
 */
export async function trackTask<T>(
  id: string,
  key: string,
  label: string,
  unit: string,
  signal: AbortSignal,
  rerun: () => void,
  work: (signal: AbortSignal, onProgress: (done: number, total: number, stage: string) => void) => Promise<T>,
): Promise<T> {
  const own = new AbortController();
  const forward = () => own.abort();
  signal.addEventListener('abort', forward, { once: true });
  let cancelled = false;
  const store = useTasks.getState();
  store.put({
    id,
    key,
    label,
    done: 0,
    total: 1,
    unit,
    stage: 'starting',
    startedAt: performance.now(),
    status: 'running',
    cancel: () => {
      cancelled = true;
      own.abort();
    },
    rerun,
  });
  try {
    const out = await work(own.signal, (done, total, stage) => store.update(id, done, total, stage));
    useTasks.getState().remove(id);
    return out;
  } catch (e) {
    if (cancelled && !signal.aborted) {
      const t = useTasks.getState().tasks[id];
      if (t) useTasks.getState().put({ ...t, status: 'cancelled' });
      throw new Error(CANCELLED_MESSAGE);
    }
    useTasks.getState().remove(id);
    throw e;
  } finally {
    signal.removeEventListener('abort', forward);
  }
}
