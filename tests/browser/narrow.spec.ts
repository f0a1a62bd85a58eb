// At 375 px wide (a phone) no page scrolls sideways, the nav wraps, and selects fit their cell.
import type { Page } from '@playwright/test';
import { expect, settle, test } from './fixtures.ts';

test.use({ viewport: { width: 375, height: 800 } });

/** Elements whose right edge passes the viewport, described for the failure message. */
async function overflowing(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    const out: string[] = [];
    for (const el of Array.from(document.body.querySelectorAll('*'))) {
      const box = el.getBoundingClientRect();
      if (box.width === 0 || box.right <= width + 0.5) continue;
      if (el.closest('table.grid, .monaco-editor, .uplot')) continue;
      out.push(`${el.tagName.toLowerCase()}.${el.className} right=${Math.round(box.right)}`);
    }
    return out.slice(0, 10);
  });
}

async function expectFitsPhone(page: Page): Promise<void> {
  const widths = await page.evaluate(() => ({
    scroll: document.documentElement.scrollWidth,
    client: document.documentElement.clientWidth,
  }));
  expect(widths.client).toBe(375);
  expect(await overflowing(page)).toEqual([]);
  expect(widths.scroll).toBeLessThanOrEqual(375);
}

for (const path of ['/', '/fleet/', '/inference/']) {
  test(`${path} fits 375 px with the whole nav visible`, async ({ page }) => {
    await page.goto(path);
    await expect(page.locator('header.site nav a')).toHaveCount(3);
    for (const link of await page.locator('header.site nav a').all()) {
      const box = await link.boundingBox();
      expect(box).not.toBeNull();
      expect((box?.x ?? -1) >= 0 && (box?.x ?? 0) + (box?.width ?? 0) <= 375).toBe(true);
    }
    await expectFitsPhone(page);
  });
}

test('a plan notebook fits 375 px and every select fits its cell', async ({ page }) => {
  await page.goto('/notebook/?example=mla-vs-gqa');
  await settle(page);
  await expectFitsPhone(page);

  const misfits = await page.$$eval('[data-testid=cell] select', (selects) =>
    selects
      .map((select) => {
        const cell = select.closest('[data-testid=cell]');
        const inner = cell?.getBoundingClientRect();
        const box = select.getBoundingClientRect();
        if (!inner || box.width === 0) return null;
        return box.left >= inner.left && box.right <= inner.right ? null : select.outerHTML;
      })
      .filter((misfit) => misfit !== null),
  );
  expect(await page.locator('[data-testid=cell] select').count()).toBeGreaterThan(3);
  expect(misfits).toEqual([]);
});
