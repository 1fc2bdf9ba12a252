/**
 * Layer view: a matrix preset's permalink renders the layer table with finite numbers,
 * rotation invariance at round-off, and the one analysis selector switches to attention and off.
 */
import { expect, test } from '@playwright/test';
import { LabPage } from './lab-page';
import { MATRIX_PRESETS } from '../src/core/presets/matrix-presets';
import { presetPermalink } from '../src/core/presets/presets';

function preset(id: string) {
  const p = MATRIX_PRESETS.find((x) => x.id === id);
  if (!p) throw new Error(`no preset ${id}`);
  return p;
}

test('the EoRA preset renders layer errors in the page', async ({ page }) => {
  const lab = new LabPage(page);
  await lab.goto(presetPermalink(preset('eora-eigenspace-compensation')));
  const table = page.getByTestId('layer-table');
  await expect(table).toBeVisible();
  const rows = await table.locator('tbody tr').evaluateAll((trs) =>
    trs.map((tr) => {
      const out: Record<string, number> = {};
      tr.querySelectorAll('td[data-metric]').forEach((td) => {
        out[(td as HTMLElement).dataset.metric ?? ''] = Number((td as HTMLElement).dataset.value);
      });
      return out;
    }),
  );
  expect(rows).toHaveLength(3);
  for (const r of rows) {
    expect(Number.isFinite(r.weightOnly) && r.weightOnly > 0).toBe(true);
    expect(r.invariance).toBeLessThan(1e-5);
  }
  // EoRA (row 3) compensates through the activations better than plain SVD (row 2).
  expect(rows[2].weightOnly).toBeLessThan(rows[1].weightOnly);
  await page.screenshot({ path: test.info().outputPath('layer-view.png'), fullPage: true });

  await page.getByTestId('analysis-select').selectOption('attention');
  await lab.waitReady();
  await expect(page.getByTestId('attention-table')).toBeVisible();
  await page.getByTestId('analysis-select').selectOption('');
  await lab.waitReady();
  await expect(page.getByTestId('layer-table')).toHaveCount(0);
  expect(await lab.hash()).not.toContain('analysis');
});
