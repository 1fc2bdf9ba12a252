/**
 * A worker that ends without an error event (the browser kills it for memory, or it closes
 * itself) used to leave the run at "starting" forever. The page detects it through the worker's
 * Web Lock (src/ui/bridge/client.ts watchLife), shows the error with Retry, and recovers.
 */
import { expect, test } from '@playwright/test';
import { LabPage } from './lab-page';

test('a worker that vanishes without an error event is detected; Retry recovers', async ({ page }) => {
  const lab = new LabPage(page);
  await page.goto('/?testhooks');
  await lab.waitReady();
  const before = await lab.values();
  await page.waitForFunction(() => '__quantscope' in window);
  await page.evaluate(`window.__quantscope.injectFault('vanish')`);
  const bits = await page.getByTestId('quantizer-0-bits').inputValue();
  await page.getByTestId('quantizer-0-bits').fill(String(Number(bits) + 1));
  const error = page.getByTestId('run-error');
  await expect(error).toContainText('stopped without an error', { timeout: 15_000 });
  await error.getByRole('button', { name: 'Retry' }).click();
  await lab.waitReady();
  await expect(error).toHaveCount(0);
  await lab.setNumber('quantizer-0-bits', Number(bits));
  expect(await lab.values()).toEqual(before);
});
