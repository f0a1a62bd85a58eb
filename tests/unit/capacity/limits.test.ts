// Size limits: absurd models fail fast naming the field and range; the largest allowed completes.
import { describe, expect, it } from 'vitest';

import { findCatalogueModel } from '../../../lib/capacity/catalogue/models.ts';
import { parseHfConfig } from '../../../lib/capacity/config/index.ts';
import { CapacityError } from '../../../lib/capacity/errors.ts';
import { maxOf, minOf } from '../../../lib/capacity/extremes.ts';
import { specFromGguf } from '../../../lib/capacity/formats/gguf.ts';
import type { SafetensorsHeader } from '../../../lib/capacity/formats/safetensors-header.ts';
import { specFromSafetensors } from '../../../lib/capacity/formats/safetensors.ts';
import { MAX_LAYERS } from '../../../lib/capacity/limits.ts';
import { plan } from '../../../lib/capacity/plan.ts';
import { llamaCppMemory } from '../../../lib/capacity/profiles/llamacpp.ts';
import type { ModelSpec } from '../../../lib/capacity/spec.ts';

function caught(run: () => unknown): CapacityError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(CapacityError);
    return error as CapacityError;
  }
  throw new Error('expected a CapacityError');
}

/** Llama-3.2-1B's config (8 KV heads of 64) with `layers` decoder layers. */
function deepLlama(layers: number): ModelSpec {
  const config = findCatalogueModel('llama-3.2-1b').config;
  return parseHfConfig({ ...config, num_hidden_layers: layers });
}

describe('layer limit of a config', () => {
  it('refuses a 100,000-layer config at once, naming the field and the range', () => {
    const started = Date.now();
    const error = caught(() => deepLlama(100_000));
    expect(Date.now() - started).toBeLessThan(500);
    expect(error.code).toBe('out_of_range');
    expect(error.field).toBe('num_hidden_layers');
    expect(error.expected).toBe('a positive integer up to 1024');
    expect(error.message).toBe(
      'num_hidden_layers must be a positive integer up to 1024, got 100000',
    );
  });

  it('refuses one layer past the bound and reads the bound itself', () => {
    expect(caught(() => deepLlama(MAX_LAYERS + 1)).field).toBe('num_hidden_layers');
    expect(deepLlama(MAX_LAYERS).layers).toHaveLength(1024);
  });

  it('plans the deepest allowed model on every engine, with finite numbers', () => {
    const spec = deepLlama(MAX_LAYERS);
    // 1,024 layers x 8 KV heads x 64 dims x (K + V) x 2 bytes (f16)
    const kvPerToken = 1024 * 8 * 64 * 2 * 2; // 2,097,152 B
    for (const engine of ['vllm', 'llama.cpp', 'ollama', 'transformers.js'] as const) {
      const started = Date.now();
      const result = plan({ model: spec, engine, weights: engine === 'vllm' ? 'bf16' : 'f16' });
      expect(Date.now() - started).toBeLessThan(5000);
      expect(result.kv.bytesPerToken).toBe(kvPerToken);
      expect(Number.isFinite(result.memory.totalBytes)).toBe(true);
    }
  });

  it('plans the deepest allowed model in a pipeline over 16 GPUs', () => {
    const result = plan({
      model: deepLlama(MAX_LAYERS),
      engine: 'llama.cpp',
      weights: 'Q4_K_M',
      gpus: 16,
      parallelism: 'pipeline',
      contextTokens: 4096,
    });
    const kvBytes = result.memory.parts.find((part) => part.name === 'kv')?.bytes ?? 0;
    const layerKv = 4096 * 2048; // 4,096 tokens x 8 KV heads x 64 x (K + V) x 2 bytes
    // Whole layers on the busiest stage: at least 1,024 / 16 = 64 of them.
    expect(kvBytes % layerKv).toBe(0);
    expect(kvBytes / layerKv).toBeGreaterThanOrEqual(64);
    expect(kvBytes / layerKv).toBeLessThan(70);
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['experts', { num_local_experts: 4097 }, 'num_local_experts'],
    ['heads', { num_attention_heads: 4096 }, 'num_attention_heads'],
    ['vocabulary', { vocab_size: 5_000_000 }, 'vocab_size'],
    ['hidden width', { hidden_size: 300_000 }, 'hidden_size'],
    ['FFN width', { intermediate_size: 2_000_000 }, 'intermediate_size'],
    ['head width', { head_dim: 10_000 }, 'head_dim'],
  ])('refuses absurd %s with the field and its range', (_what, overrides, field) => {
    const config = { ...findCatalogueModel('mixtral-8x7b').config, ...overrides };
    const error = caught(() => parseHfConfig(config));
    expect(error.code).toBe('out_of_range');
    expect(error.field).toBe(field);
    expect(error.expected).toMatch(/^a positive integer up to \d+$/);
  });
});

describe('layer limit of GGUF and safetensors headers', () => {
  const base = {
    'general.architecture': 'llama',
    'llama.embedding_length': 64,
    'llama.attention.head_count': 4,
  };

  it('refuses a GGUF of 100,000 blocks and of 1,025 blocks', () => {
    for (const blocks of [100_000, 1025]) {
      const error = caught(() => specFromGguf({ ...base, 'llama.block_count': blocks }, []));
      expect(error.field).toBe('llama.block_count');
      expect(error.message).toBe(`llama.block_count must be at most 1024, got ${blocks}`);
    }
  });

  it('refuses safetensors whose tensor names reach layer 99,999', () => {
    const tensor = (name: string, shape: number[]) => ({
      name,
      dtype: 'BF16' as const,
      shape,
      dataOffsets: [0, 0] as [number, number],
    });
    const header: SafetensorsHeader = {
      headerBytes: 0,
      metadata: null,
      dataBytes: 0,
      tensors: [
        tensor('model.embed_tokens.weight', [32, 16]),
        tensor('model.layers.99999.input_layernorm.weight', [16]),
      ],
    };
    const error = caught(() => specFromSafetensors(header));
    expect(error.code).toBe('out_of_range');
    expect(error.field).toBe('tensor names');
    expect(error.message).toContain('layer 99999');
  });
});

describe('maxOf and minOf', () => {
  const many = Array.from({ length: 500_000 }, (_, index) => (index * 7919) % 500_000);

  it('find the extremes of half a million numbers without using the stack', () => {
    expect(maxOf(many)).toBe(499_999);
    expect(minOf(many)).toBe(0);
  });

  it('return the floor or ceiling of an empty list', () => {
    expect(maxOf([], 0)).toBe(0);
    expect(minOf([], 10)).toBe(10);
  });

  it('sizes llama.cpp V rows from the widest layer', () => {
    const spec = deepLlama(MAX_LAYERS);
    const memory = llamaCppMemory({
      spec,
      contextTokens: 256,
      settings: { flashAttention: false },
      tensorBytes: Object.fromEntries(spec.tensors.map((tensor) => [tensor.name, 0])),
    });
    // 1,024 layers x 256 cells x (K 512 + V 512 elements) x 2 bytes
    expect(memory.kv.kBytes + memory.kv.vBytes).toBe(1024 * 256 * 1024 * 2);
  });
});
