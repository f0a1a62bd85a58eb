// The built-in model catalogue: published config.json values of popular models, by hub id.

import { CapacityError } from '../errors.ts';
import { parseHfConfig } from '../config/index.ts';
import type { ModelSpec } from '../spec.ts';
import { HYBRID_CATALOGUE } from './models-hybrid.ts';

/**
 * A published parameter count: an exact integer (a safetensors header sum), or a rounded
 * figure as the vendor printed it (`46.7B`, `124M`), exact to half its last digit.
 */
export type PublishedCount = number | `${number}${'M' | 'B'}`;

/** What the vendor published about the model's size. */
export interface PublishedParams {
  total: PublishedCount;
  /** Parameters per token, for MoE models. */
  active?: PublishedCount;
  /** Whether `active` counts the input embedding (Mixtral does; gpt-oss does not). */
  activeIncludesEmbedding?: boolean;
  source: string;
}

/** One catalogue model: hub id, short aliases and its config as published. */
export interface CatalogueModel {
  id: string;
  aliases: readonly string[];
  /** Where the config values and counts were read. */
  source: string;
  published: PublishedParams;
  config: Readonly<Record<string, unknown>>;
}

/** gpt-oss `layer_types`: sliding and full attention alternating from layer 0 sliding. */
function alternatingSlidingFull(layers: number): string[] {
  return Array.from({ length: layers }, (_, layer) =>
    layer % 2 === 0 ? 'sliding_attention' : 'full_attention',
  );
}

const LLAMA_31_COMMON = {
  model_type: 'llama',
  vocab_size: 128256,
  max_position_embeddings: 131072,
  rope_theta: 500000.0,
  attention_bias: false,
  mlp_bias: false,
  torch_dtype: 'bfloat16',
};

const QWEN3_COMMON = {
  vocab_size: 151936,
  head_dim: 128,
  attention_bias: false,
  sliding_window: null,
  use_sliding_window: false,
  torch_dtype: 'bfloat16',
};

const GPT_OSS_COMMON = {
  model_type: 'gpt_oss',
  hidden_size: 2880,
  intermediate_size: 2880,
  num_attention_heads: 64,
  num_key_value_heads: 8,
  head_dim: 64,
  vocab_size: 201088,
  sliding_window: 128,
  attention_bias: true,
  experts_per_token: 4,
  num_experts_per_tok: 4,
  max_position_embeddings: 131072,
  tie_word_embeddings: false,
  torch_dtype: 'bfloat16',
  quantization_config: {
    quant_method: 'mxfp4',
    modules_to_not_convert: [
      'model.layers.*.self_attn',
      'model.layers.*.mlp.router',
      'model.embed_tokens',
      'lm_head',
    ],
  },
};

/**
 * The catalogue. Configs carry the published values that decide shapes (hub config.json files
 * as their authors wrote them, keys that change nothing here left out); counts come from model
 * cards or the hub's safetensors totals. Other families append their entries here.
 */
export const MODEL_CATALOGUE: readonly CatalogueModel[] = [
  {
    id: 'meta-llama/Llama-3.1-8B',
    aliases: ['llama-3.1-8b', 'llama3.1-8b', 'llama-3.1-8b-instruct'],
    source: 'hub config.json; safetensors total 8,030,261,248',
    published: { total: 8_030_261_248, source: 'safetensors header sum' },
    config: {
      ...LLAMA_31_COMMON,
      hidden_size: 4096,
      intermediate_size: 14336,
      num_hidden_layers: 32,
      num_attention_heads: 32,
      num_key_value_heads: 8,
      tie_word_embeddings: false,
    },
  },
  {
    id: 'meta-llama/Llama-3.1-70B',
    aliases: ['llama-3.1-70b', 'llama3.1-70b', 'llama-3.1-70b-instruct', 'llama-3.3-70b'],
    source: 'hub config.json; safetensors total 70,553,706,496 (same shapes as Llama-3.3-70B)',
    published: { total: 70_553_706_496, source: 'safetensors header sum' },
    config: {
      ...LLAMA_31_COMMON,
      hidden_size: 8192,
      intermediate_size: 28672,
      num_hidden_layers: 80,
      num_attention_heads: 64,
      num_key_value_heads: 8,
      tie_word_embeddings: false,
    },
  },
  {
    id: 'meta-llama/Llama-3.1-405B',
    aliases: ['llama-3.1-405b', 'llama3.1-405b', 'llama-3.1-405b-instruct'],
    source: 'hub config.json; hub model page: 406B params',
    published: { total: '406B', source: 'hub model page' },
    config: {
      ...LLAMA_31_COMMON,
      hidden_size: 16384,
      intermediate_size: 53248,
      num_hidden_layers: 126,
      num_attention_heads: 128,
      num_key_value_heads: 8,
      tie_word_embeddings: false,
    },
  },
  {
    id: 'meta-llama/Llama-3.2-1B',
    aliases: ['llama-3.2-1b', 'llama3.2-1b', 'llama-3.2-1b-instruct'],
    source: 'hub config.json; hub model page: 1.24B params',
    published: { total: '1.24B', source: 'hub model page' },
    config: {
      ...LLAMA_31_COMMON,
      hidden_size: 2048,
      intermediate_size: 8192,
      num_hidden_layers: 16,
      num_attention_heads: 32,
      num_key_value_heads: 8,
      head_dim: 64,
      tie_word_embeddings: true,
    },
  },
  {
    id: 'meta-llama/Llama-3.2-3B',
    aliases: ['llama-3.2-3b', 'llama3.2-3b', 'llama-3.2-3b-instruct'],
    source: 'hub config.json; hub model page: 3.21B params',
    published: { total: '3.21B', source: 'hub model page' },
    config: {
      ...LLAMA_31_COMMON,
      hidden_size: 3072,
      intermediate_size: 8192,
      num_hidden_layers: 28,
      num_attention_heads: 24,
      num_key_value_heads: 8,
      head_dim: 128,
      tie_word_embeddings: true,
    },
  },
  {
    id: 'meta-llama/Llama-2-7b-hf',
    aliases: ['llama-2-7b', 'llama2-7b'],
    source: 'hub config.json; hub model page: 6.74B params',
    published: { total: '6.74B', source: 'hub model page' },
    config: {
      model_type: 'llama',
      hidden_size: 4096,
      intermediate_size: 11008,
      num_hidden_layers: 32,
      num_attention_heads: 32,
      num_key_value_heads: 32,
      vocab_size: 32000,
      max_position_embeddings: 4096,
      tie_word_embeddings: false,
      torch_dtype: 'float16',
    },
  },
  {
    id: 'mistralai/Mistral-7B-v0.1',
    aliases: ['mistral-7b', 'mistral-7b-v0.1'],
    source: 'hub config.json (sliding_window 4096 on all layers); hub model page: 7.24B params',
    published: { total: '7.24B', source: 'hub model page' },
    config: {
      model_type: 'mistral',
      hidden_size: 4096,
      intermediate_size: 14336,
      num_hidden_layers: 32,
      num_attention_heads: 32,
      num_key_value_heads: 8,
      vocab_size: 32000,
      max_position_embeddings: 32768,
      rope_theta: 10000.0,
      sliding_window: 4096,
      tie_word_embeddings: false,
      torch_dtype: 'bfloat16',
    },
  },
  {
    id: 'mistralai/Mixtral-8x7B-v0.1',
    aliases: ['mixtral-8x7b', 'mixtral-8x7b-v0.1', 'mixtral-8x7b-instruct'],
    source: 'hub config.json; Mistral announcement: 46.7B total, 12.9B per token',
    published: {
      total: '46.7B',
      active: '12.9B',
      activeIncludesEmbedding: true,
      source: 'Mistral AI announcement',
    },
    config: {
      model_type: 'mixtral',
      hidden_size: 4096,
      intermediate_size: 14336,
      num_hidden_layers: 32,
      num_attention_heads: 32,
      num_key_value_heads: 8,
      num_local_experts: 8,
      num_experts_per_tok: 2,
      vocab_size: 32000,
      max_position_embeddings: 32768,
      rope_theta: 1000000.0,
      sliding_window: null,
      tie_word_embeddings: false,
      torch_dtype: 'bfloat16',
    },
  },
  {
    id: 'mistralai/Mixtral-8x22B-v0.1',
    aliases: ['mixtral-8x22b', 'mixtral-8x22b-v0.1'],
    source: 'hub config.json; Mistral announcement: 141B total, 39B active',
    published: {
      total: '141B',
      active: '39B',
      activeIncludesEmbedding: true,
      source: 'Mistral AI announcement',
    },
    config: {
      model_type: 'mixtral',
      hidden_size: 6144,
      intermediate_size: 16384,
      num_hidden_layers: 56,
      num_attention_heads: 48,
      num_key_value_heads: 8,
      num_local_experts: 8,
      num_experts_per_tok: 2,
      vocab_size: 32000,
      max_position_embeddings: 65536,
      rope_theta: 1000000.0,
      sliding_window: null,
      tie_word_embeddings: false,
      torch_dtype: 'bfloat16',
    },
  },
  {
    id: 'Qwen/Qwen2.5-7B',
    aliases: ['qwen2.5-7b', 'qwen2.5-7b-instruct'],
    source: 'hub config.json (sliding_window 131072, use_sliding_window false); card: 7.61B',
    published: { total: 7_615_616_512, source: 'safetensors header sum (card: 7.61B)' },
    config: {
      model_type: 'qwen2',
      hidden_size: 3584,
      intermediate_size: 18944,
      num_hidden_layers: 28,
      num_attention_heads: 28,
      num_key_value_heads: 4,
      vocab_size: 152064,
      max_position_embeddings: 131072,
      max_window_layers: 28,
      sliding_window: 131072,
      use_sliding_window: false,
      rope_theta: 1000000.0,
      tie_word_embeddings: false,
      torch_dtype: 'bfloat16',
    },
  },
  {
    id: 'Qwen/Qwen2.5-72B',
    aliases: ['qwen2.5-72b', 'qwen2.5-72b-instruct'],
    source: 'hub config.json; model card: 72.7B parameters',
    published: { total: '72.7B', source: 'model card' },
    config: {
      model_type: 'qwen2',
      hidden_size: 8192,
      intermediate_size: 29568,
      num_hidden_layers: 80,
      num_attention_heads: 64,
      num_key_value_heads: 8,
      vocab_size: 152064,
      max_position_embeddings: 131072,
      max_window_layers: 80,
      sliding_window: 131072,
      use_sliding_window: false,
      rope_theta: 1000000.0,
      tie_word_embeddings: false,
      torch_dtype: 'bfloat16',
    },
  },
  {
    id: 'Qwen/Qwen1.5-MoE-A2.7B',
    aliases: ['qwen1.5-moe-a2.7b', 'qwen1.5-moe'],
    source: 'hub config.json; model card: 14.3B total, 2.7B activated',
    published: {
      total: '14.3B',
      active: '2.7B',
      activeIncludesEmbedding: true,
      source: 'model card',
    },
    config: {
      model_type: 'qwen2_moe',
      hidden_size: 2048,
      intermediate_size: 5632,
      moe_intermediate_size: 1408,
      shared_expert_intermediate_size: 5632,
      num_experts: 60,
      num_experts_per_tok: 4,
      decoder_sparse_step: 1,
      num_hidden_layers: 24,
      num_attention_heads: 16,
      num_key_value_heads: 16,
      vocab_size: 151936,
      max_position_embeddings: 8192,
      use_sliding_window: false,
      tie_word_embeddings: false,
      torch_dtype: 'bfloat16',
    },
  },
  {
    id: 'Qwen/Qwen3-0.6B',
    aliases: ['qwen3-0.6b'],
    source: 'hub config.json (head_dim 128, not 1024 / 16); card: 0.6B, 0.44B non-embedding',
    published: { total: '0.6B', source: 'model card' },
    config: {
      ...QWEN3_COMMON,
      model_type: 'qwen3',
      hidden_size: 1024,
      intermediate_size: 3072,
      num_hidden_layers: 28,
      num_attention_heads: 16,
      num_key_value_heads: 8,
      max_position_embeddings: 40960,
      max_window_layers: 28,
      tie_word_embeddings: true,
    },
  },
  {
    id: 'Qwen/Qwen3-8B',
    aliases: ['qwen3-8b'],
    source: 'hub config.json; safetensors total 8,190,735,360 (card: 8.2B)',
    published: { total: 8_190_735_360, source: 'safetensors header sum' },
    config: {
      ...QWEN3_COMMON,
      model_type: 'qwen3',
      hidden_size: 4096,
      intermediate_size: 12288,
      num_hidden_layers: 36,
      num_attention_heads: 32,
      num_key_value_heads: 8,
      max_position_embeddings: 40960,
      max_window_layers: 36,
      tie_word_embeddings: false,
    },
  },
  {
    id: 'Qwen/Qwen3-30B-A3B',
    aliases: ['qwen3-30b-a3b', 'qwen3-30b'],
    source: 'hub config.json; model card: 30.5B total, 3.3B activated',
    published: {
      total: '30.5B',
      active: '3.3B',
      activeIncludesEmbedding: true,
      source: 'model card',
    },
    config: {
      ...QWEN3_COMMON,
      model_type: 'qwen3_moe',
      hidden_size: 2048,
      intermediate_size: 6144,
      moe_intermediate_size: 768,
      num_experts: 128,
      num_experts_per_tok: 8,
      decoder_sparse_step: 1,
      mlp_only_layers: [],
      num_hidden_layers: 48,
      num_attention_heads: 32,
      num_key_value_heads: 4,
      max_position_embeddings: 40960,
      max_window_layers: 48,
      tie_word_embeddings: false,
    },
  },
  {
    id: 'Qwen/Qwen3-235B-A22B',
    aliases: ['qwen3-235b-a22b', 'qwen3-235b'],
    source: 'hub config.json; model card: 235B total, 22B activated',
    published: {
      total: '235B',
      active: '22B',
      activeIncludesEmbedding: true,
      source: 'model card',
    },
    config: {
      ...QWEN3_COMMON,
      model_type: 'qwen3_moe',
      hidden_size: 4096,
      intermediate_size: 12288,
      moe_intermediate_size: 1536,
      num_experts: 128,
      num_experts_per_tok: 8,
      decoder_sparse_step: 1,
      mlp_only_layers: [],
      num_hidden_layers: 94,
      num_attention_heads: 64,
      num_key_value_heads: 4,
      max_position_embeddings: 40960,
      max_window_layers: 94,
      tie_word_embeddings: false,
    },
  },
  {
    id: 'Qwen/Qwen3-VL-8B-Instruct',
    aliases: ['qwen3-vl-8b', 'qwen3-vl-8b-instruct'],
    source: 'hub config.json; safetensors total 8,767,123,696 with the vision tower',
    published: { total: 8_767_123_696, source: 'safetensors header sum' },
    config: {
      model_type: 'qwen3_vl',
      tie_word_embeddings: false,
      text_config: {
        model_type: 'qwen3_vl_text',
        hidden_size: 4096,
        intermediate_size: 12288,
        num_hidden_layers: 36,
        num_attention_heads: 32,
        num_key_value_heads: 8,
        head_dim: 128,
        vocab_size: 151936,
        max_position_embeddings: 262144,
        attention_bias: false,
        dtype: 'bfloat16',
      },
      vision_config: {
        model_type: 'qwen3_vl',
        depth: 27,
        hidden_size: 1152,
        intermediate_size: 4304,
        num_heads: 16,
        in_channels: 3,
        patch_size: 16,
        temporal_patch_size: 2,
        spatial_merge_size: 2,
        out_hidden_size: 4096,
        num_position_embeddings: 2304,
        deepstack_visual_indexes: [8, 16, 24],
      },
    },
  },
  {
    id: 'google/gemma-2-2b',
    aliases: ['gemma-2-2b', 'gemma2-2b', 'gemma-2-2b-it'],
    source: 'hub config.json; hub model page: 2.61B params',
    published: { total: '2.61B', source: 'hub model page' },
    config: {
      model_type: 'gemma2',
      hidden_size: 2304,
      intermediate_size: 9216,
      num_hidden_layers: 26,
      num_attention_heads: 8,
      num_key_value_heads: 4,
      head_dim: 256,
      vocab_size: 256000,
      max_position_embeddings: 8192,
      sliding_window: 4096,
      query_pre_attn_scalar: 256,
      torch_dtype: 'float32',
    },
  },
  {
    id: 'google/gemma-2-9b',
    aliases: ['gemma-2-9b', 'gemma2-9b', 'gemma-2-9b-it'],
    source: 'hub config.json (head_dim 256, window 4096 on alternate layers); 9.24B params',
    published: { total: '9.24B', source: 'hub model page' },
    config: {
      model_type: 'gemma2',
      hidden_size: 3584,
      intermediate_size: 14336,
      num_hidden_layers: 42,
      num_attention_heads: 16,
      num_key_value_heads: 8,
      head_dim: 256,
      vocab_size: 256000,
      max_position_embeddings: 8192,
      sliding_window: 4096,
      query_pre_attn_scalar: 256,
      torch_dtype: 'float32',
    },
  },
  {
    id: 'google/gemma-3-1b-it',
    aliases: ['gemma-3-1b', 'gemma3-1b'],
    source: 'hub config.json (text-only gemma3_text, window 512, pattern 6); card: 1B',
    published: { total: '1B', source: 'model card' },
    config: {
      model_type: 'gemma3_text',
      hidden_size: 1152,
      intermediate_size: 6912,
      num_hidden_layers: 26,
      num_attention_heads: 4,
      num_key_value_heads: 1,
      head_dim: 256,
      vocab_size: 262144,
      max_position_embeddings: 32768,
      sliding_window: 512,
      sliding_window_pattern: 6,
      query_pre_attn_scalar: 256,
      torch_dtype: 'bfloat16',
    },
  },
  {
    id: 'google/gemma-3-27b-it',
    aliases: ['gemma-3-27b', 'gemma3-27b', 'gemma-3-27b-it'],
    source:
      'hub config.json (text_config relies on Gemma3TextConfig defaults: vocab 262208, ' +
      'pattern 6); 27.4B with the SigLIP vision tower',
    published: { total: '27.4B', source: 'model card (vision tower included)' },
    config: {
      model_type: 'gemma3',
      mm_tokens_per_image: 256,
      torch_dtype: 'bfloat16',
      text_config: {
        model_type: 'gemma3_text',
        hidden_size: 5376,
        intermediate_size: 21504,
        num_hidden_layers: 62,
        num_attention_heads: 32,
        num_key_value_heads: 16,
        head_dim: 128,
        query_pre_attn_scalar: 168,
        rope_scaling: { factor: 8.0, rope_type: 'linear' },
        sliding_window: 1024,
      },
      vision_config: {
        model_type: 'siglip_vision_model',
        hidden_size: 1152,
        intermediate_size: 4304,
        num_hidden_layers: 27,
        num_attention_heads: 16,
        image_size: 896,
        patch_size: 14,
        vision_use_head: false,
      },
    },
  },
  {
    id: 'microsoft/Phi-3-mini-4k-instruct',
    aliases: ['phi-3-mini', 'phi-3-mini-4k', 'phi3-mini'],
    source: 'hub config.json (sliding_window 2047, not applied by engines); card: 3.8B',
    published: { total: '3.8B', source: 'model card' },
    config: {
      model_type: 'phi3',
      hidden_size: 3072,
      intermediate_size: 8192,
      num_hidden_layers: 32,
      num_attention_heads: 32,
      num_key_value_heads: 32,
      vocab_size: 32064,
      max_position_embeddings: 4096,
      sliding_window: 2047,
      tie_word_embeddings: false,
      torch_dtype: 'bfloat16',
    },
  },
  {
    id: 'microsoft/phi-2',
    aliases: ['phi-2', 'phi2'],
    source: 'hub config.json; hub model page: 2.78B params',
    published: { total: '2.78B', source: 'hub model page' },
    config: {
      model_type: 'phi',
      hidden_size: 2560,
      intermediate_size: 10240,
      num_hidden_layers: 32,
      num_attention_heads: 32,
      num_key_value_heads: 32,
      vocab_size: 51200,
      max_position_embeddings: 2048,
      partial_rotary_factor: 0.4,
      qk_layernorm: false,
      tie_word_embeddings: false,
      torch_dtype: 'float16',
    },
  },
  {
    id: 'openai/gpt-oss-20b',
    aliases: ['gpt-oss-20b', 'gpt-oss:20b'],
    source: 'hub config.json; safetensors total 20,914,757,184; card: 3.6B active',
    published: {
      total: 20_914_757_184,
      active: '3.61B',
      activeIncludesEmbedding: false,
      source: 'safetensors header sum; OpenAI model card',
    },
    config: {
      ...GPT_OSS_COMMON,
      num_hidden_layers: 24,
      num_local_experts: 32,
      layer_types: alternatingSlidingFull(24),
    },
  },
  {
    id: 'openai/gpt-oss-120b',
    aliases: ['gpt-oss-120b', 'gpt-oss:120b'],
    source: 'hub config.json; OpenAI model card: 116.8B total, 5.1B active',
    published: {
      total: '116.8B',
      active: '5.1B',
      activeIncludesEmbedding: false,
      source: 'OpenAI model card',
    },
    config: {
      ...GPT_OSS_COMMON,
      num_hidden_layers: 36,
      num_local_experts: 128,
      layer_types: alternatingSlidingFull(36),
    },
  },
  {
    id: 'tiiuae/falcon-7b',
    aliases: ['falcon-7b', 'falcon-7b-instruct'],
    source: 'hub config.json (multi_query, no KV-head field, parallel attention); card: 7B',
    published: { total: '7B', source: 'model card' },
    config: {
      model_type: 'falcon',
      hidden_size: 4544,
      num_attention_heads: 71,
      num_hidden_layers: 32,
      vocab_size: 65024,
      multi_query: true,
      new_decoder_architecture: false,
      parallel_attn: true,
      bias: false,
      alibi: false,
      torch_dtype: 'bfloat16',
    },
  },
  {
    id: 'openai-community/gpt2',
    aliases: ['gpt2', 'gpt-2'],
    source: 'hub config.json; model card: 124M parameters',
    published: { total: '124M', source: 'model card' },
    config: {
      model_type: 'gpt2',
      n_embd: 768,
      n_head: 12,
      n_layer: 12,
      n_positions: 1024,
      n_ctx: 1024,
      vocab_size: 50257,
      activation_function: 'gelu_new',
    },
  },
  ...HYBRID_CATALOGUE,
];

/**
 * The range of true counts a published figure allows: an exact integer is itself; a rounded
 * figure such as `46.7B` allows what rounds or truncates to it, from half a unit of its last
 * digit below to one unit above (46.65e9 to 46.8e9). Vendors do both: Qwen prints 3.3B for
 * Qwen3-30B-A3B's 3,353,032,704 active parameters.
 */
export function publishedBounds(count: PublishedCount): { low: number; high: number } {
  if (typeof count === 'number') return { low: count, high: count };

  const scale = count.endsWith('B') ? 1e9 : 1e6;
  const digits = count.slice(0, -1);
  const decimals = digits.includes('.') ? (digits.split('.')[1] ?? '').length : 0;
  const unit = scale / 10 ** decimals;
  const value = Number(digits) * scale;
  return { low: value - unit / 2, high: value + unit };
}

function normalise(name: string): string {
  return name.trim().toLowerCase();
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current.push(
        Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost),
      );
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/** Up to three catalogue ids whose id or aliases are closest to `name`. */
function suggestions(name: string): string[] {
  const target = normalise(name);
  const scored = MODEL_CATALOGUE.map((model) => {
    const names = [model.id, ...model.aliases].map(normalise);
    const contains = names.some((candidate) => candidate.includes(target) && target.length >= 3);
    const distance = Math.min(...names.map((candidate) => editDistance(target, candidate)));
    return { id: model.id, score: contains ? -1 : distance };
  });
  return scored
    .sort((a, b) => a.score - b.score)
    .slice(0, 3)
    .map((entry) => entry.id);
}

/**
 * The catalogue model whose hub id or alias equals `nameOrId` (case-insensitive). An unknown
 * name is an `unknown_model` error whose `expected` lists the closest catalogue ids.
 */
export function findCatalogueModel(nameOrId: string): CatalogueModel {
  const target = normalise(nameOrId);
  const found = MODEL_CATALOGUE.find(
    (model) =>
      normalise(model.id) === target || model.aliases.some((alias) => normalise(alias) === target),
  );
  if (found) return found;

  const close = suggestions(nameOrId);
  throw new CapacityError('unknown_model', `no catalogue model named "${nameOrId}"`, {
    field: 'model',
    expected: `a catalogue id or alias, such as ${close.join(', ')}`,
  });
}

/** The ModelSpec of a catalogue model, parsed from its config (source `catalogue`). */
export function catalogueSpec(nameOrId: string): ModelSpec {
  const model = findCatalogueModel(nameOrId);
  return { ...parseHfConfig(model.config, { name: model.id }), source: 'catalogue' };
}
