// The built app on a free loopback port and a headless Chromium, shared by browser benchmarks.

import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';

import { chromium } from '@playwright/test';
import type { Browser } from '@playwright/test';

const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Debian's Chromium where installed (as playwright.config.ts looks), else Playwright's own. */
const CHROMIUM_PATH = [
  process.env.CHROMIUM_PATH,
  '/usr/lib/chromium/chromium',
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
].find((path) => path && existsSync(path));

/** A port the kernel says is free on 127.0.0.1. */
export async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** A running app: its base URL and how to stop it. */
export interface RunningApp {
  baseUrl: string;
  stop(): void;
}

/**
 * Serves the static build on a free loopback port (`scripts/start.mjs --no-build`, which builds
 * only when out/ has no build yet) and resolves once it listens.
 */
export async function startApp(): Promise<RunningApp> {
  const port = await freePort();
  const app: ChildProcess = spawn(process.execPath, ['scripts/start.mjs', '--no-build'], {
    env: { ...process.env, PORT: String(port), NEXT_TELEMETRY_DISABLED: '1' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    app.stdout?.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('is running at')) resolve();
    });
    app.once('exit', (code) => reject(new Error(`the app server stopped (exit ${code})`)));
  });
  return { baseUrl: `http://127.0.0.1:${port}`, stop: () => app.kill('SIGTERM') };
}

/** Headless Chromium with the flags proven on this machine (STACK.md). */
export async function launchChromium(extraArgs: readonly string[] = []): Promise<Browser> {
  return chromium.launch({
    ...(CHROMIUM_PATH ? { executablePath: CHROMIUM_PATH } : {}),
    args: [...CHROMIUM_ARGS, ...extraArgs],
  });
}
