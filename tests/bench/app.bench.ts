// The notebook app in headless Chromium: JavaScript shipped before the editor, time from
// navigation to the first computed plan, and the plan worker's round trip for a cell edit.
//
// Each figure is printed with a baseline measured in the same run, on the same server and
// browser: a static file's navigation for the page load, an echo worker's round trip for the
// plan worker. Targets (issue: notebook): under 300 KB gzip of JavaScript before Monaco, under
// 1 s to the first result, under 20 ms per worker round trip.

import { gzipSync } from 'node:zlib';

import type { Browser, Page } from '@playwright/test';

import { launchChromium, startApp } from './app-server.ts';
import { machineLine, report } from './report.ts';

const EXAMPLE = '/notebook/?example=fit-70b';
const LOADS = 5;
const EDITS = 20;
const KB = 1000;

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

/**
 * Monaco's own chunks carry its source paths, service names or its environment hook. The bare
 * class name `monaco-editor` is no proof: page code mentions it to tell editor keystrokes apart.
 */
function isMonaco(body: Buffer): boolean {
  return /vs\/editor\/|accessibilitySignalService|MonacoEnvironment/.test(body.toString());
}

interface LoadSample {
  firstResultMs: number;
  beforeMonacoGzipBytes: number;
}

interface ScriptSeen {
  url: string;
  requestedAtMs: number;
  gzipBytes: number;
  monaco: boolean;
  fromCache: boolean;
}

/** Name of the page global where the init script leaves the first plan's frame time. */
const FIRST_PLAN_GLOBAL = '__hwledgerFirstPlanMs';

/**
 * Runs in the page before its own scripts: notes the first animation frame after a plan verdict
 * enters the DOM, i.e. when the first computed result is painted. Reading the clock from the
 * test instead would add however long the page's main thread stays busy afterwards (Monaco is
 * parsed right after the first plans), which is not time the user waits for the result.
 */
function watchFirstPlan(globalName: string): void {
  const observer = new MutationObserver(() => {
    if (!document.querySelector('[data-testid="plan-verdict"]')) return;
    observer.disconnect();
    requestAnimationFrame(() => {
      Reflect.set(window, globalName, performance.now());
    });
  });
  observer.observe(document, { childList: true, subtree: true });
}

/**
 * Loads the example cold and measures the scripts requested before the first Monaco chunk
 * (page and worker scripts alike; a script fetched again from the HTTP cache, as a worker does
 * with chunks the page already has, is counted once), and the time from navigation to the
 * first painted plan verdict.
 */
async function loadNotebook(browser: Browser, baseUrl: string): Promise<LoadSample> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.addInitScript(watchFirstPlan, FIRST_PLAN_GLOBAL);
  const started = Date.now();
  const scripts: Promise<ScriptSeen>[] = [];
  page.on('request', (request) => {
    if (!request.url().endsWith('.js')) return;
    const requestedAtMs = Date.now() - started;
    const seen = async (): Promise<ScriptSeen> => {
      const response = await request.response();
      const body = response ? await response.body() : Buffer.alloc(0);
      const sizes = await request.sizes();
      return {
        url: request.url(),
        requestedAtMs,
        gzipBytes: gzipSync(body).length,
        monaco: isMonaco(body),
        fromCache: sizes.responseBodySize < 0,
      };
    };
    scripts.push(
      seen().catch(() => ({
        url: request.url(),
        requestedAtMs,
        gzipBytes: 0,
        monaco: false,
        fromCache: false,
      })),
    );
  });

  await page.goto(`${baseUrl}${EXAMPLE}`);
  await page.waitForFunction((name) => Reflect.has(window, name), FIRST_PLAN_GLOBAL, {
    timeout: 60_000,
  });
  const firstResultMs = Number(
    await page.evaluate((name) => Reflect.get(window, name), FIRST_PLAN_GLOBAL),
  );
  await page.waitForTimeout(2000);
  const seen = await Promise.all(scripts);
  await context.close();

  const firstMonaco = Math.min(
    ...seen.filter((script) => script.monaco).map((script) => script.requestedAtMs),
  );
  const shipped = new Map<string, number>();
  for (const script of seen) {
    if (script.monaco || script.requestedAtMs >= firstMonaco || script.fromCache) continue;
    shipped.set(script.url, script.gzipBytes);
  }
  return {
    firstResultMs,
    beforeMonacoGzipBytes: [...shipped.values()].reduce((sum, bytes) => sum + bytes, 0),
  };
}

async function staticFileMs(browser: Browser, baseUrl: string): Promise<number> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${baseUrl}/precache.json`);
  const ms = await page.evaluate(() => {
    const [entry] = performance.getEntriesByType('navigation') as PerformanceNavigationTiming[];
    return entry ? entry.responseEnd : performance.now();
  });
  await context.close();
  return ms;
}

/** Edits the context field of the first plan cell and reads the worker round trips. */
async function editRoundTrips(page: Page): Promise<number[]> {
  const field = page.getByTestId('plan-context').first();
  const count = () =>
    page.evaluate(() => performance.getEntriesByName('hwledger:plan-evaluate').length);
  for (let edit = 0; edit < EDITS; edit += 1) {
    const before = await count();
    await field.fill(String(4096 + 1024 * (edit + 1)));
    await page.waitForFunction(
      (seen) => performance.getEntriesByName('hwledger:plan-evaluate').length > seen,
      before,
      { timeout: 10_000 },
    );
  }
  const durations = await page.evaluate(() =>
    performance.getEntriesByName('hwledger:plan-evaluate').map((entry) => entry.duration),
  );
  return durations.slice(-EDITS);
}

/**
 * Mean round trip of a blob worker echoing the same-sized message, in the same page: the floor
 * any worker call pays. Timed over many rounds because page timers are coarse (100 us).
 */
async function echoWorkerMs(page: Page): Promise<number> {
  // No named helpers inside: tsx would wrap them in a `__name` call the page does not have.
  return page.evaluate(async (rounds) => {
    const source = 'onmessage = (event) => postMessage(event.data);';
    const url = URL.createObjectURL(new Blob([source], { type: 'text/javascript' }));
    const worker = new Worker(url);
    const payload = { contextTokens: 8192, batch: 1, model: 'meta-llama/Llama-3.1-70B' };
    let start = 0;
    for (let round = -1; round < rounds; round += 1) {
      if (round === 0) start = performance.now();
      await new Promise((resolve) => {
        worker.onmessage = resolve;
        worker.postMessage(payload);
      });
    }
    const mean = (performance.now() - start) / rounds;
    worker.terminate();
    return mean;
  }, 500);
}

const app = await startApp();
const browser = await launchChromium();
try {
  const samples: LoadSample[] = [];
  const staticMs: number[] = [];
  for (let load = 0; load < LOADS; load += 1) {
    staticMs.push(await staticFileMs(browser, app.baseUrl));
    samples.push(await loadNotebook(browser, app.baseUrl));
  }

  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${app.baseUrl}${EXAMPLE}`);
  await page.getByTestId('plan-verdict').first().waitFor({ timeout: 60_000 });
  const roundTrips = await editRoundTrips(page);
  const echoes = await echoWorkerMs(page);
  await context.close();

  const firstResult = median(samples.map((sample) => sample.firstResultMs));
  const scriptKb = median(samples.map((sample) => sample.beforeMonacoGzipBytes)) / KB;
  const roundTrip = median(roundTrips);
  const echo = echoes;
  const verdict = (ok: boolean) => (ok ? 'met' : 'NOT met');

  report('notebook app (headless Chromium, static export on 127.0.0.1)', [
    machineLine(),
    `JavaScript requested before Monaco's first chunk (gzip, page and workers): ` +
      `${scriptKb.toFixed(1)} KB (target 300 KB: ${verdict(scriptKb < 300)})`,
    `navigation to first painted plan: ${firstResult.toFixed(0)} ms, median of ${LOADS} cold ` +
      `loads (target 1000 ms: ${verdict(firstResult < 1000)}); static file baseline ` +
      `${median(staticMs).toFixed(1)} ms, ratio ${(firstResult / median(staticMs)).toFixed(1)}`,
    `plan worker round trip per edit: ${roundTrip.toFixed(2)} ms, median of ${roundTrips.length} ` +
      `(target 20 ms: ${verdict(roundTrip < 20)}); echo worker baseline ${echo.toFixed(2)} ms, ` +
      `ratio ${(roundTrip / echo).toFixed(1)}`,
  ]);
} finally {
  await browser.close();
  app.stop();
}
