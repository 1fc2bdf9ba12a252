/**
 * Background tasks (tasks.ts): a finished task leaves the list; Cancel rejects with the cancelled
 * message (a plain Error, so react-query keeps it as the chart's error) and leaves a cancelled
 * entry with Re-run; a stale task aborted by its query (key changed) just disappears; a cancelled
 * entry for another key is forgotten.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { CANCELLED_MESSAGE, trackTask, useTasks } from './tasks';
import { AbortError } from '../../core/pipeline';

/** Work that reports one unit, then waits until aborted (as the client rejects a killed worker). */
function abortable(signal: AbortSignal, onProgress: (d: number, t: number, s: string) => void) {
  onProgress(1, 4, 'first');
  return new Promise<never>((_, reject) => signal.addEventListener('abort', () => reject(new AbortError())));
}

afterEach(() => useTasks.setState({ tasks: {} }));

describe('trackTask', () => {
  it('registers while running with the reported units, and leaves when done', async () => {
    const query = new AbortController();
    let release: (v: number) => void = () => undefined;
    const p = trackTask(
      'sweep',
      'k1',
      'Sweep',
      'stages',
      query.signal,
      () => undefined,
      (_s, on) => {
        on(2, 5, 'two');
        return new Promise<number>((r) => (release = r));
      },
    );
    const t = useTasks.getState().tasks.sweep;
    expect([t.done, t.total, t.stage, t.status, t.key]).toEqual([2, 5, 'two', 'running', 'k1']);
    release(42);
    await expect(p).resolves.toBe(42);
    expect(useTasks.getState().tasks.sweep).toBeUndefined();
  });

  it('Cancel: a plain error with the cancelled message and a cancelled entry with Re-run', async () => {
    let reruns = 0;
    const p = trackTask(
      'spectra',
      'k2',
      'Spectra',
      'spectra',
      new AbortController().signal,
      () => reruns++,
      abortable,
    );
    useTasks.getState().tasks.spectra.cancel();
    await expect(p).rejects.toThrow(CANCELLED_MESSAGE);
    await p.catch((e: unknown) => expect(e).not.toBeInstanceOf(AbortError));
    const t = useTasks.getState().tasks.spectra;
    expect([t.status, t.done, t.total]).toEqual(['cancelled', 1, 4]);
    t.rerun();
    expect(reruns).toBe(1);
    // The page moves on to another config: the stale entry goes; the same key keeps it.
    useTasks.getState().forgetStale('spectra', 'k2');
    expect(useTasks.getState().tasks.spectra).toBeDefined();
    useTasks.getState().forgetStale('spectra', 'other');
    expect(useTasks.getState().tasks.spectra).toBeUndefined();
  });

  it('a stale task aborted by its query disappears and rethrows the AbortError', async () => {
    const query = new AbortController();
    const p = trackTask('sweep', 'k3', 'Sweep', 'stages', query.signal, () => undefined, abortable);
    query.abort();
    await expect(p).rejects.toBeInstanceOf(AbortError);
    expect(useTasks.getState().tasks.sweep).toBeUndefined();
  });
});
