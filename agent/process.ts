// Runs outside tools (nvidia-smi, amd-smi, sysctl ...): the real runner and the shape tests fake.

import { execFile } from 'node:child_process';

/** What a finished command printed and how it ended. */
export interface RunResult {
  stdout: string;
  stderr: string;
  /** Exit status; 128 + signal number style values are not guessed: a killed run is -1. */
  exitCode: number;
}

/**
 * Runs `command` with `args` (no shell) and resolves with its output, or with null when the
 * command does not exist on this machine. Never rejects.
 */
export type ProcessRunner = (command: string, args: readonly string[]) => Promise<RunResult | null>;

/** Options of `createProcessRunner`. */
export interface ProcessRunnerOptions {
  /** Environment of the child (PATH decides which executable runs); the agent's by default. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Wall-clock limit of one run, milliseconds. */
  timeoutMs?: number;
  /** Most bytes kept from stdout or stderr; a longer output ends the run. */
  maxOutputBytes?: number;
}

const DEFAULT_TIMEOUT_MS = 10_000;
const DEFAULT_MAX_OUTPUT_BYTES = 8 * 2 ** 20;

/**
 * The real runner: `execFile` without a shell, resolved through `PATH` of `options.env`, with a
 * time and output limit. A missing executable resolves to null; a failed one to its output and
 * exit code (-1 when it was killed or overflowed).
 */
export function createProcessRunner(options: ProcessRunnerOptions = {}): ProcessRunner {
  const env = { ...(options.env ?? process.env) } as NodeJS.ProcessEnv;
  const timeout = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const maxBuffer = options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES;

  return (command, args) =>
    new Promise((resolve) => {
      execFile(
        command,
        [...args],
        { env, timeout, maxBuffer, encoding: 'utf8', windowsHide: true },
        (error, stdout, stderr) => {
          if (!error) {
            resolve({ stdout, stderr, exitCode: 0 });
            return;
          }

          const code = (error as NodeJS.ErrnoException).code;
          if (code === 'ENOENT' || code === 'EACCES') {
            resolve(null);
            return;
          }

          const exitCode = typeof code === 'number' ? code : -1;
          resolve({ stdout: String(stdout), stderr: String(stderr), exitCode });
        },
      );
    });
}
