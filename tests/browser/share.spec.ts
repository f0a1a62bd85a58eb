// Share links: exact round trip in a fresh browser, no code runs until asked, tamper detection.
import type { Browser, BrowserContext } from '@playwright/test';
import { deflateSync } from 'fflate';
import { toBase64Url } from '../../lib/notebook/share.ts';
import { expect, guardContext, screenshot, settle, test } from './fixtures.ts';

async function freshContext(browser: Browser, offHost: string[], baseURL: string) {
  const context = await browser.newContext({ baseURL, serviceWorkers: 'block' });
  await guardContext(context, offHost);
  return context;
}

async function cellTexts(context: BrowserContext, url: string) {
  const page = await context.newPage();
  await page.goto(url);
  await settle(page);
  return { page, title: await page.getByTestId('notebook-title').inputValue() };
}

test('a share link reproduces the notebook in a fresh browser and runs no code until asked', async ({
  page,
  browser,
  offHost,
  baseURL,
}) => {
  await page.goto('/notebook/?example=mla-vs-gqa');
  await settle(page);
  await page.getByTestId('notebook-title').fill('Shared MLA check');
  await page.getByTestId('share').click();
  const link = await page.getByTestId('share-link').inputValue();
  expect(link).toMatch(/\/notebook\/#nb1\.[0-9a-f]{8}\./);
  const kinds = await page.$$eval('[data-testid=cell]', (c) => c.map((e) => e.dataset.kind));

  const other = await freshContext(browser, offHost, baseURL ?? '');
  const { page: opened, title } = await cellTexts(other, link);
  expect(title).toBe('Shared MLA check');
  expect(await opened.$$eval('[data-testid=cell]', (c) => c.map((e) => e.dataset.kind))).toEqual(
    kinds,
  );
  await expect(opened.getByTestId('shared-banner')).toBeVisible();
  const code = opened.locator('[data-testid=cell][data-kind=code]');
  await expect(code).toHaveAttribute('data-status', 'held');
  await expect(opened.locator('[data-testid=cell][data-kind=plan]').first()).toHaveAttribute(
    'data-status',
    'done',
  );
  await screenshot(opened, 'shared-notebook-held');
  await opened.getByTestId('allow-code').click();
  await expect(code).toHaveAttribute('data-status', 'done');
  await expect(opened.locator('[data-testid=code-output][data-label=kvPerToken]')).toBeVisible();
  await other.close();
});

test('a tampered or truncated link shows a clear message and changes no saved notebook', async ({
  page,
}) => {
  await page.goto('/');
  await page.getByTestId('new-notebook').click();
  await page.waitForURL(/\/notebook\/\?id=/);
  await page.getByTestId('notebook-title').fill('Keep me');
  await expect(page.getByTestId('save-state')).toHaveText('saved');
  await page.getByTestId('share').click();
  const link = await page.getByTestId('share-link').inputValue();

  const [address, fragment = ''] = link.split('#');
  const middle = Math.floor(fragment.length / 2);
  const flipped = fragment[middle] === 'A' ? 'B' : 'A';
  const variants = [
    fragment.slice(0, -12),
    fragment.replace(/^nb1\.[0-9a-f]{8}/, 'nb1.00000000'),
    fragment.slice(0, middle) + flipped + fragment.slice(middle + 1),
  ];
  for (const variant of variants) {
    const bad = `${address}#${variant}`;
    await page.goto('/');
    await page.goto(bad);
    await expect(page.getByTestId('open-error')).toContainText('damaged');
    await expect(page.getByTestId('open-error')).toContainText('No saved notebook was changed');
  }
  await page.goto('/');
  await expect(page.getByTestId('saved-notebooks').getByRole('listitem')).toHaveCount(1);
  await expect(page.getByTestId('saved-notebooks')).toContainText('Keep me');
});

test('a decompression-bomb link is refused at once with a clear message', async ({ page }) => {
  // 512 MiB of spaces deflates to about 0.5 MB: a link under the 2,000,000-character cap.
  const bomb = deflateSync(new Uint8Array(512 * 2 ** 20).fill(32), { level: 9 });
  const fragment = `nb1.00000000.${toBase64Url(bomb)}`;
  expect(fragment.length).toBeLessThan(2_000_000);

  await page.goto('/');
  const startedMs = Date.now();
  await page.goto(`/notebook/#${fragment}`);
  await expect(page.getByTestId('open-error')).toContainText(
    'The link unpacks to more than 16 MiB, more than any notebook a link can carry; it was ' +
      'not opened. No saved notebook was changed.',
  );
  expect(Date.now() - startedMs).toBeLessThan(8_000);

  await page.goto('/');
  await page.goto('/notebook/#nb0.00000000.AAAA');
  await expect(page.getByTestId('open-error')).toContainText(
    'The link uses share format 0, which no hwLedger writes; this one reads format 1.',
  );
});

test('a shared notebook saved without running its code still holds its code after a reload', async ({
  page,
}) => {
  await page.goto('/notebook/?example=mla-vs-gqa');
  await settle(page);
  await page.getByTestId('share').click();
  const link = await page.getByTestId('share-link').inputValue();
  await page.goto('/');
  await page.goto(link);
  await settle(page);
  await page.getByTestId('save-copy').click();
  await page.waitForURL(/\/notebook\/\?id=/);
  await expect(page.getByTestId('save-state')).toHaveText('saved');
  await page.reload();
  await settle(page);
  const code = page.locator('[data-testid=cell][data-kind=code]');
  await expect(code).toHaveAttribute('data-status', 'held');
  await page.getByTestId('allow-code').click();
  await expect(code).toHaveAttribute('data-status', 'done');
  await expect(page.getByTestId('save-state')).toHaveText('saved');
  await page.reload();
  await settle(page);
  await expect(code).toHaveAttribute('data-status', 'done');
});

test('a new share link opened in the same tab replaces the notebook by the same rules', async ({
  page,
}) => {
  const links: string[] = [];
  for (const slug of ['mla-vs-gqa', 'moe-resident-active']) {
    await page.goto(`/notebook/?example=${slug}`);
    await settle(page);
    await page.getByTestId('share').click();
    links.push(await page.getByTestId('share-link').inputValue());
  }
  const [first = '', second = ''] = links;
  const fragment = (link: string) => link.slice(link.indexOf('#'));

  await page.goto('/');
  await page.goto(first);
  await settle(page);
  await expect(page.getByTestId('notebook-title')).toHaveValue('MLA against GQA at 128k context');

  await page.evaluate((hash) => (window.location.hash = hash), fragment(second));
  await expect(page.getByTestId('notebook-title')).toHaveValue(
    'MoE: resident against active memory',
  );
  await settle(page);
  await expect(page.getByTestId('shared-banner')).toBeVisible();
  await expect(page.locator('[data-testid=cell][data-kind=code]')).toHaveAttribute(
    'data-status',
    'held',
  );

  await page.evaluate((hash) => (window.location.hash = hash), fragment(second).slice(0, -12));
  await expect(page.getByTestId('open-error')).toContainText('damaged');
  await expect(page.getByTestId('open-error')).toContainText('No saved notebook was changed');

  await page.goBack();
  await expect(page.getByTestId('notebook-title')).toHaveValue(
    'MoE: resident against active memory',
  );
  await page.goto('/');
  await expect(page.getByTestId('saved-notebooks').getByRole('listitem')).toHaveCount(0);
});

test('an address naming no example says so and links the examples that exist', async ({ page }) => {
  await page.goto('/notebook/?example=nope');
  await expect(page.getByTestId('open-error')).toContainText(
    'There is no example called “nope”. The examples are:',
  );
  const examples = page.getByTestId('open-error-examples').getByRole('link');
  await expect(examples).toHaveCount(4);
  await examples.first().click();
  await page.waitForURL(/\?example=/);
  await settle(page);
  await expect(page.getByTestId('open-error')).toHaveCount(0);
});

test('editing a notebook opened from a link saves it, with its code still held', async ({
  page,
}) => {
  await page.goto('/notebook/?example=mla-vs-gqa');
  await settle(page);
  await page.getByTestId('share').click();
  const link = await page.getByTestId('share-link').inputValue();
  await page.goto('/');
  await page.goto(link);
  await settle(page);
  await expect(page.getByTestId('save-state')).toHaveText('not saved');

  await page.getByTestId('notebook-title').fill('My edit of a shared notebook');
  await page.waitForURL(/\/notebook\/\?id=/);
  await expect(page.getByTestId('save-state')).toHaveText('saved');
  await page.reload();
  await settle(page);
  await expect(page.getByTestId('notebook-title')).toHaveValue('My edit of a shared notebook');
  await expect(page.locator('[data-testid=cell][data-kind=code]')).toHaveAttribute(
    'data-status',
    'held',
  );
});

test('the share box says the link was copied and when edits have made it stale', async ({
  page,
  context,
}) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  await page.goto('/notebook/?example=flat-memory-curves');
  await settle(page);
  await page.getByTestId('share').click();
  const link = await page.getByTestId('share-link').inputValue();
  await expect(page.locator('.share-box')).toContainText('(copied;');
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(link);
  await expect(page.getByTestId('share-stale')).toHaveCount(0);

  await page.getByTestId('notebook-title').fill('Changed after sharing');
  await expect(page.getByTestId('share-stale')).toContainText('press Share link again');
  await page.getByTestId('share').click();
  await expect(page.getByTestId('share-stale')).toHaveCount(0);
  expect(await page.getByTestId('share-link').inputValue()).not.toBe(link);
});
