/**
 * Core lab slice: the default experiment is computed in the worker, equals the CLI's
 * numbers for the same config, reacts to edits, and lives in the URL.
 */
import { execFileSync } from 'node:child_process';
import { expect, test } from '@playwright/test';
import { LabPage } from './lab-page';

interface CliResult {
  label: string;
  bitsPerCoord: number;
  metrics: Record<string, number>;
}

function runCli(configArg: string): { results: CliResult[]; permalink: string } {
  const out = execFileSync('npx', ['tsx', 'src/cli/main.ts', 'run', configArg, '--json'], {
    encoding: 'utf8',
  });
  return JSON.parse(out) as { results: CliResult[]; permalink: string };
}

test.describe('core lab', () => {
  test('default experiment: ≥4 pipelines, every metric, equal to the CLI for the same permalink', async ({
    page,
  }) => {
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    const lab = new LabPage(page);
    await lab.goto();
    await expect(lab.rows()).toHaveCount(5);
    const hash = await lab.hash();
    expect(hash).toMatch(/^#c=/);
    const cli = runCli(hash);
    const values = await lab.values();
    const labels = await lab.labels();
    expect(labels.map((l) => l.trim())).toEqual(cli.results.map((r) => r.label));
    cli.results.forEach((r, i) => {
      expect(values[i].bitsPerCoord).toBe(r.bitsPerCoord);
      for (const [k, v] of Object.entries(r.metrics)) {
        // Same code and seed. Random draws are engine-independent (portableLog), but codebooks
        // use Math.exp/erf whose last ulp may differ between node's and Chromium's V8, so allow
        // a relative 1e-12 (far below any displayed digit).
        expect(
          Math.abs(values[i][k] - v),
          `${r.label} ${k}: page ${values[i][k]} vs CLI ${v}`,
        ).toBeLessThanOrEqual(1e-12 * Math.abs(v));
      }
    });
    expect(errors).toEqual([]);
  });

  test('editing bits recomputes, updates the URL, and reload restores it', async ({ page }) => {
    const lab = new LabPage(page);
    await lab.goto();
    const before = await lab.values();
    await lab.setNumber('quantizer-0-bits', 3);
    await expect.poll(async () => (await lab.values())[0].vnmse).not.toBe(before[0].vnmse);
    const after = await lab.values();
    // 3-bit EDEN-mse on Gaussian rows ≈ D_3 = 0.0345 (Lloyd–Max), far below 2-bit's 0.117.
    expect(after[0].vnmse).toBeGreaterThan(0.03);
    expect(after[0].vnmse).toBeLessThan(0.04);
    await expect.poll(() => lab.hash()).not.toBe('');
    const hash = await lab.hash();
    await page.reload();
    await lab.waitReady();
    expect(await lab.hash()).toBe(hash);
    expect((await lab.values())[0].vnmse).toBe(after[0].vnmse);
    await expect(page.getByTestId('quantizer-0-bits')).toHaveValue('3');
  });

  test('data edits recompute with the new shape', async ({ page }) => {
    const lab = new LabPage(page);
    await lab.goto();
    await lab.setNumber('data-dim', 100);
    await expect(lab.table.locator('caption')).toContainText('256×100');
    // rht pads 100 → 128: bits/coord of turboquant-prod b=3 = (3 + 64/128)·128/100 = 4.48.
    await expect.poll(async () => (await lab.values())[3].bitsPerCoord).toBeCloseTo(4.48, 10);
  });

  test('a hostile or broken link shows a message and the app keeps working', async ({ page }) => {
    const lab = new LabPage(page);
    await page.goto('/#c=NOT-A-VALID-PAYLOAD');
    await expect(page.getByTestId('notice')).toContainText('could not be opened');
    await lab.waitReady();
    await expect(lab.rows()).toHaveCount(5);
  });

  test('a config beyond the memory budget is refused with the size and limit; last good state stays', async ({
    page,
  }) => {
    const lab = new LabPage(page);
    await lab.goto();
    // 1,000,000 × 1024 coordinates is over the 2^25 budget.
    await page.getByTestId('data-rows').fill('1000000');
    await expect(page.getByTestId('config-error')).toContainText('exceeds the memory budget of 32Mi');
    await expect(page.getByTestId('config-error')).toContainText('1000000×1024');
    await lab.waitReady();
    await expect(lab.rows()).toHaveCount(5);
  });
});
