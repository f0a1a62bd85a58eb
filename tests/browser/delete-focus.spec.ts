// After a cell is deleted (keys or ✕), focus goes to the next cell, never to the page body.
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures.ts';

async function focusedCellId(page: Page): Promise<string | null> {
  return page.evaluate(
    () =>
      document.activeElement?.closest<HTMLElement>('[data-testid=cell]')?.dataset.cellId ?? null,
  );
}

async function cellIds(page: Page): Promise<string[]> {
  return page.$$eval('[data-testid=cell]', (cells) => cells.map((c) => c.dataset.cellId ?? ''));
}

test('deleting cells by keyboard and by ✕ keeps focus on a cell', async ({ page }) => {
  await page.goto('/');
  await page.getByTestId('new-notebook').click();
  await page.waitForURL(/\/notebook\/\?id=/);
  const textarea = page.getByTestId('markdown-source').first();
  await textarea.fill('first');
  await textarea.press('Alt+Shift+M');
  await textarea.press('Alt+Shift+M');
  await textarea.press('Alt+Shift+M');
  await expect(page.getByTestId('cell')).toHaveCount(4);
  const ids = await cellIds(page);

  await page.getByTestId('cell').nth(1).locator('textarea').focus();
  await page.keyboard.press('Alt+Shift+Backspace');
  await expect(page.getByTestId('cell')).toHaveCount(3);
  await expect.poll(() => focusedCellId(page)).toBe(ids[2]);

  await page.keyboard.press('Alt+Shift+Backspace');
  await expect(page.getByTestId('cell')).toHaveCount(2);
  await expect.poll(() => focusedCellId(page)).toBe(ids[3]);

  await page.getByTestId('cell').nth(1).getByRole('button', { name: 'delete cell' }).click();
  await expect(page.getByTestId('cell')).toHaveCount(1);
  await expect.poll(() => focusedCellId(page)).toBe(ids[0]);

  await page.keyboard.press('Alt+Shift+Backspace');
  await expect(page.getByTestId('cell')).toHaveCount(0);
  await expect(page.locator('.empty button').first()).toBeFocused();
});
