// Text cells render Markdown safely: links with parentheses work, unsafe links and HTML do not.
import { expect, test } from './fixtures.ts';

const WIKI = 'https://en.wikipedia.org/wiki/Transformer_(deep_learning_architecture)';

test('a text cell links addresses with parentheses and drops script links', async ({ page }) => {
  await page.goto('/');
  await page.getByTestId('new-notebook').click();
  await page.waitForURL(/\/notebook\/\?id=/);
  const source = [
    '#hashtag on its own line',
    `Read [the article](${WIKI}) first.`,
    'Then [do not click](javascript:alert(document.domain)) and <img src=x onerror=alert(1)>.',
    '##### Deep heading',
  ].join('\n');
  await page.getByTestId('markdown-source').fill(source);
  await page.getByTestId('markdown-source').press('Shift+Enter');

  const rendered = page.locator('.markdown');
  await expect(rendered).toContainText('#hashtag on its own line');
  const links = rendered.locator('a');
  await expect(links).toHaveCount(1);
  await expect(links).toHaveText('the article');
  await expect(links).toHaveAttribute('href', WIKI);
  await expect(links).toHaveAttribute('target', '_blank');
  await expect(links).toHaveAttribute('rel', 'noopener noreferrer');
  await expect(rendered).toContainText('do not click and <img src=x onerror=alert(1)>.');
  await expect(rendered.locator('img')).toHaveCount(0);
  await expect(rendered.locator('h6')).toHaveText('Deep heading');
});
