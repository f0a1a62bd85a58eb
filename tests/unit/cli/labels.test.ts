import { describe, expect, it } from 'vitest';

import { runCli } from '../../support/cli-run.ts';

/** The cells of the table row that starts with `first`, split on runs of spaces. */
function rowCells(text: string, first: string): string[] {
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${first} `));
  if (!line) throw new Error(`no row for ${first}`);
  return line.split(/\s{2,}/);
}

const QWEN_MOE_BATCH = [
  'plan',
  '-m',
  'qwen3-30b-a3b',
  '-w',
  'bf16',
  '-c',
  '2048',
  '-b',
  '32',
  '-e',
  'vllm',
  '-d',
  'h100-sxm',
  '--price',
  '2',
];

describe('hwledger plan: speed and cost columns', () => {
  it('labels decode per sequence and adds the total of all 32 sequences', async () => {
    const text = (await runCli(QWEN_MOE_BATCH)).stdout;
    const json = JSON.parse((await runCli([...QWEN_MOE_BATCH, '--json'])).stdout);
    const speed = json.fit[0].speed;
    const header = rowCells(text, 'device');
    expect(header).toContain('decode t/s/seq');
    expect(header).toContain('total t/s');
    const row = rowCells(text, 'h100-sxm');
    expect(row[header.indexOf('decode t/s/seq')]).toBe(speed.decodeTokensPerSecond.toFixed(1));
    expect(row[header.indexOf('total t/s')]).toBe(speed.decodeTokensPerSecondTotal.toFixed(0));
    // per sequence x 32 sequences = total
    expect(speed.decodeTokensPerSecondTotal).toBeCloseTo(speed.decodeTokensPerSecond * 32, 6);
  });

  it('says the cost counts generated tokens only: $2/h / (total x 3600) x 10^6', async () => {
    const text = (await runCli(QWEN_MOE_BATCH)).stdout;
    const json = JSON.parse((await runCli([...QWEN_MOE_BATCH, '--json'])).stdout);
    const total = json.fit[0].speed.decodeTokensPerSecondTotal;
    const perMillion = ((2 / (total * 3600)) * 1e6).toFixed(2);
    expect(rowCells(text, 'device')).toContain('cost (decode only)');
    expect(text).toContain(`$2.00/h, $${perMillion}/M generated tokens`);
    expect(text).not.toContain('/M tokens');
  });

  it('shows no total column for a single sequence', async () => {
    const { stdout } = await runCli(['plan', '-m', 'llama-3.1-8b', '-d', 'rtx-4090']);
    expect(rowCells(stdout, 'device')).toContain('decode t/s/seq');
    expect(rowCells(stdout, 'device')).not.toContain('total t/s');
  });
});

describe('hwledger plan: memory labels', () => {
  const mistral = ['plan', '-m', 'mistral-7b', '-w', 'Q4_K_M', '-d', 'rtx-4090'];

  it('does not speak of sliding windows llama.cpp ignores (Mistral-7B)', async () => {
    const { stdout } = await runCli([...mistral, '-e', 'llama.cpp']);
    expect(stdout).toContain('KV cache    131,072 B per token\n'); // 32 x 8 x 128 x K+V x 2 B
    expect(stdout).not.toContain('sliding windows');
    expect(stdout).toContain('note: llama.cpp runs mistral with full attention on every layer');
    const json = JSON.parse((await runCli([...mistral, '-e', 'llama.cpp', '--json'])).stdout);
    expect(json.kv.bytesPerTokenBeyondWindows).toBe(json.kv.bytesPerToken);
  });

  it('keeps the window under vLLM, which honours it (0 B past the 4,096-token window)', async () => {
    const { stdout } = await runCli(['plan', '-m', 'mistral-7b', '-w', 'bf16', '-e', 'vllm']);
    expect(stdout).toContain('131,072 B per token (0 B past the sliding windows)');
  });

  it('names a tied output copy only for models that tie it', async () => {
    const llama = ['-w', 'Q4_K_M', '-e', 'llama.cpp', '-d', 'rtx-4090', '--json'];
    const untied = JSON.parse((await runCli(['plan', '-m', 'llama-3.1-8b', ...llama])).stdout);
    const tied = JSON.parse((await runCli(['plan', '-m', 'llama-3.2-1b', ...llama])).stdout);
    const weightsSource = (result: {
      memory: { parts: { name: string; onDevice: boolean; source: string }[] };
    }) => result.memory.parts.find((part) => part.name === 'weights' && part.onDevice)!.source;
    expect(weightsSource(untied)).not.toContain('tied');
    expect(weightsSource(tied)).toContain('tied output: a copy of the embedding on the device');
  });
});

describe('hwledger: pointers out of a wrong name', () => {
  it('points --weights mxfp4 under llama.cpp to MXFP4_MOE', async () => {
    const args = ['plan', '-m', 'gpt-oss-20b', '-w', 'mxfp4', '-e', 'llama.cpp', '-d', 'rtx-4090'];
    const { code, stderr } = await runCli(args);
    expect(code).toBe(1);
    expect(stderr).toContain('use --weights MXFP4_MOE');
    expect((await runCli([...args.slice(0, 4), 'MXFP4_MOE', ...args.slice(5)])).code).toBe(0);
  });

  it('suggests no arbitrary ids for a name close to none, and says where the list is', async () => {
    const { code, stderr } = await runCli(['plan', '-m', 'llama-3.1-8b', '-d', 'nope']);
    expect(code).toBe(1);
    expect(stderr).toContain('none is close to "nope"');
    expect(stderr).toContain('hwledger devices');
    expect(stderr).not.toMatch(/a10|a40/);
  });

  it('suggests rtx-4090 first for a one-digit slip', async () => {
    const { stderr } = await runCli(['plan', '-m', 'llama-3.1-8b', '-d', 'rtx-4095']);
    expect(stderr).toContain('(expected rtx-4090,');
  });
});

describe('hwledger models', () => {
  it('says the active count includes the input embedding, and gives it without', async () => {
    const { stdout } = await runCli(['models']);
    expect(stdout.split('\n')[0]).toContain('active incl. embedding');
    const models = JSON.parse((await runCli(['models', '--json'])).stdout);
    const llama = models.find((model: { id: string }) => model.id === 'meta-llama/Llama-3.1-8B');
    expect(llama.paramsActive).toBe(8_030_261_248);
    expect(llama.paramsActiveExcludingEmbeddings).toBe(8_030_261_248 - 128256 * 4096);
  });
});
