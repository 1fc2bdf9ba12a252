/**
 * Every analysis view opens from its permalink and renders (chart + table), in both
 * themes; screenshots land in test-results/analysis-views/ for review.
 */
import { expect, test } from '@playwright/test';
import { permalinkHash } from '../src/core/config/codec';
import { restoreConfig } from '../src/core/config/schema';

const pl = (
  t: string,
  tp: Record<string, number | string>,
  q: string,
  qp: Record<string, number | string>,
) => ({
  transform: { id: t, params: tp },
  quantizer: { id: q, params: qp },
});

const VIEWS: {
  id: string;
  params: Record<string, number | string>;
  data: Record<string, unknown>;
  pipelines: unknown[];
  chart: string;
}[] = [
  {
    id: 'estimator',
    params: {},
    data: { source: 'clustered', rows: 1024, dim: 64 },
    pipelines: [
      pl('haar', {}, 'eden', { bits: 2, scale: 'mse' }),
      pl('haar', {}, 'eden', { bits: 2, scale: 'unbiased' }),
      pl('rht', { rounds: 1 }, 'turboquant-prod', { bits: 2 }),
    ],
    chart: 'estimator-bias',
  },
  {
    id: 'seeds',
    params: { count: 8 },
    data: { source: 'gaussian', rows: 128, dim: 128 },
    pipelines: [
      pl('haar', {}, 'eden', { bits: 2, scale: 'mse' }),
      pl('rht', { rounds: 1 }, 'turboquant-mse', { bits: 2 }),
    ],
    chart: 'seed-spread',
  },
  {
    id: 'rotation-quality',
    params: { draws: 2000, maxDim: 1024 },
    data: { source: 'gaussian', rows: 8, dim: 64 },
    pipelines: [pl('rht', { rounds: 1 }, 'eden', { bits: 2 })],
    chart: 'rotation-quality',
  },
  {
    id: 'formats',
    params: { format: 'e2m1', samples: 64 },
    data: { source: 'sparse-spikes', rows: 8, dim: 64 },
    pipelines: [pl('identity', {}, 'mxfp4', {})],
    chart: 'format-values',
  },
  {
    id: 'scale-rule',
    params: { samples: 128, maxDim: 2048 },
    data: { source: 'gaussian', rows: 8, dim: 64 },
    pipelines: [pl('haar', {}, 'eden', { bits: 2 })],
    chart: 'scale-rule',
  },
  {
    id: 'channel-entropy',
    params: { bits: 2, maxChannels: 8 },
    data: { source: 'correlated-channels', rows: 512, dim: 64 },
    pipelines: [pl('identity', {}, 'int', { bits: 2 })],
    chart: 'channel-entropy',
  },
];

for (const v of VIEWS) {
  test(`analysis view ${v.id} opens from its permalink and renders`, async ({ page }) => {
    const config = restoreConfig({
      v: 1,
      seed: 7,
      data: v.data,
      pipelines: v.pipelines,
      analysis: { id: v.id, params: v.params },
    });
    await page.goto(`/${permalinkHash(config)}`);
    await expect(page.getByTestId('analysis-select')).toHaveValue(v.id);
    const view = page.getByTestId('analysis-view');
    await expect(view).toHaveAttribute('data-status', 'ready', { timeout: 45_000 });
    const chart = page.locator(`svg[data-chart="${v.chart}"]`);
    await expect(chart).toBeVisible();
    expect(await chart.locator('path, line, circle').count()).toBeGreaterThan(5);
    await page
      .getByTestId('analysis-switcher')
      .screenshot({ path: `test-results/analysis-views/${v.id}-light.png` });
    await page.getByRole('button', { name: 'Toggle dark theme' }).click();
    await page
      .getByTestId('analysis-switcher')
      .screenshot({ path: `test-results/analysis-views/${v.id}-dark.png` });
  });
}

test('analysis views embed: ?embed=analysis renders the view alone, with a link back to the lab', async ({
  page,
}) => {
  const v = VIEWS.find((x) => x.id === 'seeds');
  if (!v) throw new Error('seeds view missing');
  const config = restoreConfig({
    v: 1,
    seed: 7,
    data: v.data,
    pipelines: v.pipelines,
    analysis: { id: v.id, params: v.params },
  });
  await page.goto(`/?embed=analysis${permalinkHash(config)}`);
  const embed = page.getByTestId('embed');
  await expect(embed).toHaveAttribute('data-status', 'ready', { timeout: 60_000 });
  await expect(embed.locator(`svg[data-chart="${v.chart}"]`)).toHaveCount(1);
  await expect(page.getByTestId('pipelines-panel')).toHaveCount(0);
  await expect(page.getByTestId('embed-open-lab')).toBeVisible();
});
