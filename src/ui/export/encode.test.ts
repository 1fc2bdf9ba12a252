/* eslint-disable no-control-regex -- this file is about control characters: its patterns name them */
/**
 * The context encoders against independent references: Python's own parser for pyStr (one
 * python3 run over 10⁴ fast-check strings, skipped where python3 is missing), JSON.parse for
 * terminalJson, an RFC 4180 reader written here for csvField, and the languages' character rules
 * for the rest.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  csvField,
  htmlAttr,
  markdownCell,
  pyStr,
  terminalJson,
  terminalLine,
  terminalText,
  xmlText,
} from '../../core/encode';

const RUNS = 10_000;
// Strings biased towards the characters that matter: controls, quotes, backslashes, bidi, C1,
// astral characters and lone surrogates, plus arbitrary UTF-16.
const nasty = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({
    unit: fc.constantFrom(
      '\n',
      '\r',
      '\t',
      '\x1b',
      '\x07',
      '\x00',
      '\x7f',
      '\x9b',
      '\u2028',
      '\u202e',
      '\u2066',
      '"',
      "'",
      '\\',
      '#',
      '|',
      '<',
      '>',
      '&',
      '=',
      ',',
      'a',
      'é',
      '😀',
      '\ud800',
      '\udc00',
      '\ufffe',
    ),
    maxLength: 40,
  }),
);
const hasPython = spawnSync('python3', ['-c', 'pass']).status === 0;

/** What Python can hold for a JS string: lone surrogates become U+FFFD (pyStr's rule). */
function wellFormed(s: string): string {
  return s.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');
}

describe('pyStr', () => {
  it('is one line of printable ASCII', () => {
    fc.assert(
      fc.property(
        nasty,
        (s) =>
          /^"[\x20-\x7e]*"$/.test(pyStr(s)) &&
          !pyStr(s)
            .slice(1, -1)
            .match(/(^|[^\\])(\\\\)*"/),
      ),
      { numRuns: RUNS },
    );
  });

  it.skipIf(!hasPython)('Python parses 10⁴ literals back to the same strings', () => {
    const samples = fc.sample(nasty, { numRuns: RUNS, seed: 17 });
    const dir = mkdtempSync(join(tmpdir(), 'pystr-'));
    const file = join(dir, 'check.py');
    writeFileSync(
      file,
      `import json, sys\nVALS = [\n${samples.map((s) => `    ${pyStr(s)},`).join('\n')}\n]\nsys.stdout.write(json.dumps(VALS))\n`,
    );
    const r = spawnSync('python3', [file], { encoding: 'utf8', maxBuffer: 64 << 20 });
    expect(r.stderr).toBe('');
    const back = JSON.parse(r.stdout) as string[];
    expect(back).toEqual(samples.map(wellFormed));
  });

  it('a label that ends a comment or a string stays text', () => {
    expect(pyStr('x"\nimport os; os.system("id")\n#')).toBe(
      '"x\\"\\x0aimport os; os.system(\\"id\\")\\x0a#"',
    );
  });
});

describe('terminal', () => {
  const unsafe = /[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
  it('terminalText leaves no control or bidi character (LF kept); terminalLine no LF either', () => {
    fc.assert(
      fc.property(nasty, (s) => !unsafe.test(terminalText(s)) && !/[\n\r]/.test(terminalLine(s))),
      { numRuns: RUNS },
    );
    expect(terminalText('a\x1b]0;pwned\x07b\x9b2J')).toBe('a\\x1b]0;pwned\\x07b\\x9b2J');
    expect(terminalText('plain → text\n')).toBe('plain → text\n');
  });

  it('terminalJson stays valid JSON with the same value', () => {
    fc.assert(
      fc.property(nasty, (s) => {
        const out = terminalJson(JSON.stringify({ k: s }));
        return !unsafe.test(out.replace(/\n/g, '')) && (JSON.parse(out) as { k: string }).k === s;
      }),
      { numRuns: RUNS },
    );
  });
});

/** RFC 4180 §2 reader for one field (the reference for csvField). */
function readCsvField(f: string): string {
  if (!f.startsWith('"')) return f;
  expect(f.endsWith('"')).toBe(true);
  const inner = f.slice(1, -1);
  expect(/(^|[^"])"("")*([^"]|$)/.test(inner.replace(/""/g, ''))).toBe(false);
  return inner.replace(/""/g, '"');
}

describe('csv, markdown, xml, html', () => {
  it('csvField round-trips through an RFC 4180 reader (formula starts get an apostrophe)', () => {
    fc.assert(
      fc.property(nasty, (s) => {
        const back = readCsvField(csvField(s));
        return (
          back === (/^[=+\-@\t\r]/.test(s) ? `'${s}` : s) &&
          (/[",\r\n]/.test(back) ? csvField(s).startsWith('"') : true)
        );
      }),
      { numRuns: RUNS },
    );
  });

  it('markdownCell is one line with every table/inline marker escaped', () => {
    fc.assert(
      fc.property(nasty, (s) => {
        const out = markdownCell(s);
        return !/[\x00-\x1f\x7f-\x9f\u2028\u2029]/.test(out) && !/(^|[^\\])(\\\\)*[|`*_<>[\]]/.test(out);
      }),
      { numRuns: RUNS },
    );
  });

  it('xmlText holds only XML 1.0 characters', () => {
    const xmlChar = /^(?:[\t\n\r\x20-\ud7ff\ue000-\ufffd]|[\ud800-\udbff][\udc00-\udfff])*$/;
    fc.assert(
      fc.property(nasty, (s) => xmlChar.test(xmlText(s))),
      { numRuns: RUNS },
    );
  });

  it('htmlAttr leaves no quote or markup character and decodes back', () => {
    const decode = (v: string) =>
      v.replace(
        /&quot;|&#39;|&lt;|&gt;|&amp;/g,
        (e) => ({ '&quot;': '"', '&#39;': "'", '&lt;': '<', '&gt;': '>', '&amp;': '&' })[e] ?? e,
      );
    fc.assert(
      fc.property(nasty, (s) => !/["'<>]/.test(htmlAttr(s)) && decode(htmlAttr(s)) === s),
      { numRuns: RUNS },
    );
  });
});

describe('SVG export tree', () => {
  it('encodeXmlTree rewrites text and attribute values that XML cannot carry', async () => {
    const { encodeXmlTree } = await import('./chart-export');
    const text = { nodeType: 3, nodeValue: 'a\x1bb\ud800', childNodes: [] };
    const attr = { value: 'x\x00y' };
    const el = { nodeType: 1, nodeValue: null, childNodes: [text], attributes: [attr] };
    encodeXmlTree(el);
    expect(text.nodeValue).toBe('a\ufffdb\ufffd');
    expect(attr.value).toBe('x\ufffdy');
  });
});
