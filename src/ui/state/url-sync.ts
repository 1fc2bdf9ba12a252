/**
 * URL ⇄ config and the edit history (DESIGN.md data flow). The hash always holds the canonical
 * config. Every committed edit is a browser history entry, so Back/Forward (and Ctrl+Z /
 * Ctrl+Shift+Z, see installUndoKeys) move through the edits inside the app:
 *  - writes are debounced (WRITE_DELAY_MS) so a dragged slider commits once;
 *  - typing is coalesced: a write that changes the same field as the previous write, within
 *    COALESCE_MS of it, replaces that entry instead of pushing a new one;
 *  - each entry's history.state carries its position (`qsIndex`), so undo stops at the first
 *    entry of this visit instead of leaving the app.
 * Back/Forward and pasted links restore through `hashchange`/`popstate`. A link that cannot be
 * restored leaves the current config and shows what was wrong.
 */
import { decodePermalink, permalinkHash } from '../../core/config/codec';
import { ConfigError } from '../../core/config/errors';
import { canonicalKey, type ExperimentConfig } from '../../core/config/schema';
import { useLab } from './store';

const WRITE_DELAY_MS = 150;
const COALESCE_MS = 2500;

interface EntryState {
  readonly qsIndex: number;
}

function entryIndex(): number | undefined {
  const s = window.history.state as Partial<EntryState> | null;
  return typeof s?.qsIndex === 'number' ? s.qsIndex : undefined;
}

/** Position of the current entry in this visit (0 = the first). */
let currentIndex = 0;
/** Highest index pushed in this visit (a pasted link is numbered after it). */
let topIndex = 0;
let lastWrite: { field: string; at: number } | null = null;
/** The next write replaces the current entry (a cancelled run's config is not worth an entry). */
let replaceNext = false;

export function replaceNextHistoryWrite(): void {
  replaceNext = true;
}

function urlFor(hash: string): string {
  return `${window.location.pathname}${window.location.search}${hash}`;
}

/** Which part of the config an edit touched ("seed", "data", "pipelines[1]", "pipelines", …). */
export function changedField(a: ExperimentConfig, b: ExperimentConfig): string {
  const parts: string[] = [];
  if (a.seed !== b.seed) parts.push('seed');
  if (JSON.stringify(a.data) !== JSON.stringify(b.data)) parts.push('data');
  if (a.pipelines.length !== b.pipelines.length) parts.push('pipelines');
  else
    a.pipelines.forEach((p, i) => {
      if (JSON.stringify(p) !== JSON.stringify(b.pipelines[i])) parts.push(`pipelines[${i}]`);
    });
  if (JSON.stringify(a.analysis) !== JSON.stringify(b.analysis)) parts.push('analysis');
  return parts.join(',');
}

function restoreFromLocation(): void {
  const idx = entryIndex();
  if (idx !== undefined) currentIndex = idx;
  else {
    // A pasted link or a hash edited by hand: the browser made a new entry; number it.
    currentIndex = topIndex + 1;
    topIndex = currentIndex;
    window.history.replaceState({ qsIndex: currentIndex } satisfies EntryState, '', window.location.href);
  }
  lastWrite = null; // never coalesce across a navigation
  const hash = window.location.hash;
  if (!hash || hash === '#') return;
  try {
    const config = decodePermalink(hash);
    const current = useLab.getState().config;
    if (canonicalKey(config) !== canonicalKey(current)) useLab.getState().setConfig(config);
    useLab.getState().setNotice(null);
  } catch (e) {
    const msg = e instanceof ConfigError ? e.message : (e as Error).message;
    useLab
      .getState()
      .setNotice(`This link could not be opened (${msg}); showing the previous experiment instead.`);
  }
}

/** Start syncing; returns an unsubscribe function. */
export function startUrlSync(): () => void {
  const first = entryIndex();
  currentIndex = first ?? 0;
  topIndex = currentIndex;
  if (first === undefined)
    window.history.replaceState({ qsIndex: 0 } satisfies EntryState, '', window.location.href);
  restoreFromLocation();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let base: ExperimentConfig = useLab.getState().config;
  const unsubscribe = useLab.subscribe((state, prev) => {
    if (state.config === prev.config) return;
    clearTimeout(timer);
    timer = setTimeout(() => {
      const config = useLab.getState().config;
      const hash = permalinkHash(config);
      const field = changedField(base, config);
      base = config;
      if (hash === window.location.hash) return;
      const now = Date.now();
      const coalesce =
        replaceNext || (lastWrite !== null && lastWrite.field === field && now - lastWrite.at < COALESCE_MS);
      replaceNext = false;
      lastWrite = { field, at: now };
      if (coalesce) {
        window.history.replaceState({ qsIndex: currentIndex } satisfies EntryState, '', urlFor(hash));
      } else {
        currentIndex += 1;
        topIndex = currentIndex;
        window.history.pushState({ qsIndex: currentIndex } satisfies EntryState, '', urlFor(hash));
      }
    }, WRITE_DELAY_MS);
  });
  // Always restore on Back/Forward/pasted links: restoreFromLocation is a no-op when the link
  // already equals the current config.
  const onNavigate = () => {
    clearTimeout(timer); // a pending write belongs to the entry we just left
    restoreFromLocation();
    base = useLab.getState().config;
  };
  window.addEventListener('hashchange', onNavigate);
  window.addEventListener('popstate', onNavigate);
  window.history.replaceState(
    { qsIndex: currentIndex } satisfies EntryState,
    '',
    window.location.hash ? window.location.href : urlFor(permalinkHash(useLab.getState().config)),
  );
  const keys = installUndoKeys();
  return () => {
    clearTimeout(timer);
    unsubscribe();
    keys();
    window.removeEventListener('hashchange', onNavigate);
    window.removeEventListener('popstate', onNavigate);
  };
}

/** Push a new history entry (presets, pasted links) so Back returns to the previous experiment. */
export function pushConfigToHistory(): void {
  const hash = permalinkHash(useLab.getState().config);
  if (hash === window.location.hash) return;
  currentIndex += 1;
  topIndex = currentIndex;
  lastWrite = null;
  window.history.pushState({ qsIndex: currentIndex } satisfies EntryState, '', urlFor(hash));
}

export function canUndo(): boolean {
  return currentIndex > 0;
}

/** Back one edit inside the app (never past this visit's first entry). */
export function undo(): boolean {
  if (!canUndo()) {
    useLab.getState().setNotice('Nothing to undo: this is the first state of this visit.');
    return false;
  }
  window.history.back();
  return true;
}

/** Forward one edit (a no-op at the newest entry; after a reload the browser knows best). */
export function redo(): void {
  window.history.forward();
}

/** Text fields keep their own Ctrl+Z (the browser's text undo). */
function editsText(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target instanceof HTMLTextAreaElement || target.isContentEditable) return true;
  return target instanceof HTMLInputElement && ['text', 'search', 'url', 'email'].includes(target.type);
}

/** Ctrl+Z / ⌘Z undo, Ctrl+Shift+Z / Ctrl+Y redo, app-wide. Returns the remover. */
export function installUndoKeys(): () => void {
  const onKey = (e: KeyboardEvent) => {
    if (!(e.ctrlKey || e.metaKey) || e.altKey || editsText(e.target)) return;
    const k = e.key.toLowerCase();
    if (k === 'z' && !e.shiftKey) {
      e.preventDefault();
      undo();
    } else if ((k === 'z' && e.shiftKey) || k === 'y') {
      e.preventDefault();
      redo();
    }
  };
  window.addEventListener('keydown', onKey);
  return () => window.removeEventListener('keydown', onKey);
}
