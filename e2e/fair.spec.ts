/**
 * Fair comparisons: the results table ranks at equal bits ("best at ≤ B bits/coord", ties shown),
 * the rate–distortion chart draws and lists the Pareto frontier, and the rate-distortion analysis
 * renders from its permalink. Screenshots land in test-results/fair/ for review.
 */
import { expect, test } from '@playwright/test';
import { decodePermalink, permalinkHash } from '../src/core/config/codec';
import { restoreConfig } from '../src/core/config/schema';
import { LabPage } from './lab-page';

const pl = (
  t: string,
  tp: Record<string, number | string>,
  q: string,
  qp: Record<string, number | string>,
) => ({
  transforms: [{ id: t, params: tp }],
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
    // SMALL's pipelines 1 and 4 are identical: named in the legend and the table.
    await expect(card.locator('[data-legend="p3"]')).toContainText('same as 1');
    await expect(page.getByTestId('same-as-3')).toHaveAttribute('data-text', ' same numbers as 1');
    // Legend click hides a pipeline's series and shows it again.
    await expect(card.locator('[data-series-index="1"]')).toHaveCount(1);
    await card.locator('[data-legend="p1"]').click();
    await expect(card.locator('[data-series-index="1"]')).toHaveCount(0);
    await expect(card.locator('[data-legend="p1"]')).toHaveAttribute('data-hidden', 'true');
    await card.locator('[data-legend="p1"]').click();
    await expect(card.locator('[data-series-index="1"]')).toHaveCount(1);
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
    // Its embed names the view.
    await page.setViewportSize({ width: 720, height: 440 });
    await page.goto(`/?embed=analysis${permalinkHash(config)}`);
    await expect(page.getByTestId('embed')).toHaveAttribute('data-status', 'ready', { timeout: 45_000 });
    await expect(page.getByTestId('embed-title')).toHaveText('Rate–distortion (equal bits)');
    await expect(page.getByTestId('view-rate-distortion')).toBeVisible();
    await page.screenshot({ path: 'test-results/fair/rd-analysis-embed.png' });
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

test.describe('history', () => {
  test('Back/Forward and Ctrl+Z / Ctrl+Shift+Z move through five edits; typing coalesces', async ({
    page,
  }) => {
    const lab = new LabPage(page);
    await lab.goto(permalinkHash(restoreConfig(SMALL)));
    const seed = page.getByTestId('seed');
    const bits0 = page.getByTestId('quantizer-0-bits');
    const bits1 = page.getByTestId('quantizer-1-bits');
    const rows = page.getByTestId('data-rows');
    // Each state: [seed, bits0, bits1, rows, pipelines].
    const state = async () => [
      await seed.inputValue(),
      await bits0.inputValue(),
      await bits1.inputValue(),
      await rows.inputValue(),
      await lab.rows().count(),
    ];
    const states = [await state()];
    const length0 = await page.evaluate(() => history.length);
    // Typing "45" key by key is one edit (coalesced), not two.
    await seed.fill('4');
    await page.waitForTimeout(300);
    await seed.fill('45');
    await lab.waitReady();
    await expect.poll(() => page.evaluate(() => history.length)).toBe(length0 + 1);
    states.push(await state());
    await bits0.fill('4');
    await lab.waitReady();
    states.push(await state());
    await bits1.fill('1');
    await lab.waitReady();
    states.push(await state());
    await rows.fill('32');
    await lab.waitReady();
    states.push(await state());
    await page.getByTestId('add-pipeline').click();
    await lab.waitReady();
    states.push(await state());
    await expect.poll(() => page.evaluate(() => history.length)).toBe(length0 + 5);
    expect(new Set(states.map((s) => JSON.stringify(s))).size).toBe(6);

    const expectState = async (k: number) => {
      await lab.waitReady();
      await expect.poll(state).toEqual(states[k]);
    };
    await page.goBack();
    await expectState(4);
    await page.goBack();
    await expectState(3);
    await page.locator('body').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('Control+z');
    await expectState(2);
    await page.keyboard.press('Control+z');
    await expectState(1);
    await page.keyboard.press('Control+Shift+z');
    await expectState(2);
    await page.goForward();
    await expectState(3);
    await page.getByTestId('redo').click();
    await expectState(4);
    await page.keyboard.press('Control+Shift+Z');
    await expectState(5);
    // Undo all the way: stops at the first state of the visit, inside the app.
    for (let k = 0; k < 7; k++) await page.getByTestId('undo').click();
    await expectState(0);
    await expect(page.getByTestId('notice')).toContainText('Nothing to undo');
    expect(page.url()).toContain('#c=');
  });

  test('removing a pipeline says so and can be undone', async ({ page }) => {
    const lab = new LabPage(page);
    await lab.goto(permalinkHash(restoreConfig(SMALL)));
    const labels = await lab.labels();
    await page.getByRole('button', { name: 'Remove pipeline 2' }).click();
    await lab.waitReady();
    await expect(page.getByTestId('notice')).toContainText('Removed pipeline 2');
    await expect(lab.rows()).toHaveCount(labels.length - 1);
    await page.getByTestId('notice-undo').click();
    await lab.waitReady();
    await expect(lab.rows()).toHaveCount(labels.length);
    expect(await lab.labels()).toEqual(labels);
  });
});

test.describe('cancel', () => {
  test('Cancel restores the last computed config in the controls and the link, and can re-run', async ({
    page,
  }) => {
    const lab = new LabPage(page);
    await lab.goto(permalinkHash(restoreConfig(SMALL)));
    const hash0 = await lab.hash();
    const values0 = await lab.values();
    // A run big enough to cancel: 8192 rows × 256 through four pipelines takes seconds here.
    await page.getByTestId('data-rows').fill('8192');
    // Whether the page asks first depends on this device's measured rate (e2e/runs.spec.ts).
    const confirm = page.getByTestId('run-confirm');
    await expect(page.getByTestId('cancel').or(confirm)).toBeVisible({ timeout: 20_000 });
    if (await confirm.isVisible()) await confirm.click();
    await expect(page.getByTestId('cancel')).toBeVisible({ timeout: 20_000 });
    await page.getByTestId('cancel').click();
    await expect(page.getByTestId('notice')).toContainText('Cancelled');
    await expect(page.getByTestId('data-rows')).toHaveValue('64');
    await lab.waitReady();
    await expect.poll(() => lab.hash()).toBe(hash0);
    expect(await lab.values()).toEqual(values0);
    // No chart stays at "computing…".
    for (const id of ['rd', 'outliers', 'error', 'spectra', 'ip'])
      await expect(page.getByTestId(`chart-${id}`)).toHaveAttribute('data-status', 'ready', {
        timeout: 45_000,
      });
    // Re-run brings the cancelled settings back and computes them (cancel again to keep it short).
    await page.getByTestId('notice-action').click();
    await expect(page.getByTestId('data-rows')).toHaveValue('8192');
    await expect(page.getByTestId('cancel')).toBeVisible({ timeout: 20_000 });
    await page.getByTestId('cancel').click();
    await expect(page.getByTestId('data-rows')).toHaveValue('64');
    await lab.waitReady();
  });
});

test.describe('baseline', () => {
  test('pin a pipeline: Δ and ratio against it, recorded in the link, follows reorders', async ({ page }) => {
    const lab = new LabPage(page);
    await lab.goto(permalinkHash(restoreConfig(SMALL)));
    await expect(page.getByTestId('delta-0-vnmse')).toHaveCount(0);
    await page.getByTestId('baseline-2').click();
    await lab.waitReady();
    await expect.poll(async () => decodePermalink(await lab.hash()).baseline).toBe(2);
    const v = await lab.values();
    // Independent arithmetic on the table's own numbers: Δ = v − base, ratio = v / base.
    const d = v[0].vnmse - v[2].vnmse;
    await expect(page.getByTestId('delta-0-vnmse')).toContainText(
      `×${Number((v[0].vnmse / v[2].vnmse).toPrecision(3))}`,
    );
    await expect(page.getByTestId('delta-0-vnmse')).toContainText(d > 0 ? 'Δ +' : 'Δ −');
    await expect(page.getByTestId('delta-2-vnmse')).toHaveCount(0);
    // Moving the baseline pipeline up keeps it the baseline.
    await page.getByRole('button', { name: 'Move pipeline 3 up' }).click();
    await lab.waitReady();
    await expect.poll(async () => decodePermalink(await lab.hash()).baseline).toBe(1);
    await expect(page.getByTestId('baseline-1')).toHaveAttribute('aria-pressed', 'true');
    await page.screenshot({ path: 'test-results/fair/baseline-1280.png', fullPage: false });
    // Unpin: the link has no baseline field again (old links are unchanged by the feature).
    await page.getByTestId('baseline-1').click();
    await lab.waitReady();
    await expect.poll(async () => 'baseline' in decodePermalink(await lab.hash())).toBe(false);
  });
});

test.describe('screens', () => {
  for (const [w, h] of [
    [1280, 800],
    [390, 844],
  ] as const) {
    test(`default page at ${w}×${h}: results first on phones, no clipped header text`, async ({ page }) => {
      await page.setViewportSize({ width: w, height: h });
      const lab = new LabPage(page);
      await lab.goto();
      await expect(page.getByTestId('chart-rd')).toHaveAttribute('data-status', 'ready', { timeout: 60_000 });
      await page.screenshot({ path: `test-results/fair/page-${w}.png` });
      await page.screenshot({ path: `test-results/fair/page-${w}-full.png`, fullPage: true });
      const table = await lab.table.boundingBox();
      const controls = await page.getByTestId('data-panel').boundingBox();
      if (w < 900) expect(table && controls && table.y < controls.y).toBe(true);
      // The first number is on the first screen.
      const first = await page.locator('tbody td[data-metric="vnmse"]').first().boundingBox();
      expect(first && first.y < h).toBe(true);
      // ⓘ opens on click (touch-friendly) and shows direction and a citation.
      await page.getByTestId('info-vnmse').click();
      await expect(page.getByTestId('info-vnmse-text')).toContainText('lower is better');
      await page.screenshot({ path: `test-results/fair/info-${w}.png` });
    });
  }

  test('an invalid value says the allowed range in words', async ({ page }) => {
    const lab = new LabPage(page);
    await lab.goto();
    await page.getByTestId('quantizer-0-bits').fill('12');
    await expect(page.getByTestId('quantizer-0-bits-error')).toHaveText('a whole number from 1 to 8');
  });
});

test('a reload of a link seen before is served from IndexedDB without computing', async ({ page }) => {
  const lab = new LabPage(page);
  const hash = permalinkHash(restoreConfig(SMALL));
  await page.goto(`/?testhooks${hash}`);
  await lab.waitReady();
  const values = await lab.values();
  // The store is written after the run settles; give it a moment, then reload.
  await page.waitForTimeout(500);
  await page.reload();
  await lab.waitReady();
  await page.waitForFunction(() => '__quantscope' in window);
  const hooks = await page.evaluate(() => {
    const h = (
      window as unknown as { __quantscope: { pipelineComputations(): number; persistedHits(): number } }
    ).__quantscope;
    return { computed: h.pipelineComputations(), persisted: h.persistedHits() };
  });
  expect(hooks).toEqual({ computed: 0, persisted: 1 });
  expect(await lab.values()).toEqual(values);
});
