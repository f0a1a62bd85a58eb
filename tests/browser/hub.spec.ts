// A plan cell naming a Hugging Face id fetches config.json and the safetensors header from the
// hub base URL setting (a loopback stand-in here), shows progress, and plans the exact model.
import type { Page } from '@playwright/test';

import { parseHfConfig } from '../../lib/capacity/config/index.ts';
import {
  parseSafetensorsHeader,
  specFromSafetensors,
} from '../../lib/capacity/formats/safetensors.ts';
import { countParams } from '../../lib/capacity/params.ts';
import { defaultPlanInputs, newNotebook } from '../../lib/notebook/model.ts';
import { encodeShare } from '../../lib/notebook/share.ts';
import { startHubStandIn } from '../support/hub-stand-in.ts';
import type { HubStandIn } from '../support/hub-stand-in.ts';
import { TINY_LLAMA_PARAMS, tinyLlamaFiles } from '../support/tiny-llama.ts';
import { expect, screenshot, settle, test } from './fixtures.ts';

const MODEL_ID = 'hwledger/tiny-llama';
const FILES = tinyLlamaFiles();

/** The parameter count lib/capacity computes from the very files the stand-in serves. */
function expectedParams(): number {
  const text = new TextDecoder().decode(FILES.get('config.json'));
  const header = parseSafetensorsHeader(FILES.get('model.safetensors') ?? new Uint8Array());
  const config = parseHfConfig(text, { name: MODEL_ID });
  return countParams(specFromSafetensors(header, config, { name: MODEL_ID })).total;
}

let hub: HubStandIn;

test.beforeAll(async () => {
  hub = await startHubStandIn();
  hub.honourRange = true;
  hub.safetensorsDelayMs = 1500;
  hub.models.set(MODEL_ID, FILES);
});

test.afterAll(async () => {
  await hub.close();
});

test.beforeEach(() => {
  hub.requests.length = 0;
  hub.served.length = 0;
});

async function newPlanCell(page: Page) {
  await page.goto('/');
  await page.getByTestId('new-notebook').click();
  await page.waitForURL(/\/notebook\/\?id=/);
  await page.getByRole('button', { name: '+ plan' }).first().click();
  await settle(page);
  return page.locator('[data-testid=cell][data-kind=plan]');
}

test('a hub id is fetched from the base URL setting with progress, then planned exactly', async ({
  page,
}) => {
  expect(expectedParams()).toBe(TINY_LLAMA_PARAMS);
  const plan = await newPlanCell(page);
  await plan.getByTestId('model-hub-radio').check();
  await expect(plan.getByTestId('plan-prompt')).toContainText('Type a Hugging Face model id');
  await plan.getByTestId('plan-hub-base').fill(hub.base);
  await plan.getByTestId('plan-hub-id').fill(MODEL_ID);

  const progress = plan.getByTestId('hub-progress');
  await expect(progress).toContainText(`Fetching ${MODEL_ID} from ${hub.base}`);
  await expect(progress).toContainText('1 file read'); // config.json, while the header waits
  await expect(progress).toHaveAttribute('data-files-done', '1');
  await screenshot(page, 'plan-hub-progress');

  await expect(plan).toHaveAttribute('data-status', 'done');
  await expect(plan.getByTestId('plan-params-total')).toHaveAttribute(
    'data-raw',
    String(expectedParams()),
  );
  await expect(plan.getByTestId('plan-verdict')).toContainText(MODEL_ID);
  const header = hub.served.filter((served) => served.path.endsWith('/model.safetensors'));
  expect(header).toEqual([
    {
      path: `/${MODEL_ID}/resolve/main/model.safetensors`,
      range: 'bytes=0-65535',
      status: 206,
    },
  ]);
  await screenshot(page, 'plan-hub-done');

  const fetchedBefore = hub.served.length;
  await plan.getByTestId('plan-context').fill('4096');
  await page.waitForTimeout(600); // past the 250 ms pause before an edited plan runs
  await settle(page);
  await expect(plan).toHaveAttribute('data-status', 'done');
  expect(hub.served.length).toBe(fetchedBefore); // cached per base, id and revision

  await page.reload();
  const reloaded = page.locator('[data-testid=cell][data-kind=plan]');
  await expect(reloaded.getByTestId('plan-hub-id')).toHaveValue(MODEL_ID);
  await expect(reloaded.getByTestId('plan-hub-base')).toHaveValue(hub.base);
  await expect(reloaded).toHaveAttribute('data-status', 'done');
});

test('an id the hub does not have says so and keeps what was typed', async ({ page }) => {
  const plan = await newPlanCell(page);
  await plan.getByTestId('model-hub-radio').check();
  await plan.getByTestId('plan-hub-base').fill(hub.base);
  await plan.getByTestId('plan-hub-id').fill('nobody/no-such-model');
  const base = hub.base.replace(/\/$/, '');
  await expect(plan.getByTestId('cell-error')).toContainText(
    `no such model on ${base}: nobody/no-such-model`,
  );
  await expect(plan.getByTestId('plan-hub-id')).toHaveValue('nobody/no-such-model');
  await expect(plan.getByTestId('plan-hub-base')).toHaveValue(hub.base);
  await screenshot(page, 'plan-hub-missing');
});

test('a hub cell in a notebook from a link waits for consent before any request', async ({
  page,
}) => {
  const shared = newNotebook('Shared hub plan', [
    {
      id: 'h1',
      kind: 'plan',
      name: 'tiny',
      inputs: { ...defaultPlanInputs(), model: { kind: 'hub', id: MODEL_ID } },
    },
  ]);
  await page.goto('/');
  await page.evaluate((base) => localStorage.setItem('hwledger.hubBase', base), hub.base);
  await page.goto(`/notebook/#${encodeShare(shared)}`);
  await settle(page);

  const plan = page.locator('[data-testid=cell][data-kind=plan]');
  await expect(plan).toHaveAttribute('data-status', 'held');
  await expect(plan.getByTestId('cell-note')).toContainText(
    `Not fetched: this notebook came from a link or a file, and this cell would fetch ${MODEL_ID}`,
  );
  await expect(page.getByTestId('shared-banner')).toContainText('have not been fetched');
  expect(hub.requests).toEqual([]);

  await page.getByTestId('allow-code').click();
  await expect(plan).toHaveAttribute('data-status', 'done');
  await expect(plan.getByTestId('plan-params-total')).toHaveAttribute(
    'data-raw',
    String(expectedParams()),
  );
  expect(hub.requests.some((path) => path.endsWith('/config.json'))).toBe(true);
});
