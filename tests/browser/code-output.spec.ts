// Code-cell output and editor: console calls, sandbox globals, special numbers, bad hw arguments.
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures.ts';

/** Opens a new saved notebook and adds one code cell with `source` typed into its editor. */
async function codeCell(page: Page, source: string): Promise<void> {
  await page.goto('/');
  await page.getByTestId('new-notebook').click();
  await page.waitForURL(/\/notebook\/\?id=/);
  await expect(page.getByTestId('cell')).toHaveCount(1);
  await page.getByTestId('cell').nth(0).getByRole('button', { name: '+ code' }).click();
  const cell = page.getByTestId('cell').nth(1);
  await cell.locator('.monaco-editor').waitFor();
  await cell.locator('.monaco-editor .view-lines').click();
  await page.keyboard.insertText(source);
}

function output(page: Page, label: string) {
  return page.locator(`[data-testid=code-output][data-label="${label}"]`);
}

test('console calls show as outputs and the editor knows console and timers', async ({ page }) => {
  await codeCell(
    page,
    [
      'await new Promise((resolve) => setTimeout(resolve, 20));',
      "console.log('hello', 6 * 7);",
      'console.warn({ careful: true });',
      'export const done = 1;',
      "const deliberate: number = 'text';",
      '',
    ].join('\n'),
  );
  await page.keyboard.press('Shift+Enter');
  await expect(output(page, 'done')).toHaveText('done = 1');
  await expect(output(page, 'console.log')).toHaveText('console.log = hello 42');
  await expect(output(page, 'console.warn')).toContainText('"careful": true');
  const problems = page.getByTestId('cell').nth(1).getByTestId('code-problems').locator('li');
  await expect(problems.first()).toContainText("line 5: Type 'string' is not assignable");
  await expect(problems).toHaveCount(1);
});

test('outputs keep NaN, Infinity, undefined and -0 visible', async ({ page }) => {
  await codeCell(
    page,
    'export const values = { nan: NaN, u: undefined, z: -0, inf: [Infinity, -Infinity] };\n' +
      'export const alone = NaN;\n',
  );
  await page.keyboard.press('Shift+Enter');
  const values = output(page, 'values');
  await expect(values).toContainText('"nan": NaN');
  await expect(values).toContainText('"u": undefined');
  await expect(values).toContainText('"z": -0');
  await expect(values).toContainText('Infinity,');
  await expect(values).toContainText('-Infinity');
  await expect(output(page, 'alone')).toHaveText('alone = NaN');
});

test('hw.plan(42) is a CapacityError naming the request, not a TypeError', async ({ page }) => {
  await codeCell(page, 'export const r = hw.plan(42 as never);\n');
  await page.keyboard.press('Shift+Enter');
  const error = page.getByTestId('cell').nth(1).getByTestId('cell-error');
  await expect(error).toContainText('CapacityError: request must be an object such as');
  await expect(error).toContainText('got 42');
  await expect(error).not.toContainText('TypeError');
});
