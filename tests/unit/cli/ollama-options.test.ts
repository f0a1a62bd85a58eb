// `hwledger plan --engine ollama`: --engine-version picks the release, misuse names its flags.

import { describe, expect, it } from 'vitest';

import { runCli } from '../../support/cli-run.ts';

const MIB = 2 ** 20;
const ollama = ['plan', '--model', 'llama-3.1-8b', '--weights', 'Q4_K_M', '--engine', 'ollama'];

describe('hwledger plan --engine ollama', () => {
  it('plans the release --engine-version names', async () => {
    const { code, stdout } = await runCli([...ollama, '--engine-version', '0.13', '--json']);
    expect(code).toBe(0);
    expect(JSON.parse(stdout).settings.engine).toMatchObject({ engine: 'ollama', version: '0.13' });
  });

  it('gives 0.13 the CUDA context and --fit margin back but counts its 457 MiB minimum', async () => {
    const budget = async (extra: string[]) =>
      JSON.parse((await runCli([...ollama, '--device', 'rtx-4090', '--json', ...extra])).stdout)
        .fit[0].budgetBytesPerDevice as number;
    // 0.13 budget = usable; current budget = usable - 400 MiB - 1024 MiB
    expect((await budget(['--engine-version', '0.13'])) - (await budget([]))).toBe(1424 * MIB);
  });

  it('drops q8_0 for llama under 0.13 unless --flash-attn on, and says why', async () => {
    const q8 = [...ollama, '--engine-version', '0.13', '--kv', 'q8_0'];
    const dropped = await runCli(q8);
    expect(dropped.stdout).toContain('OLLAMA_FLASH_ATTENTION must be enabled');
    const kept = JSON.parse((await runCli([...q8, '--flash-attn', 'on', '--json'])).stdout);
    expect(kept.settings.kv).toBe('q8_0');
  });

  it.each([
    [['--engine-version', 'latest'], /--engine-version for Ollama is a version such as 0.13/],
    [['--engine-version', '0.11'], /older than the 0.12/],
    [['--fit-target', '512'], /: --fit-target does not apply to --engine ollama$/m],
    [['--max-seqs', '4', '--ubatch', '256'], /--ubatch and --max-seqs do not apply/],
  ])('rejects %j naming only the flags given', async (extra, message) => {
    const { code, stderr } = await runCli([...ollama, ...extra]);
    expect(code).toBe(1);
    expect(stderr).toMatch(message);
  });

  it('names only --fit-target for vLLM when no other llama.cpp flag is given', async () => {
    const { stderr } = await runCli([
      'plan',
      '--model',
      'qwen3-0.6b',
      '--engine',
      'vllm',
      '--fit-target',
      '0',
    ]);
    expect(stderr).toContain('--fit-target does not apply to --engine vllm');
    expect(stderr).not.toContain('--flash-attn');
  });
});
