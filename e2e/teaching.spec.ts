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
import { LESSONS } from '../src/ui/views/teach/lessons';
import { fmt } from '../src/ui/views/teach/params';

const rotate = LESSONS.find((l) => l.id === 'rotate')!;
const config = rotate.steps[0].config; // outlier-channels 64×256; [mxfp4, rht → mxfp4]
const hash = permalinkHash(config);
const { source, ...dataParams } = config.data;
const x = generateData(source, dataParams, config.seed);

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
    await expect(page.locator('tr.sets-scale td').first()).toHaveText('28 ★');
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

const WIDGETS: [string, string, string][] = [
  ['block', `/?embed=block&p=0&row=0&blk=0`, 'teach-block-table'],
  ['codebook', `/?embed=codebook&law=sphere&d=64&b=3&it=4`, 'teach-codebook'],
  ['step', `/?embed=step&p=1&row=0&st=2`, 'teach-stages'],
  ['lesson', `/?embed=lesson&lesson=mx-vs-nv&step=1`, 'teach-block-table'],
  ['lesson-nvfp4', `/?embed=lesson&lesson=mx-vs-nv&step=2`, 'teach-block-table'],
  ['lesson-bias', `/?embed=lesson&lesson=bias&step=1`, 'teach-codebook'],
  ['lesson-qjl', `/?embed=lesson&lesson=bias&step=4`, 'teach-stages'],
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

for (const [name, path, testId] of WIDGETS) {
  for (const [size, vp] of [
    ['embed', { width: 720, height: 440 }],
    ['desktop', { width: 1280, height: 800 }],
    ['phone', { width: 390, height: 800 }],
  ] as const) {
    for (const theme of size === 'embed' ? (['light'] as const) : (['light', 'dark'] as const)) {
      test(`${name} at ${size} (${vp.width}×${vp.height}, ${theme}): no clipped text`, async ({ page }) => {
        await page.setViewportSize(vp);
        await page.goto(`${path}&theme=${theme}${hash}`);
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
