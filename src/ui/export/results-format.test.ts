/** Results formatting: RFC 4180 CSV, GFM Markdown escaping, the contract JSON. */
import { describe, expect, it } from 'vitest';
import { csvParseRows } from 'd3';
import type { ExperimentOutput } from '../../engine/experiment';
import { DEFAULT_CONFIG } from '../../core/config/defaults';
import {
  csvField,
  csvNumber,
  exportFileStem,
  markdownCell,
  resultsToCsv,
  resultsToJson,
  resultsToMarkdown,
  type MetricColumn,
} from './results-format';

const METRIC_COLUMNS: MetricColumn[] = [
  { id: 'vnmse', label: 'vNMSE' },
  { id: 'sqnrDb', label: 'SQNR dB' },
];

function output(labels: string[]): ExperimentOutput {
  return {
    config: DEFAULT_CONFIG,
    permalink: '#c=abc',
    data: { rows: 256, dim: 1024, source: 'gaussian' },
    results: labels.map((label, i) => ({
      transform: 'haar',
      quantizer: 'eden',
      label,
      bitsPerCoord: 2.03125 + i,
      metrics: { vnmse: 0.1169384765625 / (i + 1), sqnrDb: i === 1 ? Number.NaN : 9.3214 },
      timingsMs: {
        transform: 1,
        quantize: 2,
        inverse: 3,
        metrics: 4,
        backend: { transform: 'cpu', quantize: 'cpu' },
      },
    })),
  };
}

describe('CSV (RFC 4180)', () => {
  it('quotes fields holding comma, quote, CR or LF and doubles inner quotes', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField('cr\rhere')).toBe('"cr\rhere"');
  });

  it('neutralises spreadsheet formulas in text cells (OWASP CSV injection)', () => {
    expect(csvField('=HYPERLINK("x")')).toBe('"\'=HYPERLINK(""x"")"');
    expect(csvField('+1')).toBe("'+1");
    expect(csvField('-x')).toBe("'-x");
    expect(csvField('@sum')).toBe("'@sum");
    expect(csvField('haar → eden')).toBe('haar → eden');
  });

  it('writes numbers at full precision and non-finite values as NaN/inf/-inf', () => {
    expect(csvNumber(0.1 + 0.2)).toBe('0.30000000000000004');
    expect(Number(csvNumber(0.1 + 0.2))).toBe(0.1 + 0.2);
    expect(csvNumber(Number.NaN)).toBe('NaN');
    expect(csvNumber(Infinity)).toBe('inf');
    expect(csvNumber(-Infinity)).toBe('-inf');
    expect(csvNumber(-2.5e-7)).toBe('-2.5e-7');
  });

  it('round-trips through an RFC 4180 parser: header, CRLF records, exact doubles', () => {
    const out = output(['haar → eden b=2 mse', 'weird, "label"\nwith newline']);
    const csv = resultsToCsv(out, METRIC_COLUMNS);
    expect(csv.endsWith('\r\n')).toBe(true);
    expect(csv.split('\r\n')[0]).toBe('pipeline,transform,quantizer,bitsPerCoord,vnmse,sqnrDb');
    const rows = csvParseRows(csv.trimEnd());
    expect(rows).toHaveLength(3);
    expect(rows[1]).toEqual(['haar → eden b=2 mse', 'haar', 'eden', '2.03125', '0.1169384765625', '9.3214']);
    expect(rows[2][0]).toBe('weird, "label"\nwith newline');
    expect(Number(rows[2][4])).toBe(0.1169384765625 / 2);
    expect(rows[2][5]).toBe('NaN');
  });
});

describe('Markdown (GFM pipe table)', () => {
  it('escapes | and backslash so a cell never splits, and flattens line breaks', () => {
    expect(markdownCell('a|b')).toBe('a\\|b');
    expect(markdownCell('a\\|b')).toBe('a\\\\\\|b');
    expect(markdownCell('x\ny')).toBe('x y');
    expect(markdownCell('*bold* _em_ `code` <b> [l]')).toBe('\\*bold\\* \\_em\\_ \\`code\\` \\<b\\> \\[l\\]');
  });

  it('renders one header, an alignment row and one row per pipeline with display precision', () => {
    const md = resultsToMarkdown(output(['rht|2 → int', 'b']), METRIC_COLUMNS);
    const lines = md.trimEnd().split('\n');
    expect(lines).toEqual([
      '| pipeline | bits/coord | vNMSE | SQNR dB |',
      '| :--- | ---: | ---: | ---: |',
      '| rht\\|2 → int | 2.031 | 0.1169 | 9.32 |',
      '| b | 3.031 | 0.05847 | — |',
    ]);
    // Every row has the same number of unescaped delimiters as the header.
    const cells = (l: string) => l.split(/(?<!\\)\|/).length;
    for (const l of lines) expect(cells(l)).toBe(cells(lines[0]));
  });

  it('writes an escaped caption and a link line above the table', () => {
    const md = resultsToMarkdown(output(['a']), METRIC_COLUMNS, {
      caption: 'gaussian 256×1024 | seed 7',
      link: 'https://example.org/lab/#c=N4Ig<x>',
    });
    expect(md.split('\n')[0]).toBe(
      'gaussian 256×1024 \\| seed 7 · [open in QuantScope](<https://example.org/lab/#c=N4Ig%3Cx%3E>)',
    );
    expect(md.split('\n')[1]).toBe('');
  });
});

describe('JSON', () => {
  it('is the CLI contract JSON: config, permalink, data, results without timings', () => {
    const out = output(['a']);
    const parsed = JSON.parse(resultsToJson(out)) as {
      config: unknown;
      permalink: string;
      results: Record<string, unknown>[];
    };
    expect(parsed.config).toEqual(DEFAULT_CONFIG);
    expect(parsed.permalink).toBe('#c=abc');
    expect(Object.keys(parsed.results[0])).toEqual([
      'transform',
      'quantizer',
      'label',
      'bitsPerCoord',
      'metrics',
    ]);
  });

  it('names files after the data', () => {
    expect(exportFileStem(output(['a']))).toBe('quantscope-gaussian-256x1024-s7');
  });
});
