// Stand-in executables for the agent's probe tests: shell scripts on PATH that replay recordings.
//
// Each script answers only the exact argument lists it was given (so a test also proves the
// arguments the agent passes) and fails with exit code 9 on anything else.

import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

import { createProcessRunner } from '../../agent/process.ts';
import type { ProcessRunner } from '../../agent/process.ts';

/** Folder of the recorded tool outputs. */
export const AGENT_FIXTURES = resolve(import.meta.dirname, '../fixtures/agent');

/** One recorded answer: the arguments it answers, the file it prints, how it exits. */
export interface Replay {
  args: readonly string[];
  /** File name under tests/fixtures/agent, printed on stdout. */
  stdoutFile?: string;
  /** Text printed on stderr. */
  stderr?: string;
  exitCode?: number;
}

/** A folder of stand-ins and a runner whose PATH is only that folder. */
export interface StandIns {
  dir: string;
  run: ProcessRunner;
  remove(): void;
}

function quote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

function script(replays: readonly Replay[]): string {
  const cases = replays.map((replay) => {
    const print = replay.stdoutFile
      ? `/bin/cat ${quote(join(AGENT_FIXTURES, replay.stdoutFile))}`
      : ':';
    const err = replay.stderr ? `printf '%s\\n' ${quote(replay.stderr)} >&2` : ':';
    return `  ${quote(replay.args.join(' '))}) ${print}; ${err}; exit ${replay.exitCode ?? 0};;`;
  });
  return [
    '#!/bin/sh',
    'case "$*" in',
    ...cases,
    'esac',
    `printf 'unexpected arguments: %s\\n' "$*" >&2`,
    'exit 9',
    '',
  ].join('\n');
}

/**
 * Writes one stand-in script per tool name into a fresh folder and returns the agent's real
 * process runner with PATH set to that folder alone (no real tool can answer instead).
 */
export function installStandIns(tools: Record<string, readonly Replay[]>): StandIns {
  const dir = mkdtempSync(join(tmpdir(), 'hwledger-standin-'));
  for (const [name, replays] of Object.entries(tools)) {
    const path = join(dir, name);
    writeFileSync(path, script(replays));
    chmodSync(path, 0o755);
  }
  return {
    dir,
    run: createProcessRunner({ env: { PATH: dir }, timeoutMs: 5_000 }),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
