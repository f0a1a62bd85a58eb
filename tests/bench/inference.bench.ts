// Decode speed of the generated demo model: browser WASM and WebGPU (headless Chromium) against
// onnxruntime-node in the same run, and both against the memory-bandwidth bound.
//
// The bound is bandwidth / bytes read per decoded token (all weights plus the KV cache at the
// mean context). Bandwidth is measured here: single-threaded copies of a 256 MiB buffer, bytes
// read plus bytes written per second. Node runs ONNX Runtime with one intra-op thread, as the
// browser does without cross-origin isolation, so the ratio compares like with like. The demo
// model (0.7 MB) fits in CPU caches, so it runs far from the DRAM bound: the share says how
// much of each token's time is overhead rather than memory traffic.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { generateGreedy, loadModel, nodeBackend } from '../../lib/engines/transformers/index.ts';
import { nodeReaders } from '../../lib/engines/transformers/node.ts';
import { demoModelFiles, writeDemoModel } from '../../scripts/make-demo-model.ts';
import { startHubStandIn } from '../support/hub-stand-in.ts';
import { launchChromium, startApp } from './app-server.ts';
import { machineLine, report } from './report.ts';

const PROMPT = 'Hello, hwLedger';
const NEW_TOKENS = 64;
const RUNS = 3;
const MODEL_ID = 'hwledger/demo-tiny';
function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

/** Single-threaded copy bandwidth in bytes per second (read + write), best of 5. */
function measureBandwidthBytesPerSecond(): number {
  const size = 256 * 2 ** 20;
  const source = new Uint8Array(size).fill(1);
  const target = new Uint8Array(size);
  let best = 0;
  for (let round = 0; round < 5; round += 1) {
    const started = performance.now();
    target.set(source);
    const seconds = (performance.now() - started) / 1000;
    best = Math.max(best, (2 * size) / seconds);
  }
  return best;
}

async function nodeDecodeRates(folder: string) {
  const loaded = await loadModel(
    { kind: 'folder', path: folder },
    {
      backend: nodeBackend('fp32'),
      readers: nodeReaders,
      sessionOptions: { intraOpNumThreads: 1, interOpNumThreads: 1 },
    },
  );
  await generateGreedy(loaded, PROMPT, { maxNewTokens: 8 });
  const rates: number[] = [];
  let tokens: number[] = [];
  let cacheTokens = 0;
  for (let run = 0; run < RUNS; run += 1) {
    const result = await generateGreedy(loaded, PROMPT, { maxNewTokens: NEW_TOKENS });
    rates.push(result.timings.decodeTokensPerSecond ?? 0);
    tokens = result.tokenIds;
    cacheTokens = result.cacheTokens;
  }
  return { rate: median(rates), tokens, cacheTokens, weightsBytes: loaded.weights.weightsBytes };
}

/**
 * Decode rate in headless Chromium. `webgpu` launches it with `--enable-unsafe-webgpu`, which
 * gives Chromium's software (SwiftShader) adapter here: the cell then runs on WebGPU.
 */
async function browserDecodeRates(appBase: string, hubBase: string, webgpu = false) {
  const browser = await launchChromium(webgpu ? ['--enable-unsafe-webgpu'] : []);
  try {
    const page = await browser.newPage();
    await page.goto(`${appBase}/inference/`);
    await page.getByTestId('inference-choice-hub').check();
    await page.getByTestId('inference-hub-id').fill(MODEL_ID);
    await page.getByTestId('inference-hub-base').fill(hubBase);
    await page.getByRole('button', { name: 'Load' }).click();
    await page.getByTestId('inference-loaded').waitFor({ timeout: 120_000 });
    await page.getByTestId('inference-prompt').fill(PROMPT);

    const rates: number[] = [];
    let tokens: number[] = [];
    for (let run = 0; run <= RUNS; run += 1) {
      await page.getByTestId('inference-max-tokens').fill(String(run === 0 ? 8 : NEW_TOKENS));
      await page.getByTestId('inference-run').click();
      await page.locator('[data-testid=inference-output][data-done=true]').waitFor({
        timeout: 120_000,
      });
      if (run === 0) continue;
      const raw = await page.getByTestId('inference-decode-rate').getAttribute('data-raw');
      rates.push(Number(raw));
      tokens = JSON.parse(
        (await page.getByTestId('inference-output').getAttribute('data-tokens')) ?? '[]',
      ) as number[];
    }
    const backend = await page.getByTestId('inference-backend').getAttribute('data-backend');
    return { rate: median(rates), tokens, backend };
  } finally {
    await browser.close();
  }
}

const dir = mkdtempSync(join(tmpdir(), 'hwledger-bench-'));
const hub = await startHubStandIn();
hub.models.set(MODEL_ID, demoModelFiles());
const app = await startApp();
try {
  const folder = writeDemoModel(join(dir, 'demo'));
  const bandwidth = measureBandwidthBytesPerSecond();
  const node = await nodeDecodeRates(folder);
  const browser = await browserDecodeRates(app.baseUrl, hub.base);
  const webgpu = await browserDecodeRates(app.baseUrl, hub.base, true);

  const meanContext = 16 + NEW_TOKENS / 2; // prompt (16 tokens) plus half the new tokens
  const kvReadBytes = meanContext * 4 * 2 * 2 * 16 * 4; // layers x K+V x kv heads x dim x f32
  const bytesPerToken = node.weightsBytes + kvReadBytes;
  const boundRate = bandwidth / bytesPerToken;
  const sameAs = (other: readonly number[]) =>
    node.tokens.length === other.length &&
    node.tokens.every((token, index) => token === other[index]);
  const same = sameAs(browser.tokens) && sameAs(webgpu.tokens);

  report('transformers.js decode: browser WASM and WebGPU vs onnxruntime-node (demo model, fp32)', [
    machineLine(),
    `model: 4 layers, hidden 64, GQA 4/2, ${node.weightsBytes} weight bytes`,
    `decode: ${NEW_TOKENS} new tokens after a 16-token prompt, median of ${RUNS} runs`,
    `onnxruntime-node (1 thread): ${node.rate.toFixed(1)} tokens/s`,
    `browser WASM (Chromium, 1 thread): ${browser.rate.toFixed(1)} tokens/s`,
    `browser ${webgpu.backend} (Chromium software adapter): ${webgpu.rate.toFixed(1)} tokens/s`,
    `browser / node: ${browser.backend} ${(browser.rate / node.rate).toFixed(3)}, ` +
      `${webgpu.backend} ${(webgpu.rate / node.rate).toFixed(3)}`,
    `same greedy tokens in all three: ${same ? 'yes' : 'NO'}`,
    `bandwidth (measured, 256 MiB single-thread copy, read + write): ` +
      `${(bandwidth / 1e9).toFixed(1)} GB/s`,
    `bytes per token: ${bytesPerToken} (weights + KV at ${meanContext} tokens)`,
    `bandwidth bound: ${boundRate.toFixed(0)} tokens/s`,
    `share of bound: node ${((node.rate / boundRate) * 100).toFixed(2)}%, ` +
      `browser ${browser.backend} ${((browser.rate / boundRate) * 100).toFixed(2)}%, ` +
      `browser ${webgpu.backend} ${((webgpu.rate / boundRate) * 100).toFixed(2)}% ` +
      `(the software adapter runs on the same CPU, so the bound is the same)`,
  ]);
  if (!same) process.exitCode = 1;
} finally {
  app.stop();
  await hub.close();
  rmSync(dir, { recursive: true, force: true });
}
