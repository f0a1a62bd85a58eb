// Code cells: type errors in the editor, errors in place, stopping an endless cell, keyboard.
import type { Page } from '@playwright/test';
import { expect, screenshot, settle, test } from './fixtures.ts';

/** Opens a new, empty saved notebook. */
async function newNotebook(page: Page): Promise<void> {
  await page.goto('/');
  await page.getByTestId('new-notebook').click();
  await page.waitForURL(/\/notebook\/\?id=/);
  await expect(page.getByTestId('cell')).toHaveCount(1);
}

/** Adds a code cell below cell `index` with `source` typed into its editor. */
async function addCode(page: Page, index: number, source: string): Promise<void> {
  await page.getByTestId('cell').nth(index).getByRole('button', { name: '+ code' }).click();
  const cell = page.getByTestId('cell').nth(index + 1);
  await cell.locator('.monaco-editor').waitFor();
  await cell.locator('.monaco-editor .view-lines').click();
  await page.keyboard.insertText(source);
}

test('a type error in a code cell shows in the editor and below it', async ({ page }) => {
  await newNotebook(page);
  await addCode(page, 0, "export const n: number = 'not a number';\n");
  const cell = page.getByTestId('cell').nth(1);
  await expect(cell.getByTestId('code-problems')).toContainText(
    "Type 'string' is not assignable to type 'number'",
  );
  await expect(cell.locator('.squiggly-error').first()).toBeAttached();
  await screenshot(page, 'code-cell-type-error');
});

test('the capacity API types load: a misspelt hw call is an error', async ({ page }) => {
  await newNotebook(page);
  await addCode(page, 0, "export const s = hw.catalogueSpek('llama-3.1-8b');\n");
  await expect(page.getByTestId('cell').nth(1).getByTestId('code-problems')).toContainText(
    "Property 'catalogueSpek' does not exist",
  );
});

test('the editor completes the capacity API after hw.', async ({ page }) => {
  await newNotebook(page);
  await addCode(page, 0, 'export const r = hw.');
  await page.keyboard.press('Control+Space');
  const suggestions = page.locator('.suggest-widget .monaco-list-row');
  await expect(suggestions.filter({ hasText: 'catalogueSpec' }).first()).toBeVisible();
  await page.keyboard.press('Escape');
  await page.keyboard.insertText('prepareP');
  await page.keyboard.press('Control+Space');
  await expect(suggestions.filter({ hasText: 'preparePlan' }).first()).toBeVisible();
});

test('Shift+Enter runs a cell; a failing cell shows its error while others keep results', async ({
  page,
}) => {
  await newNotebook(page);
  await addCode(page, 0, 'export const a = 6 * 7;');
  await page.keyboard.press('Shift+Enter');
  await expect(page.locator('[data-testid=code-output][data-label=a]')).toHaveText('a = 42');
  await addCode(page, 1, "throw new Error('broken on purpose');");
  await page.keyboard.press('Shift+Enter');
  const failing = page.getByTestId('cell').nth(2);
  await expect(failing.getByTestId('cell-error')).toContainText('broken on purpose');
  await expect(page.locator('[data-testid=code-output][data-label=a]')).toHaveText('a = 42');
});

test('a cell reads names exported by cells above and re-runs when they change', async ({
  page,
}) => {
  await newNotebook(page);
  await addCode(page, 0, 'export const base = 10;');
  await addCode(page, 1, 'export const doubled = base * 2;');
  await page.getByTestId('run-all').click();
  await settle(page);
  await expect(page.locator('[data-testid=code-output][data-label=doubled]')).toHaveText(
    'doubled = 20',
  );
  const first = page.getByTestId('cell').nth(1);
  await first.locator('.monaco-editor .view-lines').click();
  await page.keyboard.press('End');
  for (let i = 0; i < 3; i += 1) await page.keyboard.press('Backspace');
  await page.keyboard.insertText('21;');
  await page.keyboard.press('Shift+Enter');
  await expect(page.locator('[data-testid=code-output][data-label=doubled]')).toHaveText(
    'doubled = 42',
  );
});

test('an endless cell can be stopped without reloading, and the next run works', async ({
  page,
}) => {
  await newNotebook(page);
  await addCode(page, 0, 'while (true) {}');
  await page.keyboard.press('Shift+Enter');
  const cell = page.getByTestId('cell').nth(1);
  await expect(cell).toHaveAttribute('data-status', 'running');
  await cell.getByTestId('cell-stop').click();
  await expect(cell).toHaveAttribute('data-status', 'stopped');
  await addCode(page, 1, 'export const after = 1 + 1;');
  await page.keyboard.press('Shift+Enter');
  await expect(page.locator('[data-testid=code-output][data-label=after]')).toHaveText('after = 2');
});

test('cells move and are deleted by keyboard', async ({ page }) => {
  await newNotebook(page);
  await addCode(page, 0, 'export const x = 1;');
  await page.keyboard.press('Alt+Shift+ArrowUp');
  await expect(page.getByTestId('cell').first()).toHaveAttribute('data-kind', 'code');
  await page.keyboard.press('Alt+Shift+KeyM');
  await expect(page.getByTestId('cell')).toHaveCount(3);
  await expect(page.getByTestId('cell').nth(1)).toHaveAttribute('data-kind', 'markdown');
  await page.getByTestId('cell').first().locator('.monaco-editor .view-lines').click();
  await page.keyboard.press('Alt+Shift+Backspace');
  await expect(page.getByTestId('cell')).toHaveCount(2);
  await expect(page.getByTestId('cell').first()).toHaveAttribute('data-kind', 'markdown');
});
