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
