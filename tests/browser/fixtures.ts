// Shared browser-test fixtures: every request must stay on 127.0.0.1, pages must not crash.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { test as base, expect, type BrowserContext, type Page } from '@playwright/test';

/** Where the main views are saved as screenshots. */
export const SCREENSHOT_DIR = join(process.cwd(), 'tests', 'output', 'screenshots');

/** Records requests to any host but 127.0.0.1 (and aborts them) and page errors. */
export async function guardContext(context: BrowserContext, offHost: string[]): Promise<void> {
  await context.route('**/*', async (route) => {
    const url = new URL(route.request().url());
    const local =
      url.hostname === '127.0.0.1' && (url.protocol === 'http:' || url.protocol === 'ws:');
    if (local || url.protocol === 'blob:' || url.protocol === 'data:') await route.continue();
    else {
      offHost.push(url.href);
      await route.abort('blockedbyclient');
    }
  });
}

/** Saves a full-page screenshot of a main view. */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}.png`), fullPage: true });
}

/** Waits until no cell is queued or running and returns the page's cell states. */
export async function settle(page: Page): Promise<string[]> {
  // A saved notebook opens from IndexedDB after the page itself: its title shows once it has.
  await page.getByTestId('notebook-title').waitFor({ timeout: 60_000 });
  await expect
    .poll(
      async () =>
        page.$$eval('[data-testid=cell]', (cells) =>
          cells.some((c) => ['queued', 'running'].includes(c.getAttribute('data-status') ?? '')),
        ),
      { timeout: 60_000 },
    )
    .toBe(false);
  return page.$$eval('[data-testid=cell]', (cells) =>
    cells.map((c) => `${c.getAttribute('data-kind')}:${c.getAttribute('data-status')}`),
  );
}

export const test = base.extend<{ offHost: string[]; pageErrors: string[] }>({
  // eslint-disable-next-line no-empty-pattern
  offHost: async ({}, use) => {
    await use([]);
  },
  // eslint-disable-next-line no-empty-pattern
  pageErrors: async ({}, use) => {
    await use([]);
  },
  context: async ({ context, offHost }, use) => {
    await guardContext(context, offHost);
    await use(context);
    expect(offHost, 'requests that left 127.0.0.1').toEqual([]);
  },
  page: async ({ page, pageErrors }, use) => {
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await use(page);
    expect(pageErrors, 'uncaught errors in the page').toEqual([]);
  },
});

export { expect };
