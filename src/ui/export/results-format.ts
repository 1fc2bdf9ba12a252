/**
 * Results → text for the clipboard and downloads ("Sharing": copy as CSV/Markdown,
 * results as CSV and JSON). Pure functions: no DOM, so they are unit-tested in node and reused by
 * any caller (page buttons, scripts).
 *
 * - CSV follows RFC 4180 §2: CRLF line breaks, a header row, fields holding `,`, `"`, CR or LF are
 *   enclosed in double quotes and inner quotes are doubled. Numbers are written at full precision
 *   (JavaScript's shortest round-trip form, ECMA-262 Number::toString), so a parsed CSV gives back
 *   the exact doubles the table's data-value attributes hold. Non-finite values use the spellings
 *   pandas and numpy read back as floats: NaN, inf, -inf.
 * - Text cells that a spreadsheet would evaluate (leading =, +, -, @, tab or CR) get a leading
 *   apostrophe: labels come from shared links, which are untrusted input (OWASP, "CSV Injection").
 * - Markdown is a GitHub-flavoured pipe table (GFM spec §4.10 "Tables"): `|` inside a cell is
 *   written `\|`, and backslashes and the inline markers that would restyle a label are
 *   backslash-escaped (CommonMark §2.4 "Backslash escapes"); line breaks become spaces because a
 *   table row is one line. Numbers use the page's display format (formatMetric) so the pasted table
 *   reads like the one on screen.
 * - JSON is the CLI's contract JSON (CONTRACT.md §6) for the same config, so a download and
 *   `npm run -s lab -- run '<link>' --json` give the same document.
 */
import { contractJson, type ExperimentOutput } from '../../engine/experiment';
import { formatMetric } from '../../core/format-number';
import { csvField, markdownCell } from '../../core/encode';

/** Just what the formatters read from a metric definition (keeps them free of the registry). */
export interface MetricColumn {
  readonly id: string;
  readonly label: string;
}

/** Number at full precision for CSV: shortest round-trip decimal; NaN/inf/-inf spelled out. */
export function csvNumber(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return 'inf';
  if (v === -Infinity) return '-inf';
  return String(v);
}

export { csvField, markdownCell };

function csvRecord(fields: readonly string[]): string {
  return fields.join(',');
}

/**
 * Results as RFC 4180 CSV: pipeline label, transform id, quantizer id, bitsPerCoord, then one
 * column per metric id (machine-readable ids, not display labels, so scripts can rely on them).
 */
export function resultsToCsv(output: ExperimentOutput, metrics: readonly MetricColumn[]): string {
  const header = ['pipeline', 'transform', 'quantizer', 'bitsPerCoord', ...metrics.map((m) => m.id)];
  const lines = [csvRecord(header.map(csvField))];
  for (const r of output.results) {
    lines.push(
      csvRecord([
        csvField(r.label),
        csvField(r.transform),
        csvField(r.quantizer),
        csvNumber(r.bitsPerCoord),
        ...metrics.map((m) => csvNumber(r.metrics[m.id] ?? Number.NaN)),
      ]),
    );
  }
  // RFC 4180 §2 rule 2: the last record may or may not end with a line break; ending with one
  // keeps `cat a.csv b.csv` and line-oriented tools well behaved.
  return `${lines.join('\r\n')}\r\n`;
}

export interface MarkdownOptions {
  /** A line written above the table (e.g. the data description). Escaped. */
  readonly caption?: string;
  /** A link written after the caption as `[open in QuantScope](<url>)`. */
  readonly link?: string;
}

/** A link destination in angle brackets may hold anything but `<`, `>` and line breaks
 *  (CommonMark §6.3 "Links"); percent-encode those and spaces. */
function markdownDestination(url: string): string {
  return url.replace(/[<>\s]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}

/** Results as a GFM pipe table with the page's display precision. */
export function resultsToMarkdown(
  output: ExperimentOutput,
  metrics: readonly MetricColumn[],
  options: MarkdownOptions = {},
): string {
  const header = ['pipeline', 'bits/coord', ...metrics.map((m) => m.label)];
  const row = (cells: readonly string[]) => `| ${cells.map(markdownCell).join(' | ')} |`;
  // Numeric columns right-aligned (GFM "---:"), the label column left.
  const align = `| :--- | ${header
    .slice(1)
    .map(() => '---:')
    .join(' | ')} |`;
  const lines = [row(header), align];
  for (const r of output.results) {
    lines.push(
      row([
        r.label,
        Number.isFinite(r.bitsPerCoord)
          ? r.bitsPerCoord.toFixed(3)
          : formatMetric('bitsPerCoord', r.bitsPerCoord),
        ...metrics.map((m) => formatMetric(m.id, r.metrics[m.id])),
      ]),
    );
  }
  const head: string[] = [];
  if (options.caption) head.push(markdownCell(options.caption));
  if (options.link) head.push(`[open in QuantScope](<${markdownDestination(options.link)}>)`);
  const body = lines.join('\n');
  return head.length > 0 ? `${head.join(' · ')}\n\n${body}\n` : `${body}\n`;
}

/** The CLI's contract JSON (CONTRACT.md §6), pretty-printed exactly as `lab run --json` prints it. */
export function resultsToJson(output: ExperimentOutput): string {
  return `${JSON.stringify(contractJson(output), null, 2)}\n`;
}

/** A short, filesystem-safe file stem describing the data: quantscope-gaussian-256x1024-s7. */
export function exportFileStem(output: ExperimentOutput): string {
  const source = output.data.source.replace(/[^A-Za-z0-9-]+/g, '-').slice(0, 32);
  return `quantscope-${source}-${output.data.rows}x${output.data.dim}-s${output.config.seed}`;
}
