// The plan form keeps what the user had, refuses bad fields in place, and charts what is real.
import type { Locator, Page } from '@playwright/test';
import { catalogueSpec, parseHfConfig, plan } from '../../lib/capacity/index.ts';
import { expect, screenshot, test } from './fixtures.ts';

const CONFIG = JSON.stringify({
  model_type: 'llama',
  hidden_size: 2048,
  intermediate_size: 8192,
  num_hidden_layers: 16,
  num_attention_heads: 32,
  num_key_value_heads: 8,
  vocab_size: 128256,
  max_position_embeddings: 8192,
});

async function newPlanCell(page: Page): Promise<Locator> {
  await page.goto('/');
  await page.getByTestId('new-notebook').click();
  await page.waitForURL(/\/notebook\/\?id=/);
  await page.getByRole('button', { name: '+ plan' }).first().click();
  const cell = page.locator('[data-testid=cell][data-kind=plan]');
  await expect(cell).toHaveAttribute('data-status', 'done');
  return cell;
}

async function dropFile(page: Page, cell: Locator, name: string, text: string): Promise<void> {
  const dataTransfer = await page.evaluateHandle(
    ([fileName, body]) => {
      const transfer = new DataTransfer();
      transfer.items.add(new File([body], fileName, { type: 'application/json' }));
      return transfer;
    },
    [name, text] as const,
  );
  await cell.locator('.drop').dispatchEvent('drop', { dataTransfer });
}

test('switching the model source and back restores the pasted config and the catalogue choice', async ({
  page,
}) => {
  const cell = await newPlanCell(page);
  await cell.getByTestId('plan-model').selectOption('Qwen/Qwen3-8B');
  await cell.getByTestId('model-config-radio').check();
  await cell.getByTestId('plan-config').fill(CONFIG);
  await expect(cell.getByTestId('plan-verdict')).toContainText('pasted config.json');

  await cell.getByTestId('model-hub-radio').check();
  await cell.getByTestId('plan-hub-id').fill('org/some-model');
  await cell.getByTestId('model-catalogue-radio').check();
  await expect(cell.getByTestId('plan-model')).toHaveValue('Qwen/Qwen3-8B');
  await cell.getByTestId('model-config-radio').check();
  await expect(cell.getByTestId('plan-config')).toHaveValue(CONFIG);
  await cell.getByTestId('model-hub-radio').check();
  await expect(cell.getByTestId('plan-hub-id')).toHaveValue('org/some-model');
});

test('an empty or non-JSON dropped file is named and the box keeps its config', async ({
  page,
}) => {
  const cell = await newPlanCell(page);
  await cell.getByTestId('model-config-radio').check();
  await expect(cell.getByTestId('plan-prompt')).toHaveText(
    'Paste a Hugging Face config.json here, or drop the file on this box.',
  );
  await expect(cell.getByTestId('cell-error')).toHaveCount(0);
  await cell.getByTestId('plan-config').fill(CONFIG);
  await expect(cell).toHaveAttribute('data-status', 'done');

  await dropFile(page, cell, 'empty.json', '');
  await expect(cell.getByTestId('plan-config-problem')).toHaveText(
    'empty.json is empty: a config.json holds a JSON object.',
  );
  await expect(cell.getByTestId('plan-config')).toHaveValue(CONFIG);
  await expect(cell).not.toContainText('Unexpected end of JSON input');

  await dropFile(page, cell, 'notes.txt', 'hidden_size: 4096');
  await expect(cell.getByTestId('plan-config-problem')).toHaveText(
    'notes.txt is not JSON: a config.json is one JSON object, starting with {.',
  );
  await expect(cell.getByTestId('plan-config')).toHaveValue(CONFIG);
  await expect(cell.getByTestId('plan-verdict')).toBeVisible();
});

test('a config that is not JSON reads as one sentence naming the config once', async ({ page }) => {
  const cell = await newPlanCell(page);
  await cell.getByTestId('model-config-radio').check();
  await cell.getByTestId('plan-config').fill('{ "model_type": "llama", ');
  const error = cell.getByTestId('cell-error');
  await expect(error).toContainText('the pasted config.json is not valid JSON');
  await expect(error).not.toContainText('(config)');
  await expect(error).not.toContainText('[object Object]');
  await screenshot(page, 'plan-config-not-json');
});

test('an invalid context or price is refused in place and the old result is marked stale', async ({
  page,
}) => {
  const cell = await newPlanCell(page);
  await expect(cell.getByText('US$ per device-hour')).toBeVisible();
  const context = cell.getByTestId('plan-context');
  for (const bad of ['abc', '-5', '0', '1e400']) {
    await context.fill(bad);
    await expect(cell.getByTestId('plan-context-problem')).toHaveText(
      'a token count from 1 to 16,777,216, such as 8192 or 32k',
    );
    await expect(cell.getByTestId('plan-stale')).toContainText('context (tokens) is not valid');
    await expect(context).toHaveValue(bad);
  }
  await screenshot(page, 'plan-stale-context');

  await context.fill('4k');
  await expect(cell.getByTestId('plan-stale')).toHaveCount(0);
  const want = plan({
    model: catalogueSpec('llama-3.1-8b'),
    weights: 'Q4_K_M',
    kv: 'f16',
    contextTokens: 4096,
    batch: 1,
    engine: 'llama.cpp',
    devices: ['rtx-4090'],
    gpus: 1,
    parallelism: 'tensor',
  });
  await expect(cell.getByTestId('plan-kv-bytes')).toHaveAttribute(
    'data-raw',
    String(want.memory.kvBytes),
  );

  const price = cell.getByTestId('plan-price');
  await price.fill('-5');
  await expect(cell.getByTestId('plan-price-problem')).toContainText('US$ per device-hour');
  await expect(cell.getByTestId('plan-stale')).toContainText('price is not valid');
  await price.fill('2.5');
  await expect(cell.getByTestId('plan-stale')).toHaveCount(0);
  // 2.50 US$ per device-hour x 1 device = $2.50 per hour
  await expect(cell.locator('[data-testid=plan-fits] tr[data-device=rtx-4090]')).toContainText(
    '$2.50',
  );
});

test('device labels use GiB like the result tables, and huge sizes use larger units', async ({
  page,
}) => {
  const cell = await newPlanCell(page);
  const device = cell.getByTestId('plan-device');
  // An RTX 4090 has 24,564 MiB = 23.99 GiB
  await expect(device.locator('option[value=rtx-4090]')).toHaveText(
    'NVIDIA GeForce RTX 4090 (24.0 GiB)',
  );
  await expect(cell.locator('[data-testid=plan-compare] option[value=rtx-4090]')).toHaveCount(0);
  const labels = await device.locator('option').allTextContents();
  expect(labels.filter((label) => !/ \(\d+\.\d GiB\)$/.test(label))).toEqual([]);

  await cell.getByTestId('plan-context').fill('16777216');
  await cell.getByTestId('plan-batch').fill('1048576');
  await expect(cell.getByTestId('plan-kv-bytes')).toContainText('EiB');
  // 16,777,216 tokens x 1,048,576 sequences x 128 KiB per token = 2^61 B = 2 EiB
  await expect(cell.getByTestId('plan-kv-bytes')).toHaveText('2.00 EiB');
  const sizes = await cell.locator('td, .stat .value').allTextContents();
  expect(sizes.filter((text) => /^\d{5,}\.\d+ GiB$/.test(text))).toEqual([]);
  await expect(page.locator('body')).not.toContainText('NaN');
});

test('transformers.js is not offered for several devices, and parallelism needs two', async ({
  page,
}) => {
  const cell = await newPlanCell(page);
  await expect(cell.getByTestId('plan-parallelism')).toBeDisabled();
  await cell.getByTestId('plan-gpus').fill('2');
  const option = cell.locator('[data-testid=plan-engine] option[value="transformers.js"]');
  await expect(option).toBeDisabled();
  await expect(option).toHaveText('transformers.js (one device only)');
  await expect(cell.getByTestId('plan-parallelism')).toBeEnabled();

  await cell.getByTestId('plan-gpus').fill('1');
  await expect(option).toBeEnabled();
  await cell.getByTestId('plan-engine').selectOption('transformers.js');
  await cell.getByTestId('plan-weights').selectOption('f16');
  await cell.getByTestId('plan-gpus').fill('2');
  await expect(cell.getByTestId('plan-gpus-problem')).toContainText(
    'transformers.js runs a model on one device',
  );
});

test('the context chart stops at the model limit and vLLM lists only formats it loads', async ({
  page,
}) => {
  const cell = await newPlanCell(page);
  await cell.getByTestId('plan-model').selectOption('microsoft/Phi-3-mini-4k-instruct');
  const chart = cell.getByTestId('context-chart');
  await expect(chart).toHaveAttribute('data-model-limit-tokens', '4096');
  await expect(chart).toHaveAttribute('data-max-tokens', '8192'); // the plan's own 8k, beyond
  await expect(chart).toContainText("up to the model's limit of 4k tokens");

  await cell.getByTestId('plan-context').fill('2048');
  await expect(chart).toHaveAttribute('data-max-tokens', '4096');

  await cell.getByTestId('plan-device').selectOption('h100-sxm');
  await cell.getByTestId('plan-engine').selectOption('vllm');
  await cell.getByTestId('plan-weights').selectOption('bf16');
  const table = cell.getByTestId('max-context-table');
  await expect(table.locator('thead th')).toHaveText(['device', 'bf16', 'fp8', 'awq-4bit-g128']);
  await expect(table).not.toContainText('n/a');
  await screenshot(page, 'plan-vllm-max-context');
});

test('a context past what vLLM accepts says the engine does not start, and why', async ({
  page,
}) => {
  const cell = await newPlanCell(page);
  await cell.getByTestId('model-config-radio').check();
  await cell.getByTestId('plan-config').fill(CONFIG);
  await cell.getByTestId('plan-device').selectOption('h100-sxm');
  await cell.getByTestId('plan-engine').selectOption('vllm');
  await cell.getByTestId('plan-weights').selectOption('bf16');
  await cell.getByTestId('plan-context').fill('16384');

  // The config's max_position_embeddings is 8,192; vLLM refuses a longer max_model_len.
  const expected = plan({
    model: parseHfConfig(CONFIG, { name: 'pasted config.json' }),
    devices: ['h100-sxm'],
    engine: 'vllm',
    weights: 'bf16',
    contextTokens: 16_384,
  }).fit[0]?.refusal;
  expect(expected).toMatch(/8,?192/);
  await expect(cell.getByTestId('plan-verdict')).toHaveText(
    `Does not start: pasted config.json on 1 × NVIDIA H100 SXM. ${expected}`,
  );
  await expect(cell.getByTestId('plan-verdict')).toHaveClass(/no-fit/);
});

test('an engine switch that makes a refused count valid shows the count the result used', async ({
  page,
}) => {
  const cell = await newPlanCell(page);
  const gpus = cell.getByTestId('plan-gpus');
  await cell.getByTestId('plan-engine').selectOption('transformers.js');
  await cell.getByTestId('plan-weights').selectOption('f16');
  await gpus.fill('2');
  await expect(cell.getByTestId('plan-gpus-problem')).toContainText('1 only');
  await expect(gpus).toHaveValue('2');

  await cell.getByTestId('plan-engine').selectOption('llama.cpp');
  await expect(cell).toHaveAttribute('data-status', 'done');
  // The cell still holds 1 device: the field says 1, not the refused 2, and nothing is stale.
  await expect(gpus).toHaveValue('1');
  await expect(cell.getByTestId('plan-gpus-problem')).toHaveCount(0);
  await expect(cell.getByTestId('plan-stale')).toHaveCount(0);
  await expect(cell.getByTestId('plan-parallelism')).toBeDisabled();
  await expect(cell.getByTestId('plan-verdict')).toContainText('1 ×');
});

test('a refused batch leaves a note naming the batch the result used, not the context', async ({
  page,
}) => {
  const cell = await newPlanCell(page);
  await cell.getByTestId('plan-context').fill('32k');
  await expect(cell.getByTestId('plan-context')).toHaveValue('32k');
  await cell.getByTestId('plan-batch').fill('0');
  await expect(cell.getByTestId('plan-stale')).toHaveText(
    'Out of date: batch (sequences) is not valid, so the result below is still the one for the' +
      ' last valid batch (sequences) 1. Fix the field to plan again.',
  );
});

test('a price above the CLI bound of 1,000,000 US$ per device-hour is refused in place', async ({
  page,
}) => {
  const cell = await newPlanCell(page);
  const price = cell.getByTestId('plan-price');
  await price.fill('200000000000000000000000000');
  await expect(cell.getByTestId('plan-price-problem')).toHaveText(
    'US$ per device-hour: a number from 0 to 1,000,000 such as 2.50, or empty',
  );
  await expect(cell.getByTestId('plan-stale')).toContainText('price (none)');
  await price.fill('1000000');
  await expect(cell.getByTestId('plan-stale')).toHaveCount(0);
});

test('an empty hub base URL field names the default hub it stands for', async ({ page }) => {
  const cell = await newPlanCell(page);
  await cell.getByTestId('model-hub-radio').check();
  await expect(cell.getByTestId('plan-prompt')).toHaveText(
    'Type a Hugging Face model id (org/name), such as meta-llama/Llama-3.1-8B.',
  );
  await expect(cell.getByTestId('cell-error')).toHaveCount(0);
  const base = cell.getByTestId('plan-hub-base');
  await base.fill('');
  await expect(base).toHaveAttribute('placeholder', 'https://huggingface.co');
  await expect(cell.getByText('empty: https://huggingface.co')).toBeVisible();
});

test('fields follow edits made in another tab and a rename there is kept', async ({
  page,
  context,
}) => {
  const cellA = await newPlanCell(page);
  await expect(page.getByTestId('save-state')).toHaveText('saved');
  const tabB = await context.newPage();
  await tabB.goto(page.url());
  const cellB = tabB.locator('[data-testid=cell][data-kind=plan]');
  await expect(cellB.getByTestId('plan-name')).toHaveValue('plan1');
  await expect(cellB.getByTestId('plan-context')).toHaveValue('8192');

  await cellA.getByTestId('plan-context').fill('65536');
  await cellA.getByTestId('plan-name').fill('alpha');
  await expect(page.getByTestId('save-state')).toHaveText('saved');
  await expect(cellB.getByTestId('plan-name')).toHaveValue('alpha');
  await expect(cellB.getByTestId('plan-context')).toHaveValue('65536');

  await cellB.getByTestId('plan-name').press('End');
  await cellB.getByTestId('plan-name').pressSequentially('X');
  await expect(cellB.getByTestId('plan-name')).toHaveValue('alphaX');
  await expect(cellA.getByTestId('plan-name')).toHaveValue('alphaX');
});

test('a compared device equal to the main device keeps its name', async ({ page }) => {
  const cell = await newPlanCell(page);
  await cell.getByTestId('plan-compare').selectOption('h100-sxm');
  await cell.getByTestId('plan-device').selectOption('h100-sxm');
  await expect(cell.getByTestId('compare-chip')).toContainText('NVIDIA H100 SXM');
  await expect(cell.getByTestId('compare-chip')).not.toContainText('h100-sxm');
});

test('the model source radios are one group that arrow keys move through', async ({ page }) => {
  const cell = await newPlanCell(page);
  const names = await cell
    .locator('.model-picker input[type=radio]')
    .evaluateAll((radios) => radios.map((radio) => (radio as HTMLInputElement).name));
  expect(names).toHaveLength(3);
  expect(new Set(names).size).toBe(1);
  expect(names[0]).not.toBe('');
  await cell.getByTestId('model-catalogue-radio').focus();
  await page.keyboard.press('ArrowDown');
  await expect(cell.getByTestId('model-config-radio')).toBeChecked();
});
