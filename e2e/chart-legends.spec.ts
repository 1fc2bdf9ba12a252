/**
 * Legends that work in every chart: a click (or Enter / Space on the focused entry) hides and shows
 * a series, pointing at or focusing an entry highlights it, identical pipelines say "same as …",
 * and a pinned baseline is drawn dashed in the rate–distortion chart. Screenshots of every chart
 * land in test-results/chart-legends/ for review.
 */
import { expect, test, type Locator } from '@playwright/test';
import { permalinkHash } from '../src/core/config/codec';
import { restoreConfig } from '../src/core/config/schema';
import { LabPage } from './lab-page';

const SMALL = {
  v: 2,
  seed: 3,
  data: { source: 'gaussian', rows: 64, dim: 256 },
  pipelines: [
    { transforms: [{ id: 'haar' }], quantizer: { id: 'eden', params: { bits: 2, scale: 'mse' } } },
    {
      transforms: [{ id: 'rht', params: { rounds: 1 } }],
      quantizer: { id: 'turboquant-mse', params: { bits: 3 } },
    },
    { transforms: [], quantizer: { id: 'mxfp4' } },
    { transforms: [{ id: 'haar' }], quantizer: { id: 'eden', params: { bits: 2, scale: 'mse' } } },
  ],
};

const OUT = 'test-results/chart-legends';

async function ready(card: Locator): Promise<void> {
  await expect(card).toHaveAttribute('data-status', 'ready', { timeout: 60_000 });
}

test.describe('chart legends', () => {
  test('rate–distortion: click, keyboard and hover on legend entries; baseline dashed', async ({ page }) => {
    const lab = new LabPage(page);
    await lab.goto(permalinkHash(restoreConfig(SMALL)));
    const card = page.getByTestId('chart-rd');
    await ready(card);
    const svg = card.locator('svg[data-chart="rd"]');
    const p1 = card.locator('[data-legend="p1"]');

    // Identical pipelines 1 and 4 are named, not hidden under each other.
    await expect(card.locator('[data-legend="p3"]')).toContainText('same as 1');

    // Click toggles.
    await expect(card.locator('[data-series-index="1"]')).toHaveCount(1);
    await p1.click();
    await expect(card.locator('[data-series-index="1"]')).toHaveCount(0);
    await expect(p1).toHaveAttribute('aria-pressed', 'false');
    await expect(svg).toHaveAttribute('data-hidden', 'p1');
    await p1.click();
    await expect(card.locator('[data-series-index="1"]')).toHaveCount(1);

    // Keyboard: Enter hides, Space shows.
    // (The clicks focused it already: blur first so focusing it is a new focus.)
    await p1.blur();
    await p1.focus();
    await expect(svg).toHaveAttribute('data-highlight', 'p1'); // focus highlights
    await page.keyboard.press('Enter');
    await expect(card.locator('[data-series-index="1"]')).toHaveCount(0);
    await page.keyboard.press('Space');
    await expect(card.locator('[data-series-index="1"]')).toHaveCount(1);
    await p1.blur();

    // Hover highlights: the others fade, leaving restores them.
    await card.locator('[data-legend="p0"]').hover();
    await expect(svg).toHaveAttribute('data-highlight', 'p0');
    await expect(card.locator('[data-series-index="1"]')).toHaveAttribute('opacity', '0.2');
    await expect(card.locator('[data-series-index="0"]')).toHaveAttribute('opacity', '1');
    await card.screenshot({ path: `${OUT}/rd-highlight.png` });
    await page.mouse.move(2, 2);
    await expect(svg).toHaveAttribute('data-highlight', '');

    // Pin pipeline 2 as the baseline: its sweep is dashed and the legend says so.
    await page.getByTestId('baseline-1').click();
    await ready(card);
    await expect(card.locator('path[data-baseline="true"]')).toHaveCount(1);
    await expect(card.locator('[data-legend="p1"]')).toContainText('⚑ rht');
    await card.screenshot({ path: `${OUT}/rd-baseline.png` });
  });

  test('every run chart: its read-out table toggles and highlights series; screenshots', async ({ page }) => {
    const lab = new LabPage(page);
    await lab.goto(permalinkHash(restoreConfig(SMALL)));
    // Every chart drawn first: one still loading can shift the page between locating a legend
    // entry and hovering it, and the pointer then lands on another entry.
    for (const id of ['rd', 'outliers', 'error', 'spectra', 'ip'])
      await ready(page.getByTestId(`chart-${id}`));
    for (const id of ['outliers', 'error', 'spectra', 'ip']) {
      const card = page.getByTestId(`chart-${id}`);
      await ready(card);
      const svg = card.locator(`svg[data-chart="${id}"]`);
      const entry = svg.locator('[data-legend="p0"]');
      await entry.click();
      await expect(svg).toHaveAttribute('data-hidden', 'p0');
      await expect(entry).toHaveAttribute('aria-pressed', 'false');
      await entry.press('Enter');
      await expect(svg).toHaveAttribute('data-hidden', '');
      await svg.locator('[data-legend="p1"]').hover();
      await expect(svg).toHaveAttribute('data-highlight', 'p1');
      await page.mouse.move(2, 2);
      await expect(svg).toHaveAttribute('data-highlight', '');
      // Focus highlights too (and survives the scroll of the element screenshot, a hover does not).
      await svg.locator('[data-legend="p1"]').focus();
      await expect(svg).toHaveAttribute('data-highlight', 'p1');
      await card.screenshot({ path: `${OUT}/${id}-highlight.png` });
      await svg.locator('[data-legend="p1"]').blur();
    }
    // The duplicate pipeline says so in the run charts too.
    await expect(page.locator('svg[data-chart="ip"] [data-legend="p3"]')).toContainText('same as 1');
    await page.getByTestId('chart-rd').screenshot({ path: `${OUT}/rd.png` });
  });

  test('analysis view chart: legend toggle and hover (channel entropy)', async ({ page }) => {
    const config = restoreConfig({
      ...SMALL,
      data: { source: 'correlated-channels', rows: 512, dim: 64 },
      pipelines: [SMALL.pipelines[0]],
      analysis: { id: 'channel-entropy', params: { bits: 2, maxChannels: 8 } },
    });
    await page.goto(`/${permalinkHash(config)}`);
    const view = page.getByTestId('analysis-view');
    await expect(view).toHaveAttribute('data-status', 'ready', { timeout: 45_000 });
    const svg = page.locator('svg[data-chart="channel-entropy"]');
    await expect(svg.locator('g[data-series="joint"]')).toHaveCount(1);
    await svg.locator('[data-legend="joint"]').click();
    await expect(svg.locator('g[data-series="joint"]')).toHaveCount(0);
    await svg.locator('[data-legend="joint"]').press('Space');
    await expect(svg.locator('g[data-series="joint"]')).toHaveCount(1);
    await svg.locator('[data-legend="ceiling"]').hover();
    await expect(svg.locator('g[data-series="marginal"]')).toHaveAttribute('opacity', '0.2');
    await page.getByTestId('view-channel-entropy').screenshot({ path: `${OUT}/channel-entropy.png` });
    // At phone width the chart follows its container and the legend moves under the plot.
    await page.setViewportSize({ width: 390, height: 844 });
    await expect.poll(async () => Number(await svg.getAttribute('width'))).toBeLessThanOrEqual(390);
    const box = await svg.boundingBox();
    const legend = await svg.locator('.qs-legend').boundingBox();
    expect(legend && box && legend.y).toBeGreaterThan((box?.y ?? 0) + 200);
    expect(legend && box && legend.x + legend.width).toBeLessThanOrEqual(
      (box?.x ?? 0) + (box?.width ?? 0) + 1,
    );
    await page.getByTestId('view-channel-entropy').screenshot({ path: `${OUT}/channel-entropy-390.png` });
  });
});
