/**
 * Lesson player: one lesson's steps in order, each step a teaching view with its own config and
 * view params (written into the URL, so the address bar is always that step's permalink), a
 * sentence, and a printable handout (print CSS: every step's sentence and link, the teacher's note).
 */
import { useEffect, type ReactNode } from 'react';
import { permalinkHash } from '../../../core/config/codec';
import { canonicalKey } from '../../../core/config/schema';
import { useLab } from '../../state/store';
import { LESSONS, lessonById, type LessonStep } from './lessons';
import { readEnum, readInt, teachUrl, useViewParam, writeParam } from './params';

const VIEW_KEYS = ['p', 'row', 'blk', 'fmt', 'el', 'k', 'law', 'd', 'b', 'it', 'st', 'px', 'py', 'rot'];

export function stepUrl(lessonId: string, index: number, step: LessonStep): string {
  return teachUrl(
    window.location.href,
    'lesson',
    { lesson: lessonId, step: index + 1, ...step.params },
    permalinkHash(step.config),
  );
}

function applyStep(step: LessonStep): void {
  for (const k of VIEW_KEYS) writeParam(k, null);
  for (const [k, v] of Object.entries(step.params)) writeParam(k, v);
  const lab = useLab.getState();
  if (canonicalKey(lab.config) !== canonicalKey(step.config)) lab.setConfig(step.config);
}

export function LessonView({ render }: { render: (step: LessonStep, key: string) => ReactNode }) {
  const ids = LESSONS.map((l) => l.id);
  const [lessonId, setLesson] = useViewParam('lesson', (s) => readEnum(s, 'lesson', ids, ids[0]));
  const lesson = lessonById(lessonId) ?? LESSONS[0];
  const [stepNo, setStepNo] = useViewParam('step', (s) => readInt(s, 'step', 1, lesson.steps.length, 1));
  const index = Math.min(stepNo, lesson.steps.length) - 1;
  const step = lesson.steps[index];
  const config = useLab((s) => s.config);
  const ready = canonicalKey(config) === canonicalKey(step.config);

  // The step's config and params into the store and URL (a fresh link already carries them).
  useEffect(() => {
    if (canonicalKey(useLab.getState().config) !== canonicalKey(step.config)) applyStep(step);
  }, [step]);

  const go = (i: number) => {
    const next = lesson.steps[i];
    if (!next) return;
    applyStep(next);
    setStepNo(i + 1);
  };

  return (
    <section className="teach-lesson" data-testid="teach-lesson">
      <div className="teach-controls no-print">
        <label>
          lesson
          <select
            value={lesson.id}
            onChange={(e) => {
              const l = lessonById(e.target.value) ?? LESSONS[0];
              setLesson(l.id);
              applyStep(l.steps[0]);
              setStepNo(1);
            }}
            data-testid="teach-lesson-select"
          >
            {LESSONS.map((l) => (
              <option key={l.id} value={l.id}>
                {l.title}
              </option>
            ))}
          </select>
        </label>
        <div className="lesson-nav" role="group" aria-label="lesson steps">
          <button type="button" onClick={() => go(index - 1)} disabled={index === 0} data-testid="teach-prev">
            ← prev
          </button>
          <span data-testid="teach-step-no">
            {index + 1} / {lesson.steps.length}
          </span>
          <button
            type="button"
            onClick={() => go(index + 1)}
            disabled={index === lesson.steps.length - 1}
            data-testid="teach-next"
          >
            next →
          </button>
          <button type="button" onClick={() => window.print()}>
            print
          </button>
        </div>
      </div>
      <h2 className="lesson-title">{lesson.title}</h2>
      <p className="lesson-sentence" data-testid="teach-sentence">
        <b>{index + 1}.</b> {step.sentence}
      </p>
      <div className="lesson-widget">
        {ready ? render(step, `${lesson.id}-${index}`) : <p className="muted">loading…</p>}
      </div>
      <div className="print-only">
        <ol>
          {lesson.steps.map((s, i) => (
            <li key={i}>
              {s.sentence}
              <br />
              <a href={stepUrl(lesson.id, i, s)}>{stepUrl(lesson.id, i, s)}</a>
            </li>
          ))}
        </ol>
      </div>
      <details className="lesson-note" open>
        <summary>Teacher’s note</summary>
        <ul>
          {lesson.note.map((n) => (
            <li key={n}>{n}</li>
          ))}
        </ul>
      </details>
    </section>
  );
}
