// Shared output of the benchmarks: the machine they ran on and a titled block of lines.

import { cpus, totalmem } from 'node:os';

/** One line naming the CPU, core count, memory and Node version of this run. */
export function machineLine(): string {
  const cores = cpus();
  const model = cores[0]?.model.trim() ?? 'unknown CPU';
  const memoryGiB = (totalmem() / 2 ** 30).toFixed(1);
  return `machine: ${model}, ${cores.length} cores, ${memoryGiB} GiB, Node ${process.version}`;
}

/** Prints a titled block to standard output. */
export function report(title: string, lines: readonly string[]): void {
  process.stdout.write(`\n# ${title}\n${lines.map((line) => `  ${line}`).join('\n')}\n`);
}
