// `hwledger plan --max-num-batched-tokens`: vLLM's per-step token budget, refused elsewhere.

import { describe, expect, it } from 'vitest';

import { runCli } from '../../support/cli-run.ts';

const mistral = ['plan', '--model', 'mistral-7b', '--context', '16k', '--batch', '4'];

describe('hwledger plan --max-num-batched-tokens', () => {
  it('sets the step budget that sizes the sliding-window blocks and the compute buffer', async () => {
    const args = [...mistral, '--engine', 'vllm', '--device', 'rtx-4090', '--json'];
    const { code, stdout } = await runCli([...args, '--max-num-batched-tokens', '8192']);
    expect(code).toBe(0);
    const result = JSON.parse(stdout);
    expect(result.settings.engine.maxNumBatchedTokens).toBe(8192);
    const kv = result.memory.parts.find((part: { name: string }) => part.name === 'kv');
    const perRequest = (Math.ceil((4096 - 1 + 8192) / 16) + 1) * 16; // 12,304 tokens
    expect(kv.bytes).toBe(4 * perRequest * 32 * 2 * 8 * 128 * 2); // 131,072 B per token
  });

  it("leaves it to vLLM's GPU default when not given (2048 on an RTX 4090)", async () => {
    const args = [...mistral, '--engine', 'vllm', '--device', 'rtx-4090', '--json'];
    const result = JSON.parse((await runCli(args)).stdout);
    expect(result.settings.engine.maxNumBatchedTokens).toBeNull();
    const compute = result.memory.parts.find((part: { name: string }) => part.name === 'compute');
    expect(compute.bytes).toBe(2048 * (4 * 4096 + 3 * 14_336) * 2); // 243,269,632 B
  });

  it.each([
    [['--engine', 'llama.cpp'], /--max-num-batched-tokens does not apply to --engine llama\.cpp/],
    [['--engine', 'ollama'], /--max-num-batched-tokens does not apply to --engine ollama/],
    [[], /need --engine/],
  ])('refuses it with %j', async (extra, message) => {
    const args = ['plan', '--model', 'llama-3.1-8b', ...extra, '--max-num-batched-tokens', '1024'];
    const { code, stderr } = await runCli(args);
    expect(code).toBe(1);
    expect(stderr).toMatch(message);
  });

  it('names the flag when the value is not a positive integer', async () => {
    const args = ['plan', '--model', 'llama-3.1-8b', '--engine', 'vllm'];
    const { code, stderr } = await runCli([...args, '--max-num-batched-tokens', '0']);
    expect(code).toBe(1);
    expect(stderr).toMatch(/--max-num-batched-tokens must be a positive integer, got "0"/);
  });
});
