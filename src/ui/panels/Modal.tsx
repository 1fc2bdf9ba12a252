/**
 * A modal dialog on the native <dialog> element (HTML Living Standard §4.11.4): showModal() gives
 * the focus trap, the inert background, Escape to close and the ::backdrop for free, which a
 * hand-rolled overlay would have to re-implement. Clicking the backdrop closes it too.
 */
import { useEffect, useId, useRef, type ReactNode } from 'react';

export function Modal({
  title,
  onClose,
  children,
  testId,
  wide = false,
}: {
  title: string;
  onClose: () => void;
  children: ReactNode;
  testId?: string;
  wide?: boolean;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const headingId = useId();
  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
    return () => dialog?.close();
  }, []);
  return (
    <dialog
      ref={ref}
      className={wide ? 'modal wide' : 'modal'}
      aria-labelledby={headingId}
      data-testid={testId}
      onCancel={(e) => {
        // Escape: let React unmount the dialog instead of the browser closing it behind our back.
        e.preventDefault();
        onClose();
      }}
      onClick={(e) => {
        // A click whose target is the <dialog> itself landed on the backdrop (the content box is
        // covered by .modal-body).
        if (e.target === e.currentTarget) onClose();
      }}
    >
      <div className="modal-body">
        <div className="modal-head">
          <h2 id={headingId}>{title}</h2>
          <button type="button" onClick={onClose} aria-label="Close" data-testid="modal-close">
            ✕
          </button>
        </div>
        {children}
      </div>
    </dialog>
  );
}
