// The inference cell: the generated demo model on WASM and WebGPU, a hub stand-in, broken models,
// refused requests, Stop, the app's hub setting and the WASM heap against the plan.
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
/** A wider generated Llama: 49 MiB of f32 weights, slow enough on WASM to stop mid-run. */
const WIDE_ID = 'hwledger/demo-wide';
const WIDE_SHAPE = {
  ...DEMO_MODEL_SHAPE,
  hiddenSize: 512,
  heads: 8,
  kvHeads: 4,
  headDim: 64,
  intermediateSize: 1536,
};
/** 2 x 259 x 512 embed and head, per layer 2 x 512^2 + 2 x 512 x 256 + 3 x 512 x 1536 + norms. */
const WIDE_WEIGHTS_BYTES =
  (2 * 259 * 512 + 4 * (2 * 512 * 512 + 2 * 512 * 256 + 3 * 512 * 1536 + 2 * 512) + 512) * 4;
const MIB = 2 ** 20;

let hub: HubStandIn;

test.beforeAll(async () => {
  hub = await startHubStandIn();
  hub.models.set(MODEL_ID, demoModelFiles());
  hub.models.set(WIDE_ID, demoModelFiles(WIDE_SHAPE));

  const noOnnx = demoModelFiles();
  noOnnx.delete('onnx/model.onnx');
  hub.models.set('broken/no-onnx', noOnnx);

  const corrupt = demoModelFiles();
  corrupt.set('onnx/model.onnx', 'this is not an ONNX model');
  hub.models.set('broken/corrupt-onnx', corrupt);

  // An embedding table of 64 rows behind a 259-token tokenizer: ids from 64 up are out of range.
  hub.models.set('broken/wrong-shapes', demoModelFiles({ ...DEMO_MODEL_SHAPE, vocabSize: 64 }));

  const noTokenizerConfig = demoModelFiles();
  noTokenizerConfig.delete('tokenizer_config.json');
  hub.models.set('broken/no-tokenizer-config', noTokenizerConfig);
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
  const wasmBytes = await figureRaw(page, 'WASM heap after the run', 1);
  expect(wasmBytes).toBeGreaterThanOrEqual(724_736 + cacheTokens * KV_ROW_BYTES);
  await expect(page.locator('[data-figure=weights]')).toHaveAttribute('data-off-plan', 'false');
  // The tester's 49 MiB vs 16 MiB: the heap is compared with the plan's heap parts, not the
  // whole-tab total (3 x 0.7 MiB + 9 MiB = 11.1 MiB, under the 16 MiB initial heap).
  expect(await figureRaw(page, 'WASM heap after the run', 2)).toBe(16 * MIB);
  expect(wasmBytes).toBe(16 * MIB);
  await expect(page.locator('[data-figure="WASM heap after the run"]')).toHaveAttribute(
    'data-off-plan',
    'false',
  );
  await expect(page.getByTestId('inference-report')).toContainText(
    'outside the WASM heap and are not measured here',
  );
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
    return figureRaw(page, 'WASM heap after the run', 1);
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
    await gpuPage.getByTestId('inference-choice-hub').check();
    // The software adapter lacks shader-f16 (its features are listed without it).
    await expect(gpuPage.getByTestId('inference-fp16-note')).toContainText('without shader-f16');
    await expect(
      gpuPage.locator('[data-testid=inference-dtype] option[value=fp16]'),
    ).toBeDisabled();
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
    if (stage === 'generate') {
      // The worker was ended with the model: nothing on screen claims it is still there.
      await expect(page.getByTestId('inference-backend')).toHaveCount(0);
      await expect(page.getByTestId('inference-prompt-tokens')).toHaveCount(0);
      await expect(page.getByTestId('inference-run')).toBeDisabled();
    }

    await page.getByTestId('inference-hub-id').fill(MODEL_ID);
    await page.getByRole('button', { name: 'Load' }).click();
    await expect(page.getByTestId('inference-loaded')).toContainText(MODEL_ID, {
      timeout: 60_000,
    });
    await expect(page.getByTestId('inference-error')).toHaveCount(0);
    expect(await generate(page)).toHaveLength(NEW_TOKENS);
  });
}

/** Share of a measured heap over its prediction: ±5% allocator noise, +30% for growth steps. */
const HEAP_TOLERANCE = { below: 0.05, above: 0.3 };

test('puts the WASM heap after load within the stated tolerance of the plan', async ({ page }) => {
  await page.goto('/inference/');
  await loadFromHub(page, hub.base, WIDE_ID);
  await expect(page.getByTestId('inference-loaded')).toContainText('49.03 MiB');
  await generate(page);

  expect(await figureRaw(page, 'weights', 1)).toBe(WIDE_WEIGHTS_BYTES);
  const predicted = 3 * WIDE_WEIGHTS_BYTES + 9 * MIB; // load-time copies plus the runtime
  expect(await figureRaw(page, 'WASM heap after load', 2)).toBe(predicted);
  const measured = await figureRaw(page, 'WASM heap after load', 1);
  expect(measured / predicted).toBeGreaterThanOrEqual(1 - HEAP_TOLERANCE.below);
  expect(measured / predicted).toBeLessThanOrEqual(1 + HEAP_TOLERANCE.above);
  // A short run adds less than the load freed: the heap after the run is the load's mark.
  expect(await figureRaw(page, 'WASM heap after the run', 1)).toBe(measured);
});

test('offers fp16 weights only where they can run, and says why not here', async ({ page }) => {
  await page.goto('/inference/');
  const note = page.getByTestId('inference-fp16-note');
  await expect(note).toContainText('the demo model ships fp32 weights only');
  await expect(page.locator('[data-testid=inference-dtype] option[value=fp16]')).toBeDisabled();

  await page.getByTestId('inference-choice-hub').check();
  await expect(note).toContainText('no WebGPU adapter');
  await expect(note).toContainText('fp16 weights need WebGPU with shader-f16');
  await expect(page.locator('[data-testid=inference-dtype] option[value=fp16]')).toBeDisabled();
  await expect(page.getByTestId('inference-dtype')).toHaveValue('fp32');
});

test('refuses a prompt or token count past the model context before running', async ({ page }) => {
  await page.goto('/inference/');
  await loadFromHub(page, hub.base, MODEL_ID);
  await expect(page.getByTestId('inference-loaded')).toContainText(
    'context 2,048 tokens (max_position_embeddings)',
  );
  const problem = page.getByTestId('inference-field-problem');
  const run = page.getByTestId('inference-run');

  await page.getByTestId('inference-prompt').fill('a'.repeat(3000)); // 3,001 tokens with <s>
  await expect(page.getByTestId('inference-prompt-tokens')).toContainText('3,001 tokens');
  await expect(problem).toHaveAttribute('data-field', 'prompt');
  await expect(problem).toContainText("3,001 tokens do not fit the model's context of 2,048");
  await expect(run).toBeDisabled();

  await page.getByTestId('inference-prompt').fill('a'.repeat(2000)); // 2,001 tokens
  await page.getByTestId('inference-max-tokens').fill('100');
  await expect(problem).toHaveAttribute('data-field', 'new tokens');
  await expect(problem).toContainText('at most 47 new tokens fit after this prompt');

  await page.getByTestId('inference-max-tokens').fill('47'); // 2,001 + 47 = 2,048
  await expect(problem).toHaveCount(0);
  await run.click();
  await expect(page.locator('[data-testid=inference-output][data-done=true]')).toBeVisible({
    timeout: 60_000,
  });
  const tokens = JSON.parse(
    (await page.getByTestId('inference-output').getAttribute('data-tokens')) ?? '[]',
  ) as number[];
  expect(tokens).toHaveLength(47);
  await expect(page.getByTestId('inference-error')).toHaveCount(0);
});

test('validates new tokens as typed and stops at exactly that many', async ({ page }) => {
  await page.goto('/inference/');
  await loadFromHub(page, hub.base, MODEL_ID);
  await page.getByTestId('inference-prompt').fill(PROMPT);
  const field = page.getByTestId('inference-max-tokens');
  const problem = page.getByTestId('inference-field-problem');
  for (const [typed, got] of [
    ['0', 'got 0'],
    ['-3', 'got -3'],
    ['2.5', 'got "2.5"'],
    ['100000', 'got 100,000'],
    ['', 'got an empty field'],
  ] as const) {
    await field.fill(typed);
    await expect(problem).toHaveText(`new tokens: expected a whole number from 1 to 8,192, ${got}`);
    await expect(page.getByTestId('inference-run')).toBeDisabled();
  }

  // Typing into the emptied field gives what was typed (it used to snap back to 1, so "5"
  // became "15" and the run made 15 tokens).
  await field.pressSequentially('5');
  await expect(field).toHaveValue('5');
  await page.getByTestId('inference-prompt').press('Control+Enter');
  await expect(page.locator('[data-testid=inference-output][data-done=true]')).toBeVisible({
    timeout: 60_000,
  });
  const tokens = JSON.parse(
    (await page.getByTestId('inference-output').getAttribute('data-tokens')) ?? '[]',
  ) as number[];
  expect(tokens).toHaveLength(5);
  await expect(page.getByTestId('inference-decode-rate')).toContainText('(5 tokens)');
});

test('stops a run between tokens and stays usable', async ({ page }) => {
  await page.goto('/inference/');
  await loadFromHub(page, hub.base, WIDE_ID);
  await page.getByTestId('inference-prompt').fill(PROMPT);
  await page.getByTestId('inference-max-tokens').fill('2000');
  await page.getByTestId('inference-run').click();
  const output = page.getByTestId('inference-output');
  const streamedCount = async () =>
    (JSON.parse((await output.getAttribute('data-tokens')) ?? '[]') as number[]).length;
  await expect.poll(streamedCount, { timeout: 30_000 }).toBeGreaterThanOrEqual(3);
  await page.getByTestId('inference-stop').click();

  await expect(page.locator('[data-testid=inference-output][data-stopped=true]')).toBeVisible({
    timeout: 10_000,
  });
  const stoppedAt = await streamedCount();
  expect(stoppedAt).toBeGreaterThanOrEqual(3);
  expect(stoppedAt).toBeLessThan(2000);
  await expect(page.getByTestId('inference-report')).toContainText(
    `Stopped on request after ${stoppedAt} of 2000 new tokens.`,
  );
  await expect(page.getByTestId('inference-error')).toHaveCount(0);

  // The model is still loaded: the next run needs no new load and makes exactly 3 tokens.
  await page.getByTestId('inference-max-tokens').fill('3');
  await page.getByTestId('inference-run').click();
  await expect(page.locator('[data-testid=inference-output][data-done=true]')).toBeVisible({
    timeout: 60_000,
  });
  expect(await streamedCount()).toBe(3);
  await expect(output).toHaveAttribute('data-stopped', 'false');
});

test('uses the app hub setting and refuses a bad hub base URL by name', async ({ page }) => {
  await page.goto('/inference/');
  await page.evaluate((base) => localStorage.setItem('hwledger.hubBase', base), hub.base);
  await page.reload();
  await page.getByTestId('inference-choice-hub').check();
  await expect(page.getByTestId('inference-hub-base')).toHaveValue(hub.base);

  // Loads from the setting without typing a base here.
  const before = hub.requests.length;
  await page.getByTestId('inference-hub-id').fill(MODEL_ID);
  await page.getByTestId('inference-hub-id').press('Enter');
  await expect(page.getByTestId('inference-loaded')).toContainText(MODEL_ID, { timeout: 60_000 });
  expect(hub.requests.slice(before)).toContain(`/${MODEL_ID}/resolve/main/onnx/model.onnx`);

  // Editing the field here edits the one app-wide setting.
  await page.getByTestId('inference-hub-base').fill('not a url');
  expect(await page.evaluate(() => localStorage.getItem('hwledger.hubBase'))).toBe('not a url');
  await page.getByRole('button', { name: 'Load' }).click();
  const error = page.getByTestId('inference-error');
  await expect(error).toHaveAttribute('data-field', 'hub base URL');
  await expect(error).toHaveText(
    'hub base URL: expected an http:// or https:// address such as https://huggingface.co, ' +
      'got "not a url"',
  );
  await expect(page.getByTestId('inference-loaded')).toBeVisible(); // nothing lost

  const closed = await startHubStandIn();
  const closedBase = closed.base;
  await closed.close();
  await page.getByTestId('inference-hub-base').fill(closedBase);
  await page.getByRole('button', { name: 'Load' }).click();
  await expect(error).toContainText(`Could not reach ${closedBase} (no answer`, {
    timeout: 60_000,
  });
  await expect(error).not.toContainText('TypeError');

  await page.getByTestId('inference-hub-base').fill(hub.base);
  await page.getByRole('button', { name: 'Load' }).click();
  await expect(page.getByTestId('inference-loaded')).toContainText(MODEL_ID, { timeout: 60_000 });
  expect(await generate(page)).toHaveLength(NEW_TOKENS);
});

test('names a missing tokenizer_config.json at base/id with one slash, clearing the old output', async ({
  page,
}) => {
  await page.goto('/inference/');
  await loadFromHub(page, hub.base, MODEL_ID);
  expect(await generate(page)).toHaveLength(NEW_TOKENS);
  const output = page.getByTestId('inference-output');
  await expect(output).not.toHaveAttribute('data-tokens', '[]');

  const baseWithoutSlash = hub.base.replace(/\/+$/, '');
  await loadFromHub(page, baseWithoutSlash, 'broken/no-tokenizer-config');
  const error = page.getByTestId('inference-error');
  await expect(error).toHaveText(
    `${baseWithoutSlash}/broken/no-tokenizer-config has no tokenizer_config.json: ` +
      'transformers.js builds the tokenizer from tokenizer.json and tokenizer_config.json ' +
      'beside config.json; add both files',
  );
  await expect(error).not.toContainText('Cannot read properties');
  await expect(output).toHaveText('');
  await expect(output).toHaveAttribute('data-tokens', '[]');
});

test('wraps generated text inside the cell and says a too-long prompt once', async ({ page }) => {
  await page.goto('/inference/');
  await loadFromHub(page, hub.base, MODEL_ID);
  const output = page.getByTestId('inference-output');
  await expect(output).toHaveCSS('white-space', 'pre-wrap');
  await expect(output).toHaveCSS('overflow-wrap', 'anywhere');
  await output.evaluate((node) => {
    node.textContent = 'x'.repeat(5000);
  });
  const overflow = await output.evaluate((node) => node.scrollWidth - node.clientWidth);
  expect(overflow).toBe(0);

  // Typed and run at once, before the page has counted the prompt: the worker refuses it too.
  await page.getByTestId('inference-max-tokens').fill('1');
  await page.getByTestId('inference-prompt').evaluate((node) => {
    const area = node as HTMLTextAreaElement;
    const setValue = Object.getOwnPropertyDescriptor(HTMLTextAreaElement.prototype, 'value')?.set;
    setValue?.call(area, 'a'.repeat(3000));
    area.dispatchEvent(new Event('input', { bubbles: true }));
    setTimeout(
      () => document.querySelector<HTMLButtonElement>('[data-testid=inference-run]')?.click(),
      0,
    );
  });
  const cell = page.getByTestId('inference-cell');
  await expect(page.getByTestId('inference-field-problem')).toContainText(
    '3,001 tokens do not fit',
  );
  await page.waitForTimeout(1000);
  const said = (await cell.innerText()).split('3,001 tokens do not fit').length - 1;
  expect(said).toBe(1);
});

test('gives each memory difference and its share one sign', async ({ page }) => {
  await page.goto('/inference/');
  await loadFromHub(page, hub.base, MODEL_ID);
  await generate(page);

  const rows = page.locator('[data-testid=inference-memory] tr[data-figure]');
  await expect(rows.first()).toBeVisible();
  const cells = await rows.evaluateAll((trs) =>
    trs.map((tr) => {
      const cell = tr.querySelectorAll('td')[3];
      return { raw: cell?.getAttribute('data-raw') ?? '', text: cell?.textContent ?? '' };
    }),
  );
  const withShare = cells.filter((cell) => /\(-?\d+\.\d%\)/.test(cell.text));
  expect(withShare.length).toBeGreaterThan(0);
  for (const { raw, text } of withShare) {
    const bytesNegative = Number(raw) < 0;
    expect(text.trim().startsWith('-'), text).toBe(bytesNegative);
    expect(/\(-/.test(text), text).toBe(bytesNegative);
  }
});
