import { describe, expect, it } from 'vitest';

import { ConfigReader, MAX_CONFIG_INT } from '../../../lib/capacity/config/reader.ts';
import { CapacityError } from '../../../lib/capacity/errors.ts';

function caught(action: () => unknown): CapacityError {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(CapacityError);
    return error as CapacityError;
  }
  throw new Error('expected a CapacityError');
}

const nested = () =>
  new ConfigReader({ num_attention_heads: 32 }, 'text_config').child('vision_config');

describe('ConfigReader', () => {
  it('reads required and optional integers', () => {
    const config = new ConfigReader({ hidden_size: 4096, sliding_window: null });
    expect(config.int('hidden_size')).toBe(4096);
    expect(config.optInt('sliding_window')).toBeNull();
    expect(config.intOr('head_dim', 128)).toBe(128);
  });

  it('reads the first present alias', () => {
    const config = new ConfigReader({ n_head: 12, num_attention_heads: null });
    expect(config.int(['num_attention_heads', 'n_head'])).toBe(12);
    expect(config.presentKey(['num_attention_heads', 'n_head'])).toBe('n_head');
  });

  it('names the full path and every alias of a missing field', () => {
    const config = new ConfigReader({}, 'text_config');
    const error = caught(() => config.int(['num_attention_heads', 'n_head']));
    expect(error.code).toBe('missing_field');
    expect(error.field).toBe('text_config.num_attention_heads');
    expect(error.message).toBe(
      'text_config.num_attention_heads (or text_config.n_head) is missing',
    );
  });

  it.each([
    ['zero', 0, 'out_of_range'],
    ['negative', -8, 'out_of_range'],
    ['NaN', Number.NaN, 'invalid_field'],
    ['infinite', Number.POSITIVE_INFINITY, 'invalid_field'],
    ['fractional', 4096.5, 'invalid_field'],
    ['absurd', 2 ** 41, 'out_of_range'],
    ['a string', '4096', 'invalid_field'],
    ['a boolean', true, 'invalid_field'],
  ] as const)('rejects a %s size naming the field', (_, value, code) => {
    const config = new ConfigReader({ max_position_embeddings: value }, 'text_config');
    const error = caught(() => config.int('max_position_embeddings'));
    expect(error.code).toBe(code);
    expect(error.field).toBe('text_config.max_position_embeddings');
    expect(error.expected).toBe('a positive integer up to 2^40');
  });

  it('accepts sizes up to 2^40 elements', () => {
    const config = new ConfigReader({ max_position_embeddings: MAX_CONFIG_INT });
    expect(config.int('max_position_embeddings')).toBe(2 ** 40);
  });

  it('accepts zero where the bounds allow it', () => {
    const config = new ConfigReader({ max_window_layers: 0 });
    expect(config.int('max_window_layers', { min: 0 })).toBe(0);
  });

  it('checks every element of an integer array and names its index', () => {
    const config = new ConfigReader({ mlp_only_layers: [0, 3, 2.5] });
    const error = caught(() => config.optIntArray('mlp_only_layers', { min: 0 }));
    expect(error.field).toBe('mlp_only_layers[2]');
    expect(error.code).toBe('invalid_field');
  });

  it('reads booleans, strings and string arrays with type checks', () => {
    const config = new ConfigReader({
      tie_word_embeddings: true,
      model_type: 'llama',
      layer_types: ['full_attention'],
      multi_query: 'yes',
    });
    expect(config.boolOr('tie_word_embeddings', false)).toBe(true);
    expect(config.string('model_type')).toBe('llama');
    expect(config.optStringArray('layer_types')).toEqual(['full_attention']);
    expect(caught(() => config.bool('multi_query')).expected).toBe('true or false');
  });

  it('reads positive finite numbers', () => {
    const config = new ConfigReader({ partial_rotary_factor: 0.4, bad: -1 });
    expect(config.number('partial_rotary_factor')).toBe(0.4);
    expect(caught(() => config.number('bad')).code).toBe('invalid_field');
  });

  it('lists every missing field at once', () => {
    const config = new ConfigReader({ hidden_size: 64 });
    const error = caught(() =>
      config.requireAll(['hidden_size', 'vocab_size', ['n_layer', 'num_hidden_layers']], 'gpt2'),
    );
    expect(error.code).toBe('missing_field');
    expect(error.message).toBe('gpt2: missing vocab_size, n_layer (or num_hidden_layers)');
  });

  it('flags contradictions with both field paths', () => {
    const config = new ConfigReader({}, 'text_config');
    const error = caught(() =>
      config.contradiction(['num_attention_heads', 'num_key_value_heads'], 'uneven', 'even'),
    );
    expect(error.code).toBe('contradictory_fields');
    expect(error.field).toBe('text_config.num_attention_heads, text_config.num_key_value_heads');
  });

  it('opens nested objects with their path', () => {
    const config = new ConfigReader({ text_config: { num_hidden_layers: 0 } });
    const text = config.child('text_config');
    expect(text?.path).toBe('text_config');
    expect(caught(() => text?.int('num_hidden_layers')).field).toBe(
      'text_config.num_hidden_layers',
    );
    expect(nested()).toBeNull();
  });

  it('rejects a nested value that is not an object', () => {
    const config = new ConfigReader({ text_config: [1, 2] });
    const error = caught(() => config.child('text_config'));
    expect(error.field).toBe('text_config');
    expect(error.expected).toBe('a JSON object');
  });

  it('fills absent keys from defaults but keeps explicit nulls', () => {
    const config = new ConfigReader({ sliding_window: null, hidden_size: 8 }).withDefaults({
      sliding_window: 4096,
      vocab_size: 262208,
      hidden_size: 16,
    });
    expect(config.optInt('sliding_window')).toBeNull();
    expect(config.int('vocab_size')).toBe(262208);
    expect(config.int('hidden_size')).toBe(8);
  });
});
