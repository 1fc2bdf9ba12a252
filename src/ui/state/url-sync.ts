/**
 * URL ⇄ config (DESIGN.md data flow): the hash always holds the canonical config, written with
 * replaceState (debounced) so dragging a slider does not flood history; Back/Forward and pasted
 * links restore through `hashchange`/`popstate`. A link that cannot be restored leaves the current
 * config and shows what was wrong.
 */
import { decodePermalink, permalinkHash } from '../../core/config/codec';
import { ConfigError } from '../../core/config/errors';
import { canonicalKey } from '../../core/config/schema';
import { useLab } from './store';

const WRITE_DELAY_MS = 150;

function restoreFromLocation(): void {
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
  restoreFromLocation();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const unsubscribe = useLab.subscribe((state, prev) => {
    if (state.config === prev.config) return;
    clearTimeout(timer);
    timer = setTimeout(() => {
      const hash = permalinkHash(state.config);
      if (hash !== window.location.hash) {
        const url = `${window.location.pathname}${window.location.search}${hash}`;
        window.history.replaceState(window.history.state, '', url);
      }
    }, WRITE_DELAY_MS);
  });
  // Always restore on Back/Forward/pasted links: restoreFromLocation is a no-op when the link
  // already equals the current config. Comparing with the last hash *written* instead misses a
  // Forward that lands within the write delay after a Back (the entry's hash then still equals the
  // stale "last written" one, and the pending write would overwrite the Forward entry).
  const onNavigate = () => restoreFromLocation();
  window.addEventListener('hashchange', onNavigate);
  window.addEventListener('popstate', onNavigate);
  if (!window.location.hash) {
    window.history.replaceState(
      window.history.state,
      '',
      `${window.location.pathname}${window.location.search}${permalinkHash(useLab.getState().config)}`,
    );
  }
  return () => {
    clearTimeout(timer);
    unsubscribe();
    window.removeEventListener('hashchange', onNavigate);
    window.removeEventListener('popstate', onNavigate);
  };
}

/** Push a new history entry (presets, pasted links) so Back returns to the previous experiment. */
export function pushConfigToHistory(): void {
  const hash = permalinkHash(useLab.getState().config);
  window.history.pushState(null, '', `${window.location.pathname}${window.location.search}${hash}`);
}
