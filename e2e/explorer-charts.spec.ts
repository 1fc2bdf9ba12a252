/**
 * The explorer's charts: every chart renders for the default experiment, adding a
 * pipeline adds a series to every chart, and moving a bits control changes the charts. Waits on
 * data-status / data-* attributes only (DESIGN.md), never on time.
 */
import { expect, test, type Page } from '@playwright/test';
import { LabPage } from './lab-page';

const CHART_IDS = ['rd', 'outliers', 'error', 'spectra', 'ip'] as const;
// Every <svg data-chart> on the page: the outliers card holds the histogram and the heatmap.
const SVG_IDS = ['rd', 'outliers', 'outliers-heatmap', 'error', 'spectra', 'ip'] as const;
// The sweep re-runs every pipeline for each bits value in its own worker: allow for slow machines.
const CHART_TIMEOUT = 150_000;

async function chartsReady(page: Page): Promise<void> {
  for (const id of CHART_IDS) {
    await expect(page.getByTestId(`chart-${id}`)).toHaveAttribute('data-status', 'ready', {
      timeout: CHART_TIMEOUT,
    });
  }
}

function chartSvg(page: Page, id: string) {
  return page.locator(`svg[data-chart="${id}"]`);
}

async function digests(page: Page): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const id of ['rd', 'error', 'spectra', 'ip'])
    out[id] = (await chartSvg(page, id).getAttribute('data-digest')) ?? '';
  return out;
}

test.describe('explorer charts', () => {
  test.setTimeout(300_000);

  test('every chart renders one series per pipeline, without console errors', async ({ page }) => {
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    const lab = new LabPage(page);
    await lab.goto();
    await chartsReady(page);
    const pipelines = await lab.rows().count();
    for (const id of SVG_IDS) {
      await expect(chartSvg(page, id)).toBeVisible();
      await expect(chartSvg(page, id)).toHaveAttribute('data-series', String(pipelines));
    }
    // Rate–distortion: a swept line per pipeline, the five theory curves and the current points.
    await expect(chartSvg(page, 'rd').locator('[data-theory]')).toHaveCount(5);
    await expect(chartSvg(page, 'rd').locator('[data-current]')).toHaveCount(pipelines);
    await expect(chartSvg(page, 'spectra').locator('[data-ref="mp"]')).toHaveCount(1);
    // The spectra basis toggle redraws with DCT frequencies.
    await page.getByTestId('spectra-basis-dct').click();
    await expect(chartSvg(page, 'spectra')).toHaveAttribute('data-basis', 'dct');
    expect(errors).toEqual([]);
  });

  test('adding a pipeline adds a series to every chart', async ({ page }) => {
    const lab = new LabPage(page);
    await lab.goto();
    await chartsReady(page);
    const before = await lab.rows().count();
    await page.getByTestId('add-pipeline').click();
    await expect(lab.rows()).toHaveCount(before + 1);
    await lab.waitReady();
    await chartsReady(page);
    for (const id of SVG_IDS)
      await expect(chartSvg(page, id)).toHaveAttribute('data-series', String(before + 1));
  });

  test('moving a bits control changes the charts', async ({ page }) => {
    const lab = new LabPage(page);
    await lab.goto();
    await chartsReady(page);
    const first = await digests(page);
    await lab.setNumber('quantizer-0-bits', 3);
    await chartsReady(page);
    // The outlier histogram shows the transform's output, which bits do not change; every chart
    // that shows the quantizer's effect must move.
    for (const id of ['rd', 'error', 'spectra', 'ip']) {
      await expect(chartSvg(page, id)).not.toHaveAttribute('data-digest', first[id], {
        timeout: CHART_TIMEOUT,
      });
    }
  });
});
