// The contract between parseHfConfig and a model family's parser, and the checks they share.

import type { CapacityWarning } from '../errors.ts';
import type { AttentionMixer, ModelSpec } from '../spec.ts';
import type { ConfigKeys, ConfigReader } from './reader.ts';

/** What a family parser returns: a spec without the name, source and checkpoint facts. */
export type FamilySpec = Omit<ModelSpec, 'name' | 'source' | 'checkpoint'>;

/**
 * Turns the config object that carries a `model_type` into a spec. It receives the reader of
 * that object (the root config, or `text_config` when parseHfConfig delegates to it) and
 * throws CapacityError for missing, invalid or contradictory fields.
 */
export type FamilyParser = (config: ConfigReader) => FamilySpec;

/** Query heads, KV heads and head dims of a standard attention layer. */
export interface HeadShape {
  heads: number;
  kvHeads: number;
  headDim: number;
}

/** Which keys hold the head counts; defaults are the Llama names. */
export interface HeadKeys {
  heads?: ConfigKeys;
  kvHeads?: ConfigKeys;
  headDim?: ConfigKeys;
  /** When KV heads are absent: `heads` (MHA, the transformers default) or an error. */
  kvHeadsDefault?: 'heads' | 'required';
}

/**
 * Reads heads, KV heads and head dim. `head_dim` wins over hidden / heads (Qwen3 and Gemma
 * differ from the quotient); without it hidden must divide evenly. Heads must be a multiple of
 * KV heads (grouped-query attention shares each KV head among heads / kvHeads queries).
 */
export function readHeadShape(
  config: ConfigReader,
  hiddenSize: number,
  keys: HeadKeys = {},
): HeadShape {
  const headsKeys = keys.heads ?? 'num_attention_heads';
  const kvKeys = keys.kvHeads ?? 'num_key_value_heads';
  const heads = config.int(headsKeys);
  const kvHeads =
    keys.kvHeadsDefault === 'required' ? config.int(kvKeys) : (config.optInt(kvKeys) ?? heads);
  const headsName = config.presentKey(headsKeys) ?? 'num_attention_heads';
  const kvName = config.presentKey(kvKeys) ?? 'num_key_value_heads';

  if (heads % kvHeads !== 0) {
    config.contradiction(
      [headsName, kvName],
      `${heads} heads cannot be shared evenly by ${kvHeads} KV heads`,
      'attention heads a multiple of KV heads',
    );
  }

  const explicitHeadDim = config.optInt(keys.headDim ?? 'head_dim');
  if (explicitHeadDim !== null) return { heads, kvHeads, headDim: explicitHeadDim };

  if (hiddenSize % heads !== 0) {
    config.contradiction(
      ['hidden_size', headsName],
      `hidden size ${hiddenSize} is not a multiple of ${heads} heads and head_dim is absent`,
      'head_dim, or a hidden size divisible by the head count',
    );
  }
  return { heads, kvHeads, headDim: hiddenSize / heads };
}

/** Per-layer attention kind from a `layer_types` list. */
export type AttentionKind = 'full' | 'sliding';

const LAYER_TYPE_NAMES: Readonly<Record<string, AttentionKind>> = {
  full_attention: 'full',
  sliding_attention: 'sliding',
};

/**
 * Reads `layer_types` (full_attention / sliding_attention) when present; its length must equal
 * the layer count. Returns null when the config has no such list.
 */
export function readAttentionLayerTypes(
  config: ConfigReader,
  layers: number,
): AttentionKind[] | null {
  const names = config.optStringArray('layer_types');
  if (names === null) return null;

  if (names.length !== layers) {
    config.contradiction(
      ['layer_types', 'num_hidden_layers'],
      `layer_types lists ${names.length} layers, the model has ${layers}`,
      `${layers} entries in layer_types`,
    );
  }

  return names.map((name, index) => {
    const kind = LAYER_TYPE_NAMES[name];
    if (kind === undefined) {
      config.invalid(`layer_types[${index}]`, name, 'full_attention or sliding_attention');
    }
    return kind;
  });
}

/** An attention mixer with the given heads and window; no sinks unless told. */
export function attentionMixer(
  shape: HeadShape,
  window: number | null,
  learnedSinks = false,
): AttentionMixer {
  return {
    kind: 'attention',
    heads: shape.heads,
    kvHeads: shape.kvHeads,
    headDimK: shape.headDim,
    headDimV: shape.headDim,
    window,
    sinkTokens: 0,
    learnedSinks,
  };
}

/** The `sliding_window_ignored` warning for a window the engines do not apply. */
export function slidingWindowIgnored(
  config: ConfigReader,
  window: number,
  reason: string,
): CapacityWarning {
  return {
    code: 'sliding_window_ignored',
    message: `${config.field('sliding_window')} ${window} is not applied: ${reason}`,
    data: { window },
  };
}

/** `max_position_embeddings` (or GPT-2's `n_positions`) when the config states it. */
export function readMaxPosition(config: ConfigReader): number | null {
  return config.optInt(['max_position_embeddings', 'n_positions']);
}
