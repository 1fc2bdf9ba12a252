/**
 * The metric domain and dense products controls (config.numerics, CONTRACT.md §5.1, §5.2): the default page
 * computes metrics after the last transform and says so; its numbers equal `lab run --json` of the
 * same config (same engine, no page) to the last ulp of Math.log/exp; switching to the data domain changes the link and
 * the numbers only within float32 rounding.
 */
import { execFileSync } from 'node:child_process';
import { expect, test } from '@playwright/test';
import { DEFAULT_CONFIG } from '../src/core/config/defaults';
import { decodePermalink } from '../src/core/config/codec';
import { LabPage } from './lab-page';

function cliMetrics(): Record<string, number>[] {
  const out = execFileSync('npx', ['tsx', 'src/cli/main.ts', 'run', '-', '--json'], {
    encoding: 'utf8',
    input: JSON.stringify(DEFAULT_CONFIG),
  });
  return (JSON.parse(out) as { results: { metrics: Record<string, number> }[] }).results.map(
    (r) => r.metrics,
  );
}

test('the default page computes metrics in the transformed domain, as the CLI does; data is within rounding', async ({
  page,
}) => {
  const lab = new LabPage(page);
  await lab.goto();
  const control = page.getByTestId('metric-domain');
  await expect(control).toHaveValue('transformed');
  await expect(page.getByTestId('results-metric-domain')).toContainText('for 5 of 5 pipelines');
  const transformed = await lab.values();
  const cli = cliMetrics();
  cli.forEach((m, i) => {
    // Same code and seed; as in core-lab.spec.ts, node's and Chromium's Math.exp/log may differ in
    // the last ulp, so a relative 1e-12 (far below the domains' own difference, ~1e-9).
    for (const [k, v] of Object.entries(m))
      expect(Math.abs(transformed[i][k] - v), `${i} ${k}`).toBeLessThanOrEqual(1e-12 * Math.abs(v));
  });

  await page.getByTestId('metric-domain-info').click();
  await expect(page.getByTestId('metric-domain-info-text')).toContainText('skipping the inverse');
  await page.screenshot({
    path: 'test-results/metric-domain-control.png',
    clip: { x: 0, y: 0, width: 1280, height: 520 },
  });
  await page.keyboard.press('Escape');

  await control.selectOption('data');
  await lab.waitReady();
  await expect(page.getByTestId('results-metric-domain')).toHaveCount(0);
  // The other numeric choice of the default config (dense products, CONTRACT.md §5.2) stays.
  expect(decodePermalink(await lab.hash()).numerics).toEqual({ denseProducts: 'float32' });
  const data = await lab.values();
  data.forEach((row, i) => {
    for (const [k, v] of Object.entries(row)) {
      if (k === 'bitsPerCoord') expect(v).toBe(transformed[i][k]);
      else expect(Math.abs(v - transformed[i][k]), `${i} ${k}`).toBeLessThanOrEqual(1e-7 * Math.abs(v));
    }
  });
  await page.screenshot({ path: 'test-results/metric-domain-page.png' });
});

test('the dense products control: float32 by default, float64 within float32 rounding and in the link', async ({
  page,
}) => {
  const lab = new LabPage(page);
  await lab.goto();
  const control = page.getByTestId('dense-products');
  await expect(control).toHaveValue('float32');
  const f32 = await lab.values();
  await page.getByTestId('dense-products-info').click();
  await expect(page.getByTestId('dense-products-info-text')).toContainText('single precision');
  await page.screenshot({
    path: 'test-results/dense-products-control.png',
    clip: { x: 0, y: 0, width: 1280, height: 560 },
  });
  await page.keyboard.press('Escape');

  await control.selectOption('float64');
  await lab.waitReady();
  expect(decodePermalink(await lab.hash()).numerics).toEqual({ metricDomain: 'transformed' });
  const f64 = await lab.values();
  // Pipelines 0–1 (haar): measured ≤ 1.3e-8 relative, a row moving by ≈ √d·2⁻²⁴
  // (householder-f32.test.ts). 2 (rht → eden) and 4 (mxfp4) have no dense product: the same bits.
  // 3 (turboquant-prod): its QJL sketch products follow the mode where a float32 sketch kernel is
  // selected, and a sign bit of a sketch dot product within rounding of 0 may flip (≈ 1/(m·rows)).
  f64.forEach((row, i) => {
    for (const [k, v] of Object.entries(row)) {
      const tol = i === 3 ? 1e-3 : i < 2 ? 1e-7 : 0;
      expect(Math.abs(v - f32[i][k]), `${i} ${k}`).toBeLessThanOrEqual(tol * Math.abs(v));
    }
  });
});
