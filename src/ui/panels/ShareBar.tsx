/**
 * Header actions for sharing: Copy link, Embed (iframe snippet for one chart) and the
 * Presets gallery. The link is always the canonical permalink of the current config, built from
 * the store rather than read from the address bar, so it is right even inside the hash-write
 * debounce window.
 */
import { lazy, Suspense, useState } from 'react';
import { permalinkHash } from '../../core/config/codec';
import { useLab } from '../state/store';
import { CopyButton } from './CopyButton';
import { Modal } from './Modal';
import { PresetsPanel } from './PresetsPanel';
import '../app/sharing.css';

// The embed dialog pulls in the chart registry; load it only when asked for.
const EmbedDialog = lazy(() => import('./EmbedDialog').then((m) => ({ default: m.EmbedDialog })));

export function pageLink(hash: string): string {
  return `${window.location.origin}${window.location.pathname}${hash}`;
}

export function ShareBar() {
  const config = useLab((s) => s.config);
  const [open, setOpen] = useState<'presets' | 'embed' | null>(null);
  return (
    <>
      <button
        type="button"
        onClick={() => setOpen('presets')}
        data-testid="open-presets"
        aria-haspopup="dialog"
      >
        Presets
      </button>
      <CopyButton
        label="Copy link"
        testId="copy-link"
        title="Copy a link to this experiment"
        getText={() => pageLink(permalinkHash(config))}
      />
      <button type="button" onClick={() => setOpen('embed')} data-testid="open-embed" aria-haspopup="dialog">
        Embed
      </button>
      {open === 'presets' && (
        <Modal title="Presets" onClose={() => setOpen(null)} testId="presets-dialog" wide>
          <p className="muted">
            Each preset is a complete experiment (a permalink) reproducing a claim from one of the seed
            papers. Opening one adds a history entry: Back returns to what you had.
          </p>
          <PresetsPanel onOpened={() => setOpen(null)} />
        </Modal>
      )}
      {open === 'embed' && (
        <Suspense fallback={null}>
          <EmbedDialog config={config} onClose={() => setOpen(null)} />
        </Suspense>
      )}
    </>
  );
}
