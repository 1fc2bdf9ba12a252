/** Page object for the sharing features (header actions, presets, exports, embed), on LabPage. */
import { expect, type Download, type Locator, type Page } from '@playwright/test';
import { readFile } from 'node:fs/promises';
import { LabPage } from './lab-page';

export class SharingPage extends LabPage {
  readonly presetsDialog: Locator;

  constructor(page: Page) {
    super(page);
    this.presetsDialog = page.getByTestId('presets-dialog');
  }

  async openPreset(id: string): Promise<void> {
    await this.page.getByTestId('open-presets').click();
    await expect(this.presetsDialog).toBeVisible();
    await this.page.getByTestId(`preset-${id}`).click();
    await expect(this.presetsDialog).toHaveCount(0);
  }

  /** Click a control that triggers a download; returns the downloaded bytes and file name. */
  async download(testId: string): Promise<{ name: string; bytes: Buffer }> {
    const [download] = await Promise.all([
      this.page.waitForEvent('download'),
      this.page.getByTestId(testId).click(),
    ]);
    return { name: download.suggestedFilename(), bytes: await readDownload(download) };
  }

  async clipboardText(): Promise<string> {
    return this.page.evaluate(() => navigator.clipboard.readText());
  }

  /** Wait until the table shows exactly these labels (after a navigation or a preset). */
  async waitForLabels(labels: readonly string[]): Promise<void> {
    await expect.poll(async () => (await this.labels()).map((l) => l.trim())).toEqual(labels);
    await this.waitReady();
  }
}

async function readDownload(download: Download): Promise<Buffer> {
  const path = await download.path();
  return readFile(path);
}
