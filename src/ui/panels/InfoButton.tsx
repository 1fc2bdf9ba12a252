/**
 * (i): a button that opens a short explanation (what, formula, which direction is better, citation)
 * in place. A click toggles it, so it works on touch (tooltips do not); Escape closes it. The
 * note is shifted sideways to stay inside the viewport (a button near a phone's left edge).
 */
import { useId, useLayoutEffect, useRef, useState, type ReactNode } from 'react';

/** Margin kept between an open note and the viewport's edges (px). */
const EDGE = 6;

export function InfoButton({
  title,
  children,
  testId,
}: {
  title: string;
  children: ReactNode;
  testId?: string;
}) {
  const [open, setOpen] = useState(false);
  const [shift, setShift] = useState(0);
  const pop = useRef<HTMLSpanElement>(null);
  const id = useId();
  useLayoutEffect(() => {
    const el = pop.current;
    if (!open || !el) return setShift(0);
    const r = el.getBoundingClientRect();
    const left = r.left - shift;
    const right = r.right - shift;
    const vw = document.documentElement.clientWidth;
    setShift(left < EDGE ? EDGE - left : right > vw - EDGE ? vw - EDGE - right : 0);
    // Measured once per opening: the shift itself moves the note.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [open]);
  return (
    <span className="info">
      <button
        type="button"
        className="info-button"
        aria-expanded={open}
        aria-controls={id}
        aria-label={`About ${title}`}
        onClick={() => setOpen(!open)}
        onKeyDown={(e) => {
          if (e.key === 'Escape') setOpen(false);
        }}
        data-testid={testId}
      >
        i
      </button>
      {open && (
        <span
          ref={pop}
          className="info-pop"
          id={id}
          role="note"
          style={shift ? { transform: `translateX(${shift}px)` } : undefined}
          data-testid={testId ? `${testId}-text` : undefined}
        >
          <strong>{title}</strong> {children}
        </span>
      )}
    </span>
  );
}

/** Citations of the metrics (the definitions are the metrics' own `description`). */
export const METRIC_CITATIONS: Readonly<Record<string, string>> = {
  vnmse: 'DRIVE (Vargaftik et al., NeurIPS 2021) §2; EDEN (ICML 2022) §2.',
  mse: 'Gray & Neuhoff, "Quantization", IEEE Trans. Inf. Theory 44(6), 1998, §I.',
  sqnrDb:
    'Gray & Neuhoff, "Quantization", IEEE Trans. Inf. Theory 44(6), 1998 (signal-to-quantization-noise ratio).',
  cosine: 'Cosine similarity of each row with its reconstruction, averaged over rows.',
  ipRatio:
    'TurboQuant (Zandieh et al., arXiv 2504.19874) §3: MSE-optimal quantizers shrink ⟨q,x̂⟩ by 1 − D_b.',
  ipNvar: 'QJL (Zandieh et al., arXiv 2406.03482) §3; TurboQuant_prod (arXiv 2504.19874) Thm 2.',
};

export function betterInWords(better: 'lower' | 'higher' | 'closer-to-1'): string {
  return better === 'closer-to-1' ? 'closer to 1 is better' : `${better} is better`;
}
