// `hwledger plan` options and output for the engine rules: --max-seqs, --fit-target, refusals.

import { describe, expect, it } from 'vitest';

import { runCli } from '../../support/cli-run.ts';

const MIB = 2 ** 20;
const qwen = ['plan', '--model', 'qwen3-0.6b', '--engine', 'vllm', '--context', '2048'];

describe('hwledger plan engine options', () => {
  it('caps max seqs with --max-seqs and labels the cap in the table', async () => {
    const { code, stdout } = await runCli([...qwen, '--device', 'h200', '--max-seqs', '64']);
    expect(code).toBe(0);
    expect(stdout).toContain('64 (--max-num-seqs)');
  });

  it("uses vLLM's 256 default on an A100 and says the cap limits", async () => {
    const { stdout } = await runCli([...qwen, '--device', 'a100-80gb-sxm', '--json']);
    const fit = JSON.parse(stdout).fit[0];
    expect(fit.maxConcurrency).toBe(256);
    expect(fit.maxConcurrencyLimitedBy).toBe('max_num_seqs');
  });

  it('gives llama.cpp its --fit margin back with --fit-target 0', async () => {
    const args = ['plan', '--model', 'llama-3.1-8b', '--weights', 'Q4_K_M', '--engine'];
    const budget = async (extra: string[]) =>
      JSON.parse(
        (await runCli([...args, 'llama.cpp', '--device', 'rtx-4090', '--json', ...extra])).stdout,
      ).fit[0].budgetBytesPerDevice as number;
    expect((await budget(['--fit-target', '0'])) - (await budget([]))).toBe(1024 * MIB);
    expect((await budget(['--fit-target', '0'])) - (await budget(['--fit-target', '512']))).toBe(
      512 * MIB,
    );
  });

  it.each([
    [['--engine', 'llama.cpp', '--max-seqs', '4'], /--max-seqs does not apply/],
    [['--engine', 'vllm', '--fit-target', '0'], /--fit-target does not apply/],
    [['--engine', 'vllm', '--max-seqs', '0'], /--max-seqs must be a positive integer/],
    [['--engine', 'llama.cpp', '--fit-target', '1.5'], /--fit-target must be whole MiB/],
    [['--max-seqs', '8'], /need --engine/],
  ])('rejects %j', async (extra, message) => {
    const { code, stderr } = await runCli(['plan', '--model', 'llama-3.1-8b', ...extra]);
    expect(code).toBe(1);
    expect(stderr).toMatch(message);
  });

  it('says gpt2 at 4k does not start under vLLM', async () => {
    const args = ['plan', '--model', 'gpt2', '--engine', 'vllm', '--context', '4096'];
    const { code, stdout } = await runCli([...args, '--device', 'h100-sxm']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/h100-sxm .* no /);
    expect(stdout).toContain('vLLM does not start: max_model_len 4096 is above the 1024');
  });

  it('refuses --kv q8_0 with --flash-attn off under llama.cpp, naming --kv', async () => {
    const args = ['plan', '--model', 'llama-3.1-8b', '--weights', 'Q4_K_M', '--kv', 'q8_0'];
    const { code, stderr } = await runCli([
      ...args,
      '--engine',
      'llama.cpp',
      '--flash-attn',
      'off',
    ]);
    expect(code).toBe(1);
    expect(stderr).toContain('V cache quantization requires flash_attn');
  });
});
