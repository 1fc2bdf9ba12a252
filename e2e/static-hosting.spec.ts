/**
 * Hosting on a plain static server (README "Hosting"): the default build (relative base) served
 * from dist/ under a subpath by a server that sends no security headers at all. The page must run
 * the default experiment with the CSP from its <meta> tag in force and no violation, and a page on
 * another origin must be able to embed a chart. dist/ is the build Playwright's webServer makes.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { permalinkHash } from '../src/core/config/codec';
import { DEFAULT_CONFIG } from '../src/core/config/defaults';
import { serveStatic, type StaticServer } from './static-server';

const DIST = join(process.cwd(), 'dist'); // playwright runs from the repository root
const PREFIX = '/courses/quant/lab/';

let site: StaticServer;
let other: StaticServer;

test.beforeAll(async () => {
  expect(existsSync(join(DIST, 'index.html')), 'dist/ is built by the webServer step').toBe(true);
  site = await serveStatic(DIST, PREFIX);
  const embedSrc = `${site.origin}${PREFIX}?embed=rd${permalinkHash(DEFAULT_CONFIG)}`;
  // "localhost" vs 127.0.0.1: a different host, so a different origin and site.
  other = await serveStatic(DIST, '/nothing-here/', {
    '/course.html': `<!doctype html><title>course</title><link rel="icon" href="data:,"><iframe id="qs" src="${embedSrc.replace('127.0.0.1', 'localhost')}" width="720" height="440"></iframe>`,
  });
});

test.afterAll(async () => {
  await site?.close();
  await other?.close();
});

function watch(page: Page): string[] {
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()}`);
  });
  page.on('response', (r) => {
    if (r.status() >= 400) problems.push(`${r.status()} ${r.url()}`);
  });
  return problems;
}

test('the default build runs under a subpath with no headers; the meta CSP is enforced', async ({ page }) => {
  const problems = watch(page);
  const response = await page.goto(`${site.origin}${PREFIX}`);
  expect(response?.headers()['content-security-policy']).toBeUndefined();
  const meta = await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content');
  expect(meta).toContain("script-src 'self' 'wasm-unsafe-eval'");
  expect(meta).not.toContain("'unsafe-eval'");
  await expect(page.getByTestId('app')).toHaveAttribute('data-status', 'ready');
  await expect(page.getByTestId('results-table').locator('tbody tr')).toHaveCount(
    DEFAULT_CONFIG.pipelines.length,
  );
  // The policy is live: an inline script injected now is refused.
  const blocked = await page.evaluate(
    () =>
      new Promise<string>((resolve) => {
        document.addEventListener('securitypolicyviolation', (e) => resolve(e.violatedDirective), {
          once: true,
        });
        const s = document.createElement('script');
        s.textContent = 'window.__inline = 1';
        document.body.append(s);
        setTimeout(() => resolve('none'), 2000);
      }),
  );
  expect(blocked).toMatch(/^script-src/);
  expect(problems.filter((p) => !/Content Security Policy|script-src/.test(p))).toEqual([]);
});

test('a page on another origin embeds a chart from the subpath build', async ({ page }) => {
  const problems = watch(page);
  await page.goto(`${other.origin.replace('127.0.0.1', 'localhost')}/course.html`);
  const frame = page.frameLocator('#qs');
  await expect(frame.getByTestId('embed')).toHaveAttribute('data-status', 'ready', { timeout: 60_000 });
  await expect(frame.locator('svg[data-chart="rd"]')).toBeVisible();
  expect(problems).toEqual([]);
});
