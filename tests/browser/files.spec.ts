// Export a notebook as a file and import it back as a new saved notebook.
import { readFileSync } from 'node:fs';
import { expect, settle, test } from './fixtures.ts';

test('an exported notebook file imports back with the same cells', async ({ page }, info) => {
  await page.goto('/notebook/?example=moe-resident-active');
  await settle(page);
  const kinds = await page.$$eval('[data-testid=cell]', (c) => c.map((e) => e.dataset.kind));
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export file' }).click();
  const file = info.outputPath('notebook.hwledger.json');
  await (await download).saveAs(file);
  expect(JSON.parse(readFileSync(file, 'utf8')).cells).toHaveLength(kinds.length);

  await page.goto('/');
  await page.getByTestId('import-file').setInputFiles(file);
  await page.waitForURL(/\/notebook\/\?id=/);
  // The saved notebook loads from IndexedDB after the page: wait for its cells, then their runs.
  await expect(page.getByTestId('cell')).toHaveCount(kinds.length);
  await settle(page);
  expect(await page.$$eval('[data-testid=cell]', (c) => c.map((e) => e.dataset.kind))).toEqual(
    kinds,
  );
  await expect(page.getByTestId('notebook-title')).toHaveValue(
    'MoE: resident against active memory',
  );
  await expect(page.locator('[data-testid=cell][data-kind=code]')).toHaveAttribute(
    'data-status',
    'held',
  );
});

test('importing a file that is not a notebook says which field is wrong', async ({ page }) => {
  await page.goto('/');
  await page.getByTestId('import-file').setInputFiles({
    name: 'broken.hwledger.json',
    mimeType: 'application/json',
    buffer: Buffer.from(JSON.stringify({ format: 1, id: 'x', title: 't', cells: 'none' })),
  });
  await expect(page.getByTestId('home-message')).toContainText('cells must be a list');
});

test('importing an empty file or a text file names it and says what was expected', async ({
  page,
}) => {
  await page.goto('/');
  const message = page.getByTestId('home-message');
  for (const [name, text, said] of [
    ['empty.hwledger.json', '', 'empty.hwledger.json is empty: expected a hwLedger notebook'],
    ['notes.txt', 'GPU shopping list', 'notes.txt is not JSON (it starts “GPU shopping list”)'],
  ] as const) {
    await page.getByTestId('import-file').setInputFiles({
      name,
      mimeType: 'application/json',
      buffer: Buffer.from(text),
    });
    await expect(message).toContainText(said);
    await expect(message).toContainText('the JSON file that Export file writes');
    await expect(message).not.toContainText('Unexpected');
  }
  await expect(page.getByTestId('saved-notebooks').getByRole('listitem')).toHaveCount(0);
});
