/**
 * Hardening checks in a real Chromium: the CSP header is served, no page or preset
 * triggers a CSP violation, and axe-core finds no serious accessibility violations.
 */
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import { PRESETS, presetConfig, presetPermalink } from '../src/core/presets/presets';
import { MATRIX_PRESETS } from '../src/core/presets/matrix-presets';
import { LabPage } from './lab-page';

/** Collect securitypolicyviolation events from the page and its workers' console. */
async function watchCsp(page: Page): Promise<string[]> {
  const violations: string[] = [];
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI}`);
    });
  });
  page.on('console', (m) => {
    if (m.type() === 'error' && /Content Security Policy|CSP violation/i.test(m.text()))
      violations.push(m.text());
  });
  return violations;
}

test('the CSP header forbids eval and inline script; the default page runs without violations', async ({
  page,
}) => {
  const violations = await watchCsp(page);
  const response = await page.goto('/');
  const header = response?.headers()['content-security-policy'] ?? '';
  expect(header).toContain("script-src 'self' 'wasm-unsafe-eval'");
  expect(header).not.toContain("'unsafe-eval'");
  expect(header).not.toMatch(/script-src[^;]*'unsafe-inline'/);
  expect(header).toContain("object-src 'none'");
  expect(response?.headers()['cross-origin-opener-policy']).toBe('same-origin');
  await new LabPage(page).waitReady();
  expect(violations).toEqual([]);
});

test('every preset runs under the CSP without violations', async ({ page }) => {
  test.setTimeout(240_000);
  const violations = await watchCsp(page);
  const lab = new LabPage(page);
  for (const preset of [...PRESETS, ...MATRIX_PRESETS]) {
    await page.goto('about:blank');
    await lab.goto(presetPermalink(preset));
    await expect(lab.rows()).toHaveCount(presetConfig(preset).pipelines.length);
  }
  expect(violations).toEqual([]);
});

test('axe-core: no serious or critical accessibility violations (light and dark)', async ({ page }) => {
  const lab = new LabPage(page);
  await lab.goto();
  for (const theme of ['light', 'dark']) {
    await page.evaluate((t) => {
      document.documentElement.dataset.theme = t;
    }, theme);
    const results = await new AxeBuilder({ page }).analyze();
    const serious = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    expect(
      serious.map(
        (v) =>
          `${theme}: ${v.id} (${v.impact}): ${v.nodes.length} nodes, e.g. ${v.nodes[0]?.target.join(' ')}`,
      ),
    ).toEqual([]);
  }
});

test('every control is reachable by keyboard and labelled', async ({ page }) => {
  const lab = new LabPage(page);
  await lab.goto();
  const unlabelled = await page.evaluate(() =>
    Array.from(document.querySelectorAll('input, select, button'))
      .filter((el) => {
        const e = el as HTMLElement;
        if (e.closest('[aria-hidden="true"]') || (e as HTMLInputElement).type === 'file') return false;
        const label =
          e.getAttribute('aria-label') ||
          e.textContent?.trim() ||
          (e.id && document.querySelector(`label[for="${e.id}"]`)?.textContent?.trim());
        return !label || e.tabIndex < 0;
      })
      .map((e) => e.outerHTML.slice(0, 120)),
  );
  expect(unlabelled).toEqual([]);
});
