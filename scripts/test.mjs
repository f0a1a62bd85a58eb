#!/usr/bin/env node
// Runs every check of the project in order and ends with one plain "N passed, N failed" line.
//
// Stages: formatting, lint, types, unit and engine tests (vitest), browser tests (Playwright on
// Chromium). A Chromium is looked for first; where none is found it is installed from Debian's
// packages when running as root, or Playwright's own build elsewhere (a developer's laptop).

import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const outDir = join(root, 'tests', 'output');
mkdirSync(outDir, { recursive: true });

const totals = { passed: 0, failed: 0, skipped: 0 };

function run(label, command, args, env = {}) {
  process.stdout.write(`\n== ${label}: ${command} ${args.join(' ')}\n`);
  const result = spawnSync(command, args, {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, ...env },
  });
  return result.status ?? 1;
}

function gate(label, command, args) {
  const status = run(label, command, args);
  if (status === 0) totals.passed += 1;
  else totals.failed += 1;
  process.stdout.write(`== ${label}: ${status === 0 ? 'ok' : 'FAILED'}\n`);
}

function readJson(path) {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return null;
  }
}

/** Chromium for the browser tests: Debian's binary first, then Playwright's own if installed. */
export function findChromium() {
  const candidates = [
    process.env.CHROMIUM_PATH,
    '/usr/lib/chromium/chromium',
    '/usr/bin/chromium',
    '/usr/bin/chromium-browser',
  ];
  return candidates.find((path) => path && existsSync(path)) ?? null;
}

function ensureChromium() {
  if (findChromium()) return true;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (isRoot && existsSync('/usr/bin/apt-get')) {
    run('chromium', 'apt-get', ['update', '-qq']);
    run('chromium', 'apt-get', ['install', '-y', '-qq', 'chromium']);
    return Boolean(findChromium());
  }
  return run('chromium', 'npx', ['playwright', 'install', 'chromium']) === 0;
}

gate('format', 'npx', ['prettier', '--check', '.']);
gate('lint', 'npx', ['eslint', '.', '--max-warnings', '0']);
gate('types', 'npx', ['tsc', '--noEmit', '-p', 'tsconfig.json']);

const vitestJson = join(outDir, 'vitest.json');
const vitestStatus = run('unit', 'npx', [
  'vitest',
  'run',
  '--reporter=default',
  '--reporter=json',
  `--outputFile.json=${vitestJson}`,
]);
const vitest = readJson(vitestJson);
if (vitest) {
  totals.passed += vitest.numPassedTests;
  totals.failed += vitest.numFailedTests;
  totals.skipped += vitest.numPendingTests + vitest.numTodoTests;
}
if (vitestStatus !== 0 && (!vitest || vitest.numFailedTests === 0)) totals.failed += 1;

if (existsSync(join(root, 'playwright.config.ts'))) {
  if (!ensureChromium()) {
    process.stdout.write('No Chromium could be found or installed for the browser tests.\n');
    totals.failed += 1;
  } else {
    const pwJson = join(outDir, 'playwright.json');
    const pwStatus = run('browser', 'npx', ['playwright', 'test'], {
      PLAYWRIGHT_JSON_OUTPUT_NAME: pwJson,
    });
    const pw = readJson(pwJson);
    if (pw?.stats) {
      totals.passed += pw.stats.expected + (pw.stats.flaky ?? 0);
      totals.failed += pw.stats.unexpected;
      totals.skipped += pw.stats.skipped;
    }
    if (pwStatus !== 0 && (!pw?.stats || pw.stats.unexpected === 0)) totals.failed += 1;
  }
}

process.stdout.write(
  `\n${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped\n`,
);
process.exit(totals.failed === 0 ? 0 : 1);
