// Notebooks persist in IndexedDB across reloads and are listed on the home page.
import { expect, settle, test } from './fixtures.ts';

test('a notebook edited from an example survives a reload', async ({ page }) => {
  await page.goto('/notebook/?example=mla-vs-gqa');
  await settle(page);
  await page.getByTestId('notebook-title').fill('My MLA notes');
  await page.waitForURL(/\/notebook\/\?id=/);
  await expect(page.getByTestId('save-state')).toHaveText('saved');
  const plan = page.getByTestId('cell').nth(1);
  await plan.getByTestId('plan-context').fill('65536');
  await expect(page.getByTestId('save-state')).toHaveText('saved');
  await page.reload();
  await expect(page.getByTestId('notebook-title')).toHaveValue('My MLA notes');
  await expect(page.getByTestId('cell').nth(1).getByTestId('plan-context')).toHaveValue('65536');
  await page.goto('/');
  await expect(page.getByTestId('saved-notebooks')).toContainText('My MLA notes');
});

test('markdown typed into a new notebook is kept after a reload', async ({ page }) => {
  await page.goto('/');
  await page.getByTestId('new-notebook').click();
  await page.waitForURL(/\/notebook\/\?id=/);
  await page.getByTestId('markdown-source').fill('# Budget\nTwo **A100** cards.');
  await expect(page.getByTestId('save-state')).toHaveText('saved');
  await page.reload();
  await expect(page.locator('.markdown h2')).toHaveText('Budget');
  await expect(page.locator('.markdown strong')).toHaveText('A100');
});
