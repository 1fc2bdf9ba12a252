/* eslint-disable no-control-regex -- this file is about control characters: its patterns name them */
/**
 * Context-specific encoders for every string that leaves the app as generated code or text in
 * another language: Python source, CSV, Markdown, XML/SVG text, HTML attributes and terminal
 * output. Labels, tensor names, dtype strings, file names and metadata keys come from shared links
 * and files, i.e. from strangers (SECURITY.md), so no generator may interpolate them raw; each sink
 * calls the encoder of its context, chosen by that language's own rules:
 *
 * - Python: a double-quoted string literal (Python Language Reference §2.4.1 "String and Bytes
 *   literals"). Everything outside printable ASCII is written as a \x, \u or \U escape, so the
 *   literal is one physical line whatever the text holds (no newline, carriage return or form feed
 *   can end it), and lone UTF-16 surrogates become U+FFFD because Python could not print them.
 * - CSV: RFC 4180 §2 rules 5–7 (quote fields holding `,` `"` CR LF, double inner quotes), plus a
 *   leading apostrophe on text a spreadsheet would evaluate (OWASP "CSV Injection").
 * - Markdown: GFM §4.10 pipe-table cells on one line; CommonMark §2.4 backslash escapes for `\`,
 *   `|` and the inline markers; every line-breaking or control character becomes a space.
 * - XML text (SVG export): XML 1.0 §2.2 "Characters" forbids C0 controls other than TAB, LF and CR
 *   and the noncharacters U+FFFE/U+FFFF even as references; they become U+FFFD.
 * - HTML attribute values in double quotes (HTML Living Standard §13.1.2.3): `&`, `"`, `'`, `<`, `>`
 *   as character references.
 * - Terminal: C0 controls, DEL, C1 controls (ECMA-48 §5: 0x9B is a one-byte CSI) and the Unicode
 *   bidi overrides/isolates (Trojan Source, CVE-2021-42574) are written as visible `\xHH`/`\u{…}`
 *   escapes, so text cannot move the cursor, retitle or clear the terminal, or reorder what is
 *   shown. `terminalJson` does the same inside JSON text with `\uXXXX` escapes, which keeps it valid
 *   JSON with the same value (RFC 8259 §7).
 */

const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');

/** A Python 3 string literal for any JS string: one line, printable ASCII only. */
export function pyStr(text: string): string {
  let out = '"';
  for (const ch of text) {
    const c = ch.codePointAt(0) ?? 0xfffd;
    if (ch === '\\') out += '\\\\';
    else if (ch === '"') out += '\\"';
    else if (c >= 0x20 && c < 0x7f) out += ch;
    else if (c >= 0xd800 && c <= 0xdfff)
      out += '\\ufffd'; // a lone surrogate (for-of yields it alone)
    else if (c < 0x100) out += `\\x${hex(c, 2)}`;
    else if (c < 0x10000) out += `\\u${hex(c, 4)}`;
    else out += `\\U${hex(c, 8)}`;
  }
  return `${out}"`;
}

const FORMULA_START = /^[=+\-@\t\r]/;

/** One CSV text field (RFC 4180 §2 rules 5–7), neutralised against formula injection. */
export function csvField(text: string): string {
  const safe = FORMULA_START.test(text) ? `'${text}` : text;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** Characters escaped in Markdown cells: backslash first (so later escapes stay literal), then the
 *  table delimiter and the inline markers that would turn part of a label into code, emphasis,
 *  links or HTML. */
const MARKDOWN_SPECIAL = /[\\|`*_[\]<>]/g;
// Everything that breaks a line or is a control character in CommonMark's eyes (§2.1: line
// endings are LF, CR, CRLF; other C0/C1 controls and U+2028/2029 render unpredictably).
const MARKDOWN_BREAKS = /\r\n|[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;

/** One GFM table cell (or a one-line caption): no line breaks, inline markup escaped. */
export function markdownCell(text: string): string {
  return text.replace(MARKDOWN_BREAKS, ' ').replace(MARKDOWN_SPECIAL, (c) => `\\${c}`);
}

const XML_INVALID =
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** Text content for XML 1.0 (SVG files): characters XML cannot carry become U+FFFD. The markup
 *  characters themselves are escaped by the serializer (XMLSerializer) that writes the node. */
export function xmlText(text: string): string {
  return text.replace(XML_INVALID, '\ufffd');
}

/** An HTML attribute value for use inside double quotes. */
export function htmlAttr(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;');
}

// C0 (except LF, which callers use as the line separator), DEL, C1, bidi embeddings/overrides
// (U+202A–202E), isolates (U+2066–2069), line/paragraph separators (U+2028/2029).
const TERMINAL_UNSAFE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** Text for a terminal: control and bidi characters shown as escapes; LF kept as a line break. */
export function terminalText(text: string): string {
  return text.replace(TERMINAL_UNSAFE, (ch) => {
    const c = ch.charCodeAt(0);
    return c < 0x100 ? `\\x${hex(c, 2)}` : `\\u{${hex(c, 4)}}`;
  });
}

/** One terminal line: like terminalText, but a line break is escaped too. */
export function terminalLine(text: string): string {
  return terminalText(text).replace(/\n/g, '\\n');
}

// JSON.stringify already escapes C0 (RFC 8259 §7); C1, DEL and the bidi characters it leaves raw.
const JSON_TERMINAL_UNSAFE = /[\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** JSON text (from JSON.stringify) made safe for a terminal, still valid JSON with the same value:
 *  the characters only occur inside strings, where `\uXXXX` denotes the same character. */
export function terminalJson(json: string): string {
  return json.replace(JSON_TERMINAL_UNSAFE, (ch) => `\\u${hex(ch.charCodeAt(0), 4)}`);
}
