/**
 * Fair comparisons: the results table ranks at equal bits ("best at ≤ B bits/coord", ties shown),
 * the rate–distortion chart draws and lists the Pareto frontier, and the rate-distortion analysis
 * renders from its permalink. Screenshots land in test-results/fair/ for review.
 */
import { expect, test } from '@playwright/test';
import { permalinkHash } from '../src/core/config/codec';
import { restoreConfig } from '../src/core/config/schema';
import { LabPage } from './lab-page';

const pl = (
  t: string,
  tp: Record<string, number | string>,
  q: string,
  qp: Record<string, number | string>,
) => ({
  transform: { id: t, params: tp },
  quantizer: { id: q, params: qp },
});

const SMALL = {
  v: 1,
  seed: 3,
  data: { source: 'gaussian', rows: 64, dim: 256 },
  pipelines: [
    pl('haar', {}, 'eden', { bits: 2, scale: 'mse' }),
    pl('rht', { rounds: 1 }, 'turboquant-mse', { bits: 3 }),
    pl('identity', {}, 'mxfp4', {}),
    pl('haar', {}, 'eden', { bits: 2, scale: 'mse' }),
  ],
};

test.describe('equal-bit comparison', () => {
  test('table ranks within the budget, ties starred; budget editable', async ({ page }) => {
    const lab = new LabPage(page);
    await lab.goto(permalinkHash(restoreConfig(SMALL)));
    // Median bits/coord of (2.125, 3.125, 4.25, 2.125) = 2.125: EDEN twice (a tie), nothing else.
    await expect(page.getByTestId('budget-input')).toHaveValue('2.125');
    await expect(lab.rows().nth(2)).toHaveAttribute('data-within-budget', 'false');
    const vnmseBest = page.locator('tbody td[data-metric="vnmse"].best');
    await expect(vnmseBest).toHaveCount(2);
    await expect(page.getByTestId('budget-summary')).toContainText('(tie)');
    await page.getByTestId('budget-input').fill('4.25');
    await expect(lab.rows().nth(2)).toHaveAttribute('data-within-budget', 'true');
    await expect(page.locator('tbody tr:nth-child(3) td[data-metric="vnmse"]')).toHaveClass(/best/);
    await page.getByTestId('budget-input').fill('-1');
    await expect(page.getByTestId('budget-summary')).toContainText('≥ 0');
    await page.getByTestId('budget-auto').click();
    await expect(page.getByTestId('budget-input')).toHaveValue('2.125');
  });

  test('RD chart: FP family as points, frontier drawn and listed', async ({ page }) => {
    const lab = new LabPage(page);
    await lab.goto(permalinkHash(restoreConfig(SMALL)));
    const card = page.getByTestId('chart-rd');
    await expect(card).toHaveAttribute('data-status', 'ready', { timeout: 45_000 });
    await expect(card.locator('[data-series-index="2"]')).toHaveAttribute('data-param', 'format');
    await expect(card.getByTestId('rd-frontier')).toHaveCount(1);
    const list = card.getByTestId('rd-frontier-list');
    await expect(list).toBeVisible();
    expect(await list.locator('li').count()).toBeGreaterThan(3);
    await card.screenshot({ path: 'test-results/fair/rd-frontier.png' });
  });

  test('rate-distortion analysis from its permalink', async ({ page }) => {
    const config = restoreConfig({ ...SMALL, analysis: { id: 'rate-distortion', params: { budget: 3 } } });
    await page.goto(`/${permalinkHash(config)}`);
    const view = page.getByTestId('analysis-view');
    await expect(view).toHaveAttribute('data-status', 'ready', { timeout: 45_000 });
    await expect(view.getByTestId('view-rate-distortion')).toBeVisible();
    // At ≤ 3 bits: EDEN b=2 and TurboQuant b=2 compete; MXFP4 has no FP format within 3 bits.
    await expect(view.getByTestId('rd-budget-2')).toContainText('no setting fits');
    await expect(view.getByTestId('rd-budget-0')).toContainText('bits = 2');
    await expect(view.getByTestId('rd-budget-1')).toContainText('bits = 2');
    // EDEN's point at its own bits is the table's number (same data, seed and streams).
    const table = await page.locator('tbody tr:nth-child(1) td[data-metric="vnmse"]').innerText();
    await expect(view.getByTestId('rd-budget-0').locator('td').nth(2)).toContainText(
      table.replace('★', '').trim(),
    );
    // Identical pipelines 0 and 3 tie.
    await expect(view.getByTestId('rd-budget-3')).toHaveAttribute(
      'data-best',
      String(await view.getByTestId('rd-budget-0').getAttribute('data-best')),
    );
    await expect(view.getByTestId('rd-analysis-frontier').locator('li').first()).toBeVisible();
    await view.screenshot({ path: 'test-results/fair/rd-analysis.png' });
  });
});

test.describe('compute only what changed', () => {
  test('changing one pipeline’s bits computes that pipeline only; going back computes nothing', async ({
    page,
  }) => {
    const lab = new LabPage(page);
    await page.goto('/?testhooks');
    await lab.waitReady();
    await page.waitForFunction(() => '__quantscope' in window);
    const count = () =>
      page.evaluate(() =>
        (
          window as unknown as { __quantscope: { pipelineComputations(): number } }
        ).__quantscope.pipelineComputations(),
      );
    const n = await lab.rows().count();
    expect(n).toBeGreaterThan(2);
    const c0 = await count();
    expect(c0).toBe(n);
    const before = await lab.values();
    await page.getByTestId('quantizer-1-bits').fill('3');
    await lab.waitReady();
    await expect.poll(count).toBe(c0 + 1);
    const after = await lab.values();
    // The other pipelines' numbers are untouched (served from the cache).
    for (let i = 0; i < n; i++) if (i !== 1) expect(after[i]).toEqual(before[i]);
    expect(after[1].bitsPerCoord).not.toBe(before[1].bitsPerCoord);
    // Back to the old value: everything is cached, no worker computes anything.
    await page.getByTestId('quantizer-1-bits').fill('2');
    await lab.waitReady();
    expect(await count()).toBe(c0 + 1);
    expect(await lab.values()).toEqual(before);
  });
});
