import { describe, expect, it } from 'vitest';

import { runCli } from '../../support/cli-run.ts';

describe('hwledger plan', () => {
  it('prints the fields scripts rely on with --json', async () => {
    const { code, stdout } = await runCli([
      'plan',
      '--model',
      'meta-llama/Llama-3.1-8B',
      '--weights',
      'bf16',
      '--context',
      '32k',
      '--engine',
      'vllm',
      '--device',
      'rtx-4090,h100-sxm',
      '--json',
    ]);
    expect(code).toBe(0);
    const result = JSON.parse(stdout);
    expect(result.params.total).toBe(8_030_261_248);
    expect(result.params.active).toBe(8_030_261_248);
    expect(result.params.activeExcludingEmbeddings).toBe(8_030_261_248 - 128256 * 4096);
    // layers x kv heads x head dim x (K + V) x f16 bytes
    expect(result.kv.bytesPerToken).toBe(32 * 8 * 128 * 2 * 2);
    expect(result.memory.weightsBytes).toBe(8_030_261_248 * 2);
    expect(result.memory.kvBytes).toBe(131072 * 32768); // 32k tokens, whole 16-token blocks
    expect(result.memory.totalBytes).toBeGreaterThan(
      result.memory.weightsBytes + result.memory.kvBytes,
    );
    expect(result.fit.map((fit: { device: string }) => fit.device)).toEqual([
      'rtx-4090',
      'h100-sxm',
    ]);
    expect(result.fit[1].fits).toBe(true);
  });

  it('separates resident from active parameters for an MoE model', async () => {
    const { stdout } = await runCli([
      'plan',
      '-m',
      'mixtral-8x7b',
      '-w',
      'bf16',
      '-e',
      'vllm',
      '--json',
    ]);
    const result = JSON.parse(stdout);
    expect(result.params.total).toBe(46_702_792_704);
    expect(result.params.active).toBe(12_879_925_248);
    expect(result.memory.weightsBytes).toBe(46_702_792_704 * 2); // all experts resident
  });

  it('prints a readable breakdown without --json', async () => {
    const { code, stdout } = await runCli([
      'plan',
      '-m',
      'llama-3.1-8b',
      '-e',
      'vllm',
      '-d',
      'h100-sxm',
    ]);
    expect(code).toBe(0);
    expect(stdout).toContain('8.03B total');
    expect(stdout).toContain('131,072 B per token');
    expect(stdout).toMatch(/h100-sxm .* yes/);
  });

  it.each([
    [['plan', '-m', 'no-such-model'], /no catalogue model named "no-such-model"/],
    [['plan', '-m', 'llama-3.1-8b', '--kv', 'q3'], /unknown KV cache type "q3"/],
    [['plan', '-m', 'llama-3.1-8b', '-w', 'q9_z'], /q9_z/],
    [['plan', '-m', 'llama-3.1-8b', '-d', 'gtx-9999'], /unknown device/],
    [['plan', '-m', 'llama-3.1-8b', '-e', 'vllm', '--kv', 'q4_0'], /vllm cannot store/],
  ])('fails %j with one line naming the problem', async (args, message) => {
    const { code, stderr, stdout } = await runCli(args);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toMatch(message);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).not.toContain('    at ');
  });

  it.each([
    ['--context', 'abc'],
    ['--context', '-5'],
    ['--batch', '0'],
    ['--gpus', '1.5'],
    ['--price', '-1'],
  ])('rejects %s %s without a stack', async (flag, value) => {
    const { code, stderr } = await runCli(['plan', '-m', 'llama-3.1-8b', flag, value]);
    expect(code).not.toBe(0);
    expect(stderr).toContain(flag);
    expect(stderr).not.toContain('    at ');
  });

  it('exits 2 on a usage error', async () => {
    const { code, stderr } = await runCli(['plan']);
    expect(code).toBe(2);
    expect(stderr).toContain('--model');
  });
});

describe('hwledger models and devices', () => {
  it('lists the model catalogue as JSON with counted parameters', async () => {
    const { stdout } = await runCli(['models', '--json']);
    const models = JSON.parse(stdout);
    const llama = models.find((model: { id: string }) => model.id === 'meta-llama/Llama-3.1-8B');
    expect(llama.paramsTotal).toBe(8_030_261_248);
    expect(models.length).toBeGreaterThanOrEqual(20);
  });

  it('lists at least 40 devices', async () => {
    const { stdout } = await runCli(['devices', '--json']);
    expect(JSON.parse(stdout).length).toBeGreaterThanOrEqual(40);
  });
});

describe('hwledger plan engine options', () => {
  const kvPart = (stdout: string) =>
    JSON.parse(stdout).memory.parts.find((part: { name: string }) => part.name === 'kv').bytes;

  it('uses the MLA cache form of the llama.cpp build it is given', async () => {
    const args = ['plan', '-m', 'deepseek-v3', '-w', 'Q4_K_M', '-e', 'llama.cpp', '-c', '32k'];
    const current = await runCli([...args, '--json']);
    const old = await runCli([...args, '--engine-version', 'b4000', '--json']);
    expect(kvPart(current.stdout)).toBe(61 * 576 * 2 * 32768); // latent + rope key, no V
    expect(kvPart(old.stdout)).toBe(61 * 128 * (192 + 128) * 2 * 32768); // per-head K and V
  });

  it('lowers the vLLM budget with --gpu-util', async () => {
    const args = ['plan', '-m', 'llama-3.1-8b', '-e', 'vllm', '-d', 'h100-sxm', '--json'];
    const fit = (stdout: string) => JSON.parse(stdout).fit[0];
    const half = fit((await runCli([...args, '--gpu-util', '0.5'])).stdout);
    expect(half.budgetBytesPerDevice).toBe(Math.floor(half.usableBytesPerDevice * 0.5));
  });

  it.each([
    [['--gpu-util', '0.5'], /need --engine/],
    [['-e', 'vllm', '--ubatch', '512'], /does not apply to --engine vllm/],
    [['-e', 'llama.cpp', '--engine-version', 'latest'], /build number/],
    [['-e', 'vllm', '--engine-version', 'v1'], /version such as 0.11/],
    [['--gpu-util', '1.5'], /--gpu-util must be/],
  ])('refuses %j with a message', async (flags, message) => {
    const { code, stderr } = await runCli(['plan', '-m', 'llama-3.1-8b', ...flags]);
    expect(code).not.toBe(0);
    expect(stderr).toMatch(message);
  });
});

describe('hwledger plan display and parsing', () => {
  it('shows no speed or cost per token for a device where the model does not fit', async () => {
    const { stdout } = await runCli([
      'plan',
      '-m',
      'llama-3.1-70b',
      '-w',
      'bf16',
      '-e',
      'vllm',
      '-d',
      'rtx-4090',
      '--price',
      '1',
    ]);
    const row = stdout.split('\n').find((line) => line.startsWith('rtx-4090'));
    expect(row).toMatch(/ no .* - +\$1\.00\/h$/);
    expect(stdout).toMatch(/decode t\/s\/seq +cost \(decode only\)/);
  });

  it.each([
    ['--batch', '0x10'],
    ['--batch', '1e3'],
    ['--price', ''],
    ['--price', '1e308'],
    ['--gpu-util', '0x1'],
  ])('rejects %s %j', async (flag, value) => {
    const { code, stderr } = await runCli([
      'plan',
      '-m',
      'llama-3.1-8b',
      '-e',
      'vllm',
      flag,
      value,
    ]);
    expect(code).not.toBe(0);
    expect(stderr).toContain(flag);
  });

  it('names the command-line flag in errors from the planner', async () => {
    const { stderr } = await runCli(['plan', '-m', 'llama-3.1-8b', '-e', 'vllm', '-c', '1000000m']);
    expect(stderr).toMatch(/^hwledger: --context must be an integer from 1 to 16777216/);
  });
});
