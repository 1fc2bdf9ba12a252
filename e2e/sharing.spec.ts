/**
 * Sharing: copy link, presets with Back/Forward, saved links from this version, results
 * exports (CSV, JSON), chart exports (SVG, PNG) and embed mode. Waits on data-status and on
 * attributes, never on time.
 */
import { readFileSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { csvParse } from 'd3';
import LZString from 'lz-string';
import { SharingPage } from './sharing-page';
import { restoreConfig } from '../src/core/config/schema';

interface SavedResult {
  label: string;
  bitsPerCoord: number;
  metrics: Record<string, number | null>;
}
interface SavedLink {
  name: string;
  link: string;
  results: SavedResult[];
}

const saved = (
  JSON.parse(readFileSync(new URL('../src/core/config/__saved__/links.json', import.meta.url), 'utf8')) as {
    links: SavedLink[];
  }
).links;

function savedLink(name: string): SavedLink {
  const s = saved.find((l) => l.name === name);
  if (!s) throw new Error(`no saved link named ${name}`);
  return s;
}

const RTOL = 1e-9;

/** The page's data-value numbers equal the saved CLI numbers (relative tolerance 1e-9). */
function expectNumbers(values: Record<string, number>[], expected: SavedResult[], what: string): void {
  expect(values.length, `${what}: rows`).toBe(expected.length);
  expected.forEach((r, i) => {
    const pairs: [string, number, number][] = [
      ['bitsPerCoord', values[i].bitsPerCoord, r.bitsPerCoord],
      ...Object.entries(r.metrics).map(([k, v]): [string, number, number] => [
        k,
        values[i][k],
        v ?? Number.NaN,
      ]),
    ];
    for (const [k, actual, exp] of pairs) {
      const tol = RTOL * Math.abs(exp);
      const ok = Number.isNaN(exp) ? Number.isNaN(actual) : Math.abs(actual - exp) <= tol;
      expect(ok, `${what} [${i}] ${r.label} ${k}: expected ${exp}, got ${actual} (rtol ${RTOL})`).toBe(true);
    }
  });
}

/** The canonical config a link decodes to (saved v1 links migrate to the current version). */
function decodeHash(hash: string): unknown {
  const m = /c=([A-Za-z0-9+\-$]*)/.exec(hash);
  if (!m) throw new Error(`no c= in ${hash}`);
  return restoreConfig(JSON.parse(LZString.decompressFromEncodedURIComponent(m[1]) ?? 'null') as unknown);
}

function collectErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  return errors;
}

test.describe('sharing', () => {
  test('Copy link puts the canonical permalink of the current experiment on the clipboard', async ({
    page,
    context,
    baseURL,
  }) => {
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: baseURL });
    const lab = new SharingPage(page);
    await lab.goto();
    await page.getByTestId('copy-link').click();
    await expect(page.getByTestId('copy-link')).toHaveAttribute('data-copied', 'true');
    const text = await lab.clipboardText();
    expect(text.startsWith(`${baseURL}/#c=`)).toBe(true);
    expect(decodeHash(text)).toEqual(decodeHash(await lab.hash()));
  });

  test('copy falls back to a manual-copy dialog when the clipboard is refused', async ({ page }) => {
    // Both clipboard paths refuse, as in an insecure context or a locked-down browser.
    await page.addInitScript(() => {
      Object.defineProperty(navigator, 'clipboard', {
        value: { writeText: () => Promise.reject(new DOMException('denied', 'NotAllowedError')) },
      });
      document.execCommand = () => false;
    });
    const lab = new SharingPage(page);
    await lab.goto();
    await page.getByTestId('copy-markdown').click();
    const area = page.getByTestId('copy-fallback-text');
    await expect(area).toBeVisible();
    const md = await area.inputValue();
    const lines = md.trim().split('\n');
    expect(lines[0]).toContain('gaussian 256×1024, seed 7');
    expect(lines[2].startsWith('| pipeline | bits/coord | ')).toBe(true);
    expect(lines[3].startsWith('| :--- | ---: |')).toBe(true);
    expect(lines.filter((l) => l.startsWith('| ')).length).toBe(2 + (await lab.rows().count()));
    expect(md).toContain('[open in QuantScope](<');
    await page.getByTestId('modal-close').click();
    await expect(area).toHaveCount(0);
    // Copy link uses the same fallback.
    await page.getByTestId('copy-link').click();
    await expect(page.getByTestId('copy-fallback-text')).toHaveValue(/#c=/);
  });

  test('Copy CSV gives RFC 4180 CSV with the exact numbers of the table', async ({
    page,
    context,
    baseURL,
  }) => {
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: baseURL });
    const lab = new SharingPage(page);
    await lab.goto();
    await page.getByTestId('copy-csv').click();
    await expect(page.getByTestId('copy-csv')).toHaveAttribute('data-copied', 'true');
    const csv = await lab.clipboardText();
    expect(csv).toContain('\r\n');
    const rows = csvParse(csv);
    const values = await lab.values();
    expect(rows.length).toBe(values.length);
    rows.forEach((r, i) => {
      for (const [k, v] of Object.entries(values[i])) expect(Number(r[k]), `${i} ${k}`).toBe(v);
    });
  });

  test('results download as CSV and JSON that parse and match the table', async ({ page }) => {
    const lab = new SharingPage(page);
    await lab.goto();
    const values = await lab.values();
    const labels = (await lab.labels()).map((l) => l.trim());

    const csv = await lab.download('download-csv');
    expect(csv.name).toMatch(/^quantscope-gaussian-256x1024-s7\.csv$/);
    const rows = csvParse(csv.bytes.toString('utf8'));
    expect(rows.map((r) => r.pipeline)).toEqual(labels);
    rows.forEach((r, i) => {
      for (const [k, v] of Object.entries(values[i])) expect(Number(r[k]), `csv ${i} ${k}`).toBe(v);
    });

    const json = await lab.download('download-json');
    expect(json.name).toMatch(/\.json$/);
    const doc = JSON.parse(json.bytes.toString('utf8')) as {
      config: unknown;
      permalink: string;
      results: { label: string; bitsPerCoord: number; metrics: Record<string, number> }[];
    };
    expect(doc.permalink).toBe(await lab.hash());
    expect(doc.config).toEqual(decodeHash(doc.permalink));
    expect(doc.results.map((r) => r.label)).toEqual(labels);
    doc.results.forEach((r, i) => {
      expect(r.bitsPerCoord).toBe(values[i].bitsPerCoord);
      for (const [k, v] of Object.entries(r.metrics)) expect(v, `json ${i} ${k}`).toBe(values[i][k]);
    });
  });

  test('every preset loads and shows the numbers saved for it', async ({ page }) => {
    test.setTimeout(240_000);
    const errors = collectErrors(page);
    const lab = new SharingPage(page);
    await lab.goto();
    for (const s of saved.filter((l) => l.name.startsWith('preset-'))) {
      await lab.openPreset(s.name.slice('preset-'.length));
      await lab.waitForLabels(s.results.map((r) => r.label));
      expectNumbers(await lab.values(), s.results, s.name);
      expect(decodeHash(await lab.hash())).toEqual(decodeHash(s.link));
    }
    expect(errors).toEqual([]);
  });

  test('Back after a preset restores the previous experiment (URL and table); Forward returns', async ({
    page,
  }) => {
    const lab = new SharingPage(page);
    await lab.goto();
    const before = { hash: await lab.hash(), values: await lab.values(), labels: await lab.labels() };
    const preset = savedLink('preset-mxfp4-rht-outlier-channels');

    await lab.openPreset('mxfp4-rht-outlier-channels');
    await lab.waitForLabels(preset.results.map((r) => r.label));
    await expect.poll(() => lab.hash()).not.toBe(before.hash);
    const presetHash = await lab.hash();
    expect(decodeHash(presetHash)).toEqual(decodeHash(preset.link));

    await page.goBack();
    await expect.poll(() => lab.hash()).toBe(before.hash);
    await lab.waitForLabels(before.labels.map((l) => l.trim()));
    expect(await lab.values()).toEqual(before.values);

    await page.goForward();
    await expect.poll(() => lab.hash()).toBe(presetHash);
    await lab.waitForLabels(preset.results.map((r) => r.label));
    expectNumbers(await lab.values(), preset.results, 'forward');
  });

  test('saved links from this version open with their saved numbers', async ({ page }) => {
    const lab = new SharingPage(page);
    for (const name of ['edge-non-power-of-two-dim', 'edge-low-rank-labels', 'preset-nvfp4-vs-mxfp4']) {
      const s = savedLink(name);
      await lab.goto(s.link);
      await lab.waitForLabels(s.results.map((r) => r.label));
      expectNumbers(await lab.values(), s.results, name);
    }
  });

  test('the Embed snippet shows exactly one chart, no panels, sized to its iframe', async ({ page }) => {
    const lab = new SharingPage(page);
    await lab.goto(savedLink('preset-mxfp4-rht-outlier-channels').link);
    await expect(page.getByTestId('chart-ip')).toHaveAttribute('data-status', 'ready');
    await page.getByTestId('open-embed').click();
    await page.getByTestId('embed-chart').selectOption('ip');
    const snippet = await page.getByTestId('embed-snippet').inputValue();
    expect(snippet).toMatch(
      /^<iframe src="http:\/\/[^"]+\?embed=ip#c=[^"]+" title="QuantScope: [^"]+" width="720" height="440"/,
    );

    // Paste the snippet into a blank page, as a course page would.
    await page.setContent(`<body style="margin:0">${snippet}</body>`);
    const frame = page.frameLocator('iframe');
    await expect(frame.getByTestId('embed')).toHaveAttribute('data-status', 'ready');
    await expect(frame.getByTestId('chart-ip')).toHaveAttribute('data-status', 'ready');
    await expect(frame.locator('svg[data-chart]')).toHaveCount(1);
    await expect(frame.locator('svg[data-chart]')).toHaveAttribute('data-chart', 'ip');
    for (const panel of ['results-table', 'data-rows', 'copy-link', 'open-presets']) {
      await expect(frame.getByTestId(panel)).toHaveCount(0);
    }
    await expect(frame.locator('.controls, header.topbar')).toHaveCount(0);
    const fits = async () => {
      const box = await frame.locator('svg[data-chart]').boundingBox();
      const iframe = await page.locator('iframe').boundingBox();
      if (!box || !iframe) return false;
      return (
        box.x >= iframe.x - 0.5 &&
        box.x + box.width <= iframe.x + iframe.width + 0.5 &&
        box.y + box.height <= iframe.y + iframe.height + 0.5
      );
    };
    await expect.poll(fits).toBe(true);
    // Resizing the iframe re-lays the chart out to the new frame (ResizeObserver).
    await page.locator('iframe').evaluate((f) => {
      f.setAttribute('width', '520');
      f.setAttribute('height', '340');
    });
    await expect
      .poll(async () => (await frame.locator('svg[data-chart]').boundingBox())?.width ?? 0)
      .toBeLessThanOrEqual(520);
    await expect.poll(fits).toBe(true);
  });

  test('embed mode with an unknown chart id says which ids exist', async ({ page }) => {
    await page.goto('/?embed=nope');
    await expect(page.getByTestId('embed')).toHaveAttribute('data-status', 'error');
    await expect(page.getByTestId('embed')).toContainText('rd, outliers, error, spectra, ip');
  });

  test('charts export as SVG that parses and renders standalone, and as 2x PNG', async ({ page }) => {
    const lab = new SharingPage(page);
    await lab.goto(savedLink('preset-mxfp4-rht-outlier-channels').link);
    for (const id of ['ip', 'outliers']) {
      await expect(page.getByTestId(`chart-${id}`)).toHaveAttribute('data-status', 'ready');
      const cssWidth = await page
        .locator(`svg[data-chart="${id}"]`)
        .evaluate((el) => el.getBoundingClientRect().width);

      const svg = await lab.download(`export-svg-${id}`);
      expect(svg.name).toBe(`quantscope-outlier-channels-256x1024-s7-${id}.svg`);
      const text = svg.bytes.toString('utf8');
      const parsed = await page.evaluate(async (t) => {
        const doc = new DOMParser().parseFromString(t, 'image/svg+xml');
        const root = doc.documentElement;
        const img = new Image();
        img.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(t)}`;
        await img.decode();
        return {
          error: doc.getElementsByTagName('parsererror').length,
          root: root.nodeName,
          chart:
            root.getAttribute('data-chart') ??
            root.querySelector('svg[data-chart]')?.getAttribute('data-chart'),
          styled: root.querySelectorAll('text[style*="fill"]').length,
          images: root.querySelectorAll('image').length,
          width: img.naturalWidth,
        };
      }, text);
      expect(parsed.error).toBe(0);
      expect(parsed.root).toBe('svg');
      expect(parsed.chart).toBe(id);
      expect(parsed.styled, 'text colours are inlined').toBeGreaterThan(0);
      expect(parsed.width, 'renders as a standalone image').toBeGreaterThan(0);
      if (id === 'outliers') expect(parsed.images, 'canvas heatmap layers embedded').toBeGreaterThan(0);

      const png = await lab.download(`export-png-${id}`);
      expect(png.name).toBe(`quantscope-outlier-channels-256x1024-s7-${id}.png`);
      expect([...png.bytes.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
      // IHDR width (bytes 16–19, big-endian) is 2× the chart's CSS width.
      expect(png.bytes.readUInt32BE(16)).toBe(Math.round(cssWidth * 2));
    }
  });
});
