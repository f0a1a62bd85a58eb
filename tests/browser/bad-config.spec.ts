// A bad config.json in a plan cell shows a message naming the field and keeps what was typed.
import { expect, screenshot, settle, test } from './fixtures.ts';

const MISSING_HEADS = JSON.stringify(
  {
    model_type: 'llama',
    hidden_size: 4096,
    intermediate_size: 14336,
    num_hidden_layers: 32,
    num_key_value_heads: 8,
    vocab_size: 128256,
    max_position_embeddings: 131072,
  },
  null,
  2,
);

test('a config without num_attention_heads names that field and keeps the text', async ({
  page,
}) => {
  await page.goto('/');
  await page.getByTestId('new-notebook').click();
  await page.waitForURL(/\/notebook\/\?id=/);
  await page.getByRole('button', { name: '+ plan' }).first().click();
  const plan = page.locator('[data-testid=cell][data-kind=plan]');
  await settle(page);
  await plan.getByTestId('model-config-radio').check();
  await plan.getByTestId('plan-config').fill(MISSING_HEADS);
  await expect(plan.getByTestId('cell-error')).toContainText('num_attention_heads');
  await expect(plan.getByTestId('plan-config')).toHaveValue(MISSING_HEADS);
  await screenshot(page, 'plan-bad-config');

  await plan.getByTestId('plan-config').fill('{ "model_type": "llama", ');
  await expect(plan.getByTestId('cell-error')).toBeVisible();
  await expect(plan.getByTestId('plan-config')).toHaveValue('{ "model_type": "llama", ');
  await expect(page.getByTestId('save-state')).toHaveText('saved');
  await page.reload();
  await expect(
    page.locator('[data-testid=cell][data-kind=plan]').getByTestId('plan-config'),
  ).toHaveValue('{ "model_type": "llama", ');
});

test('a config.json dropped on the plan cell is planned, and a bad one names its field', async ({
  page,
}) => {
  await page.goto('/');
  await page.getByTestId('new-notebook').click();
  await page.waitForURL(/\/notebook\/\?id=/);
  await page.getByRole('button', { name: '+ plan' }).first().click();
  const plan = page.locator('[data-testid=cell][data-kind=plan]');
  await settle(page);
  await plan.getByTestId('model-config-radio').check();

  const drop = async (name: string, text: string) => {
    const dataTransfer = await page.evaluateHandle(
      ([fileName, body]) => {
        const transfer = new DataTransfer();
        transfer.items.add(new File([body], fileName, { type: 'application/json' }));
        return transfer;
      },
      [name, text] as const,
    );
    await plan.locator('.drop').dispatchEvent('drop', { dataTransfer });
  };

  const good = JSON.parse(MISSING_HEADS) as Record<string, unknown>;
  await drop('config.json', JSON.stringify({ ...good, num_attention_heads: 32 }));
  await expect(plan).toHaveAttribute('data-status', 'done');
  await expect(plan.getByTestId('plan-verdict')).toContainText('config.json');

  await drop('broken.json', JSON.stringify({ ...good, num_attention_heads: 0 }));
  await expect(plan.getByTestId('cell-error')).toContainText('num_attention_heads');
  await expect(plan.getByText('from broken.json')).toBeVisible();
});
