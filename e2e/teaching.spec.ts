/**
 * Teaching widgets (?embed=step|block|codebook|lesson): the numbers each widget shows equal the
 * core's for the same config (computed here in Node from src/core), keyboard stepping, hostile
 * view params, and layout at the 720×440 embed size and at 390 px (no text clipped: every text
 * element fits its own box and the page does not overflow sideways). Screenshots of every widget
 * (desktop and 390 px, light and dark) land in test-results/teaching/ for review.
 * Run alone: npx playwright test e2e/teaching.spec.ts --workers=1
 */
import { expect, test, type Page } from '@playwright/test';
import { permalinkHash } from '../src/core/config/codec';
import { generateData } from '../src/core/data-loader';
import { lloydMaxGaussian, lloydSweeps } from '../src/core/linalg/lloydmax';
import { traceVector } from '../src/core/teaching/trace';
import { inspectBlock } from '../src/core/teaching/block';
import { apply3, rotation3 } from '../src/core/teaching/geometry';
import { restoreConfig, type ExperimentConfig } from '../src/core/config/schema';
import { quantizersById } from '../src/core/methods';
import { withDefaults } from '../src/core/methods/params';
import { decodePermalink } from '../src/core/config/codec';
import { nodeByteSource } from '../src/core/io/node-source';
import { loadFileData } from '../src/engine/file-data';
import { createRngFactory } from '../src/core/rng';
import { LESSONS } from '../src/ui/views/teach/lessons';
import { fmt } from '../src/ui/views/teach/params';

const rotate = LESSONS.find((l) => l.id === 'rotate')!;
const SAMPLE = 'public/samples/llm-like-weight.npy';
const config = rotate.steps[0].config; // outlier-channels 64×256; [mxfp4, rht → mxfp4]
const hash = permalinkHash(config);
const { source, ...dataParams } = config.data;
const x = generateData(source, dataParams, config.seed);

/** Every block format beyond MXFP4 (and TurboQuant for the sphere view), on the same data. */
const blockConfig = restoreConfig({
  v: 2,
  seed: 7,
  data: config.data,
  pipelines: [
    { transforms: [], quantizer: { id: 'mx', params: { element: 'e4m3' } } },
    { transforms: [], quantizer: { id: 'bfp', params: { mantissa: 4 } } },
    { transforms: [{ id: 'rht', params: {} }], quantizer: { id: 'mx', params: { element: 'e3m2' } } },
    { transforms: [], quantizer: { id: 'turboquant-mse', params: { bits: 2 } } },
  ],
});
const blockHash = permalinkHash(blockConfig);

/** The kernel's ŷ for the 3-D view's point: quantizer of pipeline p on y = R(θ) x, one 1 × 3 row. */
function kernel3(c: ExperimentConfig, p: number, x: number[], rot: number): number[] {
  const q = c.pipelines[p].quantizer;
  const y = Float32Array.from(apply3(rotation3(rot), x));
  const out = new Float32Array(3);
  quantizersById.get(q.id)!.quantize(y, 1, 3, q.params, { rng: createRngFactory(c.seed) }, out);
  return Array.from(out, (v) => (v === 0 ? 0 : v));
}

const urlPoint = (page: Page) => {
  const u = new URL(page.url()).searchParams;
  return ['px', 'py', 'pz'].map((k) => Number(u.get(k)));
};
const shownYHat = async (page: Page) =>
  (
    JSON.parse((await page.getByTestId('teach-space-xhat').getAttribute('data-yhat')) ?? '[]') as number[]
  ).map((v) => (v === 0 ? 0 : v));

async function ready(page: Page, testId: string) {
  await expect(page.getByTestId(testId)).toBeVisible();
}

test.describe('teaching widgets', () => {
  test('block inspector shows the core’s decomposition; arrows step blocks; outlier slider', async ({
    page,
  }) => {
    await page.goto(`/?embed=block&p=0&row=0&blk=0${hash}`);
    await ready(page, 'teach-block-table');
    const t = traceVector(config, x, 0, 0);
    const y = t.stages[0].values; // p=0 has no transform: the quantizer sees x
    const q = t.stages.find((s) => s.kind === 'quantize')!.values;
    const shown = async () =>
      await page
        .getByTestId('teach-xhat')
        .evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-value'))));
    // ±0 both read back as "0" from the attribute: compare with signed zeros folded.
    const fold = (a: ArrayLike<number>) => Array.from(a, (v) => (v === 0 ? 0 : Math.fround(v)));
    expect(fold(await shown())).toEqual(fold(q.subarray(0, 32)));
    const ref = inspectBlock(y.subarray(0, 32), { format: 'mxfp4' });
    await expect(page.getByTestId('teach-scale-steps')).toContainText(`X = 2^e`);
    expect(ref.elements.filter((e) => e.setsScale).map((e) => e.index)).toEqual([28]);
    await expect(page.locator('tr.sets-scale')).toHaveCount(1);
    // amax/X = 14.17/2 ∈ (6, 8): the floor rule saturates the element that set the scale (⊤).
    expect(ref.elements[28].saturated).toBe(true);
    await expect(page.locator('tr.sets-scale td').first()).toHaveText('28 ★ ⊤');
    // Keyboard: → moves to block 1 (and into the URL).
    await page.getByTestId('teach-block').focus();
    await page.keyboard.press('ArrowRight');
    await expect(page.getByTestId('teach-blk')).toHaveValue('1');
    expect(page.url()).toContain('blk=1');
    await expect.poll(async () => fold(await shown())).toEqual(fold(q.subarray(32, 64)));
    // Outlier ×64 on element 5 of block 1: the scale grows, the others' error grows.
    await page.getByTestId('teach-el').fill('5');
    await page.getByTestId('teach-k').fill('6');
    const before = inspectBlock(y.subarray(32, 64), { format: 'mxfp4' });
    const eff = inspectBlock(
      Float32Array.from(y.subarray(32, 64), (v, i) => (i === 5 ? v * 64 : v)),
      { format: 'mxfp4' },
    );
    expect(eff.scale).toBeGreaterThan(before.scale);
    await expect(page.getByTestId('teach-effect')).toContainText('inflates the shared block scale');
    await expect(page.getByTestId('teach-effect').locator('b').first()).toHaveText(fmt(eff.scale));
  });

  test('codebook lab: D_b per sweep and the fixed point equal the core’s; arrows scrub', async ({ page }) => {
    await page.goto('/?embed=codebook&law=gaussian&b=2&it=60');
    await ready(page, 'teach-codebook');
    const states = lloydSweeps('gaussian', 2, 16, 60);
    const val = (sel: string) => page.locator(sel).getAttribute('data-value').then(Number);
    // Same core code in Chromium's and Node's V8; their Math.exp/log may differ in the last ulp.
    expect(await val('[data-testid=teach-final]')).toBeCloseTo(lloydMaxGaussian(2).distortion, 14);
    expect(await val('[data-testid=teach-dsweep]')).toBeCloseTo(states[60].distortion, 14);
    expect(Math.abs(states[60].distortion - 0.11748184782932931)).toBeLessThan(1e-6); // Max 1960
    await page.getByTestId('teach-codebook').focus();
    await page.keyboard.press('ArrowLeft');
    await page.keyboard.press('ArrowLeft');
    await expect(page.getByTestId('teach-iter')).toHaveValue('58');
    expect(await val('[data-testid=teach-dsweep]')).toBeCloseTo(states[58].distortion, 14);
    expect(await val('[data-testid=teach-shrink] b')).toBeCloseTo(1 - lloydMaxGaussian(2).distortion, 14);
  });

  test('step-through: every stage error equals the core trace; arrows step; the point moves by keys', async ({
    page,
  }) => {
    await page.goto(`/?embed=step&p=1&row=3${hash}`);
    await ready(page, 'teach-stages');
    const t = traceVector(config, x, 1, 3);
    const errs = await page
      .getByTestId('teach-stage-error')
      .evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-value'))));
    expect(errs).toEqual(t.stages.map((s) => s.relError));
    await page.getByTestId('teach-step').focus();
    // input, after rht, divide by the block scale, round to the grid, quantized, inverse.
    for (let i = 0; i < 4; i++) await page.keyboard.press('ArrowRight');
    await expect(page.getByTestId('teach-scrub')).toHaveValue('4');
    await expect(page.getByTestId('teach-current')).toContainText('quantized by MXFP4');
    await page.keyboard.press('ArrowLeft');
    await expect(page.getByTestId('teach-current')).toContainText('round to the grid');
    await page.getByTestId('teach-handle').focus();
    await page.keyboard.press('Shift+ArrowUp');
    expect(new URL(page.url()).searchParams.get('py')).toBe('0.7');
    await expect(page.getByTestId('teach-plane-xhat')).toBeVisible();
    // Pointer (mouse or touch) drag: the point follows to the plane's centre, (0, 0).
    const box = (await page.getByTestId('teach-plane').boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.75, box.y + box.height * 0.25);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2, { steps: 4 });
    await page.mouse.up();
    await expect.poll(() => Math.abs(Number(new URL(page.url()).searchParams.get('px')))).toBeLessThan(0.05);
  });

  test('3-D step-through: ŷ equals the kernel on R x; keys orbit and move the point; drag orbits', async ({
    page,
  }) => {
    await page.goto(`/?embed=step&p=1&row=0&dim=3&px=1.1&py=-0.4&pz=0.7&rot=30&zm=2${hash}`);
    await ready(page, 'teach-space');
    await expect(page.getByTestId('teach-dim-3')).toHaveAttribute('aria-pressed', 'true');
    expect(await shownYHat(page)).toEqual(kernel3(config, 1, [1.1, -0.4, 0.7], 30));
    // The stages still step with ← → while the 3-D view is shown.
    await ready(page, 'teach-stages');
    await page.getByTestId('teach-step').focus();
    await page.keyboard.press('ArrowRight');
    await expect(page.getByTestId('teach-scrub')).toHaveValue('1');
    await page.keyboard.press('ArrowLeft');
    await expect(page.getByTestId('teach-scrub')).toHaveValue('0');
    // Keyboard orbit on the focused view: → yaw +15°, ↑ pitch +15° (defaults −35°, 20°).
    await page.getByTestId('teach-space').focus();
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowUp');
    await expect.poll(() => new URL(page.url()).searchParams.get('yaw')).toBe('-20');
    expect(new URL(page.url()).searchParams.get('pit')).toBe('35');
    // The step slider did not move: the view keeps its arrows.
    await expect(page.getByTestId('teach-scrub')).toHaveValue('0');
    // Keyboard on the point: it moves in the screen plane, and ŷ follows the kernel.
    await page.getByTestId('teach-handle3').focus();
    for (const key of ['Shift+ArrowRight', 'Shift+ArrowUp', 'PageUp']) {
      const before = urlPoint(page);
      await page.keyboard.press(key);
      await expect.poll(() => urlPoint(page).join()).not.toBe(before.join());
      await expect.poll(() => shownYHat(page)).toEqual(kernel3(config, 1, urlPoint(page), 30));
    }
    // Rotated frame: the same numbers.
    await page.getByTestId('teach-frame').selectOption('y');
    expect(await shownYHat(page)).toEqual(kernel3(config, 1, urlPoint(page), 30));
    // Pointer drag on the background orbits (mouse and touch share pointer events).
    const box = (await page.getByTestId('teach-space').boundingBox())!;
    const yaw0 = Number(new URL(page.url()).searchParams.get('yaw'));
    await page.mouse.move(box.x + 10, box.y + box.height - 10);
    await page.mouse.down();
    await page.mouse.move(box.x + 60, box.y + box.height - 10, { steps: 5 });
    await page.mouse.up();
    await expect.poll(() => Number(new URL(page.url()).searchParams.get('yaw'))).toBeGreaterThan(yaw0 + 20);
    // Dragging the point moves it; the orbit buttons turn the view.
    const h = (await page.getByTestId('teach-handle3').boundingBox())!;
    const p0 = urlPoint(page).join();
    await page.mouse.move(h.x + h.width / 2, h.y + h.height / 2);
    await page.mouse.down();
    await page.mouse.move(h.x + h.width / 2 - 30, h.y + h.height / 2 + 20, { steps: 4 });
    await page.mouse.up();
    await expect.poll(() => urlPoint(page).join()).not.toBe(p0);
    await expect.poll(() => shownYHat(page)).toEqual(kernel3(config, 1, urlPoint(page), 30));
    await page.getByRole('button', { name: 'orbit left' }).click();
    await page.screenshot({ path: 'test-results/teaching/step-3d-mxfp4-dragged.png' });
  });

  test('3-D sphere view (TurboQuant): the point stays on its sphere, ŷ equals the kernel', async ({
    page,
  }) => {
    await page.goto(`/?embed=step&p=3&row=0&dim=3&px=1.2&py=0.5&pz=0.9&rot=0${blockHash}`);
    await ready(page, 'teach-space');
    expect(await shownYHat(page)).toEqual(kernel3(blockConfig, 3, [1.2, 0.5, 0.9], 0));
    await expect(page.locator('[data-testid=teach-space] .sphere')).toHaveCount(1);
    // d = 3, b = 2: the uniform law's 3 thresholds per axis, each a circle on the sphere.
    await expect(page.locator('[data-testid=teach-space] path.cell:not(.back)')).toHaveCount(9);
    const r0 = Math.hypot(1.2, 0.5, 0.9);
    await page.getByTestId('teach-handle3').focus();
    for (let i = 0; i < 6; i++) await page.keyboard.press(i % 2 ? 'Shift+ArrowUp' : 'Shift+ArrowLeft');
    await expect.poll(() => urlPoint(page).join()).not.toBe('1.2,0.5,0.9');
    expect(Math.abs(Math.hypot(...urlPoint(page)) - r0)).toBeLessThan(3e-3); // 3-decimal URL rounding
    await expect.poll(() => shownYHat(page)).toEqual(kernel3(blockConfig, 3, urlPoint(page), 0));
    await page.screenshot({ path: 'test-results/teaching/step-3d-turboquant.png' });
  });

  test('block inspector: MXFP8, BFP and MXFP6 blocks equal the kernels; element spec values', async ({
    page,
  }) => {
    const fold = (a: ArrayLike<number>) => Array.from(a, (v) => (v === 0 ? 0 : Math.fround(v)));
    const shown = async () =>
      fold(
        await page
          .getByTestId('teach-xhat')
          .evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-value')))),
      );
    for (const [p, blk, maxNormal] of [
      [0, 1, '448'],
      [1, 2, null],
      [2, 0, '28'],
    ] as const) {
      await page.goto(`/?embed=block&p=${p}&row=5&blk=${blk}${blockHash}`);
      await ready(page, 'teach-block-table');
      const q = traceVector(blockConfig, x, p, 5).stages.find((s) => s.kind === 'quantize')!.values;
      await expect.poll(shown).toEqual(fold(q.subarray(blk * 32, blk * 32 + 32)));
      if (maxNormal) await expect(page.getByTestId('teach-element-info').locator('b')).toHaveText(maxNormal);
      await page.screenshot({ path: `test-results/teaching/block-p${p}.png`, fullPage: true });
    }
    // A chosen format on a pipeline without blocks: MXFP6 E2M3 of TurboQuant's input = the mx kernel.
    await page.goto(`/?embed=block&p=3&row=2&blk=1&fmt=mxfp6-e2m3${blockHash}`);
    await ready(page, 'teach-block-table');
    const y = x.data.subarray(2 * 256 + 32, 2 * 256 + 64);
    const out = new Float32Array(32);
    const mx = quantizersById.get('mx')!;
    mx.quantize(
      Float32Array.from(y),
      1,
      32,
      withDefaults(mx.params, { element: 'e2m3' }),
      { rng: createRngFactory(1) },
      out,
    );
    await expect.poll(shown).toEqual(fold(out));
    await expect(page.getByTestId('teach-element-info').locator('b')).toHaveAttribute('data-value', '7.5');
    // BFP with a chosen mantissa: m = 6.
    await page.getByTestId('teach-format').selectOption('bfp');
    await page.getByTestId('teach-kb').fill('6');
    await expect(page.getByTestId('teach-block-summary')).toContainText('BFP (m = 6');
    const bfp = quantizersById.get('bfp')!;
    bfp.quantize(
      Float32Array.from(y),
      1,
      32,
      { mantissa: 6, block: 32, rounding: 'nearest' },
      { rng: createRngFactory(1) },
      out,
    );
    await expect.poll(shown).toEqual(fold(out));
  });

  test('a row of a real tensor: the widget asks for the file, then equals the core; the link pins its SHA-256', async ({
    page,
  }) => {
    const fileConfig = restoreConfig({
      v: 2,
      seed: 7,
      data: { source: 'file', path: 'llm-like-weight.npy' },
      pipelines: [
        { transforms: [], quantizer: { id: 'mx', params: { element: 'e2m3' } } },
        { transforms: [{ id: 'rht', params: {} }], quantizer: { id: 'mxfp4', params: {} } },
      ],
    });
    const loaded = await loadFileData(fileConfig, [await nodeByteSource(SAMPLE)]);
    await page.goto(`/?embed=block&p=0&row=3&blk=2${permalinkHash(fileConfig)}`);
    // No lab tab offers it: the widget names the file and asks for it.
    await expect(page.getByTestId('teach-file-needed')).toContainText('llm-like-weight.npy');
    await page.screenshot({ path: 'test-results/teaching/file-needed.png' });
    await page.getByTestId('teach-file-input').setInputFiles(SAMPLE);
    await ready(page, 'teach-block-table');
    const q = traceVector(fileConfig, loaded.matrix, 0, 3).stages.find((s) => s.kind === 'quantize')!.values;
    const fold = (a: ArrayLike<number>) => Array.from(a, (v) => (v === 0 ? 0 : Math.fround(v)));
    await expect
      .poll(async () =>
        fold(
          await page
            .getByTestId('teach-xhat')
            .evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-value')))),
        ),
      )
      .toEqual(fold(q.subarray(64, 96)));
    // The link now records the tensor's SHA-256, the same as the CLI reader computes.
    await expect
      .poll(() => decodePermalink(new URL(page.url()).hash).data.sha256)
      .toBe(loaded.summary.file!.sha256);
    await page.screenshot({ path: 'test-results/teaching/file-block.png', fullPage: true });
    await page.setViewportSize({ width: 390, height: 800 });
    expect(await clipped(page)).toEqual([]);
    await page.screenshot({ path: 'test-results/teaching/file-block-phone.png', fullPage: true });
    // A link made with another file is refused by hash, with a message.
    const forged = { ...fileConfig, data: { ...fileConfig.data, sha256: 'ab'.repeat(32) } };
    await page.goto('about:blank');
    await page.goto(`/?embed=step&p=1&row=3${permalinkHash(forged)}`);
    await expect(page.getByTestId('teach-file-needed')).toContainText('abababababab');
    await page.getByTestId('teach-file-input').setInputFiles(SAMPLE);
    await expect(page.locator('.teach-error')).toContainText('not the same file');
  });

  test('a teaching tab opened from the lab takes the lab’s file; its trace equals the core', async ({
    page,
    context,
  }) => {
    await page.goto('/');
    await page.getByTestId('data-source').selectOption('file');
    await page.getByTestId('file-input').setInputFiles(SAMPLE);
    await expect
      .poll(async () => decodePermalink(new URL(page.url()).hash).data.sha256)
      .toMatch(/^[0-9a-f]{64}$/);
    const labConfig = decodePermalink(new URL(page.url()).hash);
    const teach = await context.newPage();
    await teach.goto(`/?embed=step&p=0&row=1${new URL(page.url()).hash}`);
    await expect(teach.getByTestId('teach-file')).toContainText('taken from the lab tab');
    await ready(teach, 'teach-stages');
    const loaded = await loadFileData(labConfig, [await nodeByteSource(SAMPLE)]);
    const t = traceVector(labConfig, loaded.matrix, 0, 1);
    await expect
      .poll(() =>
        teach
          .getByTestId('teach-stage-error')
          .evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-value')))),
      )
      .toEqual(t.stages.map((s) => s.relError));
    await teach.screenshot({ path: 'test-results/teaching/file-from-lab.png' });
  });

  test('lesson: steps are permalinks; next/prev; reload keeps the step', async ({ page }) => {
    await page.goto('/?embed=lesson&lesson=rotate&step=1');
    await expect(page.getByTestId('teach-sentence')).toContainText(rotate.steps[0].sentence);
    await ready(page, 'teach-block-table');
    await page.getByTestId('teach-next').click();
    await expect(page.getByTestId('teach-step-no')).toHaveText('2 / 3');
    await expect(page.getByTestId('teach-sentence')).toContainText(rotate.steps[1].sentence);
    await expect.poll(() => new URL(page.url()).searchParams.get('p')).toBe('1');
    await page.reload();
    await expect(page.getByTestId('teach-sentence')).toContainText(rotate.steps[1].sentence);
    await ready(page, 'teach-block-table');
    // Printable: the handout lists every step's permalink; the controls are hidden.
    await page.emulateMedia({ media: 'print' });
    await expect(page.locator('.print-only a')).toHaveCount(rotate.steps.length);
    await expect(page.getByTestId('teach-next')).toBeHidden();
    await page.emulateMedia({ media: 'screen' });
  });

  test('hostile view params fall back to defaults', async ({ page }) => {
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`/?embed=block&p=-5&row=abc&blk=1e99&k=NaN&el=%3Cscript%3E&fmt=%3Cimg%3E${hash}`);
    await ready(page, 'teach-block-table');
    await page.goto('/?embed=codebook&law=x&d=-1&b=99&it=1e9');
    await ready(page, 'teach-codebook');
    await expect(page.getByTestId('teach-bits')).toHaveValue('5');
    await page.goto('/?embed=lesson&lesson=%22%3E&step=-3');
    await expect(page.getByTestId('teach-step-no')).toHaveText('1 / 3');
    expect(errors).toEqual([]);
  });

  test('the lab links to the widgets and the embed dialog lists them', async ({ page }) => {
    await page.goto('/');
    await expect(page.getByTestId('teach-link')).toHaveAttribute('href', /\?embed=step#c=/);
    await page.locator('header.topbar').screenshot({ path: 'test-results/teaching/lab-topbar.png' });
    await page.getByTestId('open-embed').click();
    await expect(page.getByTestId('embed-chart')).toBeVisible();
    const options = await page.getByTestId('embed-chart').locator('option').allTextContents();
    expect(options).toEqual(expect.arrayContaining(['Teach: Block inspector', 'Teach: Lessons']));
    await page.getByTestId('embed-chart').selectOption('block');
    await expect(page.getByTestId('embed-snippet')).toHaveValue(/\?embed=block#c=/);
  });
});

const WIDGETS: [string, string, string, string?][] = [
  ['step-3d', `/?embed=step&p=1&row=0&dim=3&zm=2`, 'teach-space'],
  ['step-3d-sphere', `/?embed=step&p=3&row=0&dim=3&fr=y`, 'teach-space', blockHash],
  ['block-mxfp8', `/?embed=block&p=0&row=0&blk=0`, 'teach-block-table', blockHash],
  ['block-bfp', `/?embed=block&p=1&row=0&blk=0`, 'teach-block-table', blockHash],
  ['block', `/?embed=block&p=0&row=0&blk=0`, 'teach-block-table'],
  ['codebook', `/?embed=codebook&law=sphere&d=64&b=3&it=4`, 'teach-codebook'],
  ['step', `/?embed=step&p=1&row=0&st=2`, 'teach-stages'],
  ['lesson', `/?embed=lesson&lesson=mx-vs-nv&step=1`, 'teach-block-table'],
  ['lesson-nvfp4', `/?embed=lesson&lesson=mx-vs-nv&step=2`, 'teach-block-table'],
  ['lesson-bias', `/?embed=lesson&lesson=bias&step=1`, 'teach-codebook'],
  ['lesson-qjl', `/?embed=lesson&lesson=bias&step=4`, 'teach-stages'],
  ['lesson-mx-e3m2', `/?embed=lesson&lesson=mx-elements&step=3`, 'teach-block-table'],
  ['lesson-3d', `/?embed=lesson&lesson=mx-elements&step=5`, 'teach-space'],
];

/** Text elements whose content overflows their own box, or that stick out of the viewport. */
async function clipped(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const out: string[] = [];
    const vw = document.documentElement.clientWidth;
    const sel =
      '.teach p, .teach label, .teach li, .teach button, .teach a, .teach h2, .teach summary, .teach-formula';
    for (const el of Array.from(document.querySelectorAll<HTMLElement>(sel))) {
      if (el.closest('.print-only') || el.offsetParent === null) continue;
      const r = el.getBoundingClientRect();
      if (el.scrollWidth > el.clientWidth + 1 || r.right > vw + 1 || r.left < -1)
        out.push(
          `${el.tagName}.${el.className}: "${(el.textContent ?? '').slice(0, 40)}" ${Math.round(r.left)}–${Math.round(r.right)} of ${vw}`,
        );
    }
    const embed = document.querySelector<HTMLElement>('.embed');
    if (embed && embed.scrollWidth > embed.clientWidth + 1)
      out.push(`.embed overflows: ${embed.scrollWidth} > ${embed.clientWidth}`);
    return out;
  });
}

for (const [name, path, testId, widgetHash] of WIDGETS) {
  for (const [size, vp] of [
    ['embed', { width: 720, height: 440 }],
    ['desktop', { width: 1280, height: 800 }],
    ['phone', { width: 390, height: 800 }],
  ] as const) {
    for (const theme of size === 'embed' ? (['light'] as const) : (['light', 'dark'] as const)) {
      test(`${name} at ${size} (${vp.width}×${vp.height}, ${theme}): no clipped text`, async ({ page }) => {
        await page.setViewportSize(vp);
        await page.goto(`${path}&theme=${theme}${widgetHash ?? hash}`);
        await ready(page, testId);
        await page.waitForTimeout(200);
        expect(await clipped(page)).toEqual([]);
        await page.screenshot({
          path: `test-results/teaching/${name}-${size}-${theme}.png`,
          fullPage: false,
        });
      });
    }
  }
}
