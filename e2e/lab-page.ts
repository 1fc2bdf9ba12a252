/** Page object for the lab page: wait on data-status, never on time (DESIGN.md). */
import { expect, type Locator, type Page } from '@playwright/test';

export class LabPage {
  readonly app: Locator;
  readonly table: Locator;

  constructor(readonly page: Page) {
    this.app = page.getByTestId('app');
    this.table = page.getByTestId('results-table');
  }

  async goto(hash = ''): Promise<void> {
    await this.page.goto(`/${hash}`);
    await this.waitReady();
  }

  async waitReady(): Promise<void> {
    await expect(this.app).toHaveAttribute('data-status', 'ready');
  }

  rows(): Locator {
    return this.table.locator('tbody tr');
  }

  /** Numbers as rendered in data-value attributes: [row][metric]. */
  async values(): Promise<Record<string, number>[]> {
    return this.table.locator('tbody tr').evaluateAll((trs) =>
      trs.map((tr) => {
        const out: Record<string, number> = {};
        tr.querySelectorAll('td[data-metric]').forEach((td) => {
          out[(td as HTMLElement).dataset.metric ?? ''] = Number((td as HTMLElement).dataset.value);
        });
        return out;
      }),
    );
  }

  async labels(): Promise<string[]> {
    return this.table.locator('tbody th[scope="row"]').allInnerTexts();
  }

  async hash(): Promise<string> {
    return this.page.evaluate(() => window.location.hash);
  }

  /** Set a numeric control and wait for the recomputed table. */
  async setNumber(testId: string, value: number): Promise<void> {
    await this.page.getByTestId(testId).fill(String(value));
    await this.waitReady();
  }
}
