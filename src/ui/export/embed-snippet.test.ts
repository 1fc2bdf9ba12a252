/** Embed URL and iframe snippet: escaping and the query/hash layout. */
import { describe, expect, it } from 'vitest';
import {
  embedChartFromSearch,
  embedUrl,
  escapeAttribute,
  iframeSnippet,
  isChartIdShaped,
} from './embed-snippet';

describe('embed snippet', () => {
  it('puts the chart in the query and the config in the hash', () => {
    expect(embedUrl('https://lab.example/q/?x=1#c=old', 'rd', '#c=N4Ig$+-')).toBe(
      'https://lab.example/q/?x=1&embed=rd#c=N4Ig$+-',
    );
    expect(embedUrl('http://127.0.0.1:4173/', 'spectra', 'c=abc')).toBe(
      'http://127.0.0.1:4173/?embed=spectra#c=abc',
    );
  });

  it('reads the embed parameter', () => {
    expect(embedChartFromSearch('?embed=rd')).toBe('rd');
    expect(embedChartFromSearch('?a=1&embed=ip')).toBe('ip');
    expect(embedChartFromSearch('')).toBeNull();
    expect(embedChartFromSearch('?embed=')).toBe('');
  });

  it('accepts only id-shaped chart names', () => {
    expect(isChartIdShaped('rd')).toBe(true);
    expect(isChartIdShaped('error')).toBe(true);
    expect(isChartIdShaped('"><script>')).toBe(false);
    expect(isChartIdShaped('')).toBe(false);
  });

  it('escapes attribute values so a title or URL cannot close the attribute', () => {
    expect(escapeAttribute('a"b&c<d>')).toBe('a&quot;b&amp;c&lt;d&gt;');
    const s = iframeSnippet({
      url: 'https://x/?embed=rd#c=a&b',
      title: 'Q "R–D"',
      width: 640.4,
      height: 420,
    });
    expect(s).toBe(
      '<iframe src="https://x/?embed=rd#c=a&amp;b" title="Q &quot;R–D&quot;" width="640" height="420" style="border:0;max-width:100%" loading="lazy"></iframe>',
    );
  });
});
