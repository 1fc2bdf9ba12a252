/**
 * Results of recently computed configs kept in IndexedDB, so reloading a link seen before shows
 * its numbers at once (no worker run). Keyed by the canonical config text salted with this build's
 * module URL (a new build has new hashed chunk names, so numbers from older code are never served).
 * Bounded: the MAX_ENTRIES most recently stored configs; older ones are deleted on each store.
 * File data is never persisted (a file link must ask for its file and check its hash). Every
 * failure (no IndexedDB, quota, private mode, a blocked open) just means "not cached".
 */
import { readsBytes } from '../../core/methods';
import type { ExperimentOutput } from '../../engine/experiment';

const DB_NAME = 'quantscope-results';
const STORE = 'runs';
/** Runs, sweeps and spectra together: about 24 configs with their charts. */
const MAX_ENTRIES = 72;
const OPEN_TIMEOUT_MS = 400;
const SALT = import.meta.url;

interface Row {
  readonly key: string;
  readonly at: number;
  /** An ExperimentOutput for runs; a sweep or spectra result for the other kinds. */
  readonly output: unknown;
}

let dbPromise: Promise<IDBDatabase | null> | null = null;

function db(): Promise<IDBDatabase | null> {
  if (typeof indexedDB === 'undefined') return Promise.resolve(null);
  dbPromise ??= new Promise<IDBDatabase | null>((resolve) => {
    const timer = setTimeout(() => resolve(null), OPEN_TIMEOUT_MS);
    try {
      const req = indexedDB.open(DB_NAME, 1);
      req.onupgradeneeded = () => {
        const store = req.result.createObjectStore(STORE, { keyPath: 'key' });
        store.createIndex('at', 'at');
      };
      req.onsuccess = () => {
        clearTimeout(timer);
        resolve(req.result);
      };
      req.onerror = () => {
        clearTimeout(timer);
        resolve(null);
      };
      req.onblocked = () => {
        clearTimeout(timer);
        resolve(null);
      };
    } catch {
      clearTimeout(timer);
      resolve(null);
    }
  });
  return dbPromise;
}

function done<T>(req: IDBRequest<T>): Promise<T | undefined> {
  return new Promise((resolve) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => resolve(undefined);
  });
}

export function persistable(canonical: string, output: ExperimentOutput): boolean {
  return !readsBytes(output.config.data.source) && canonical.length < 20_000;
}

export async function loadPersisted(canonical: string): Promise<ExperimentOutput | undefined> {
  return loadPersistedValue<ExperimentOutput>('', canonical);
}

export async function savePersisted(canonical: string, output: ExperimentOutput): Promise<void> {
  if (!persistable(canonical, output)) return;
  return savePersistedValue('', canonical, output);
}

/**
 * Another result kind ('sweep', 'spectra': the charts' analyses) under its own key space, so a
 * reload of a link seen before draws its charts without a worker run too. The caller decides what
 * is persistable (never file data).
 */
export async function loadPersistedValue<T>(kind: string, canonical: string): Promise<T | undefined> {
  try {
    const d = await db();
    if (!d) return undefined;
    const row = await done<Row | undefined>(
      d.transaction(STORE, 'readonly').objectStore(STORE).get(rowKey(kind, canonical)),
    );
    return row?.output as T | undefined;
  } catch {
    return undefined;
  }
}

function rowKey(kind: string, canonical: string): string {
  return kind === '' ? `${SALT}|${canonical}` : `${SALT}|${kind}|${canonical}`;
}

export async function savePersistedValue(kind: string, canonical: string, value: unknown): Promise<void> {
  if (canonical.length >= 20_000) return;
  try {
    const d = await db();
    if (!d) return;
    const tx = d.transaction(STORE, 'readwrite');
    const store = tx.objectStore(STORE);
    store.put({ key: rowKey(kind, canonical), at: Date.now(), output: value } satisfies Row);
    const count = (await done(store.count())) ?? 0;
    if (count > MAX_ENTRIES) {
      // Oldest first through the 'at' index; delete until MAX_ENTRIES remain.
      let excess = count - MAX_ENTRIES;
      const cursorReq = store.index('at').openCursor();
      cursorReq.onsuccess = () => {
        const cursor = cursorReq.result;
        if (!cursor || excess <= 0) return;
        cursor.delete();
        excess -= 1;
        cursor.continue();
      };
    }
  } catch {
    // Quota or a closed database: the result just is not persisted.
  }
}
