// Reads the length keys and rope scaling of a config, from which engines derive context limits.

import type { ContextFacts } from '../spec.ts';
import type { ConfigReader } from './reader.ts';

/** The keys vLLM reads a model's length from (model_config.py `possible_keys`), in its order. */
export const LENGTH_KEYS = [
  'max_position_embeddings',
  'n_positions',
  'max_seq_len',
  'seq_length',
  'model_max_length',
  'max_sequence_length',
  'max_seq_length',
  'seq_len',
] as const;

function positiveInt(value: unknown): number | null {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0 ? value : null;
}

function positiveNumber(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : null;
}

/**
 * The length keys `config` states (values that are not positive integers are skipped, as a
 * `model_max_length` of 1e30 is in some configs) and its `rope_scaling` (or
 * `rope_parameters`) type, factor and original length. Never throws.
 */
export function readContextFacts(config: ConfigReader): ContextFacts {
  const lengthKeys: Record<string, number> = {};
  for (const key of LENGTH_KEYS) {
    const value = positiveInt(config.value(key));
    if (value !== null) lengthKeys[key] = value;
  }

  const rope = config.child('rope_scaling') ?? config.child('rope_parameters');
  const typeValue = rope?.value(['rope_type', 'type']);
  const factor = positiveNumber(rope?.value('factor'));
  const ropeScaling =
    typeof typeValue === 'string' && factor !== null
      ? {
          type: typeValue,
          factor,
          originalMaxPositionTokens: positiveInt(rope?.value('original_max_position_embeddings')),
        }
      : null;
  return { lengthKeys, ropeScaling };
}
