import { describe, expect, it } from 'vitest';

import { catalogueSpec } from '../../../lib/capacity/catalogue/models.ts';
import { CapacityError } from '../../../lib/capacity/errors.ts';
import { deviceBytesAt, plan, preparePlan } from '../../../lib/capacity/plan.ts';
import type { PlanRequest } from '../../../lib/capacity/plan.ts';

const llama8b = catalogueSpec('meta-llama/Llama-3.1-8B');
const LLAMA_8B_KV_ROW = 32 * 8 * 128 * 2 * 2; // layers x kv heads x dim x K+V x f16 = 131,072

describe('plan: weights', () => {
  it('keeps every Mixtral expert resident (93,405,585,408 B at bf16, not the active 25.8 GB)', () => {
    const result = plan({ model: catalogueSpec('mixtral-8x7b'), weights: 'bf16', engine: 'vllm' });
    expect(result.memory.weightsBytes).toBe(46_702_792_704 * 2);
    expect(result.params.active).toBe(12_879_925_248);
  });

  it('sizes Llama-3.1-70B at f16 as 141.1 GB (131.4 GiB)', () => {
    const result = plan({ model: catalogueSpec('llama-3.1-70b'), weights: 'f16', engine: 'vllm' });
    expect(result.memory.weightsBytes).toBe(70_553_706_496 * 2);
    expect(result.memory.weightsBytes / 1e9).toBeCloseTo(141.1, 1);
    expect(result.memory.weightsBytes / 2 ** 30).toBeCloseTo(131.4, 1);
  });
});

describe('plan: vLLM KV blocks', () => {
  it('rounds a request up to whole 16-token blocks', () => {
    const result = plan({ model: llama8b, engine: 'vllm', contextTokens: 1000 });
    expect(result.memory.kvBytes).toBe(1008 * LLAMA_8B_KV_ROW); // cdiv(1000, 16) x 16 tokens
  });

  it('holds window - 1 + max_num_batched_tokens tokens (+1 block) on sliding layers', () => {
    const result = plan({
      model: catalogueSpec('openai/gpt-oss-20b'),
      weights: 'mxfp4',
      engine: 'vllm',
      contextTokens: 32768,
      devices: ['h100-sxm'],
    });
    const row = 12 * 2 * 8 * 64 * 2; // 12 layers of each kind x K+V x 8 kv heads x 64 x f16
    // max_num_batched_tokens defaults to 8192 on an H100 (80 GiB, not an A100)
    const slidingTokens = (Math.ceil((128 - 1 + 8192) / 16) + 1) * 16; // 8,336
    expect(result.memory.kvBytes).toBe(32768 * row + slidingTokens * row);
    expect(result.kv.bytesPerToken).toBe(2 * row); // 49,152 within the window
    expect(result.kv.bytesPerTokenBeyondWindows).toBe(row); // 24,576 past it
  });

  it('replicates the MLA latent on every tensor-parallel rank', () => {
    const deepseek = catalogueSpec('deepseek-ai/DeepSeek-V3');
    const at = (gpus: number) =>
      plan({
        model: deepseek,
        weights: 'fp8',
        engine: 'vllm',
        contextTokens: 32768,
        gpus,
        devices: ['h200'],
      });
    const perRank = 61 * 576 * 2 * 32768; // 2,302,672,896 B = 2196 MiB on each rank
    expect(at(1).memory.parts.find((part) => part.name === 'kv')?.bytes).toBe(perRank);
    expect(at(8).memory.parts.find((part) => part.name === 'kv')?.bytes).toBe(perRank);
  });

  it('splits GQA KV heads across tensor-parallel ranks', () => {
    const kvOn = (gpus: number) =>
      plan({ model: llama8b, engine: 'vllm', contextTokens: 4096, gpus }).memory.parts.find(
        (part) => part.name === 'kv',
      )?.bytes;
    expect(kvOn(2)).toBe((4096 * LLAMA_8B_KV_ROW) / 2);
    expect(kvOn(16)).toBe((4096 * LLAMA_8B_KV_ROW) / 8); // 8 kv heads: one replicated head per rank
  });

  it('counts concurrency as the budget left after fixed parts over one request', () => {
    const prepared = preparePlan({ model: llama8b, engine: 'vllm', devices: ['h100-sxm'] });
    const result = plan({
      model: llama8b,
      engine: 'vllm',
      devices: ['h100-sxm'],
      contextTokens: 8192,
    });
    const fixed = deviceBytesAt(prepared, 8192, 0 + 1) - 8192 * LLAMA_8B_KV_ROW;
    const expected = Math.floor((prepared.budgetBytes[0]! - fixed) / (8192 * LLAMA_8B_KV_ROW));
    expect(result.fit[0]!.maxConcurrency).toBe(expected);
  });
});

describe('plan: answers per device', () => {
  it('reports a negative margin where the model does not fit', () => {
    const result = plan({
      model: catalogueSpec('llama-3.1-70b'),
      weights: 'bf16',
      engine: 'vllm',
      devices: ['rtx-4090', 'b200'],
    });
    const [card, b200] = result.fit;
    expect(card!.fits).toBe(false);
    expect(card!.marginBytes).toBeLessThan(0);
    expect(card!.maxContext).toBeNull();
    expect(card!.maxConcurrency).toBe(0);
    expect(b200!.fits).toBe(true); // 141.1 GB of weights within 0.9 x 180 GB
  });

  it('prices a deployment per hour and per million tokens', () => {
    const result = plan({
      model: llama8b,
      engine: 'vllm',
      devices: ['h100-sxm'],
      gpus: 2,
      priceUsdPerGpuHour: 2.5,
    });
    const fit = result.fit[0]!;
    expect(fit.cost?.perHourUsd).toBe(5);
    const tokensPerHour = fit.speed.decodeTokensPerSecondTotal * 3600;
    expect(fit.cost?.perMillionTokensUsd).toBeCloseTo((5 / tokensPerHour) * 1e6, 9);
  });

  it('warns when a device class has no measured speeds', () => {
    const result = plan({ model: llama8b, engine: 'vllm', devices: ['cpu-ddr5-5600-2ch-64gb'] });
    expect(result.warnings.map((warning) => warning.code)).toContain('estimate');
  });
});

describe('plan: bad input', () => {
  const base: PlanRequest = { model: llama8b, engine: 'vllm' };

  it.each([
    ['contextTokens', { contextTokens: 0 }],
    ['contextTokens', { contextTokens: -5 }],
    ['contextTokens', { contextTokens: Number.NaN }],
    ['contextTokens', { contextTokens: 1.5 }],
    ['contextTokens', { contextTokens: 1e12 }],
    ['batch', { batch: 0 }],
    ['gpus', { gpus: 0 }],
    ['weights', { weights: 'q9_z' }],
    ['kv', { kv: 'q3' }],
    ['engine', { engine: 'tgi' as never }],
    ['devices', { devices: [] }],
    ['device', { devices: ['gtx-9999'] }],
  ] as const)('names %s in the error', (field, override) => {
    try {
      plan({ ...base, ...override });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(CapacityError);
      expect((error as CapacityError).field).toBe(field);
    }
  });
});

describe('plan: engines and splits', () => {
  it.each([
    ['llama.cpp', 'gptq-4bit-g128'],
    ['ollama', 'awq-4bit-g128'],
    ['vllm', 'Q4_K_M'],
    ['transformers.js', 'Q4_K_M'],
    ['transformers.js', 'fp8'],
  ] as const)('refuses %s with %s weights, naming the weights', (engine, weights) => {
    expect(() => plan({ model: llama8b, engine, weights })).toThrow(
      expect.objectContaining({ field: 'weights' }),
    );
  });

  it('picks llama.cpp for GGUF weights and for Apple devices, vLLM for GPUs', () => {
    const engineOf = (request: Partial<PlanRequest>) =>
      plan({ model: llama8b, ...request }).settings.engine.engine;
    expect(engineOf({ weights: 'Q4_K_M' })).toBe('llama.cpp');
    expect(engineOf({ weights: 'bf16', devices: ['m4-max-128gb'] })).toBe('llama.cpp');
    expect(engineOf({ weights: 'bf16', devices: ['h100-sxm'] })).toBe('vllm');
  });

  it('warns when vLLM is planned on an Apple GPU', () => {
    const result = plan({ model: llama8b, engine: 'vllm', devices: ['m2-ultra-192gb'] });
    expect(result.warnings.map((warning) => warning.code)).toContain('engine_device_mismatch');
  });

  it('refuses a vLLM tensor split that does not divide the attention heads', () => {
    expect(() => plan({ model: llama8b, engine: 'vllm', gpus: 3 })).toThrow(
      expect.objectContaining({ field: 'gpus', expected: 'a GPU count that divides 32' }),
    );
  });

  it('refuses a pipeline with more GPUs than layers', () => {
    expect(() =>
      plan({ model: llama8b, engine: 'vllm', gpus: 64, parallelism: 'pipeline' }),
    ).toThrow(expect.objectContaining({ field: 'gpus' }));
  });

  it('finishes a pipeline plan whose concurrency search reaches petabytes', () => {
    const result = plan({
      model: catalogueSpec('deepseek-v3'),
      weights: 'IQ1_S',
      engine: 'llama.cpp',
      gpus: 3,
      parallelism: 'pipeline',
      devices: ['h100-sxm'],
    });
    expect(result.fit[0]!.maxConcurrency).toBeGreaterThanOrEqual(0);
  });

  it('says when memory stops growing before any model limit (Mamba, llama.cpp)', () => {
    const mamba = catalogueSpec('state-spaces/mamba-2.8b-hf');
    const result = plan({ model: mamba, engine: 'llama.cpp', weights: 'Q8_0' });
    expect(result.fit[0]!.maxContext?.limitedBy).toBe('search_limit');
  });

  it('plans Mamba under vLLM at 2048 tokens by default and any --max-model-len given', () => {
    const mamba = catalogueSpec('state-spaces/mamba-2.8b-hf');
    expect(plan({ model: mamba, engine: 'vllm' }).settings.contextTokens).toBe(2048);
    const asked = plan({
      model: mamba,
      engine: 'vllm',
      contextTokens: 4096,
      devices: ['h100-sxm'],
    });
    expect(asked.fit[0]!.refusal).toBeNull();
    expect(asked.fit[0]!.fits).toBe(true);
    expect(asked.fit[0]!.maxContext?.limitedBy).not.toBe('model');
  });

  it('reports MLA bytes per token in the form the engine stores', () => {
    const deepseek = catalogueSpec('deepseek-ai/DeepSeek-V3');
    const perToken = (engine: 'vllm' | 'transformers.js') =>
      plan({ model: deepseek, engine, weights: 'bf16', devices: ['b200'] }).kv.bytesPerToken;
    expect(perToken('vllm')).toBe(61 * 576 * 2); // latent + rope key
    expect(perToken('transformers.js')).toBe(61 * 128 * (192 + 128) * 2); // per-head K and V
  });

  it('lists a device named twice once', () => {
    const result = plan({ model: llama8b, engine: 'vllm', devices: ['rtx-4090', 'RTX 4090'] });
    expect(result.fit).toHaveLength(1);
  });
});
