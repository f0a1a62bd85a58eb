// Two tabs on one notebook: edits show live in the other tab; a stale tab loses nothing.
import type { BrowserContext, Page } from '@playwright/test';
import { expect, test } from './fixtures.ts';

/** Makes a saved notebook with `text` in its first cell and returns its address. */
async function savedNotebook(page: Page, text: string): Promise<string> {
  await page.goto('/');
  await page.getByTestId('new-notebook').click();
  await page.waitForURL(/\/notebook\/\?id=/);
  await page.getByTestId('markdown-source').fill(text);
  await expect(page.getByTestId('save-state')).toHaveText('saved');
  return page.url();
}

/** A second tab in the same browser; `deaf` tabs hear nothing from the others. */
async function secondTab(context: BrowserContext, url: string, errors: string[], deaf = false) {
  const other = await context.newPage();
  other.on('pageerror', (error) => errors.push(error.message));
  if (deaf) {
    await other.addInitScript(() => Reflect.deleteProperty(window, 'BroadcastChannel'));
  }
  await other.goto(url);
  await expect(other.getByTestId('save-state')).toHaveText('saved');
  return other;
}

test('an edit in one tab shows in the other tab open on the same notebook', async ({
  page,
  context,
}) => {
  const errors: string[] = [];
  const url = await savedNotebook(page, 'first');
  const other = await secondTab(context, url, errors);
  await expect(other.locator('.markdown')).toHaveText('first');

  await page.getByTestId('notebook-title').fill('Edited in tab A');
  await expect(other.getByTestId('notebook-title')).toHaveValue('Edited in tab A');
  await other.getByRole('button', { name: 'edit text' }).click();
  await other.getByTestId('markdown-source').fill('written in tab B');
  await expect(page.getByTestId('markdown-source')).toHaveValue('written in tab B');
  await expect(other.getByTestId('save-state')).toHaveText('saved');
  await expect(page.getByTestId('conflict-banner')).toHaveCount(0);

  await page.reload();
  await expect(page.getByTestId('notebook-title')).toHaveValue('Edited in tab A');
  await expect(page.locator('.markdown')).toHaveText('written in tab B');
  expect(errors).toEqual([]);
});

test('a stale tab keeps its edits as a new notebook and the other tab’s stay', async ({
  page,
  context,
}) => {
  const errors: string[] = [];
  const url = await savedNotebook(page, 'shared start');
  const stale = await secondTab(context, url, errors, true);

  await page.getByTestId('notebook-title').fill('Theirs');
  await expect(page.getByTestId('save-state')).toHaveText('saved');
  await stale.getByTestId('notebook-title').fill('Mine');
  await expect(stale.getByTestId('conflict-banner')).toContainText('changed in another tab');
  await expect(stale.getByTestId('save-state')).toHaveText('not saved: changed elsewhere');
  await stale.getByRole('button', { name: 'edit text' }).click();
  await stale.getByTestId('markdown-source').fill('my words');
  await expect(stale.getByTestId('conflict-banner')).toBeVisible();

  await stale.getByTestId('conflict-keep-mine').click();
  await expect(stale.getByTestId('conflict-banner')).toHaveCount(0);
  await expect(stale.getByTestId('save-state')).toHaveText('saved');
  await expect(stale.getByTestId('notebook-title')).toHaveValue('Mine (my copy)');
  expect(stale.url()).not.toBe(url);

  await stale.reload();
  await expect(stale.getByTestId('notebook-title')).toHaveValue('Mine (my copy)');
  await expect(stale.locator('.markdown')).toHaveText('my words');
  await page.reload();
  await expect(page.getByTestId('notebook-title')).toHaveValue('Theirs');
  await expect(page.locator('.markdown')).toHaveText('shared start');
  expect(errors).toEqual([]);
});

test('a stale tab can load the other version and then saves on top of it', async ({
  page,
  context,
}) => {
  const errors: string[] = [];
  const url = await savedNotebook(page, 'start');
  const stale = await secondTab(context, url, errors, true);

  await page.getByTestId('notebook-title').fill('Theirs');
  await expect(page.getByTestId('save-state')).toHaveText('saved');
  await stale.getByTestId('notebook-title').fill('Mine');
  await stale.getByTestId('conflict-load-theirs').click();
  await expect(stale.getByTestId('notebook-title')).toHaveValue('Theirs');
  await expect(stale.getByTestId('conflict-banner')).toHaveCount(0);

  await stale.getByTestId('notebook-title').fill('Theirs, then mine');
  await expect(stale.getByTestId('save-state')).toHaveText('saved');
  await page.reload();
  await expect(page.getByTestId('notebook-title')).toHaveValue('Theirs, then mine');
  expect(errors).toEqual([]);
});

test('deleting an open notebook on the home page warns its tab, and Undo clears it', async ({
  page,
  context,
}) => {
  const errors: string[] = [];
  const url = await savedNotebook(page, 'keep this');
  const home = await context.newPage();
  home.on('pageerror', (error) => errors.push(error.message));
  await home.goto('/');
  await home.getByRole('button', { name: 'delete Untitled notebook' }).click();
  await expect(page.getByTestId('conflict-banner')).toContainText('deleted in another tab');

  await home.getByTestId('undo').click();
  await expect(page.getByTestId('conflict-banner')).toHaveCount(0);
  await page.getByTestId('notebook-title').fill('Still here');
  await expect(page.getByTestId('save-state')).toHaveText('saved');
  await home.reload();
  await expect(home.getByTestId('saved-notebooks').getByRole('listitem')).toHaveCount(1);
  await expect(home.getByTestId('saved-notebooks')).toContainText('Still here');
  expect(page.url()).toBe(url);
  expect(errors).toEqual([]);
});

test('a tab whose notebook was deleted elsewhere can save it again with its edits', async ({
  page,
  context,
}) => {
  const errors: string[] = [];
  await savedNotebook(page, 'do not lose me');
  const home = await context.newPage();
  home.on('pageerror', (error) => errors.push(error.message));
  await home.goto('/');
  await home.getByRole('button', { name: 'delete Untitled notebook' }).click();
  await expect(page.getByTestId('conflict-banner')).toContainText('deleted in another tab');
  await page.getByTestId('notebook-title').fill('Edited after the delete');
  await expect(page.getByTestId('save-state')).toHaveText('not saved: changed elsewhere');

  await page.getByTestId('conflict-save-again').click();
  await expect(page.getByTestId('conflict-banner')).toHaveCount(0);
  await expect(page.getByTestId('save-state')).toHaveText('saved');
  await expect(home.getByTestId('saved-notebooks')).toContainText('Edited after the delete');
  await page.reload();
  await expect(page.getByTestId('notebook-title')).toHaveValue('Edited after the delete');
  await expect(page.locator('.markdown')).toHaveText('do not lose me');
  expect(errors).toEqual([]);
});
