// After one visit the service worker serves the app offline, examples included.
import { expect, settle, test } from './fixtures.ts';

test.use({ serviceWorkers: 'allow' });

test('the app opens and plans offline after the first visit', async ({ page, context }) => {
  await page.goto('/');
  const cached = await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
    const expected = (await (await fetch('/precache.json')).json()) as string[];
    for (let i = 0; i < 100; i += 1) {
      const cache = await caches.open('hwledger-v1');
      if ((await cache.keys()).length >= expected.length) return expected.length;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return -1;
  });
  expect(cached).toBeGreaterThan(10);

  await context.setOffline(true);
  await page.goto('/notebook/?example=mla-vs-gqa');
  const states = await settle(page);
  expect(states.filter((state) => state.startsWith('plan'))).toEqual(['plan:done', 'plan:done']);
  await page.goto('/');
  await expect(page.getByTestId('examples').getByRole('link')).toHaveCount(4);
  await context.setOffline(false);
});

test('offline, the icon loads and an unknown path shows the app 404 page', async ({
  page,
  context,
}) => {
  await page.goto('/');
  const precached = await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
    const expected = (await (await fetch('/precache.json')).json()) as string[];
    for (let i = 0; i < 100; i += 1) {
      const cache = await caches.open('hwledger-v1');
      if ((await cache.keys()).length >= expected.length) return true;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return false;
  });
  expect(precached).toBe(true);
  // No reload online: the icon, asked for with a query, was never fetched through the worker.
  await expect
    .poll(() => page.evaluate(() => navigator.serviceWorker.controller !== null))
    .toBe(true);

  await context.setOffline(true);
  const failed: string[] = [];
  page.on('requestfailed', (request) => failed.push(request.url()));
  page.on('console', (message) => {
    if (message.type() === 'error') failed.push(message.text());
  });
  await page.goto('/');
  await expect(page.getByTestId('examples').getByRole('link')).toHaveCount(4);
  const iconHref = await page.locator('link[rel=icon]').getAttribute('href');
  expect(iconHref).toMatch(/^\/icon\.svg\?/);
  const icon = await page.evaluate(async (href) => {
    const response = await fetch(href ?? '');
    return { status: response.status, type: response.headers.get('content-type') };
  }, iconHref);
  expect(icon).toEqual({ status: 200, type: expect.stringContaining('image/svg+xml') });
  expect(failed).toEqual([]);

  const missing = await page.goto('/no-such-page/');
  expect(missing?.status()).toBe(404);
  await expect(page.getByText('There is no page at this address.')).toBeVisible();
  await page.getByRole('link', { name: 'Back to the notebooks' }).click();
  await expect(page.getByTestId('examples').getByRole('link')).toHaveCount(4);
  await context.setOffline(false);
});
