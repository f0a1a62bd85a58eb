// The notebook runner in the page: a hub that never answers holds up nothing else and Stop ends
// its fetch; deleted inputs, cycles and floods of outputs say what happened; names are checked.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Page } from '@playwright/test';

import {
  defaultPlanInputs,
  newNotebook,
  type Cell,
  type PlanModelSource,
} from '../../lib/notebook/model.ts';
import { encodeShare } from '../../lib/notebook/share.ts';
import { expect, screenshot, settle, test } from './fixtures.ts';

/** llama-3.1-8b's KV cache at f16: 32 layers x 8 KV heads x 128 x 2 (K and V) x 2 bytes. */
const LLAMA_8B_KV_BYTES_PER_TOKEN = 32 * 8 * 128 * 2 * 2;

/** A hub that accepts every connection and never answers; it notes requests and hang-ups. */
interface SilentHub {
  base: string;
  requests: string[];
  /** Requests whose connection the browser closed (an aborted fetch). */
  closed: string[];
  close(): Promise<void>;
}

async function startSilentHub(): Promise<SilentHub> {
  const requests: string[] = [];
  const closed: string[] = [];
  const server: Server = createServer((request, response) => {
    const path = request.url ?? '';
    requests.push(path);
    response.on('error', () => undefined);
    response.on('close', () => closed.push(path));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    base: `http://127.0.0.1:${String(port)}`,
    requests,
    closed,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A plan cell: llama-3.1-8b from the catalogue at f16 KV, or `model` when given. */
const plan = (id: string, name: string, model: PlanModelSource | null): Cell => ({
  id,
  kind: 'plan',
  name,
  inputs: { ...defaultPlanInputs(), kv: 'f16', ...(model ? { model } : {}) },
});
const code = (id: string, source: string): Cell => ({ id, kind: 'code', source });

/** Opens `cells` as a notebook from a link and lets its code run. */
async function openAndAllow(page: Page, cells: Cell[], hubBase = ''): Promise<void> {
  await page.goto('/');
  if (hubBase) {
    await page.evaluate((base) => localStorage.setItem('hwledger.hubBase', base), hubBase);
  }
  await page.goto(`/notebook/#${encodeShare(newNotebook('Runner', cells))}`);
  await page.getByTestId('allow-code').click();
}

const cellById = (page: Page, id: string) => page.locator(`[data-testid=cell][data-cell-id=${id}]`);

let hub: SilentHub;

test.beforeAll(async () => {
  hub = await startSilentHub();
});

test.afterAll(async () => {
  await hub.close();
});

test('a hub that never answers holds up no other cell, and Stop ends its fetch', async ({
  page,
}) => {
  await openAndAllow(
    page,
    [
      plan('h', 'stalled', { kind: 'hub', id: 'org/never' }),
      plan('k', 'quick', null),
      code('c', 'export const kvPerToken = quick.kv.bytesPerToken;'),
      code('d', 'export const fromHub = stalled.kv.bytesPerToken;'),
    ],
    hub.base,
  );
  const stalled = cellById(page, 'h');
  await expect(stalled).toHaveAttribute('data-status', 'running');
  await expect.poll(() => hub.requests).toEqual(['/org/never/resolve/main/config.json']);

  await expect(cellById(page, 'k')).toHaveAttribute('data-status', 'done');
  await expect(page.locator('[data-testid=code-output][data-label=kvPerToken]')).toHaveText(
    `kvPerToken = ${LLAMA_8B_KV_BYTES_PER_TOKEN.toLocaleString('en-US')}`,
  );
  await expect(cellById(page, 'd')).toHaveAttribute('data-status', 'queued');

  await cellById(page, 'k').getByTestId('plan-context').fill('4096');
  await expect(cellById(page, 'k')).toHaveAttribute('data-status', 'done');
  await expect(stalled).toHaveAttribute('data-status', 'running');
  await screenshot(page, 'runner-hub-stalled');

  await stalled.getByTestId('cell-stop').click();
  await expect(stalled).toHaveAttribute('data-status', 'stopped');
  await expect(stalled.getByTestId('cell-status')).toHaveText('stopped');
  await expect(stalled.getByTestId('cell-note')).toHaveText('Stopped by you.');
  await expect(cellById(page, 'd').getByTestId('cell-note')).toHaveText(
    'Waits for cell 1 (stalled), which has no result.',
  );
  // The abort reached fetch: the browser hung up on the hub.
  await expect
    .poll(() => hub.closed, { timeout: 5000 })
    .toEqual(['/org/never/resolve/main/config.json']);
  await expect(cellById(page, 'k')).toHaveAttribute('data-status', 'done');
});

test('deleting a plan cell runs its dependants again, naming what is missing', async ({ page }) => {
  await openAndAllow(page, [
    plan('p', 'big', null),
    code('c', 'export const perToken = big.kv.bytesPerToken;'),
  ]);
  await expect(page.locator('[data-testid=code-output][data-label=perToken]')).toHaveText(
    `perToken = ${LLAMA_8B_KV_BYTES_PER_TOKEN.toLocaleString('en-US')}`,
  );
  await cellById(page, 'p').getByRole('button', { name: 'delete cell' }).click();
  const dependant = cellById(page, 'c');
  await expect(dependant).toHaveAttribute('data-status', 'error');
  await expect(dependant.getByTestId('cell-error')).toContainText(
    '"big" is not defined: no cell above this one defines it',
  );
  await expect(page.locator('[data-testid=code-output]')).toHaveCount(0);
});

test('a cycle between code cells is named, not a raw ReferenceError', async ({ page }) => {
  await openAndAllow(page, [
    code('x', 'export const a = b + 1;'),
    code('y', 'export const b = a + 1;'),
  ]);
  await settle(page);
  await expect(cellById(page, 'x').getByTestId('cell-error')).toContainText('cycle: a -> b -> a.');
  await expect(cellById(page, 'x').getByTestId('cell-error')).not.toContainText('ReferenceError');
  await expect(cellById(page, 'y').getByTestId('cell-note')).toHaveText(
    'Waits for cell 1 (a), which has no result.',
  );
});

test('a million display() calls show the first 200 and a count of the rest', async ({ page }) => {
  await openAndAllow(page, [code('f', 'for (let i = 0; i < 1e6; i += 1) display(i);')]);
  await settle(page);
  const outputs = cellById(page, 'f').getByTestId('code-output');
  await expect(outputs).toHaveCount(201);
  await expect(outputs.nth(199)).toHaveText('199');
  // 1,000,000 calls - 200 shown = 999,800 left out.
  await expect(outputs.nth(200)).toHaveText(
    '999,800 more outputs left out: a cell shows its first 200 outputs, ' +
      '1,000,000 characters at most',
  );
});

test('a plan name JavaScript or the app already uses is refused in the form', async ({ page }) => {
  await openAndAllow(page, [
    plan('p', 'big', null),
    code('c', 'export const n = big.settings.batch;'),
  ]);
  const name = cellById(page, 'p').getByTestId('plan-name');
  await name.fill('Object');
  await expect(name).toHaveAttribute('aria-invalid', 'true');
  await expect(cellById(page, 'p').getByTestId('plan-name-problem')).toContainText(
    '"Object" is a JavaScript built-in',
  );
  await expect(cellById(page, 'p').locator('.cell-defines')).toHaveText('big');
  await name.fill('__proto__');
  await expect(cellById(page, 'p').getByTestId('plan-name-problem')).toContainText(
    '"__proto__" is a property every JavaScript object has',
  );
  await expect(cellById(page, 'p').locator('.cell-defines')).toHaveText('big');
});

test('a plan worker that cannot start says so, and the next run starts a fresh one', async ({
  page,
}) => {
  // The worker's entry script (Turbopack names it turbopack-worker-<hash>.js) fails to load.
  const workerEntry = /\/turbopack-worker-[^/]*\.js$/;
  await page.route(workerEntry, (route) => route.abort());
  await openAndAllow(page, [plan('k', 'quick', null)]);
  const cell = cellById(page, 'k');
  await expect(cell).toHaveAttribute('data-status', 'error');
  await expect(cell.getByTestId('cell-error')).toContainText('The plan worker stopped');

  await page.unroute(workerEntry);
  await cell.getByTestId('plan-context').fill('4096');
  await expect(cell).toHaveAttribute('data-status', 'done');
  await expect(cell.getByTestId('plan-verdict').first()).toBeVisible();
});
