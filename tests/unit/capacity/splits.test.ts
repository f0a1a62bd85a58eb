// Engine splits: device caps per engine, with the field and the allowed range named.
import { describe, expect, it } from 'vitest';

import { catalogueSpec } from '../../../lib/capacity/catalogue/models.ts';
import { CapacityError } from '../../../lib/capacity/errors.ts';
import { plan } from '../../../lib/capacity/plan.ts';
import type { PlanRequest } from '../../../lib/capacity/plan.ts';
import { LLAMACPP_MAX_DEVICES, maxEngineDevices } from '../../../lib/capacity/profiles/splits.ts';

const llama8b = catalogueSpec('meta-llama/Llama-3.1-8B');
const mamba = catalogueSpec('state-spaces/mamba-2.8b-hf');

function refusal(request: PlanRequest): CapacityError {
  try {
    plan(request);
  } catch (error) {
    expect(error).toBeInstanceOf(CapacityError);
    return error as CapacityError;
  }
  throw new Error('expected the split to be refused');
}

describe('engine device caps', () => {
  it('refuses transformers.js on more than one device, in either split', () => {
    for (const parallelism of ['tensor', 'pipeline'] as const) {
      const error = refusal({ model: llama8b, engine: 'transformers.js', gpus: 2, parallelism });
      expect(error.field).toBe('gpus');
      expect(error.expected).toBe('1 for transformers.js');
      expect(error.message).toBe(
        'transformers.js runs a model on one device; 2 GPUs were asked for',
      );
    }
  });

  it('refuses a 4,096-GPU split on llama.cpp and Ollama, allowing 16', () => {
    for (const engine of ['llama.cpp', 'ollama'] as const) {
      const error = refusal({ model: llama8b, engine, weights: 'Q4_K_M', gpus: 4096 });
      expect(error.field).toBe('gpus');
      expect(error.expected).toBe(`a GPU count from 1 to 16 for ${engine}`);
      expect(refusal({ model: llama8b, engine, weights: 'Q4_K_M', gpus: 17 }).field).toBe('gpus');
      const sixteen = plan({ model: llama8b, engine, weights: 'Q4_K_M', gpus: 16 });
      expect(sixteen.settings.gpus).toBe(LLAMACPP_MAX_DEVICES);
    }
  });

  it('refuses a llama.cpp pipeline past 16 devices even when the layers allow it', () => {
    const error = refusal({
      model: llama8b,
      engine: 'llama.cpp',
      weights: 'Q4_K_M',
      gpus: 32, // 32 layers: one per device would be possible
      parallelism: 'pipeline',
    });
    expect(error.expected).toBe('a GPU count from 1 to 16 for llama.cpp');
  });

  it('keeps vLLM head divisibility and caps tensor parallelism at 72', () => {
    expect(refusal({ model: llama8b, engine: 'vllm', gpus: 3 }).expected).toBe(
      'a GPU count that divides 32',
    );
    // Mamba has no attention heads to divide: only the cap holds it.
    const error = refusal({ model: mamba, engine: 'vllm', gpus: 4096 });
    expect(error.expected).toBe('a GPU count from 1 to 72 for vllm');
    expect(plan({ model: mamba, engine: 'vllm', gpus: 64 }).settings.gpus).toBe(64);
  });

  it('lets a vLLM pipeline run as deep as the layers', () => {
    // 32 layers: 32 stages fit, 33 do not.
    const deepest = plan({ model: llama8b, engine: 'vllm', gpus: 32, parallelism: 'pipeline' });
    expect(deepest.settings.gpus).toBe(32);
    expect(
      refusal({ model: llama8b, engine: 'vllm', gpus: 33, parallelism: 'pipeline' }).expected,
    ).toBe('at most 32 GPUs for a pipeline');
  });

  it.each<[Parameters<typeof maxEngineDevices>[0], 'tensor' | 'pipeline', number]>([
    ['transformers.js', 'tensor', 1],
    ['transformers.js', 'pipeline', 1],
    ['llama.cpp', 'tensor', 16],
    ['ollama', 'pipeline', 16],
    ['vllm', 'tensor', 72],
    ['vllm', 'pipeline', Infinity],
  ])('%s over %s splits takes at most %d devices', (engine, parallelism, cap) => {
    expect(maxEngineDevices(engine, parallelism)).toBe(cap);
  });
});
