#!/usr/bin/env node
// `npm run bench`: runs every benchmark under tests/bench, each in its own process.

import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const benchDir = join(root, 'tests', 'bench');
const only = process.argv[2];
const files = readdirSync(benchDir)
  .filter((name) => name.endsWith('.bench.ts') || name.endsWith('.bench.mjs'))
  .filter((name) => !only || name.includes(only))
  .sort();

let failed = 0;
for (const file of files) {
  const result = spawnSync('npx', ['tsx', join(benchDir, file)], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) failed += 1;
}
process.exit(failed === 0 ? 0 : 1);
