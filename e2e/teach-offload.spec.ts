/**
 * Theory off the main thread: the teaching widgets (step-through 2-D and 3-D, codebook lab) and
 * the lab's "Reproduce in Python" export get every Lloyd–Max codebook, kernel output and grid from
 * the teaching worker (src/worker/teach-api.ts). The page's own count of solver runs
 * (core/linalg/lloydmax.ts lloydMaxSolveCount, read through `?testhooks`) must stay 0 while the
 * numbers shown still equal the core's computed here in Node. The worker's script is held back at
 * first, so the loading state is seen (and photographed) before the answer arrives.
 * Run alone: PW_PORT=4304 npx playwright test e2e/teach-offload.spec.ts --workers=1
 */
import { readFileSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { permalinkHash } from '../src/core/config/codec';
import { restoreConfig, type ExperimentConfig } from '../src/core/config/schema';
import { generateData } from '../src/core/data-loader';
import { lloydMaxGaussian, lloydMaxSphere } from '../src/core/linalg/lloydmax';
import { quantizersById } from '../src/core/methods';
import { createRngFactory } from '../src/core/rng';
import { quantizerDetail } from '../src/core/teaching/detail';
import { apply3, rotation3 } from '../src/core/teaching/geometry';
import { traceVector } from '../src/core/teaching/trace';
import { fmt } from '../src/ui/views/teach/params';

const config = restoreConfig({
  v: 2,
  seed: 11,
  data: { source: 'gaussian', rows: 16, dim: 64 },
  pipelines: [
    { transforms: [{ id: 'rht', params: {} }], quantizer: { id: 'eden', params: { bits: 2 } } },
    { transforms: [], quantizer: { id: 'turboquant-mse', params: { bits: 3 } } },
  ],
  // Any analysis shows the analysis panel, where the Python export lives; 'formats' is cheap.
  analysis: { id: 'formats', params: { format: 'e2m1', samples: 64 } },
});
const hash = permalinkHash(config);

/** The registry kernel on one row y (float32), as the widgets' worker runs it. */
function kernel(c: ExperimentConfig, p: number, y: Float32Array): number[] {
  const q = c.pipelines[p].quantizer;
  const out = new Float32Array(y.length);
  quantizersById.get(q.id)!.quantize(y, 1, y.length, q.params, { rng: createRngFactory(c.seed) }, out);
  return Array.from(out, (v) => (v === 0 ? 0 : v));
}

const solves = (page: Page) =>
  page.evaluate(() =>
    (window as unknown as { __quantscope: { lloydMaxSolves(): number } }).__quantscope.lloydMaxSolves(),
  );

/** Hold the teaching worker's script until the returned function is called. */
async function holdWorker(page: Page): Promise<() => void> {
  let release: () => void = () => undefined;
  const gate = new Promise<void>((r) => (release = r));
  await page.route(/teach\.worker/, async (route) => {
    await gate;
    await route.continue();
  });
  return release;
}

test.describe('theory off the main thread', () => {
  test('step-through: sub-steps, the 2-D and 3-D points come from the worker; 0 main-thread solves', async ({
    page,
  }) => {
    const release = await holdWorker(page);
    await page.goto(`/?embed=step&p=1&row=2&testhooks${hash}`);
    // Loading: the trace and the point wait for the worker, with a visible note.
    await expect(page.getByTestId('teach-plane-loading')).toBeVisible();
    await expect(page.getByTestId('teach-step')).toContainText('computing…');
    await page.screenshot({ path: 'test-results/teach-offload/step-loading.png' });
    release();
    await expect(page.getByTestId('teach-plane-xhat')).toBeVisible();
    await expect(page.getByTestId('teach-stages')).toBeVisible();
    await page.screenshot({ path: 'test-results/teach-offload/step-loaded.png' });

    // The quantizer's sub-steps (normalise, codebook assignment) equal the core's on this row.
    const { source, ...params } = config.data;
    const x = generateData(source, params, config.seed);
    const t = traceVector(config, x, 1, 2);
    const q = config.pipelines[1].quantizer;
    const expected = quantizerDetail(q.id, q.params, t.stages[0].values)
      .filter((d) => d.label !== 'scale')
      .map((d) => `${d.label}${d.scalar ? ` (${d.scalar.name} = ${fmt(d.scalar.value)})` : ''}`);
    expect(expected).toHaveLength(2);
    const labels = await page.getByTestId('teach-stages').locator('button').allTextContents();
    expect(labels.slice(1, 3)).toEqual(expected);

    // The 2-D point: x̂ = Rᵀŷ with ŷ the kernel's on y = (1.3, 0.45) (θ = 0, the defaults).
    const y2 = Float32Array.from([1.3, 0.45]);
    const [a, b] = kernel(config, 1, y2);
    await expect(page.getByTestId('teach-plane-xhat')).toHaveText(`(${fmt(a)}, ${fmt(b)})`);

    // The 3-D point on the sphere law at d = 3 (b = 3): ŷ equals the kernel on R x.
    await page.getByTestId('teach-dim-3').click();
    const shownYHat = async () =>
      (
        JSON.parse((await page.getByTestId('teach-space-xhat').getAttribute('data-yhat')) ?? '[]') as number[]
      ).map((v) => (v === 0 ? 0 : v));
    const urlPoint = () => {
      const u = new URL(page.url()).searchParams;
      return ['px', 'py', 'pz'].map((k) => Number(u.get(k) ?? NaN));
    };
    const yOf = (p: number[], rot: number) => Float32Array.from(apply3(rotation3(rot), p));
    await expect.poll(shownYHat).toEqual(kernel(config, 1, yOf([1.3, 0.45, 0.8], 0)));
    await page.getByTestId('teach-handle3').focus();
    await page.keyboard.press('Shift+ArrowLeft');
    await expect.poll(() => urlPoint().join()).not.toBe('1.3,0.45,0.8');
    await expect.poll(shownYHat).toEqual(kernel(config, 1, yOf(urlPoint(), 0)));
    // EDEN (pipeline 1, after the RHT): the Gaussian codebook, also from the worker.
    await page.getByTestId('teach-pipeline').selectOption('0');
    await expect.poll(shownYHat).toEqual(kernel(config, 0, yOf(urlPoint(), 0)));
    await page.screenshot({ path: 'test-results/teach-offload/step-3d-eden.png' });

    expect(await solves(page)).toBe(0);
  });

  test('codebook lab: the sweeps and the fixed point come from the worker; 0 main-thread solves', async ({
    page,
  }) => {
    const release = await holdWorker(page);
    await page.goto('/?embed=codebook&law=sphere&d=64&b=3&it=4&testhooks');
    await expect(page.getByTestId('teach-codebook-loading')).toContainText('computing…');
    await page.screenshot({ path: 'test-results/teach-offload/codebook-loading.png' });
    release();
    await expect(page.getByTestId('teach-codebook')).toBeVisible();
    const final = Number(await page.getByTestId('teach-final').getAttribute('data-value'));
    // Same core code in Chromium's and Node's V8; Math.exp/log may differ in the last ulp.
    expect(final).toBeCloseTo(lloydMaxSphere(3, 64).distortion, 14);
    // Another law and bit width: solved in the worker too.
    await page.goto('/?embed=codebook&law=gaussian&b=4&it=60&testhooks');
    await expect(page.getByTestId('teach-codebook')).toBeVisible();
    const g = Number(await page.getByTestId('teach-final').getAttribute('data-value'));
    expect(Math.abs(g - 0.009501)).toBeLessThan(1e-6); // Max 1960, Table I: D_4 = 0.009501
    await page.screenshot({ path: 'test-results/teach-offload/codebook-loaded.png' });
    expect(await solves(page)).toBe(0);
  });

  test('Reproduce in Python: the script is built in the worker, with a visible building state', async ({
    page,
  }) => {
    // Held before the page loads: a teaching worker the page starts early (before the click) would
    // otherwise load unheld, and the script could be built before the building state is seen.
    const release = await holdWorker(page);
    await page.goto(`/?testhooks${hash}`);
    await expect(page.getByTestId('app')).toHaveAttribute('data-status', 'ready');
    await page.getByTestId('python-export').locator('summary').click();
    await page.getByTestId('python-make').click();
    await expect(page.getByTestId('python-building')).toBeVisible();
    await expect(page.getByTestId('python-make')).toBeDisabled();
    await page
      .getByTestId('python-export')
      .screenshot({ path: 'test-results/teach-offload/python-building.png' });
    release();
    await expect(page.getByTestId('python-script')).toContainText('#!/usr/bin/env python3');
    await expect(page.getByTestId('python-make')).toBeEnabled();
    await page
      .getByTestId('python-export')
      .screenshot({ path: 'test-results/teach-offload/python-built.png' });
    // The whole script (the page shows its first 6000 characters): the download.
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download .py' }).click(),
    ]);
    const text = readFileSync(await download.path(), 'utf8');
    // The codebook in the script is EDEN's 2-bit Gaussian Lloyd–Max codebook, float32-rounded.
    const levels = /LEVELS = np\.array\(\[([^\]]*)\]\)/.exec(text)![1].split(', ').map(Number);
    const ref = Array.from(Float32Array.from(lloydMaxGaussian(2).levels));
    expect(levels).toHaveLength(4);
    levels.forEach((v, i) => expect(v).toBeCloseTo(ref[i], 12));
    // Max 1960, Table I (N = 4): ±0.4528, ±1.510.
    expect(Math.abs(levels[3] - 1.51)).toBeLessThan(1e-3);
    expect(Math.abs(levels[2] - 0.4528)).toBeLessThan(1e-4);
    expect(await solves(page)).toBe(0);
  });
});
