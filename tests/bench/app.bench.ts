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

/** Monaco's chunks name their own package; every other script is the app's. */
function isMonaco(source: string): boolean {
  return source.includes('monaco-editor') || source.includes('vs/editor/');
}

interface LoadSample {
  firstResultMs: number;
  appScriptGzipBytes: number;
  monacoScripts: number;
}

async function loadNotebook(browser: Browser, baseUrl: string): Promise<LoadSample> {
  const context = await browser.newContext();
  const page = await context.newPage();
  const scripts: Promise<{ gzip: number; monaco: boolean }>[] = [];
  page.on('response', (response) => {
    const type = response.request().resourceType();
    if (type !== 'script' && !response.url().endsWith('.js')) return;
    scripts.push(
      response
        .body()
        .then((body) => ({ gzip: gzipSync(body).length, monaco: isMonaco(body.toString()) }))
        .catch(() => ({ gzip: 0, monaco: false })),
    );
  });

  await page.goto(`${baseUrl}${EXAMPLE}`);
  await page.getByTestId('plan-verdict').first().waitFor({ timeout: 60_000 });
  const firstResultMs = await page.evaluate(() => performance.now());
  const loaded = await Promise.all(scripts);
  await context.close();

  const app = loaded.filter((script) => !script.monaco);
  return {
    firstResultMs,
    appScriptGzipBytes: app.reduce((sum, script) => sum + script.gzip, 0),
    monacoScripts: loaded.length - app.length,
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
  const context = page.getByTestId('plan-context').first();
  for (let edit = 0; edit < EDITS; edit += 1) {
    await page.evaluate(() => performance.clearMeasures('hwledger:plan-evaluate'));
    await context.fill(String(4096 + 1024 * (edit + 1)));
    await page.waitForFunction(
      () => performance.getEntriesByName('hwledger:plan-evaluate').length > 0,
      undefined,
      { timeout: 10_000 },
    );
  }
  await page.waitForTimeout(300);
  return page.evaluate(() =>
    performance.getEntriesByName('hwledger:plan-evaluate').map((entry) => entry.duration),
  );
}

/** Round trips of a blob worker that echoes one message, in the same page. */
async function echoWorkerMs(page: Page): Promise<number[]> {
  return page.evaluate(async (rounds) => {
    const source = 'onmessage = (event) => postMessage(event.data);';
    const url = URL.createObjectURL(new Blob([source], { type: 'text/javascript' }));
    const worker = new Worker(url);
    const durations: number[] = [];
    const payload = { contextTokens: 8192, batch: 1, model: 'meta-llama/Llama-3.1-70B' };
    for (let round = 0; round < rounds; round += 1) {
      const start = performance.now();
      await new Promise((resolve) => {
        worker.onmessage = resolve;
        worker.postMessage(payload);
      });
      durations.push(performance.now() - start);
    }
    worker.terminate();
    return durations;
  }, EDITS);
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
  const scriptKb = median(samples.map((sample) => sample.appScriptGzipBytes)) / KB;
  const roundTrip = median(roundTrips);
  const echo = median(echoes);
  const verdict = (ok: boolean) => (ok ? 'met' : 'NOT met');

  report('notebook app (headless Chromium, static export on 127.0.0.1)', [
    machineLine(),
    `JavaScript before Monaco (gzip): ${scriptKb.toFixed(1)} KB ` +
      `(target 300 KB: ${verdict(scriptKb < 300)}; Monaco chunks loaded by then: ` +
      `${samples[0]?.monacoScripts ?? 0})`,
    `navigation to first computed plan: ${firstResult.toFixed(0)} ms, median of ${LOADS} cold ` +
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
