// A tiny Llama-shaped model as hub files: config.json and a header-only model.safetensors.

import { llamaSpec } from './llama-shapes.ts';
import type { LlamaShape } from './llama-shapes.ts';
import { safetensorsBytes, tensorsOfSpec } from './model-files.ts';

/** 2 layers, 64 hidden, 4 heads of 16 (2 KV heads), 128 intermediate, 256 vocab, untied. */
export const TINY_LLAMA: LlamaShape = {
  name: 'tiny-llama',
  layers: 2,
  hidden: 64,
  heads: 4,
  kvHeads: 2,
  intermediate: 128,
  vocab: 256,
};

/** The tiny model's config.json facts. */
export const TINY_LLAMA_CONFIG = {
  architectures: ['LlamaForCausalLM'],
  model_type: 'llama',
  hidden_size: 64,
  intermediate_size: 128,
  num_hidden_layers: 2,
  num_attention_heads: 4,
  num_key_value_heads: 2,
  vocab_size: 256,
  max_position_embeddings: 4096,
  rms_norm_eps: 1e-5,
  rope_theta: 10000.0,
  tie_word_embeddings: false,
  torch_dtype: 'bfloat16',
};

/**
 * Parameters of the tiny model, by hand: embeddings 256 x 64 = 16,384; per layer two norms
 * 2 x 64 = 128, q 64 x 64 = 4,096, k and v 32 x 64 = 2,048 each, o 4,096, MLP 3 x 128 x 64 =
 * 24,576, so 36,992 per layer and 73,984 for two; final norm 64; lm_head 16,384.
 */
export const TINY_LLAMA_PARAMS = 16_384 + 2 * 36_992 + 64 + 16_384;

/** Bytes after the header standing for tensor data, which a planner must never download. */
export const TINY_LLAMA_FILLER_BYTES = 2 * 2 ** 20;

/** model.safetensors of the tiny model: the BF16 header, then filler instead of tensor data. */
export function tinyLlamaSafetensors(filler = TINY_LLAMA_FILLER_BYTES): Uint8Array {
  const header = safetensorsBytes(tensorsOfSpec(llamaSpec(TINY_LLAMA)));
  const file = new Uint8Array(header.length + filler);
  file.set(header);
  return file;
}

/** The repository files of the tiny model: path -> bytes. */
export function tinyLlamaFiles(): Map<string, Uint8Array> {
  return new Map([
    ['config.json', new TextEncoder().encode(JSON.stringify(TINY_LLAMA_CONFIG))],
    ['model.safetensors', tinyLlamaSafetensors()],
  ]);
}
