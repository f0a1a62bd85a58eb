// Undo never brings back a second cell of the same name; a plan added to an empty notebook runs.
import type { Page } from '@playwright/test';
import { expect, settle, test } from './fixtures.ts';

async function newNotebook(page: Page): Promise<void> {
  await page.goto('/');
  await page.getByTestId('new-notebook').click();
  await page.waitForURL(/\/notebook\/\?id=/);
  await expect(page.getByTestId('cell')).toHaveCount(1);
}

async function planNames(page: Page): Promise<string[]> {
  return page
    .getByTestId('plan-name')
    .evaluateAll((inputs) => inputs.map((input) => (input as HTMLInputElement).value));
}

test('a deleted plan whose name was taken meanwhile comes back renamed, and says so', async ({
  page,
}) => {
  await newNotebook(page);
  const first = page.getByTestId('cell').nth(0);
  await first.getByRole('button', { name: '+ plan' }).click();
  await expect(page.getByTestId('cell').nth(1)).toHaveAttribute('data-status', 'done');
  expect(await planNames(page)).toEqual(['plan1']);

  await page.getByTestId('cell').nth(1).getByRole('button', { name: 'delete cell' }).click();
  await expect(page.getByTestId('cell')).toHaveCount(1);
  await first.getByRole('button', { name: '+ plan' }).click();
  await expect(page.getByTestId('cell')).toHaveCount(2);
  expect(await planNames(page)).toEqual(['plan1']);

  await page.getByTestId('undo').click();
  await expect(page.getByTestId('cell')).toHaveCount(3);
  expect((await planNames(page)).sort()).toEqual(['plan1', 'plan1_2']);
  await expect(page.getByTestId('restored-note')).toContainText(
    'Brought back the deleted plan as plan1_2: plan1 now names another cell.',
  );
  expect(await settle(page)).toEqual(['markdown:idle', 'plan:done', 'plan:done']);
  await expect(page.getByTestId('cell-error')).toHaveCount(0);
});

test('a plan added from the empty state runs at once', async ({ page }) => {
  await newNotebook(page);
  await page.getByTestId('cell').nth(0).getByRole('button', { name: 'delete cell' }).click();
  await expect(page.getByText('This notebook is empty.')).toBeVisible();
  await page.locator('.empty').getByRole('button', { name: '+ plan' }).click();
  const plan = page.getByTestId('cell').nth(0);
  await expect(plan).toHaveAttribute('data-status', 'done');
  await expect(plan.getByTestId('cell-status')).toHaveText(/done/);
});
