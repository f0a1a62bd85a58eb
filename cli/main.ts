// The `hwledger` command: plan a model on devices, list the built-in catalogues.

import { Command, CommanderError, Option } from 'commander';

import { configureAgentCommand } from '../agent/cli.ts';
import { CapacityError } from '../lib/capacity/errors.ts';
import { MAX_PRICE_USD_PER_DEVICE_HOUR } from '../lib/capacity/limits.ts';
import { listDevices, listModels } from './catalogues.ts';
import { parseTokens, runPlan } from './plan-command.ts';
import type { PlanOptions } from './plan-command.ts';
import { CliError } from './output.ts';
import type { Output } from './output.ts';

const VERSION = '0.1.0';

function buildProgram(output: Output): Command {
  const program = new Command('hwledger')
    .description('Plan how large language models fit and run on real hardware.')
    .version(VERSION)
    .option('--debug', 'print stack traces of errors')
    .exitOverride()
    .configureOutput({
      writeOut: (text) => output.out(text),
      writeErr: (text) => output.err(text),
    });

  program
    .command('plan')
    .description('memory, fit, limits, speed and cost of one model on one or more devices')
    .requiredOption(
      '-m, --model <ref>',
      'catalogue name, config.json, folder, .gguf, .safetensors, URL or hub id',
    )
    .option('-w, --weights <scheme>', 'weight format: bf16, fp8, int8, Q4_K_M, gptq-4bit-g128 ...')
    .option('--kv <dtype>', 'KV cache type: f16, bf16, fp8, q8_0, q4_0 ...', 'f16')
    .option('-c, --context <tokens>', 'tokens per sequence (8192, 32k, 128k)', parseTokens)
    .option('-b, --batch <sequences>', 'concurrent sequences', parsePositive('batch'), 1)
    .addOption(
      new Option('-e, --engine <name>', 'inference engine').choices([
        'llama.cpp',
        'vllm',
        'ollama',
        'transformers.js',
      ]),
    )
    .option(
      '--engine-version <version>',
      'llama.cpp build number (e.g. 6500), vLLM version (0.11) or Ollama version (0.13)',
    )
    .addOption(
      new Option('--flash-attn <mode>', 'llama.cpp/Ollama flash attention').choices(['on', 'off']),
    )
    .option('--ubatch <tokens>', 'llama.cpp micro-batch (-ub)', parsePositive('ubatch'))
    .option('--gpu-util <share>', 'vLLM --gpu-memory-utilization (0 to 1)', parseShare)
    .option(
      '--max-seqs <sequences>',
      'vLLM --max-num-seqs (default 1024 on GPUs of 70 GiB or more but A100, else 256)',
      parsePositive('max-seqs'),
    )
    .option(
      '--max-num-batched-tokens <tokens>',
      'vLLM --max-num-batched-tokens (default 8192 on GPUs of 70 GiB or more but A100, else 2048)',
      parsePositive('max-num-batched-tokens'),
    )
    .option(
      '--fit-target <mib>',
      'llama.cpp --fit-target, MiB kept free per device (default 1024; 0 for --fit off)',
      parseMebibytes,
    )
    .option('-d, --device <ids...>', 'catalogue device ids (space or comma separated)')
    .option(
      '-g, --gpus <count>',
      'identical devices the model is split across',
      parsePositive('gpus'),
      1,
    )
    .addOption(
      new Option('--parallel <kind>', 'how devices share the model')
        .choices(['tensor', 'pipeline'])
        .default('tensor'),
    )
    .option('--price <usd>', 'price of one device per hour, USD', parsePrice)
    .option('--hub <url>', 'Hugging Face hub base URL for hub ids', 'https://huggingface.co')
    .option('--json', 'print one JSON object')
    .action(async (options: PlanOptions) => {
      await runPlan(options, output);
    });

  program
    .command('models')
    .description('list the built-in model catalogue')
    .option('--json', 'print JSON')
    .action((options: { json?: boolean }) => listModels(options, output));

  program
    .command('devices')
    .description('list the built-in device catalogue')
    .option('--json', 'print JSON')
    .action((options: { json?: boolean }) => listDevices(options, output));

  configureAgentCommand(program.command('agent'), output);

  return program;
}

/** A plain decimal number: digits with an optional fraction (no hex, no exponent, not empty). */
const DECIMAL = /^\d+(\.\d+)?$/;

function parsePositive(field: string) {
  return (text: string): number => {
    const value = /^\d+$/.test(text.trim()) ? Number(text) : Number.NaN;
    if (!Number.isSafeInteger(value) || value < 1) {
      throw new CliError(`--${field} must be a positive integer, got "${text}"`);
    }
    return value;
  };
}

function parseShare(text: string): number {
  const value = DECIMAL.test(text.trim()) ? Number(text) : Number.NaN;
  if (!(value > 0 && value <= 1)) {
    throw new CliError(`--gpu-util must be a share above 0 and at most 1, got "${text}"`);
  }
  return value;
}

/** Largest --fit-target accepted, MiB: more than any device's memory. */
const MAX_FIT_TARGET_MIB = 1 << 20;

function parseMebibytes(text: string): number {
  const value = /^\d+$/.test(text.trim()) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(value) || value > MAX_FIT_TARGET_MIB) {
    throw new CliError(
      `--fit-target must be whole MiB from 0 to ${MAX_FIT_TARGET_MIB}, got "${text}"`,
    );
  }
  return value;
}

function parsePrice(text: string): number {
  const value = DECIMAL.test(text.trim()) ? Number(text) : Number.NaN;
  if (!(value >= 0 && value <= MAX_PRICE_USD_PER_DEVICE_HOUR)) {
    throw new CliError(
      `--price must be USD per device-hour from 0 to ${MAX_PRICE_USD_PER_DEVICE_HOUR}, got "${text}"`,
    );
  }
  return value;
}

const processOutput: Output = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
};

/** Plan fields as the command line names them, for messages from the library. */
const FLAGS: Record<string, string> = {
  contextTokens: '--context',
  batch: '--batch',
  gpus: '--gpus',
  devices: '--device',
  device: '--device',
  weights: '--weights',
  kv: '--kv',
  engine: '--engine',
};

function describe(error: unknown): string {
  if (error instanceof CapacityError) {
    const flag = error.field === null ? undefined : FLAGS[error.field];
    if (flag && error.message.startsWith(`${error.field} `)) {
      return describe(
        new CapacityError(error.code, `${flag}${error.message.slice(error.field!.length)}`, {
          field: flag,
          ...(error.expected ? { expected: error.expected } : {}),
        }),
      );
    }
    const expected =
      error.expected && !error.message.includes(error.expected)
        ? ` (expected ${error.expected})`
        : '';
    const list = error.code === 'unknown_device' ? '; run `hwledger devices` for the list' : '';
    return `${error.message}${expected}${list}`;
  }
  if (error instanceof Error) return error.message;
  return String(error);
}

/**
 * Runs the CLI with `argv` (without node and script) and returns the exit code: 0 on success,
 * 1 for bad input or a failed plan, 2 for usage errors. Errors print one line; stacks only with
 * `--debug` or HWLEDGER_DEBUG=1.
 */
export async function main(argv: string[], output: Output = processOutput): Promise<number> {
  const program = buildProgram(output);
  const debug = argv.includes('--debug') || process.env.HWLEDGER_DEBUG === '1';
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.exitCode === 0) return 0;
      return error.code === 'commander.invalidArgument' ? 1 : 2;
    }
    output.err(`hwledger: ${describe(error)}\n`);
    if (debug && error instanceof Error && error.stack) output.err(`${error.stack}\n`);
    return 1;
  }
}
