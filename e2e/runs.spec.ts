/**
 * Runs you can trust: a long run shows its estimate on this device and asks first (a link and an
 * edit), declining keeps the previous results, Cancel midway puts the controls and the link back
 * at the last completed experiment with a message and a Re-run, and the sweep and spectra show
 * progress from their workers' units with Cancel and Re-run. Screenshots land in the test output
 * folder for review.
 */
import { expect, test, type Page } from '@playwright/test';
import { permalinkHash } from '../src/core/config/codec';
import { restoreConfig } from '../src/core/config/schema';
import { LabPage } from './lab-page';

const pl = (t: string, q: string, qp: Record<string, number | string> = {}) => ({
  transforms: t === 'identity' ? [] : [{ id: t, params: t === 'rht' ? { rounds: 1 } : {} }],
  quantizer: { id: q, params: qp },
});

const SMALL = {
  v: 2,
  seed: 3,
  data: { source: 'gaussian', rows: 64, dim: 256 },
  pipelines: [
    pl('haar', 'eden', { bits: 2, scale: 'mse' }),
    pl('rht', 'turboquant-mse', { bits: 3 }),
    pl('identity', 'mxfp4'),
    pl('rht', 'int', { bits: 4 }),
  ],
};

/** 32768 × 1024 through Haar: 2·r·d² ≈ 6.9·10¹⁰ flops, minutes on any browser. */
const HUGE = {
  v: 2,
  seed: 3,
  data: { source: 'gaussian', rows: 32768, dim: 1024 },
  pipelines: [pl('haar', 'eden', { bits: 2, scale: 'mse' }), pl('identity', 'mxfp4')],
};

/** Click Run when the page asks (whether it asks depends on this device's measured rate). */
async function runIfAsked(page: Page): Promise<void> {
  const confirm = page.getByTestId('run-confirm');
  const progress = page.getByTestId('progress');
  await expect(confirm.or(progress)).toBeVisible({ timeout: 30_000 });
  if (await confirm.isVisible()) await confirm.click();
}

/** Open a link and let it run, clicking Run if this device's estimate makes the page ask. */
async function openAndRun(lab: LabPage, hash: string): Promise<void> {
  await lab.page.goto(`/${hash}`);
  await expect(lab.app).toHaveAttribute('data-status', /ready|confirm/, { timeout: 60_000 });
  if ((await lab.app.getAttribute('data-status')) === 'confirm')
    await lab.page.getByTestId('run-confirm').click();
  await lab.waitReady();
}

test('a huge link shows the estimate in words, what dominates it, and asks before running', async ({
  page,
}, testInfo) => {
  const hash = permalinkHash(restoreConfig(HUGE));
  await page.goto(`/?testhooks${hash}`);
  const app = page.getByTestId('app');
  await expect(app).toHaveAttribute('data-status', 'confirm', { timeout: 30_000 });
  const estimate = page.getByTestId('run-estimate');
  await expect(estimate).toBeVisible();
  await expect(page.getByTestId('run-estimate-time')).toHaveText(/about \d+ (seconds|minutes?|hours?)/);
  expect(Number(await estimate.getAttribute('data-seconds'))).toBeGreaterThan(2);
  await expect(page.getByTestId('run-estimate-dominant')).toContainText('pipeline 1');
  await expect(page.getByTestId('run-estimate-dominant')).toContainText('haar');
  // Nothing was sent to a worker but the probe.
  expect(await page.evaluate('window.__quantscope.pipelineComputations()')).toBe(0);
  await page.screenshot({ path: testInfo.outputPath('estimate-link-1280.png') });
  // Don't run: nothing earlier to go back to, so the link stays and Run is still offered.
  await page.getByTestId('run-decline').click();
  await expect(estimate).toHaveAttribute('data-phase', 'declined');
  await expect(estimate).toContainText('Not run.');
  await expect(page.getByTestId('run-confirm')).toBeVisible();
  expect(await page.evaluate(() => window.location.hash)).toBe(hash);
  expect(await page.evaluate('window.__quantscope.pipelineComputations()')).toBe(0);
  await page.setViewportSize({ width: 390, height: 844 });
  await page.getByTestId('run-estimate').scrollIntoViewIfNeeded();
  await page.screenshot({ path: testInfo.outputPath('estimate-declined-390.png') });
});

test('the default page and small edits never ask', async ({ page }) => {
  const lab = new LabPage(page);
  await lab.goto();
  await expect(page.getByTestId('run-estimate')).toHaveCount(0);
  await page.getByTestId('quantizer-0-bits').fill('3');
  await lab.waitReady();
  await expect(page.getByTestId('run-estimate')).toHaveCount(0);
});

test('an edit to a long run asks; Don’t run keeps the previous results, controls and link', async ({
  page,
}, testInfo) => {
  const lab = new LabPage(page);
  // One edit (rows) from a small 64×1024 experiment: two edits would run the config between them,
  // which can finish (and replace the numbers on screen) before the second one asks.
  await lab.goto(permalinkHash(restoreConfig({ ...SMALL, data: { ...SMALL.data, dim: 1024 } })));
  const hash0 = await lab.hash();
  const values0 = await lab.values();
  await page.getByTestId('data-rows').fill('32768');
  await expect(lab.app).toHaveAttribute('data-status', 'confirm', { timeout: 30_000 });
  // The previous numbers stay on screen while the page asks.
  expect(await lab.values()).toEqual(values0);
  await page.screenshot({ path: testInfo.outputPath('estimate-edit-1280.png'), fullPage: false });
  await page.getByTestId('run-decline').click();
  await expect(page.getByTestId('notice')).toContainText('Not run');
  await expect(page.getByTestId('notice')).toContainText('showing the last completed experiment');
  await expect(page.getByTestId('data-rows')).toHaveValue('64');
  await expect(page.getByTestId('data-dim')).toHaveValue('1024');
  await lab.waitReady();
  await expect.poll(() => lab.hash()).toBe(hash0);
  expect(await lab.values()).toEqual(values0);
  for (const id of ['rd', 'outliers', 'error', 'spectra', 'ip'])
    await expect(page.getByTestId(`chart-${id}`)).toHaveAttribute('data-status', 'ready', {
      timeout: 45_000,
    });
});

test('Cancel midway restores the last completed experiment with a message, the link and Re-run', async ({
  page,
}, testInfo) => {
  const lab = new LabPage(page);
  await lab.goto(permalinkHash(restoreConfig(SMALL)));
  const hash0 = await lab.hash();
  const values0 = await lab.values();
  await page.getByTestId('data-rows').fill('32768');
  await runIfAsked(page);
  const progress = page.getByTestId('progress');
  await expect(progress).toBeVisible();
  // Real units from the worker: wait until some are done, then the bar is midway.
  await expect
    .poll(async () => Number(await progress.getAttribute('data-done')), { timeout: 30_000 })
    .toBeGreaterThan(0);
  const total = Number(await progress.getAttribute('data-total'));
  expect(total).toBeGreaterThanOrEqual(12); // 4 pipelines × 3 stages
  await expect(page.getByTestId('progress-eta')).toHaveText(/left|almost done/);
  await page.screenshot({ path: testInfo.outputPath('progress-run-1280.png') });
  await page.getByTestId('cancel').click();
  await expect(page.getByTestId('notice')).toContainText('Cancelled — showing the last completed experiment');
  await expect(page.getByTestId('data-rows')).toHaveValue('64');
  await lab.waitReady();
  await expect.poll(() => lab.hash()).toBe(hash0);
  expect(await lab.values()).toEqual(values0);
  for (const id of ['rd', 'outliers', 'error', 'spectra', 'ip'])
    await expect(page.getByTestId(`chart-${id}`)).toHaveAttribute('data-status', 'ready', {
      timeout: 45_000,
    });
  await page.screenshot({ path: testInfo.outputPath('cancelled-1280.png') });
  // Re-run brings the cancelled settings back and computes them (no second question).
  await expect(page.getByTestId('notice-action')).toHaveText('Re-run');
  await page.getByTestId('notice-action').click();
  await expect(page.getByTestId('data-rows')).toHaveValue('32768');
  await expect(progress).toBeVisible({ timeout: 20_000 });
  await expect(page.getByTestId('run-estimate')).toHaveCount(0);
  await page.getByTestId('cancel').click();
  await expect(page.getByTestId('data-rows')).toHaveValue('64');
  await lab.waitReady();
});

test('the rate–distortion sweep and spectra show progress and can be cancelled and re-run', async ({
  page,
}, testInfo) => {
  const lab = new LabPage(page);
  // A quick table, then a sweep over bits 1…8 of three pipelines: seconds of work.
  await openAndRun(
    lab,
    permalinkHash(
      restoreConfig({
        ...SMALL,
        data: { source: 'gaussian', rows: 4096, dim: 256 },
        pipelines: SMALL.pipelines.slice(0, 2).concat([pl('rht', 'int', { bits: 4 })]),
      }),
    ),
  );
  const task = page.getByTestId('task-sweep');
  await expect(task).toBeVisible({ timeout: 30_000 });
  await expect
    .poll(async () => Number(await task.getAttribute('data-done')), { timeout: 30_000 })
    .toBeGreaterThan(0);
  await expect(page.getByTestId('task-sweep-eta')).toHaveText(/left|almost done|estimating/);
  await page.screenshot({ path: testInfo.outputPath('progress-sweep-1280.png') });
  await page.getByTestId('task-sweep-cancel').click();
  await expect(task).toHaveAttribute('data-status', 'cancelled');
  // The chart says it was cancelled instead of "sweeping bits…", and the table is untouched.
  const rd = page.getByTestId('chart-rd');
  await expect(rd).toHaveAttribute('data-status', 'error');
  await expect(rd).toContainText('cancelled');
  await lab.waitReady();
  await page.getByTestId('task-sweep-rerun').click();
  await expect(rd).toHaveAttribute('data-status', 'ready', { timeout: 60_000 });
  await expect(page.getByTestId('task-sweep')).toHaveCount(0);
});

test('an analysis run shows its own units in the progress and Cancel restores the previous view', async ({
  page,
}, testInfo) => {
  const lab = new LabPage(page);
  await openAndRun(
    lab,
    permalinkHash(
      restoreConfig({
        ...SMALL,
        // 4096 rows: 200 seeds take seconds even on a fast, idle machine, so the progress is seen.
        data: { source: 'gaussian', rows: 4096, dim: 256 },
        analysis: { id: 'seeds', params: { count: 4 } },
      }),
    ),
  );
  await expect(page.getByTestId('analysis-view')).toHaveAttribute('data-status', 'ready', {
    timeout: 45_000,
  });
  const hash0 = await lab.hash();
  // 200 seeds × 4 pipelines: the pipelines are cached, so every unit is the analysis's.
  await page.getByTestId('analysis-param-count').fill('200');
  await runIfAsked(page);
  const progress = page.getByTestId('progress');
  await expect(progress).toContainText('seed', { timeout: 30_000 });
  await expect
    .poll(async () => Number(await progress.getAttribute('data-total')))
    .toBeGreaterThanOrEqual(200);
  await page.screenshot({ path: testInfo.outputPath('progress-analysis-1280.png') });
  await page.getByTestId('cancel').click();
  await expect(page.getByTestId('notice')).toContainText('Cancelled — showing the last completed experiment');
  await expect(page.getByTestId('analysis-param-count')).toHaveValue('4');
  await lab.waitReady();
  await expect.poll(() => lab.hash()).toBe(hash0);
  await expect(page.getByTestId('analysis-view')).toHaveAttribute('data-status', 'ready');
});
