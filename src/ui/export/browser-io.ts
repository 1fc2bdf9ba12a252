/**
 * Browser side of exporting: save a file and copy text. Kept apart from the pure formatters so
 * those stay testable in node.
 *
 * - Downloads: an object URL on an <a download> element (HTML Living Standard §4.6.5 "Downloading
 *   resources"); the URL is revoked on the next task, after the click has started the download.
 * - Clipboard: the async Clipboard API (W3C Clipboard API §8, needs a secure context and focus),
 *   then the legacy `document.execCommand('copy')` on a selected off-screen textarea (still
 *   supported by every engine for user-initiated copies), else the caller shows the text in a
 *   dialog for a manual copy.
 */

export function downloadBlob(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  a.rel = 'noopener';
  a.style.display = 'none';
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 0);
}

export function downloadText(text: string, filename: string, type: string): void {
  downloadBlob(new Blob([text], { type }), filename);
}

export type CopyOutcome = 'clipboard' | 'exec-command' | 'failed';

function copyWithExecCommand(text: string): boolean {
  const area = document.createElement('textarea');
  area.value = text;
  area.setAttribute('readonly', '');
  // Off-screen but focusable: display:none elements cannot be selected.
  area.style.position = 'fixed';
  area.style.left = '-9999px';
  area.style.top = '0';
  document.body.append(area);
  const previous = document.activeElement instanceof HTMLElement ? document.activeElement : null;
  area.select();
  let ok = false;
  try {
    ok = document.execCommand('copy');
  } catch {
    ok = false;
  }
  area.remove();
  previous?.focus();
  return ok;
}

/** Copy text; reports how, so the UI can fall back to a manual-copy dialog on 'failed'. */
export async function copyText(text: string): Promise<CopyOutcome> {
  if (typeof navigator !== 'undefined' && navigator.clipboard && window.isSecureContext) {
    try {
      await navigator.clipboard.writeText(text);
      return 'clipboard';
    } catch {
      // Permission denied or the document lost focus: try the legacy path below.
    }
  }
  return copyWithExecCommand(text) ? 'exec-command' : 'failed';
}
