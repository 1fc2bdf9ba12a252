/**
 * Legibility by geometry: every embed the Embed dialog offers (for the default experiment and for
 * a link with each registered analysis) rendered at the dialog's default 720×440, and the whole
 * page at 390×844, has no clipped text. Checked on element boxes, not pixels:
 * - every SVG <text> lies inside its <svg> and inside the viewport;
 * - no two SVG texts of one chart overlap (tick labels, legend entries, axis labels, annotations);
 * - every HTML text run lies inside the viewport and inside its nearest clipping ancestor;
 * - an embed has no scrollbar anywhere (page or inner box); the page has no horizontal scroll.
 * Screenshots land in test-results/layout/ (look at them).
 */
import { expect, test, type Page } from '@playwright/test';
import { permalinkHash } from '../src/core/config/codec';
import { restoreConfig, type ExperimentConfig } from '../src/core/config/schema';
import { ANALYSES } from '../src/core/analyses';
import { MATRIX_PRESETS } from '../src/core/presets/matrix-presets';
import { presetConfig } from '../src/core/presets/presets';
import { LabPage } from './lab-page';

const EMBED = { width: 720, height: 440 };
const PHONE = { width: 390, height: 844 };
const SHOTS = 'test-results/layout';

const pl = (
  t: string,
  tp: Record<string, number | string>,
  q: string,
  qp: Record<string, number | string>,
) => ({
  transforms: t === 'identity' ? [] : [{ id: t, params: tp }],
  quantizer: { id: q, params: qp },
});

/** A small config that shows each analysis (data and pipelines as its suggested setup, smaller). */
const ANALYSIS_SETUPS: Record<
  string,
  { data: Record<string, unknown>; pipelines: unknown[]; params?: object }
> = {
  estimator: {
    data: { source: 'clustered', rows: 512, dim: 64 },
    pipelines: [
      pl('haar', {}, 'eden', { bits: 2, scale: 'mse' }),
      pl('haar', {}, 'eden', { bits: 2, scale: 'unbiased' }),
      pl('rht', { rounds: 1 }, 'turboquant-prod', { bits: 2 }),
    ],
  },
  seeds: {
    data: { source: 'gaussian', rows: 128, dim: 128 },
    pipelines: [
      pl('haar', {}, 'eden', { bits: 2, scale: 'mse' }),
      pl('rht', { rounds: 1 }, 'turboquant-mse', { bits: 2 }),
    ],
    params: { count: 8 },
  },
  'rotation-quality': {
    data: { source: 'one-hot', rows: 8, dim: 64 },
    pipelines: [pl('rht', { rounds: 1 }, 'eden', { bits: 2 })],
    params: { draws: 2000, maxDim: 1024 },
  },
  formats: {
    data: { source: 'sparse-spikes', rows: 8, dim: 64 },
    pipelines: [pl('identity', {}, 'mxfp4', {})],
    params: { samples: 64 },
  },
  'scale-rule': {
    data: { source: 'gaussian', rows: 8, dim: 64 },
    pipelines: [pl('haar', {}, 'eden', { bits: 2 })],
    params: { samples: 128, maxDim: 2048 },
  },
  'channel-entropy': {
    data: { source: 'correlated-channels', rows: 512, dim: 64 },
    pipelines: [pl('identity', {}, 'int', { bits: 2 })],
    params: { bits: 2, maxChannels: 8 },
  },
  'rate-distortion': {
    data: { source: 'gaussian', rows: 64, dim: 256 },
    pipelines: [
      pl('haar', {}, 'eden', { bits: 2, scale: 'mse' }),
      pl('rht', { rounds: 1 }, 'turboquant-mse', { bits: 3 }),
      pl('identity', {}, 'mxfp4', {}),
    ],
    params: { budget: 3 },
  },
};

/** The analyses whose setup is a matrix preset (a weight matrix and its own analysis params). */
function presetFor(id: string): ExperimentConfig | undefined {
  const p = MATRIX_PRESETS.find((x) => presetConfig(x).analysis?.id === id);
  return p ? presetConfig(p) : undefined;
}

function analysisConfig(id: string): ExperimentConfig {
  const preset = presetFor(id);
  if (preset) return preset;
  const s = ANALYSIS_SETUPS[id];
  if (!s) throw new Error(`no layout setup for analysis ${id}: add one to ANALYSIS_SETUPS`);
  return restoreConfig({
    v: 2,
    seed: 7,
    data: s.data,
    pipelines: s.pipelines,
    analysis: { id, params: s.params ?? {} },
  });
}

/**
 * Everything wrong with the page's text geometry, as readable lines (empty = legible).
 * `embed`: the page is an embed, so nothing may scroll and text must fit the viewport vertically too.
 */
async function layoutProblems(page: Page, embed: boolean): Promise<string[]> {
  return page.evaluate((isEmbed) => {
    const out: string[] = [];
    const vw = document.documentElement.clientWidth;
    const vh = document.documentElement.clientHeight;
    const TOL = 1;
    const visible = (el: Element) => {
      const cs = getComputedStyle(el);
      return cs.visibility !== 'hidden' && cs.display !== 'none' && Number(cs.opacity) > 0.05;
    };
    const shown = (el: Element): boolean => {
      for (let e: Element | null = el; e; e = e.parentElement) if (!visible(e)) return false;
      // Closed <details> content and [hidden] boxes have no layout.
      const r = el.getBoundingClientRect();
      return r.width > 0 || r.height > 0;
    };
    const name = (el: Element) => {
      const chart = el.closest('[data-chart]')?.getAttribute('data-chart');
      const tid = el.closest('[data-testid]')?.getAttribute('data-testid');
      return `${chart ? `chart ${chart}` : tid ? `#${tid}` : el.tagName.toLowerCase()}`;
    };
    const box_ = (r: DOMRect) => [r.left, r.top, r.right, r.bottom].map((v) => Math.round(v)).join(',');
    const label = (s: string | null) => JSON.stringify((s ?? '').trim().slice(0, 40));
    // A box that scrolls sideways (the results table on a phone) holds text the reader scrolls
    // to: it is not clipped, so such text is exempt from the viewport's sideways bounds.
    const inSidewaysScroller = (el: Element): boolean => {
      for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
        const cs = getComputedStyle(a);
        if ((cs.overflowX === 'auto' || cs.overflowX === 'scroll') && a.scrollWidth > a.clientWidth + TOL)
          return true;
      }
      return false;
    };
    const overlap = (a: DOMRect, b: DOMRect, slack: number) =>
      Math.min(a.right, b.right) - Math.max(a.left, b.left) > slack &&
      Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top) > slack;

    // Scrollbars: the page (an embed never scrolls; the page never scrolls sideways) and any box.
    const root = document.scrollingElement ?? document.documentElement;
    if (root.scrollWidth > vw + TOL) out.push(`page scrolls sideways: ${root.scrollWidth} > ${vw}`);
    if (isEmbed && root.scrollHeight > vh + TOL) out.push(`embed page scrolls: ${root.scrollHeight} > ${vh}`);
    for (const el of Array.from(document.querySelectorAll('body *'))) {
      if (!shown(el)) continue;
      const cs = getComputedStyle(el);
      const scrollY = cs.overflowY === 'auto' || cs.overflowY === 'scroll';
      const scrollX = cs.overflowX === 'auto' || cs.overflowX === 'scroll';
      if (isEmbed && scrollY && el.scrollHeight > el.clientHeight + TOL)
        out.push(`${name(el)} scrolls inside the embed: ${el.scrollHeight} > ${el.clientHeight}`);
      if (isEmbed && scrollX && el.scrollWidth > el.clientWidth + TOL)
        out.push(`${name(el)} scrolls sideways inside the embed: ${el.scrollWidth} > ${el.clientWidth}`);
    }

    // SVG text: inside its svg and the viewport; no two texts of one svg overlap.
    for (const svg of Array.from(document.querySelectorAll('svg'))) {
      if (!shown(svg) || svg.closest('button')) continue;
      const box = svg.getBoundingClientRect();
      const texts = Array.from(svg.querySelectorAll('text')).filter(
        (t) => (t.textContent ?? '').trim() !== '' && shown(t),
      );
      const rects = texts.map((t) => t.getBoundingClientRect());
      texts.forEach((t, i) => {
        const r = rects[i];
        if (
          r.left < box.left - TOL ||
          r.right > box.right + TOL ||
          r.top < box.top - TOL ||
          r.bottom > box.bottom + TOL
        )
          out.push(
            `${name(t)}: text ${label(t.textContent)} leaves its svg (${box_(r)} outside ${box_(box)})`,
          );
        if (
          ((r.left < -TOL || r.right > vw + TOL) && !inSidewaysScroller(t)) ||
          (isEmbed && (r.top < -TOL || r.bottom > vh + TOL))
        )
          out.push(`${name(t)}: text ${label(t.textContent)} leaves the viewport`);
        for (let j = 0; j < i; j++)
          if (overlap(r, rects[j], 1.5))
            out.push(`${name(t)}: text ${label(t.textContent)} overlaps ${label(texts[j].textContent)}`);
      });
    }

    // HTML text runs: inside the viewport and inside the nearest ancestor that clips.
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    const range = document.createRange();
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const el = n.parentElement;
      if (!el || (n.textContent ?? '').trim() === '' || el.closest('svg, script, style, option, textarea'))
        continue;
      if (!shown(el)) continue;
      range.selectNodeContents(n);
      const r = range.getBoundingClientRect();
      if (r.width === 0 && r.height === 0) continue;
      if (
        ((r.left < -TOL || r.right > vw + TOL) && !inSidewaysScroller(el)) ||
        (isEmbed && (r.top < -TOL || r.bottom > vh + TOL))
      )
        out.push(`${name(el)}: text ${label(n.textContent)} leaves the viewport`);
      for (let a: Element | null = el; a && a !== document.body; a = a.parentElement) {
        const cs = getComputedStyle(a);
        if (cs.overflowX === 'visible' && cs.overflowY === 'visible') continue;
        const c = a.getBoundingClientRect();
        const scrollsX = cs.overflowX === 'auto' || cs.overflowX === 'scroll';
        const scrollsY = cs.overflowY === 'auto' || cs.overflowY === 'scroll';
        // In a scrolling box (the page's wide tables) text may be scrolled to; it is not clipped.
        if (
          (!scrollsX && (r.left < c.left - TOL || r.right > c.right + TOL)) ||
          (!scrollsY && r.bottom > c.bottom + TOL)
        )
          out.push(`${name(el)}: text ${label(n.textContent)} clipped by its box`);
        break;
      }
    }
    return [...new Set(out)];
  }, embed);
}

/** The ids the Embed dialog offers for the experiment on the page. */
async function dialogIds(page: Page): Promise<{ id: string; title: string }[]> {
  await page.getByTestId('open-embed').click();
  await expect(page.getByTestId('embed-chart')).toBeVisible();
  const ids = await page
    .getByTestId('embed-chart')
    .locator('option')
    .evaluateAll((os) => os.map((o) => ({ id: (o as HTMLOptionElement).value, title: o.textContent ?? '' })));
  await page.keyboard.press('Escape');
  return ids;
}

async function waitEmbedReady(page: Page): Promise<void> {
  const embed = page.getByTestId('embed');
  await expect(embed).toHaveAttribute('data-status', 'ready', { timeout: 90_000 });
  // Chart embeds: the card is ready once its sweep/spectra are in.
  const card = embed.locator('figure.chart-card');
  if ((await card.count()) > 0)
    await expect(card.first()).toHaveAttribute('data-status', 'ready', { timeout: 90_000 });
}

/** Checks one embed at the dialog's default size (polls: the frame fit settles after a resize). */
async function checkEmbed(page: Page, hash: string, id: string, shot: string): Promise<void> {
  await page.setViewportSize(EMBED);
  await page.goto(`/?embed=${id}${hash}`);
  await waitEmbedReady(page);
  await expect(page.getByText(/Unknown chart/)).toHaveCount(0);
  // Every embed names what it shows (a chart by its caption, an analysis by its heading).
  await expect(page.locator('[data-testid="embed-title"], .chart-title').first()).not.toHaveText('');
  let problems: string[] = [];
  await expect
    .poll(async () => (problems = await layoutProblems(page, true)), { timeout: 15_000 })
    .toEqual([])
    .catch(() => undefined);
  await page.screenshot({ path: `${SHOTS}/embed-${shot}.png` });
  expect(problems, `embed ${id} (${shot}) at 720×440`).toEqual([]);
}

test.describe.configure({ timeout: 300_000 });

test('every chart embed of the default experiment is legible at 720×440', async ({ page }) => {
  const lab = new LabPage(page);
  await lab.goto();
  await expect(page.getByTestId('chart-rd')).toHaveAttribute('data-status', 'ready', { timeout: 60_000 });
  await expect(page.getByTestId('chart-spectra')).toHaveAttribute('data-status', 'ready', {
    timeout: 60_000,
  });
  const hash = await lab.hash();
  const ids = (await dialogIds(page)).filter(
    (c) => !c.id.startsWith('teach') && !/^(step|block|codebook|lesson)$/.test(c.id),
  );
  // The registry's five charts, each once, and the outliers card's heatmap alone (no "Unknown chart").
  expect(ids.map((c) => c.id).sort()).toEqual([
    'error',
    'ip',
    'outliers',
    'outliers-heatmap',
    'rd',
    'spectra',
  ]);
  for (const { id } of ids) await checkEmbed(page, hash, id, id);
});

for (const a of ANALYSES) {
  test(`the ${a.id} analysis embeds legibly at 720×440, titled`, async ({ page }) => {
    const hash = permalinkHash(analysisConfig(a.id));
    const lab = new LabPage(page);
    await lab.goto(hash);
    await expect(page.getByTestId('analysis-view')).toHaveAttribute('data-status', 'ready', {
      timeout: 90_000,
    });
    // The one selector keeps offering every analysis while a view is chosen.
    const offered = await page
      .getByTestId('analysis-select')
      .locator('option')
      .evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value));
    expect(offered).toEqual(['', ...ANALYSES.map((x) => x.id)]);
    // Every param of the analysis has a control generated from its schema, with an (i) that opens
    // on click (touch) and names the allowed values; the analysis itself has an (i) with its citation.
    for (const name of Object.keys(a.params)) {
      await expect(page.getByTestId(`analysis-param-${name}`)).toBeVisible();
      await expect(page.getByTestId(`analysis-param-${name}-info`)).toBeVisible();
    }
    const firstParam = Object.keys(a.params)[0];
    if (firstParam) {
      await page.getByTestId(`analysis-param-${firstParam}-info`).click();
      await expect(page.getByTestId(`analysis-param-${firstParam}-info-text`)).toContainText('Allowed:');
    }
    await page.getByTestId('info-analysis').click();
    await expect(page.getByTestId('info-analysis-text')).toContainText(a.reference.slice(0, 20));
    const ids = await dialogIds(page);
    const analysisIds = ids.filter((c) => c.id === 'analysis');
    expect(analysisIds, 'the dialog offers the analysis view').toHaveLength(1);
    await checkEmbed(page, hash, 'analysis', `analysis-${a.id}`);
    await expect(page.getByTestId('embed-title')).toHaveText(a.label);
  });
}

test('the page at 390×844: results first, no clipped or colliding text', async ({ page }) => {
  await page.setViewportSize(PHONE);
  const lab = new LabPage(page);
  await lab.goto();
  await expect(page.getByTestId('chart-rd')).toHaveAttribute('data-status', 'ready', { timeout: 60_000 });
  await expect(page.getByTestId('chart-spectra')).toHaveAttribute('data-status', 'ready', {
    timeout: 60_000,
  });
  // The first number is near the top: within the first half screen (page coordinates).
  const firstY = await page
    .locator('tbody td[data-metric="vnmse"]')
    .first()
    .evaluate((td) => td.getBoundingClientRect().top + window.scrollY);
  console.log(`first vNMSE cell at y = ${firstY} px of ${PHONE.height}`);
  expect(firstY, 'first vNMSE cell y at 390 px').toBeLessThan(PHONE.height / 2);
  await page.screenshot({ path: `${SHOTS}/phone-top.png` });
  await page.screenshot({ path: `${SHOTS}/phone-full.png`, fullPage: true });
  for (const card of await page.locator('figure.chart-card').all())
    await card.screenshot({ path: `${SHOTS}/phone-${await card.getAttribute('data-testid')}.png` });

  expect(await layoutProblems(page, false)).toEqual([]);
  // An (i) opens on tap and its note stays on screen, for a metric, a transform and a quantizer.
  for (const id of ['info-vnmse', 'info-transform-0', 'info-quantizer-0']) {
    await page.getByTestId(id).first().click();
    const note = page.getByTestId(`${id}-text`).first();
    await expect(note).toBeVisible();
    const box = await note.boundingBox();
    expect(box && box.x >= 0 && box.x + box.width <= PHONE.width, `${id} note inside the screen`).toBe(true);
    await page.screenshot({ path: `${SHOTS}/phone-${id}.png` });
    await page.getByTestId(id).first().click();
  }
  // With an analysis view open too.
  await lab.goto(permalinkHash(analysisConfig('rate-distortion')));
  await expect(page.getByTestId('analysis-view')).toHaveAttribute('data-status', 'ready', {
    timeout: 90_000,
  });
  await page.screenshot({ path: `${SHOTS}/phone-analysis-full.png`, fullPage: true });
  expect(await layoutProblems(page, false)).toEqual([]);
});
