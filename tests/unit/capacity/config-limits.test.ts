// Per-field upper bounds: absurd counts fail at once with the field named, real models pass.
import { describe, expect, it } from 'vitest';

import { findCatalogueModel } from '../../../lib/capacity/catalogue/models.ts';
import { parseHfConfig } from '../../../lib/capacity/config/index.ts';
import { CapacityError } from '../../../lib/capacity/errors.ts';
import { specFromGguf } from '../../../lib/capacity/formats/gguf.ts';

function caught(run: () => unknown): CapacityError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(CapacityError);
    return error as CapacityError;
  }
  throw new Error('expected a CapacityError');
}

describe('config field limits', () => {
  it.each<[string, string, Record<string, unknown>]>([
    ['llama-3.1-8b', 'num_hidden_layers', { num_hidden_layers: 1e9 }],
    ['llama-3.1-8b', 'num_hidden_layers', { num_hidden_layers: 1e6 }],
    ['llama-3.1-8b', 'num_attention_heads', { num_attention_heads: 1e6 }],
    ['llama-3.1-8b', 'vocab_size', { vocab_size: 1e9 }],
    ['llama-3.1-8b', 'hidden_size', { hidden_size: 1e8 }],
    ['mixtral-8x7b', 'num_local_experts', { num_local_experts: 1e7 }],
  ])('refuses %s with %s too large, in one out_of_range error', (id, field, overrides) => {
    const started = Date.now();
    const error = caught(() => parseHfConfig({ ...findCatalogueModel(id).config, ...overrides }));
    expect(error.code).toBe('out_of_range');
    expect(error.field).toBe(field);
    expect(error.message).not.toContain('\n');
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('reads a 1,000-layer config, under the 1,024-layer bound', () => {
    const config = { ...findCatalogueModel('llama-3.2-1b').config, num_hidden_layers: 1000 };
    expect(parseHfConfig(config).layers).toHaveLength(1000);
  });
});

describe('GGUF field limits', () => {
  const base = {
    'general.architecture': 'llama',
    'llama.block_count': 2,
    'llama.embedding_length': 64,
    'llama.attention.head_count': 4,
  };

  /** Two blocks of one f16 64 x 64 attention tensor each (dtype 1 is F16). */
  const tensors = [0, 1].map((i) => ({
    name: `blk.${String(i)}.attn_q.weight`,
    shape: [64, 64],
    dtype: 1,
  }));

  it.each<[string, Record<string, unknown>]>([
    ['llama.block_count', { 'llama.block_count': 1e9 }],
    ['llama.embedding_length', { 'llama.embedding_length': 1e8 }],
    ['llama.expert_count', { 'llama.expert_count': 1e7 }],
    ['llama.attention.head_count', { 'llama.attention.head_count': 1e6 }],
  ])('refuses %s too large', (field, overrides) => {
    const error = caught(() => specFromGguf({ ...base, ...overrides }, tensors));
    expect(error.code).toBe('out_of_range');
    expect(error.field).toBe(field);
  });
});
