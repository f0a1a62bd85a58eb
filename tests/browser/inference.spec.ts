// The inference cell: the generated demo model on WASM and WebGPU, a hub stand-in, broken models.
import type { Page } from '@playwright/test';

import { DEMO_MODEL_SHAPE, demoModelFiles } from '../../scripts/make-demo-model.ts';
import { startHubStandIn } from '../support/hub-stand-in.ts';
import type { HubStandIn } from '../support/hub-stand-in.ts';
import { expect, guardContext, test } from './fixtures.ts';

const MODEL_ID = 'hwledger/demo-tiny';
const PROMPT = 'Hello, hwLedger';
const NEW_TOKENS = 10;
/** Bytes of one cached token: 4 layers x K+V x 2 kv heads x 16 head dim x 4 bytes (f32). */
const KV_ROW_BYTES = 4 * 2 * 2 * 16 * 4;

let hub: HubStandIn;

test.beforeAll(async () => {
  hub = await startHubStandIn();
  hub.models.set(MODEL_ID, demoModelFiles());

  const noOnnx = demoModelFiles();
  noOnnx.delete('onnx/model.onnx');
  hub.models.set('broken/no-onnx', noOnnx);

  const corrupt = demoModelFiles();
  corrupt.set('onnx/model.onnx', 'this is not an ONNX model');
  hub.models.set('broken/corrupt-onnx', corrupt);

  // An embedding table of 64 rows behind a 259-token tokenizer: ids from 64 up are out of range.
  hub.models.set('broken/wrong-shapes', demoModelFiles({ ...DEMO_MODEL_SHAPE, vocabSize: 64 }));
});

test.afterAll(async () => {
  await hub.close();
});

async function loadFromHub(page: Page, base: string, modelId: string): Promise<void> {
  await page.getByTestId('inference-choice-hub').check();
  await page.getByTestId('inference-hub-id').fill(modelId);
  await page.getByTestId('inference-hub-base').fill(base);
  await page.getByRole('button', { name: 'Load' }).click();
  await expect(
    page.locator('[data-testid=inference-loaded], [data-testid=inference-error]'),
  ).toBeVisible({ timeout: 60_000 });
}

async function generate(page: Page): Promise<number[]> {
  await page.getByTestId('inference-prompt').fill(PROMPT);
  await page.getByTestId('inference-max-tokens').fill(String(NEW_TOKENS));
  await page.getByTestId('inference-run').click();
  const output = page.getByTestId('inference-output');
  await expect(
    page.locator('[data-testid=inference-output][data-done=true], [data-testid=inference-error]'),
  ).toBeVisible({ timeout: 60_000 });
  return JSON.parse((await output.getAttribute('data-tokens')) ?? '[]') as number[];
}

async function figureRaw(page: Page, name: string, column: number): Promise<number> {
  const cell = page.locator(`[data-figure="${name}"] td`).nth(column);
  return Number(await cell.getAttribute('data-raw'));
}

test('runs on WASM without WebGPU, says why, and measures what the plan predicts', async ({
  page,
}) => {
  await page.goto('/inference/');
  await expect(page.getByTestId('inference-random-note')).toContainText('random weights');

  await loadFromHub(page, hub.base, MODEL_ID);
  const backend = page.getByTestId('inference-backend');
  await expect(backend).toHaveAttribute('data-backend', 'wasm');
  await expect(backend).toContainText('no WebGPU adapter');

  const tokens = await generate(page);
  expect(tokens).toHaveLength(NEW_TOKENS);
  await expect(page.getByTestId('inference-decode-rate')).toContainText('tokens/s');
  expect(await figureRaw(page, 'weights', 1)).toBe(724_736); // 181,184 params x 4 bytes
  expect(await figureRaw(page, 'weights', 3)).toBe(0);
  const cacheTokens = 16 + NEW_TOKENS - 1; // <s> + 15 prompt bytes + new tokens but the last
  expect(await figureRaw(page, 'kv cache held', 1)).toBe(cacheTokens * KV_ROW_BYTES);
  expect(await figureRaw(page, 'kv cache held', 3)).toBe(0);
  // On WASM the weights and the cache live in ONNX Runtime's linear memory.
  const wasmBytes = await figureRaw(page, 'WASM memory', 1);
  expect(wasmBytes).toBeGreaterThanOrEqual(724_736 + cacheTokens * KV_ROW_BYTES);
  await expect(page.locator('[data-figure=weights]')).toHaveAttribute('data-off-plan', 'false');
});

test('grows WASM memory with the square of a long prompt, at least as the plan says', async ({
  page,
}) => {
  await page.goto('/inference/');
  await loadFromHub(page, hub.base, MODEL_ID);
  const wasmAfter = async (promptBytes: number) => {
    await page.getByTestId('inference-prompt').fill('a'.repeat(promptBytes));
    await page.getByTestId('inference-max-tokens').fill('1');
    await page.getByTestId('inference-run').click();
    await expect(page.locator('[data-testid=inference-output][data-done=true]')).toBeVisible({
      timeout: 60_000,
    });
    return figureRaw(page, 'WASM memory', 1);
  };

  const shorter = await wasmAfter(1000); // 1,001 tokens with <s>
  const longer = await wasmAfter(2000); // 2,001 tokens
  const scoreGrowth = 4 * (2001 * 2001 - 1001 * 1001) * 4; // heads x (T^2 difference) x f32
  expect(longer - shorter).toBeGreaterThanOrEqual(scoreGrowth);
});

test('a notebook offers the inference cell below its cells', async ({ page }) => {
  await page.goto('/');
  await page.getByTestId('new-notebook').click();
  await page.waitForURL(/\/notebook\/\?id=/);
  await page.getByTestId('notebook-inference').locator('summary').click();
  await expect(page.getByTestId('inference-cell')).toBeVisible();
  await expect(page.getByTestId('inference-random-note')).toContainText('random weights');
});

test('gives the same greedy tokens on WebGPU (software adapter) as on WASM', async ({
  page,
  playwright,
  offHost,
}, testInfo) => {
  await page.goto('/inference/');
  await loadFromHub(page, hub.base, MODEL_ID);
  const wasmTokens = await generate(page);

  const launch = testInfo.project.use.launchOptions ?? {};
  const browser = await playwright.chromium.launch({
    ...launch,
    args: [...(launch.args ?? []), '--enable-unsafe-webgpu'],
  });
  try {
    const context = await browser.newContext({
      baseURL: testInfo.project.use.baseURL ?? '',
      serviceWorkers: 'block',
    });
    await guardContext(context, offHost);
    const gpuPage = await context.newPage();
    await gpuPage.goto('/inference/');
    await loadFromHub(gpuPage, hub.base, MODEL_ID);
    const backend = gpuPage.getByTestId('inference-backend');
    await expect(backend).toHaveAttribute('data-backend', 'webgpu');
    await expect(backend).toContainText('WebGPU adapter found');

    const gpuTokens = await generate(gpuPage);
    expect(wasmTokens).toHaveLength(NEW_TOKENS);
    expect(gpuTokens).toEqual(wasmTokens);
  } finally {
    await browser.close();
  }
});

test('shows download progress from a hub, then loads from the browser cache offline', async ({
  page,
}) => {
  const ownHub = await startHubStandIn();
  ownHub.models.set(MODEL_ID, demoModelFiles());
  ownHub.onnxPauseMs = 2000;
  await page.goto('/inference/');
  await page.getByTestId('inference-choice-hub').check();
  await page.getByTestId('inference-hub-id').fill(MODEL_ID);
  await page.getByTestId('inference-hub-base').fill(ownHub.base);
  await page.getByRole('button', { name: 'Load' }).click();

  await expect(page.getByTestId('inference-progress')).toBeVisible();
  await expect(page.getByTestId('inference-progress-text')).toContainText('of');
  await expect(page.getByTestId('inference-loaded')).toBeVisible({ timeout: 60_000 });
  expect(ownHub.requests).toContain(`/${MODEL_ID}/resolve/main/onnx/model.onnx`);
  const base = ownHub.base;
  await ownHub.close();

  await page.reload();
  await loadFromHub(page, base, MODEL_ID);
  await expect(page.getByTestId('inference-error')).toHaveCount(0);
  await expect(page.getByTestId('inference-loaded')).toBeVisible();
  expect(await generate(page)).toHaveLength(NEW_TOKENS);
});

for (const [label, modelId, stage, message] of [
  ['a missing ONNX file', 'broken/no-onnx', 'load', /missing|not found|404/i],
  ['a corrupt ONNX file', 'broken/corrupt-onnx', 'load', /could not be read|protobuf|load/i],
  ['an embedding smaller than the tokenizer', 'broken/wrong-shapes', 'generate', /generating/i],
] as const) {
  test(`explains ${label} and keeps working`, async ({ page }) => {
    await page.goto('/inference/');
    await loadFromHub(page, hub.base, modelId);
    if (stage === 'generate') {
      await expect(page.getByTestId('inference-loaded')).toBeVisible();
      await generate(page);
    }
    await expect(page.getByTestId('inference-error')).toContainText(message);

    await page.getByTestId('inference-hub-id').fill(MODEL_ID);
    await page.getByRole('button', { name: 'Load' }).click();
    await expect(page.getByTestId('inference-loaded')).toContainText(MODEL_ID, {
      timeout: 60_000,
    });
    await expect(page.getByTestId('inference-error')).toHaveCount(0);
    expect(await generate(page)).toHaveLength(NEW_TOKENS);
  });
}
