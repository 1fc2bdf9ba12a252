/**
 * Real tensors in the page: open a .npy, see the tensor and results computed from the
 * file; the CLI on the same file and config gives the same numbers; the permalink records the
 * tensor's SHA-256; bad files give a message and the app keeps working.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { decodePermalink } from '../src/core/config/codec';
import { LabPage } from './lab-page';

const SAMPLE = 'public/samples/llm-like-weight.npy';

test('open a .npy in the page; numbers equal the CLI on the same file', async ({ page }) => {
  const lab = new LabPage(page);
  await lab.goto();
  await page.getByTestId('data-source').selectOption('file');
  await page.getByTestId('file-input').setInputFiles(SAMPLE);
  await expect(page.getByTestId('tensor-info')).toContainText('shape [128, 512]');
  await expect(page.getByTestId('tensor-info')).toContainText('f2');
  await expect(lab.table.locator('caption')).toContainText('128×512');
  await expect(page.getByTestId('results-file')).toContainText('llm-like-weight.npy');
  // Its histogram: the outliers chart renders for file data too.
  await expect(page.getByTestId('chart-outliers')).toHaveAttribute('data-status', 'ready');
  // The worker hashed the tensor: the permalink records its SHA-256.
  await expect.poll(async () => decodePermalink(await lab.hash()).data.sha256).toMatch(/^[0-9a-f]{64}$/);
  await lab.waitReady();
  const config = decodePermalink(await lab.hash());
  expect(config.data).toMatchObject({ source: 'file', path: 'llm-like-weight.npy' });
  const values = await lab.values();

  const dir = mkdtempSync(join(tmpdir(), 'qs-file-'));
  const path = join(dir, 'config.json');
  writeFileSync(path, JSON.stringify({ ...config, data: { ...config.data, path: SAMPLE } }));
  const cli = JSON.parse(
    execFileSync('npx', ['tsx', 'src/cli/main.ts', 'run', path, '--json'], { encoding: 'utf8' }),
  ) as {
    results: { bitsPerCoord: number; metrics: Record<string, number> }[];
  };
  cli.results.forEach((r, i) => {
    expect(values[i].bitsPerCoord).toBe(r.bitsPerCoord);
    for (const [k, v] of Object.entries(r.metrics)) {
      expect(Math.abs(values[i][k] - v), `row ${i} ${k}`).toBeLessThanOrEqual(1e-12 * Math.abs(v));
    }
  });
});

test('a malformed file gives a message naming it; the app keeps working', async ({ page }) => {
  const lab = new LabPage(page);
  await lab.goto();
  await page.getByTestId('data-source').selectOption('file');
  await page.getByTestId('file-input').setInputFiles({
    name: 'broken.npy',
    mimeType: 'application/octet-stream',
    buffer: Buffer.from('\x93NUMPY\x01\x00\xff\xffgarbage', 'latin1'),
  });
  await expect(page.getByTestId('file-error')).toContainText('broken.npy');
  await page.getByTestId('data-source').selectOption('gaussian');
  await lab.waitReady();
  await expect(lab.rows()).toHaveCount(5);
});

test('a link made with another file is refused by hash', async ({ page }) => {
  const lab = new LabPage(page);
  await lab.goto();
  await page.getByTestId('data-source').selectOption('file');
  await page.getByTestId('file-input').setInputFiles(SAMPLE);
  await expect.poll(async () => decodePermalink(await lab.hash()).data.sha256).toMatch(/^[0-9a-f]{64}$/);
  const config = decodePermalink(await lab.hash());
  const { permalinkHash } = await import('../src/core/config/codec');
  const forged = permalinkHash({ ...config, data: { ...config.data, sha256: '0'.repeat(64) } });
  await page.goto('about:blank');
  await page.goto(`/${forged}`);
  await expect(page.getByTestId('file-needed')).toContainText('llm-like-weight.npy');
  await page.getByTestId('file-input').setInputFiles(SAMPLE);
  await expect(page.getByTestId('run-error')).toContainText('not the same file');
});

test('a CLI link (absolute path) reopens on the same-named file with its tensor and layout', async ({
  page,
}) => {
  // A multi-tensor file, a tensor that is not the first, and the non-default layout: the three
  // things a reopened link used to lose.
  const fixture = join(process.cwd(), 'src/core/testing/fixtures/io/model.safetensors');
  const dir = mkdtempSync(join(tmpdir(), 'qs-cli-link-'));
  const path = join(dir, 'config.json');
  writeFileSync(
    path,
    JSON.stringify({
      v: 1,
      seed: 5,
      data: { source: 'file', path: fixture, tensor: 'w_f32', layout: 'cols-first' },
      pipelines: [{ transforms: [{ id: 'identity' }], quantizer: { id: 'mxfp4' } }],
    }),
  );
  const cli = JSON.parse(
    execFileSync('npx', ['tsx', 'src/cli/main.ts', 'run', path, '--json'], { encoding: 'utf8' }),
  ) as { permalink: string; results: { bitsPerCoord: number; metrics: Record<string, number> }[] };
  const linked = decodePermalink(cli.permalink);
  expect(linked.data.sha256).toMatch(/^[0-9a-f]{64}$/);

  const lab = new LabPage(page);
  await page.goto(`/${cli.permalink}`);
  await expect(page.getByTestId('file-needed')).toContainText('model.safetensors');
  await page.getByTestId('file-input').setInputFiles(fixture);
  await expect(page.getByTestId('file-notice')).toContainText('matched by name');
  await expect(page.getByTestId('file-notice')).toContainText("tensor 'w_f32', layout cols-first");
  await expect(page.getByTestId('tensor-info')).toContainText('w_f32');
  await lab.waitReady();
  const now = decodePermalink(await lab.hash());
  expect(now.data).toMatchObject({ tensor: 'w_f32', layout: 'cols-first', sha256: linked.data.sha256 });
  await expect(lab.table.locator('caption')).toContainText('6×4');
  const values = await lab.values();
  cli.results.forEach((r, i) => {
    expect(values[i].bitsPerCoord).toBe(r.bitsPerCoord);
    for (const [k, v] of Object.entries(r.metrics)) {
      expect(Math.abs(values[i][k] - v), `row ${i} ${k}`).toBeLessThanOrEqual(1e-12 * Math.abs(v));
    }
  });
});

test('a failed open keeps the good file, across a worker restart, with no unhandled rejection', async ({
  page,
}) => {
  // Any uncaught error or unhandled promise rejection in the page fails the test.
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.addInitScript(() => {
    window.addEventListener('unhandledrejection', (e) => {
      console.error(`unhandledrejection: ${String((e as PromiseRejectionEvent).reason)}`);
    });
  });
  page.on('console', (m) => {
    if (m.type() === 'error' && m.text().startsWith('unhandledrejection')) errors.push(m.text());
  });
  const lab = new LabPage(page);
  await page.goto('/?testhooks');
  await lab.waitReady();
  await page.getByTestId('data-source').selectOption('file');
  await page.getByTestId('file-input').setInputFiles(SAMPLE);
  await expect(lab.table.locator('caption')).toContainText('128×512');
  await lab.waitReady();
  const good = await lab.values();
  const bits = await page.getByTestId('quantizer-0-bits').inputValue();
  for (const name of ['broken.npy', 'broken2.npz']) {
    await page.getByTestId('file-input').setInputFiles({
      name,
      mimeType: 'application/octet-stream',
      buffer: Buffer.from('\x93NUMPY\x01\x00\xff\xffgarbage', 'latin1'),
    });
    await expect(page.getByTestId('file-error')).toContainText(name);
  }
  // Kill the run worker: the restarted one must re-register the good file, not the bad ones.
  await page.waitForFunction(() => '__quantscope' in window);
  await page.evaluate(`window.__quantscope.injectFault('die')`);
  await page.getByTestId('quantizer-0-bits').fill('3');
  const error = page.getByTestId('run-error');
  await expect(error).toContainText('compute worker failed');
  await error.getByRole('button', { name: 'Retry' }).click();
  await lab.waitReady();
  await expect(lab.table.locator('caption')).toContainText('128×512');
  await page.getByTestId('quantizer-0-bits').fill(bits);
  await lab.waitReady();
  expect(await lab.values()).toEqual(good);
  expect(errors).toEqual([]);
});
