/**
 * A whole saved config as the baseline: pin the settings on screen (or paste a link), edit, and
 * every cell shows Δ and the ratio against the saved config's paired row. The numbers on both
 * sides are checked against `lab run --json` of each config (the CLI: same engine, no page), and
 * the link records the saved config.
 */
import { execFileSync } from 'node:child_process';
import { expect, test } from '@playwright/test';
import { decodePermalink, permalinkHash } from '../src/core/config/codec';
import { restoreConfig, type ExperimentConfig } from '../src/core/config/schema';
import { LabPage } from './lab-page';

interface CliResult {
  bitsPerCoord: number;
  metrics: Record<string, number>;
}

function runCli(config: ExperimentConfig): CliResult[] {
  const out = execFileSync('npx', ['tsx', 'src/cli/main.ts', 'run', '-', '--json'], {
    encoding: 'utf8',
    input: JSON.stringify(config),
  });
  return (JSON.parse(out) as { results: CliResult[] }).results;
}

const SAVED = restoreConfig({
  v: 2,
  seed: 5,
  data: { source: 'gaussian', rows: 64, dim: 256 },
  pipelines: [
    { transforms: [{ id: 'haar' }], quantizer: { id: 'eden', params: { bits: 2, scale: 'mse' } } },
    { transforms: [{ id: 'rht' }], quantizer: { id: 'turboquant-mse', params: { bits: 2 } } },
  ],
});

/** Δ and ratio as a reader checks them: sign of b − a, and b / a to 3 significant digits. */
async function expectDelta(
  page: import('@playwright/test').Page,
  row: number,
  metric: string,
  b: number,
  a: number,
) {
  const cell = page.getByTestId(`delta-${row}-${metric}`);
  await expect(cell).toContainText(b > a ? 'Δ +' : b < a ? 'Δ −' : 'Δ ±');
  await expect(cell).toContainText(`×${Number((b / a).toPrecision(3))}`);
}

test('pin these settings, edit: Δ and ratio against the saved config equal the CLI for both configs', async ({
  page,
}) => {
  const lab = new LabPage(page);
  await lab.goto(permalinkHash(SAVED));
  await expect(page.getByTestId('delta-0-vnmse')).toHaveCount(0);
  await page.getByTestId('baseline-pin-settings').click();
  await lab.waitReady();
  await expect(page.getByTestId('baseline-saved')).toContainText('gaussian 64×256, seed 5, 2 pipelines');
  // Pinning the settings on screen: every Δ is zero, ratio 1.
  await expect(page.getByTestId('delta-0-vnmse')).toContainText('×1');

  // Edit both pipelines' bits: 2 → 3 and 2 → 4.
  await lab.setNumber('quantizer-0-bits', 3);
  await lab.setNumber('quantizer-1-bits', 4);
  const edited = decodePermalink(await lab.hash());
  // The link records the saved config, canonical, and the current pipelines are the edited ones.
  expect(edited.baselineConfig).toEqual({ seed: SAVED.seed, data: SAVED.data, pipelines: SAVED.pipelines });
  expect(edited.pipelines[0].quantizer.params.bits).toBe(3);
  const { baselineConfig: _saved, ...current } = edited;
  void _saved;

  const base = runCli(SAVED);
  const now = runCli(current);
  const table = await lab.values();
  for (let i = 0; i < 2; i++) {
    // The table's numbers are the CLI's for the edited config (bit for bit, as data-value).
    expect(table[i].vnmse).toBe(now[i].metrics.vnmse);
    expect(table[i].bitsPerCoord).toBe(now[i].bitsPerCoord);
    for (const m of ['vnmse', 'mse', 'sqnrDb', 'cosine'])
      await expectDelta(page, i, m, now[i].metrics[m], base[i].metrics[m]);
    await expectDelta(page, i, 'bitsPerCoord', now[i].bitsPerCoord, base[i].bitsPerCoord);
  }
  // More bits, less error: both rows improved on vNMSE against the saved 2-bit rows.
  expect(now[0].metrics.vnmse).toBeLessThan(base[0].metrics.vnmse);
  await page.screenshot({ path: 'test-results/baseline/saved-config.png' });

  // The link alone restores it: reload shows the same Δ.
  await page.reload();
  await lab.waitReady();
  await expectDelta(page, 1, 'vnmse', now[1].metrics.vnmse, base[1].metrics.vnmse);

  // Unpin: the link has no baseline field again.
  await page.getByTestId('baseline-unpin').click();
  await lab.waitReady();
  await expect.poll(async () => 'baselineConfig' in decodePermalink(await lab.hash())).toBe(false);
  await expect(page.getByTestId('delta-0-vnmse')).toHaveCount(0);
});

test('pin a pasted link: a one-pipeline saved config is every row’s baseline; a bad link says why', async ({
  page,
}) => {
  const lab = new LabPage(page);
  const single = restoreConfig({ ...SAVED, pipelines: [SAVED.pipelines[1]] });
  await lab.goto(permalinkHash(SAVED));
  await page.getByTestId('baseline-paste').click();
  await page.getByTestId('baseline-link').fill('#c=garbage');
  await page.getByTestId('baseline-pin-link').click();
  await expect(page.getByTestId('baseline-link-error')).toBeVisible();
  await page.getByTestId('baseline-link').fill(`http://example.org/${permalinkHash(single)}`);
  await page.getByTestId('baseline-pin-link').click();
  await lab.waitReady();
  await expect(page.getByTestId('baseline-saved')).toContainText('rht → turboquant-mse b=2');
  const base = runCli(single)[0];
  const now = runCli(SAVED);
  for (let i = 0; i < 2; i++) await expectDelta(page, i, 'vnmse', now[i].metrics.vnmse, base.metrics.vnmse);
  // Pinning a pipeline replaces the saved baseline (one baseline at a time).
  await page.getByTestId('baseline-0').click();
  await lab.waitReady();
  const c = decodePermalink(await lab.hash());
  expect(c.baseline).toBe(0);
  expect('baselineConfig' in c).toBe(false);
});
