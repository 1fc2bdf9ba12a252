/**
 * An expensive analysis is part of the run estimate: a link whose seed-spread analysis (200 full
 * runs of the pipelines, AnalysisDef.cost) dominates asks Run / Don't run before anything runs and
 * names the analysis as what dominates. Screenshot in the test output folder for review.
 */
import { expect, test } from '@playwright/test';
import { permalinkHash } from '../src/core/config/codec';
import { restoreConfig } from '../src/core/config/schema';

/** 1024 × 1024 through two pipelines (about a second), then 200 seeds of them (minutes). */
const SEEDS = {
  v: 2,
  seed: 3,
  data: { source: 'gaussian', rows: 1024, dim: 1024 },
  pipelines: [
    { transforms: [{ id: 'rht', params: { rounds: 1 } }], quantizer: { id: 'int', params: { bits: 4 } } },
    { transforms: [], quantizer: { id: 'mxfp4', params: {} } },
  ],
  analysis: { id: 'seeds', params: { count: 200 } },
};

test('a link with an expensive analysis asks first and names the analysis', async ({ page }, testInfo) => {
  const hash = permalinkHash(restoreConfig(SEEDS));
  await page.goto(`/?testhooks${hash}`);
  await expect(page.getByTestId('app')).toHaveAttribute('data-status', 'confirm', { timeout: 30_000 });
  await expect(page.getByTestId('run-estimate')).toBeVisible();
  await expect(page.getByTestId('run-estimate-dominant')).toContainText('analysis seeds (Seed spread)');
  expect(await page.evaluate('window.__quantscope.pipelineComputations()')).toBe(0);
  await page.screenshot({ path: testInfo.outputPath('estimate-analysis.png') });
  await page.getByTestId('run-decline').click();
  await expect(page.getByTestId('run-estimate')).toHaveAttribute('data-phase', 'declined');
  expect(await page.evaluate('window.__quantscope.pipelineComputations()')).toBe(0);
});
