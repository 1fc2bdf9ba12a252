/**
 * A button that copies text: Clipboard API, then execCommand, then a dialog with the text selected
 * for a manual Ctrl+C (src/ui/export/browser-io.ts). The text is computed on click, so large tables are
 * only formatted when asked for.
 */
import { useEffect, useRef, useState } from 'react';
import { copyText } from '../export/browser-io';
import { Modal } from './Modal';

const FEEDBACK_MS = 1500;

export function CopyButton({
  label,
  getText,
  testId,
  title,
}: {
  label: string;
  getText: () => string;
  testId: string;
  title?: string;
}) {
  const [copied, setCopied] = useState(false);
  const [fallback, setFallback] = useState<string | null>(null);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useEffect(() => () => clearTimeout(timer.current), []);

  const onClick = async () => {
    const text = getText();
    const outcome = await copyText(text);
    if (outcome === 'failed') {
      setFallback(text);
      return;
    }
    setCopied(true);
    clearTimeout(timer.current);
    timer.current = setTimeout(() => setCopied(false), FEEDBACK_MS);
  };

  return (
    <>
      <button
        type="button"
        onClick={() => void onClick()}
        data-testid={testId}
        data-copied={copied ? 'true' : 'false'}
        title={title}
      >
        {copied ? 'Copied ✓' : label}
      </button>
      {fallback !== null && (
        <Modal title="Copy this text" onClose={() => setFallback(null)} testId="copy-fallback">
          <p className="muted">The browser did not allow copying; select the text and press Ctrl+C (⌘C).</p>
          <ManualCopyArea text={fallback} />
        </Modal>
      )}
    </>
  );
}

/** A read-only textarea whose text is selected on focus (and on mount unless autoSelect is off). */
export function ManualCopyArea({
  text,
  rows = 6,
  testId = 'copy-fallback-text',
  autoSelect = true,
}: {
  text: string;
  rows?: number;
  testId?: string;
  /** Focus and select on mount (manual-copy fallback); off where other controls keep focus. */
  autoSelect?: boolean;
}) {
  const ref = useRef<HTMLTextAreaElement>(null);
  useEffect(() => {
    if (!autoSelect) return;
    ref.current?.focus();
    ref.current?.select();
  }, [text, autoSelect]);
  return (
    <textarea
      ref={ref}
      className="copy-area"
      readOnly
      value={text}
      rows={rows}
      spellCheck={false}
      onFocus={(e) => e.currentTarget.select()}
      data-testid={testId}
    />
  );
}
