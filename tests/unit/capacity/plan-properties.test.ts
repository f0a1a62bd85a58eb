import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { MODEL_CATALOGUE, catalogueSpec } from '../../../lib/capacity/catalogue/models.ts';
import { deviceBytesAt, plan, preparePlan } from '../../../lib/capacity/plan.ts';
import { maxQueryHeads } from '../../../lib/capacity/profiles/shapes.ts';
import type { ModelSpec } from '../../../lib/capacity/spec.ts';

const specs = new Map<string, ModelSpec>();
function spec(id: string): ModelSpec {
  let found = specs.get(id);
  if (!found) {
    found = catalogueSpec(id);
    specs.set(id, found);
  }
  return found;
}

const modelIds = fc.constantFrom(...MODEL_CATALOGUE.map((model) => model.id));
const engines = fc.constantFrom('vllm', 'transformers.js', 'llama.cpp', 'ollama');
const kvFor: Record<string, string> = {
  vllm: 'f16',
  'transformers.js': 'f32',
  'llama.cpp': 'f16',
  ollama: 'f16',
};

/** Weight schemes from fewest to most bits per weight, for the same engine. */
const SCHEMES_BY_BITS = ['Q4_K_M', 'Q5_K_M', 'Q6_K', 'Q8_0', 'bf16', 'f32'] as const;

describe('plan properties', () => {
  it('never needs less memory for a longer context', () => {
    fc.assert(
      fc.property(
        modelIds,
        engines,
        fc.integer({ min: 1, max: 200_000 }),
        fc.integer({ min: 1, max: 50_000 }),
        fc.integer({ min: 1, max: 8 }),
        (id, engine, context, extra, batch) => {
          const prepared = preparePlan({ model: spec(id), engine, kv: kvFor[engine] ?? 'f16' });
          const shorter = deviceBytesAt(prepared, context, batch);
          const longer = deviceBytesAt(prepared, context + extra, batch);
          expect(longer).toBeGreaterThanOrEqual(shorter);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('never needs more memory for lower-bit weights', () => {
    fc.assert(
      fc.property(
        modelIds,
        fc.integer({ min: 0, max: SCHEMES_BY_BITS.length - 2 }),
        fc.integer({ min: 1, max: 65_536 }),
        (id, index, context) => {
          const lower = SCHEMES_BY_BITS[index]!;
          const higher = SCHEMES_BY_BITS[index + 1]!;
          const at = (weights: string) =>
            deviceBytesAt(
              preparePlan({ model: spec(id), weights, engine: 'llama.cpp' }),
              context,
              1,
            );
          expect(at(lower)).toBeLessThanOrEqual(at(higher));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('never needs more memory per GPU with more GPUs', () => {
    fc.assert(
      fc.property(
        modelIds,
        fc.constantFrom('vllm', 'llama.cpp'),
        fc.constantFrom('tensor', 'pipeline'),
        fc.integer({ min: 0, max: 3 }),
        fc.integer({ min: 1, max: 32_768 }),
        (id, engine, parallelism, step, context) => {
          // Powers of two keep vLLM's tensor split legal (heads must divide by the GPU count).
          const gpus = 2 ** step;
          const heads = maxQueryHeads(spec(id));
          fc.pre(parallelism === 'pipeline' || heads % (gpus * 2) === 0);
          fc.pre(spec(id).layers.length >= gpus * 2);
          const at = (count: number) =>
            deviceBytesAt(
              preparePlan({ model: spec(id), engine, gpus: count, parallelism }),
              context,
              1,
            );
          expect(at(gpus * 2)).toBeLessThanOrEqual(at(gpus));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('gives the same answer when a plan is made again', () => {
    const request = {
      model: spec('openai/gpt-oss-20b'),
      weights: 'mxfp4',
      contextTokens: 65_536,
      batch: 4,
      engine: 'vllm' as const,
      devices: ['rtx-4090', 'h100-sxm'],
    };
    expect(plan(request)).toEqual(plan(request));
  });

  it('reports a largest context that fits and one token more that does not', () => {
    const result = plan({
      model: spec('meta-llama/Llama-3.1-8B'),
      weights: 'bf16',
      engine: 'vllm',
      devices: ['rtx-4090'],
      contextTokens: 1024,
    });
    const limit = result.fit[0]!.maxContext!;
    expect(limit.limitedBy).toBe('memory');
    const prepared = preparePlan({
      model: spec('meta-llama/Llama-3.1-8B'),
      weights: 'bf16',
      engine: 'vllm',
      devices: ['rtx-4090'],
    });
    const budget = prepared.budgetBytes[0]!;
    expect(deviceBytesAt(prepared, limit.tokens, 1)).toBeLessThanOrEqual(budget);
    expect(deviceBytesAt(prepared, limit.tokens + 16, 1)).toBeGreaterThan(budget);
  });
});
