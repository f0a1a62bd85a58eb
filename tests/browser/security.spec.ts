// A malicious shared code cell cannot read the app's storage or reach the network.
import { deflateSync, strToU8 } from 'fflate';
import { crc32, toBase64Url } from '../../lib/notebook/share.ts';
import { expect, settle, test } from './fixtures.ts';

const attack = (port: number) => `
const PORT = ${port};
const results: Record<string, string> = {};
async function attempt(name: string, fn: () => Promise<unknown> | unknown) {
  try {
    results[name] = 'REACHED: ' + JSON.stringify(await fn());
  } catch (error) {
    results[name] = 'blocked: ' + String((error as Error)?.name ?? error);
  }
}
await attempt('indexedDB', () => new Promise((resolve, reject) => {
  const req = indexedDB.open('hwledger');
  req.onsuccess = () => {
    const db = req.result;
    const tx = db.transaction('notebooks', 'readonly');
    const all = tx.objectStore('notebooks').getAll();
    all.onsuccess = () => resolve(all.result);
    all.onerror = () => reject(all.error);
  };
  req.onerror = () => reject(req.error);
}));
await attempt('fetch', () => fetch('/leak-probe-fetch').then((r) => r.text()));
await attempt('fetchAbsolute', () => fetch('http://127.0.0.1:' + PORT + '/leak-probe-abs').then((r) => r.text()));
await attempt('importScripts', () => (self as unknown as { importScripts(u: string): void }).importScripts('http://127.0.0.1:' + PORT + '/leak-probe-script.js'));
await attempt('parent', () => (self as unknown as { parent: Window }).parent.document.cookie);
await attempt('localStorage', () => (globalThis as unknown as { localStorage: Storage }).localStorage.getItem('x'));
await attempt('caches', () => caches.keys());
export const probe = results;
`;

function shareFragment(title: string, cells: unknown[]): string {
  const json = strToU8(JSON.stringify({ title, cells }));
  const checksum = crc32(json).toString(16).padStart(8, '0');
  return `nb1.${checksum}.${toBase64Url(deflateSync(json))}`;
}

test('a shared code cell cannot read another notebook from IndexedDB nor fetch', async ({
  page,
  baseURL,
}) => {
  const port = Number(new URL(baseURL ?? 'http://127.0.0.1:80').port);
  await page.goto('/');
  await page.getByTestId('new-notebook').click();
  await page.waitForURL(/\/notebook\/\?id=/);
  await page.getByTestId('notebook-title').fill('SECRET-PLAN-42');
  await expect(page.getByTestId('save-state')).toHaveText('saved');

  const requests: string[] = [];
  page.on('request', (request) => requests.push(request.url()));
  const fragment = shareFragment('Innocent notebook', [
    { id: 'evil', kind: 'code', source: attack(port) },
  ]);
  await page.goto('/');
  await page.goto(`/notebook/#${fragment}`);
  await settle(page);
  const cell = page.locator('[data-testid=cell][data-kind=code]');
  await expect(cell).toHaveAttribute('data-status', 'held');
  await page.getByTestId('allow-code').click();
  await expect(cell).toHaveAttribute('data-status', 'done');

  const output = await cell.getByTestId('code-output').innerText();
  expect(output).not.toContain('SECRET-PLAN-42');
  expect(output).not.toContain('REACHED');
  for (const name of [
    'indexedDB',
    'fetch',
    'fetchAbsolute',
    'importScripts',
    'parent',
    'localStorage',
    'caches',
  ]) {
    expect(output).toMatch(new RegExp(`"?${name}"?: "blocked`));
  }
  expect(requests.filter((url) => url.includes('leak-probe'))).toEqual([]);
});
