// Deleting a notebook or a cell can be undone, restoring it exactly where and as it was.
import type { Page } from '@playwright/test';
import { expect, settle, test } from './fixtures.ts';

async function newNamedNotebook(page: Page, title: string, text: string): Promise<void> {
  await page.goto('/');
  await page.getByTestId('new-notebook').click();
  await page.waitForURL(/\/notebook\/\?id=/);
  await page.getByTestId('notebook-title').fill(title);
  await page.getByTestId('markdown-source').fill(text);
  await expect(page.getByTestId('save-state')).toHaveText('saved');
}

async function cellIds(page: Page): Promise<string[]> {
  return page.$$eval('[data-testid=cell]', (cells) => cells.map((c) => c.dataset.cellId ?? ''));
}

test('a notebook deleted on the home page comes back in its place with Undo', async ({ page }) => {
  await newNamedNotebook(page, 'Older', 'older text');
  await newNamedNotebook(page, 'Newer', 'newer text');
  await page.goto('/');
  const list = page.getByTestId('saved-notebooks').getByRole('listitem');
  await expect(list).toHaveText([/^Newer 1 cell, edited/, /^Older 1 cell, edited/]);

  await page.getByRole('button', { name: 'delete Newer' }).click();
  await expect(list).toHaveText([/^Older/]);
  await expect(page.getByTestId('undo-message')).toHaveText('Deleted “Newer”.');
  await page.getByTestId('undo').click();
  await expect(list).toHaveText([/^Newer 1 cell/, /^Older 1 cell/]);
  await expect(page.getByTestId('undo-toast')).toHaveCount(0);

  await page.getByRole('link', { name: 'Newer' }).click();
  await expect(page.getByTestId('notebook-title')).toHaveValue('Newer');
  await expect(page.locator('.markdown')).toHaveText('newer text');
});

test('Ctrl+Z on the home page brings back the last deleted notebook', async ({ page }) => {
  await newNamedNotebook(page, 'Kept', 'kept text');
  await newNamedNotebook(page, 'Gone', 'gone text');
  await page.goto('/');
  const list = page.getByTestId('saved-notebooks').getByRole('listitem');
  await expect(list).toHaveText([/^Gone 1 cell/, /^Kept 1 cell/]);

  await page.getByRole('button', { name: 'delete Gone' }).click();
  await expect(list).toHaveText([/^Kept/]);
  await page.getByRole('button', { name: 'delete Kept' }).click();
  await expect(page.getByText('None yet')).toBeVisible();

  await page.keyboard.press('Control+z');
  await expect(list).toHaveText([/^Kept 1 cell/]);
  await expect(page.getByTestId('undo-message')).toHaveText('Deleted “Gone”.');
  await page.keyboard.press('Control+z');
  await expect(list).toHaveText([/^Gone 1 cell/, /^Kept 1 cell/]);
  await expect(page.getByTestId('undo-toast')).toHaveCount(0);

  await page.getByRole('link', { name: 'Gone' }).click();
  await expect(page.locator('.markdown')).toHaveText('gone text');
});

test('two deletions are undone newest first', async ({ page }) => {
  await newNamedNotebook(page, 'One', 'a');
  await newNamedNotebook(page, 'Two', 'b');
  await page.goto('/');
  const list = page.getByTestId('saved-notebooks').getByRole('listitem');
  await page.getByRole('button', { name: 'delete Two' }).click();
  await expect(list).toHaveCount(1);
  await page.getByRole('button', { name: 'delete One' }).click();
  await expect(page.getByText('None yet')).toBeVisible();
  await expect(page.getByTestId('undo-message')).toHaveText('Deleted “One”.');
  await page.getByTestId('undo').click();
  await expect(page.getByTestId('undo-message')).toHaveText('Deleted “Two”.');
  await page.getByTestId('undo').click();
  await expect(list).toHaveText([/^Two/, /^One/]);
});

test('a deleted cell comes back at its place with its contents and result', async ({ page }) => {
  await page.goto('/notebook/?example=mla-vs-gqa');
  await settle(page);
  const before = await cellIds(page);
  const plan = page.getByTestId('cell').nth(1);
  const context = await plan.getByTestId('plan-context').inputValue();

  await plan.getByRole('button', { name: 'delete cell' }).click();
  expect(await cellIds(page)).toEqual(before.filter((_, i) => i !== 1));
  await expect(page.getByTestId('undo-message')).toHaveText(/^Deleted plan cell “\w+”\.$/);
  await page.getByTestId('undo').click();

  expect(await cellIds(page)).toEqual(before);
  await expect(page.getByTestId('cell').nth(1).getByTestId('plan-context')).toHaveValue(context);
  expect(await settle(page)).not.toContain('plan:error');
  await page.reload();
  await settle(page);
  expect(await cellIds(page)).toEqual(before);
});

test('a cell deleted from the keyboard comes back with Ctrl+Z', async ({ page }) => {
  await newNamedNotebook(page, 'Keys', 'first cell');
  const textarea = page.getByTestId('markdown-source').first();
  await textarea.press('Alt+Shift+M');
  await expect(page.getByTestId('cell')).toHaveCount(2);
  await textarea.focus();
  await textarea.press('Alt+Shift+Backspace');
  await expect(page.getByTestId('cell')).toHaveCount(1);
  await expect(page.getByTestId('undo-message')).toHaveText('Deleted text cell 1.');

  await page.keyboard.press('Control+z');
  await expect(page.getByTestId('cell')).toHaveCount(2);
  await expect(page.getByTestId('cell').first().locator('.markdown')).toHaveText('first cell');
  await expect(page.getByTestId('save-state')).toHaveText('saved');
  await page.reload();
  await expect(page.getByTestId('cell').first().locator('.markdown')).toHaveText('first cell');
});
