import { describe, expect, it } from 'vitest';

import { findCatalogueModel } from '../../../lib/capacity/catalogue/models.ts';
import { parseHfConfig } from '../../../lib/capacity/config/index.ts';
import { CapacityError } from '../../../lib/capacity/errors.ts';

function configOf(id: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { ...findCatalogueModel(id).config, ...overrides };
}

function caught(input: unknown): CapacityError {
  try {
    parseHfConfig(input);
  } catch (error) {
    expect(error).toBeInstanceOf(CapacityError);
    return error as CapacityError;
  }
  throw new Error('expected a CapacityError');
}

/** A config with no registered model_type but every field a generic decoder needs. */
const genericDecoder = {
  model_type: 'my_decoder',
  hidden_size: 512,
  intermediate_size: 1024,
  num_hidden_layers: 4,
  num_attention_heads: 8,
  num_key_value_heads: 2,
  vocab_size: 1000,
};

describe('parseHfConfig input', () => {
  it('accepts JSON text as well as an object', () => {
    const text = JSON.stringify(configOf('gpt2'));
    expect(parseHfConfig(text).layers).toHaveLength(12);
  });

  it.each([
    ['truncated JSON', '{"model_type": "llama", '],
    ['a JSON array', '[1, 2]'],
    ['a JSON number', '42'],
    ['null', null],
  ])('rejects %s as invalid_json', (_, input) => {
    expect(caught(input).code).toBe('invalid_json');
  });

  it('reads the NaN and Infinity literals Python writes', () => {
    const text = JSON.stringify(configOf('gpt2')).replace(
      '"n_ctx":1024',
      '"n_ctx":1024,"time_step_limit":[0.0,Infinity],"scale":-Infinity,"odd":NaN,"s":"NaN"',
    );
    expect(parseHfConfig(text).layers).toHaveLength(12);
  });

  it('reports a NaN size from Python JSON as an invalid field', () => {
    const text = JSON.stringify(configOf('gpt2')).replace('"n_layer":12', '"n_layer":NaN');
    const error = caught(text);
    expect(error.code).toBe('invalid_field');
    expect(error.field).toBe('n_layer');
  });
});

describe('parseHfConfig bad fields', () => {
  it.each([
    ['zero layers', { num_hidden_layers: 0 }, 'num_hidden_layers', 'out_of_range'],
    ['negative heads', { num_attention_heads: -32 }, 'num_attention_heads', 'out_of_range'],
    ['fractional hidden size', { hidden_size: 4096.5 }, 'hidden_size', 'invalid_field'],
    ['NaN vocabulary', { vocab_size: Number.NaN }, 'vocab_size', 'invalid_field'],
    [
      'absurd intermediate size',
      { intermediate_size: 2 ** 50 },
      'intermediate_size',
      'out_of_range',
    ],
    ['a string head count', { num_key_value_heads: '8' }, 'num_key_value_heads', 'invalid_field'],
  ])('rejects %s naming the field', (_, overrides, field, code) => {
    const error = caught(configOf('llama-3.1-8b', overrides));
    expect(error.code).toBe(code);
    expect(error.field).toBe(field);
  });

  it('names a missing field of a known family', () => {
    const config = configOf('llama-3.1-8b');
    delete config.intermediate_size;
    const error = caught(config);
    expect(error.code).toBe('missing_field');
    expect(error.message).toBe('intermediate_size is missing');
  });

  it('names a bad field inside text_config by its full path', () => {
    const base = configOf('qwen3-vl-8b');
    const text = { ...(base.text_config as Record<string, unknown>), num_hidden_layers: 0 };
    const error = caught({ ...base, text_config: text });
    expect(error.field).toBe('text_config.num_hidden_layers');
  });
});

describe('parseHfConfig contradictions', () => {
  it.each([
    [
      'heads not divisible by KV heads',
      'llama-3.1-8b',
      { num_key_value_heads: 5 },
      'num_attention_heads, num_key_value_heads',
    ],
    [
      'layer_types shorter than the layers',
      'gpt-oss-20b',
      { layer_types: ['sliding_attention', 'full_attention'] },
      'layer_types, num_hidden_layers',
    ],
    [
      'multi_query with several KV heads',
      'falcon-7b',
      { num_kv_heads: 8 },
      'multi_query, num_kv_heads',
    ],
    [
      'more experts per token than experts',
      'mixtral-8x7b',
      { num_experts_per_tok: 9 },
      'num_experts_per_tok, num_local_experts',
    ],
    [
      'a hidden size that heads do not divide, without head_dim',
      'mistral-7b',
      { hidden_size: 4100 },
      'hidden_size, num_attention_heads',
    ],
    [
      'sliding layers without a window',
      'mistral-7b',
      { sliding_window: null, layer_types: new Array(32).fill('sliding_attention') },
      'layer_types, sliding_window',
    ],
    [
      'windows enabled without a size',
      'qwen2.5-7b',
      { use_sliding_window: true, sliding_window: null },
      'use_sliding_window, sliding_window',
    ],
  ])('rejects %s', (_, id, overrides, fields) => {
    const error = caught(configOf(id, overrides));
    expect(error.code).toBe('contradictory_fields');
    expect(error.field).toBe(fields);
  });

  it('rejects an unknown layer type naming its index', () => {
    const layerTypes = new Array(24).fill('full_attention');
    layerTypes[3] = 'chunked_attention';
    const error = caught(configOf('gpt-oss-20b', { layer_types: layerTypes }));
    expect(error.field).toBe('layer_types[3]');
  });
});

describe('parseHfConfig unknown model types', () => {
  it('reads an unknown type with every needed field as a Llama-like decoder', () => {
    const spec = parseHfConfig(genericDecoder);
    expect(spec.modelType).toBe('my_decoder');
    expect(spec.layers).toHaveLength(4);
    expect(spec.warnings.map((warning) => warning.code)).toEqual(['estimate']);
  });

  it('lists every missing field of an unknown type', () => {
    const partial: Record<string, unknown> = { ...genericDecoder };
    delete partial.num_key_value_heads;
    delete partial.vocab_size;
    const error = caught(partial);
    expect(error.code).toBe('unknown_model_type');
    expect(error.message).toContain('needs num_key_value_heads, vocab_size');
    expect(error.expected).toContain('llama');
  });

  it('refuses an unknown type whose fields describe experts or state-space layers', () => {
    const error = caught({ ...genericDecoder, n_routed_experts: 64, kv_lora_rank: 512 });
    expect(error.code).toBe('unknown_model_type');
    expect(error.message).toContain('n_routed_experts, kv_lora_rank');
  });

  it('reads a config without model_type when the generic fields are there', () => {
    const untyped: Record<string, unknown> = { ...genericDecoder };
    delete untyped.model_type;
    expect(parseHfConfig(untyped).modelType).toBe('unknown');
  });

  it('reads the text_config of an unknown multimodal wrapper and warns about vision', () => {
    const spec = parseHfConfig({
      model_type: 'llava',
      text_config: configOf('llama-3.2-1b'),
      vision_config: { model_type: 'clip_vision_model' },
    });
    expect(spec.modelType).toBe('llava');
    expect(spec.layers).toHaveLength(16);
    expect(spec.warnings.map((warning) => warning.code)).toEqual(['vision_tower_estimated']);
  });

  it('ignores a bare sliding_window in a generic config, with a warning', () => {
    const spec = parseHfConfig({ ...genericDecoder, sliding_window: 4096 });
    expect(spec.warnings.map((warning) => warning.code)).toEqual([
      'estimate',
      'sliding_window_ignored',
    ]);
  });
});
