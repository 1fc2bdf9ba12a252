/**
 * Whole checkpoints in the page: the tensor inventory (searchable, sortable), a sweep of every
 * layer whose numbers equal `lab sweep` on the same file and config, sorting, opening a layer in
 * the single-tensor lab, and cancelling a sweep midway. Screenshots at 1280×800 and 390×844 go to
 * test-results/ for review.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { decodePermalink } from '../src/core/config/codec';
import { LabPage } from './lab-page';

const FIXTURE = 'src/core/testing/fixtures/checkpoint/tiny-llm.safetensors';

async function openCheckpoint(page: Page, files: Parameters<Page['setInputFiles']>[1]) {
  const lab = new LabPage(page);
  await lab.goto();
  await page.getByTestId('data-source').selectOption('file');
  await page.getByTestId('file-input').setInputFiles(files);
  await expect(page.getByTestId('tensor-inventory')).toBeVisible();
  return lab;
}

/** A safetensors file of `count` F32 tensors [rows, cols] of seeded pseudo-random values. */
function bigCheckpoint(count: number, rows: number, cols: number): Buffer {
  const header: Record<string, unknown> = {};
  const bytes = rows * cols * 4;
  for (let k = 0; k < count; k++)
    header[`model.layers.${k}.mlp.up_proj.weight`] = {
      dtype: 'F32',
      shape: [rows, cols],
      data_offsets: [k * bytes, (k + 1) * bytes],
    };
  let h = Buffer.from(JSON.stringify(header));
  h = Buffer.concat([h, Buffer.alloc((8 - (h.length % 8)) % 8, 0x20)]);
  const data = new Float32Array((count * bytes) / 4);
  let s = 12345;
  for (let i = 0; i < data.length; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    data[i] = s / 2 ** 32 - 0.5;
  }
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(h.length));
  return Buffer.concat([len, h, Buffer.from(data.buffer)]);
}

test('inventory, sweep (= lab sweep), sort, open a layer', async ({ page }, testInfo) => {
  const lab = await openCheckpoint(page, FIXTURE);
  const inventory = page.getByTestId('inventory-row');
  await expect(inventory).toHaveCount(12);
  await page.getByTestId('inventory-search').fill('proj');
  await expect(inventory).toHaveCount(7); // q, k, v, o, up, down and down_proj.bias
  await page.getByTestId('inventory-search').fill('');
  await page.getByTestId('inventory-sort-bytes').click();
  await page.getByTestId('inventory-sort-bytes').click();
  await expect(inventory.first()).toContainText('embed_tokens');

  await page.getByTestId('sweep-start').click();
  const view = page.getByTestId('checkpoint-view');
  await expect(view).toHaveAttribute('data-status', 'done');
  const rows = page.getByTestId('checkpoint-row');
  await expect(rows).toHaveCount(9);
  await lab.waitReady();
  const config = decodePermalink(await lab.hash());
  expect(config.sweep).toEqual({ include: '', exclude: '', minElements: 1024 });

  // The page's numbers are `lab sweep`'s on the same file and config.
  const dir = mkdtempSync(join(tmpdir(), 'qs-ckpt-'));
  const path = join(dir, 'config.json');
  writeFileSync(path, JSON.stringify({ ...config, data: { ...config.data, path: FIXTURE } }));
  const cli = JSON.parse(
    execFileSync('npx', ['tsx', 'src/cli/main.ts', 'sweep', path, '--json'], { encoding: 'utf8' }),
  ) as { tensors: { name: string; results: { metrics: Record<string, number> }[] }[] };
  const shown = await rows.evaluateAll((trs) =>
    trs.map((tr) => ({
      name: (tr as HTMLElement).dataset.tensor ?? '',
      values: [...tr.querySelectorAll('td.heat')].map((td) => Number((td as HTMLElement).dataset.value)),
    })),
  );
  expect(shown.map((r) => r.name).sort()).toEqual(cli.tensors.map((t) => t.name).sort());
  for (const r of shown) {
    const t = cli.tensors.find((x) => x.name === r.name);
    expect(r.values).toEqual(t?.results.map((x) => x.metrics.vnmse));
  }
  await expect(page.getByTestId('checkpoint-group').first()).toBeVisible();
  // The heatmap overview: one cell per layer × pipeline.
  await expect(page.getByTestId('checkpoint-heatmap').locator('rect')).toHaveCount(
    9 * config.pipelines.length,
  );
  await page.screenshot({ path: testInfo.outputPath('checkpoint-1280x800.png'), fullPage: false });

  // Sort by the first pipeline's vNMSE (worst first), ungrouped: the rows follow the values.
  await page.getByLabel('group by layer type').uncheck();
  await page.getByTestId('checkpoint-sort-p0').click();
  const col0 = await rows.evaluateAll((trs) =>
    trs.map((tr) => Number((tr.querySelector('td.heat') as HTMLElement).dataset.value)),
  );
  expect(col0).toEqual([...col0].sort((a, b) => b - a));
  await page.getByTestId('checkpoint-sort-p0').click();
  const asc = await rows.evaluateAll((trs) =>
    trs.map((tr) => Number((tr.querySelector('td.heat') as HTMLElement).dataset.value)),
  );
  expect(asc).toEqual([...col0].sort((a, b) => a - b));

  // Open a layer: the single-tensor lab below shows it; the sweep stays.
  const target = 'model.layers.0.mlp.up_proj.weight';
  await page.locator(`[data-tensor="${target}"] .link-button`).click();
  await expect.poll(async () => decodePermalink(await lab.hash()).data.tensor).toBe(target);
  await lab.waitReady();
  await expect(lab.table.locator('caption')).toContainText('64×32');
  await expect(view).toHaveAttribute('data-status', 'done');
  await expect(page.locator(`[data-tensor="${target}"]`)).toHaveClass(/current/);
  expect(decodePermalink(await lab.hash()).sweep).toBeDefined();

  await page.setViewportSize({ width: 390, height: 844 });
  await view.scrollIntoViewIfNeeded();
  await page.screenshot({ path: testInfo.outputPath('checkpoint-390x844.png'), fullPage: false });
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.getByTestId('data-panel').scrollIntoViewIfNeeded();
  await page.screenshot({ path: testInfo.outputPath('inventory-1280x800.png'), fullPage: false });
});

test('a sweep streams results with progress and ETA, and Cancel stops it midway', async ({ page }) => {
  await openCheckpoint(page, {
    name: 'big.safetensors',
    mimeType: 'application/octet-stream',
    buffer: bigCheckpoint(16, 256, 1024),
  });
  await page.getByTestId('sweep-start').click();
  const view = page.getByTestId('checkpoint-view');
  await expect(page.getByTestId('checkpoint-progress')).toBeVisible();
  await expect(page.getByTestId('checkpoint-row').first()).toBeVisible();
  await expect(page.getByTestId('checkpoint-eta')).toHaveText(/\d+ (s|min)/);
  await page.getByTestId('checkpoint-cancel').click();
  await expect(view).toHaveAttribute('data-status', 'cancelled');
  const done = await page.getByTestId('checkpoint-row').count();
  expect(done).toBeGreaterThan(0);
  expect(done).toBeLessThan(16);
  await expect(page.getByTestId('checkpoint-pending')).toHaveCount(16 - done);
  await expect(page.getByTestId('checkpoint-total')).toBeVisible();
  // The page keeps working: the single-tensor run is unaffected.
  await expect(page.getByTestId('app')).toHaveAttribute('data-status', 'ready');
  await expect(page.getByTestId('checkpoint-restart')).toBeVisible();
});
