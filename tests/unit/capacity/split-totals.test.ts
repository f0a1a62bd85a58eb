// Cache totals over all devices: whole-layer splits count the model's cache once.
import { describe, expect, it } from 'vitest';

import { catalogueSpec } from '../../../lib/capacity/catalogue/models.ts';
import { kvReadBytesPerToken, plan, preparePlan } from '../../../lib/capacity/plan.ts';
import type { PlanRequest } from '../../../lib/capacity/plan.ts';

const llama8b = catalogueSpec('meta-llama/Llama-3.1-8B');

/** Llama-3.1-8B: 32 layers x 8 KV heads x 128 x (K + V) x 2 bytes = 131,072 B per token. */
const KV_ROW = 32 * 8 * 128 * 2 * 2;

function totalKv(request: Omit<PlanRequest, 'model'>): number {
  return plan({ model: llama8b, contextTokens: 4096, devices: ['h100-sxm'], ...request }).memory
    .kvBytes;
}

describe('cache totals of a split', () => {
  it('counts the whole cache once under llama.cpp row split', () => {
    // 4,096 cells x 131,072 B = 536,870,912 B, however many devices hold the layers; the
    // busiest device alone (15 layers) times 2 would have said 503,316,480.
    for (const gpus of [1, 2, 4, 16]) {
      expect(totalKv({ engine: 'llama.cpp', weights: 'Q4_K_M', gpus })).toBe(4096 * KV_ROW);
    }
  });

  it('counts the whole cache once in a pipeline', () => {
    // vLLM: 4,096 tokens in whole 16-token blocks, the same on one device or four stages.
    for (const gpus of [1, 4]) {
      expect(totalKv({ engine: 'vllm', gpus, parallelism: 'pipeline' })).toBe(4096 * KV_ROW);
    }
  });

  it('counts every rank of a vLLM tensor split, replicated heads included', () => {
    // 8 KV heads over 16 ranks: each rank keeps one head, so the cache is held twice.
    expect(totalKv({ engine: 'vllm', gpus: 2 })).toBe(4096 * KV_ROW);
    expect(totalKv({ engine: 'vllm', gpus: 16 })).toBe(2 * 4096 * KV_ROW);
  });

  it('reads the whole cache once per token under llama.cpp row split', () => {
    const prepared = preparePlan({
      model: llama8b,
      engine: 'llama.cpp',
      weights: 'Q4_K_M',
      gpus: 2,
      devices: ['h100-sxm'],
    });
    // One sequence of 4,096 cells: 4,096 x 131,072 B
    expect(kvReadBytesPerToken(prepared, 4096)).toBe(4096 * KV_ROW);
  });
});
