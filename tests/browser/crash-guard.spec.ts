// Crash-loop guard: a saved notebook whose last code run never settled opens with its code held.
import type { Page } from '@playwright/test';
import { expect, settle, test } from './fixtures.ts';

/** The localStorage record of a running code cell of notebook `id` (app/_lib/crash-guard.ts). */
function runningKey(id: string): string {
  return `hwledger.codeRunning.${id}`;
}

async function readRecord(page: Page, id: string): Promise<string | null> {
  return page.evaluate((key) => localStorage.getItem(key), runningKey(id));
}

/** Opens a new saved notebook with one code cell that spins for `spinMs`, then exports a = 42. */
async function notebookWithSlowCell(page: Page, spinMs: number): Promise<string> {
  await page.goto('/');
  await page.getByTestId('new-notebook').click();
  await page.waitForURL(/\/notebook\/\?id=/);
  await expect(page.getByTestId('cell')).toHaveCount(1);
  const id = new URL(page.url()).searchParams.get('id') ?? '';
  await page.getByTestId('cell').nth(0).getByRole('button', { name: '+ code' }).click();
  const cell = page.getByTestId('cell').nth(1);
  await cell.locator('.monaco-editor').waitFor();
  await cell.locator('.monaco-editor .view-lines').click();
  await page.keyboard.insertText(
    `const t0 = Date.now();\nwhile (Date.now() - t0 < ${spinMs}) {}\nexport const a = 6 * 7;`,
  );
  return id;
}

test('a code run is recorded while it runs and the record is cleared when it settles', async ({
  page,
}) => {
  const id = await notebookWithSlowCell(page, 2000);
  expect(id).not.toBe('');
  expect(await readRecord(page, id)).toBeNull();
  await page.keyboard.press('Shift+Enter');
  await expect.poll(() => readRecord(page, id), { timeout: 10_000 }).not.toBeNull();
  await expect(page.locator('[data-testid=code-output][data-label=a]')).toHaveText('a = 42');
  await expect.poll(() => readRecord(page, id)).toBeNull();
});

test('a notebook whose last code run never settled opens with its code held', async ({ page }) => {
  const id = await notebookWithSlowCell(page, 10);
  await page.keyboard.press('Shift+Enter');
  await expect(page.locator('[data-testid=code-output][data-label=a]')).toHaveText('a = 42');
  await expect(page.getByTestId('save-state')).toHaveText('saved');

  await page.evaluate((key) => localStorage.setItem(key, String(Date.now())), runningKey(id));
  await page.reload();
  await settle(page);
  const cell = page.getByTestId('cell').nth(1);
  await expect(cell).toHaveAttribute('data-status', 'held');
  await expect(cell.getByTestId('cell-note')).toContainText(
    "the last run of this notebook's code did not finish (the tab may have crashed)",
  );
  await expect(page.getByTestId('shared-banner')).toContainText('(the tab may have crashed)');
  await expect(page.locator('[data-testid=code-output][data-label=a]')).toHaveCount(0);

  await page.reload();
  await settle(page);
  await expect(page.getByTestId('cell').nth(1)).toHaveAttribute('data-status', 'held');

  await page.getByTestId('allow-code').click();
  await expect(page.locator('[data-testid=code-output][data-label=a]')).toHaveText('a = 42');
  await expect(page.getByTestId('shared-banner')).toHaveCount(0);
  await expect.poll(() => readRecord(page, id)).toBeNull();

  await page.reload();
  await settle(page);
  await expect(page.locator('[data-testid=code-output][data-label=a]')).toHaveText('a = 42');
});
