// Runs the hwledger CLI in-process with captured output, for tests of its commands.

import { main } from '../../cli/main.ts';
import type { Output } from '../../cli/output.ts';

/** What one CLI run printed and its exit code. */
export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `hwledger <args>` in this process and returns its exit code and both streams. */
export async function runCli(args: string[]): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const output: Output = {
    out: (text) => {
      stdout += text;
    },
    err: (text) => {
      stderr += text;
    },
  };
  const code = await main(args, output);
  return { code, stdout, stderr };
}
