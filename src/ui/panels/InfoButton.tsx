/**
 * (i): a button that opens a short explanation (what, formula, which direction is better, citation)
 * in place. A click toggles it, so it works on touch (tooltips do not); Escape closes it.
 */
import { useId, useState, type ReactNode } from 'react';

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
  const id = useId();
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
        <span className="info-pop" id={id} role="note" data-testid={testId ? `${testId}-text` : undefined}>
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
