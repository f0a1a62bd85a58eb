// Llama and the families that share its layout (Mistral, Qwen, Granite, Mixtral build on it).

import type { CapacityWarning } from '../../errors.ts';
import type { AttentionMixer } from '../../spec.ts';
import type { FamilySpec, HeadShape } from '../family.ts';
import { attentionMixer, readHeadShape, readMaxPosition } from '../family.ts';
import type { ConfigReader } from '../reader.ts';
import type { AttentionOptions, FfnPlan } from './decoder.ts';
import { buildDecoder } from './decoder.ts';

/** Per-layer windows (null: full attention) and the warnings that explain them. */
export interface WindowPlan {
  windows: (number | null)[];
  warnings: CapacityWarning[];
}

/** The sizes every Llama-like config states. */
export interface LlamaSizes {
  hiddenSize: number;
  layers: number;
  vocabSize: number;
  heads: HeadShape;
}

/** How a Llama-like family differs from Llama itself. */
export interface LlamaLikeOptions {
  modelType: string;
  /** q/k/v bias when `attention_bias` is absent (Qwen2 always has it). */
  qkvBiasDefault?: boolean;
  /** Output projection bias follows `attention_bias` (Llama) or is never there (Qwen2). */
  outputBiasFollowsAttentionBias?: boolean;
  /** q/k RMS norms (Qwen3). */
  qkNorm?: boolean;
  /** Default of `tie_word_embeddings` when absent (false for Llama, per transformers). */
  tieDefault?: boolean;
  /** Per-layer windows; default: full attention everywhere. */
  windows?: (config: ConfigReader, sizes: LlamaSizes) => WindowPlan;
  /** Per-layer feed-forward; default: the dense SwiGLU MLP of `intermediate_size`. */
  ffn?: (config: ConfigReader, sizes: LlamaSizes) => (layer: number) => FfnPlan;
  warnings?: CapacityWarning[];
}

/** The dense gated MLP of `intermediate_size` with `mlp_bias`, on every layer. */
export function denseSwiGlu(config: ConfigReader): (layer: number) => FfnPlan {
  const plan: FfnPlan = {
    kind: 'dense',
    intermediateSize: config.int('intermediate_size'),
    gated: true,
    bias: config.boolOr('mlp_bias', false),
  };
  return () => plan;
}

/** Reads hidden size, layer count, vocabulary and head shape under the Llama key names. */
export function readLlamaSizes(config: ConfigReader): LlamaSizes {
  const hiddenSize = config.int('hidden_size');
  return {
    hiddenSize,
    layers: config.int('num_hidden_layers'),
    vocabSize: config.int('vocab_size'),
    heads: readHeadShape(config, hiddenSize),
  };
}

/**
 * Parses a Llama-layout decoder: embedding, per layer q/k/v/o attention (biases per
 * `attention_bias`), a SwiGLU MLP (or the family's MoE), input and post-attention RMS norms,
 * final norm and LM head (none when `tie_word_embeddings`).
 */
export function parseLlamaLike(config: ConfigReader, options: LlamaLikeOptions): FamilySpec {
  const sizes = readLlamaSizes(config);
  const windowPlan = options.windows
    ? options.windows(config, sizes)
    : { windows: new Array<number | null>(sizes.layers).fill(null), warnings: [] };
  const mixers: AttentionMixer[] = windowPlan.windows.map((window) =>
    attentionMixer(sizes.heads, window),
  );
  const attentionBias = config.boolOr('attention_bias', options.qkvBiasDefault ?? false);
  const outputBias = (options.outputBiasFollowsAttentionBias ?? true) && attentionBias;
  const attention: AttentionOptions = {
    qkvBias: attentionBias,
    outputBias,
    qkNorm: options.qkNorm ?? false,
  };
  const ffn = options.ffn ? options.ffn(config, sizes) : denseSwiGlu(config);

  return buildDecoder({
    modelType: options.modelType,
    hiddenSize: sizes.hiddenSize,
    vocabSize: sizes.vocabSize,
    tiedEmbeddings: config.boolOr('tie_word_embeddings', options.tieDefault ?? false),
    maxPositionTokens: readMaxPosition(config),
    mixers,
    attention,
    ffn,
    layerNorms: ['input_layernorm', 'post_attention_layernorm'],
    warnings: [...(options.warnings ?? []), ...windowPlan.warnings],
  });
}

/** Llama 1/2/3/3.1/3.2/3.3 (`model_type` llama): full attention on every layer. */
export function parseLlama(config: ConfigReader): FamilySpec {
  return parseLlamaLike(config, { modelType: 'llama' });
}
