// The normalised model description every part of hwLedger computes from.
//
// Parsers (Hugging Face config.json, safetensors headers, GGUF metadata) produce a ModelSpec;
// nothing past a parser reads raw config keys. A model is a list of layers (each with its own
// sequence mixer, so hybrids need no special case) plus the list of its weight tensors.

import type { CapacityWarning } from './errors.ts';

/**
 * Standard attention: MHA when kvHeads = heads, GQA when fewer, MQA when 1. `window` is the
 * sliding-window length in tokens (null for full attention). `sinkTokens` counts
 * StreamingLLM-style tokens kept in the cache beyond the window; learned sinks (gpt-oss) are a
 * per-head logit bias, cost no cache, and are flagged by `learnedSinks` only.
 */
export interface AttentionMixer {
  kind: 'attention';
  heads: number;
  kvHeads: number;
  headDimK: number;
  headDimV: number;
  window: number | null;
  sinkTokens: number;
  learnedSinks: boolean;
}

/**
 * Multi-head latent attention (DeepSeek-V2/V3, Kimi-K2). Engines cache the compressed latent
 * (kvLoraRank) plus the shared rope key (qkRopeHeadDim) per token, not per-head K and V.
 */
export interface MlaMixer {
  kind: 'mla';
  heads: number;
  qLoraRank: number | null;
  kvLoraRank: number;
  qkNopeHeadDim: number;
  qkRopeHeadDim: number;
  vHeadDim: number;
}

/**
 * A layer whose state per sequence is fixed, whatever the context: Mamba-1/2 SSMs, gated
 * DeltaNet and Kimi delta attention, short convolutions. The parser computes the element counts
 * with the variant's own formula so cache accounting needs no knowledge of the variant.
 */
export interface RecurrentMixer {
  kind: 'recurrent';
  variant: 'mamba1' | 'mamba2' | 'gated_deltanet' | 'kda' | 'short_conv';
  /** Elements of the recurrent (SSM or delta-rule) state of one sequence in this layer. */
  stateElements: number;
  /** Elements of the rolling convolution window of one sequence in this layer. */
  convElements: number;
}

/** A layer without sequence mixing (for example the MLP-only layers of Nemotron-H). */
export interface NoMixer {
  kind: 'none';
}

export type Mixer = AttentionMixer | MlaMixer | RecurrentMixer | NoMixer;

/** Feed-forward block of a layer. */
export type FfnKind = 'dense' | 'moe' | 'none';

/** One decoder layer, in order; `index` counts from 0. */
export interface LayerSpec {
  index: number;
  mixer: Mixer;
  ffn: FfnKind;
}

/** Which part of the model a tensor belongs to, for breakdowns and active-parameter counts. */
export type ParamGroup =
  | 'embedding'
  | 'attention'
  | 'mlp'
  | 'experts'
  | 'shared_experts'
  | 'router'
  | 'ssm'
  | 'norm'
  | 'head'
  | 'vision'
  | 'mtp'
  | 'other';

/**
 * What a tensor does, named as llama.cpp's quantisation recipes key on them (Q4_K_M gives
 * `attn_v` and `ffn_down` more bits, keeps 1-D tensors in F32, and so on).
 */
export type TensorRole =
  | 'token_embd'
  | 'pos_embd'
  | 'output'
  | 'attn_q'
  | 'attn_k'
  | 'attn_v'
  | 'attn_qkv'
  | 'attn_kv'
  | 'attn_output'
  | 'attn_q_a'
  | 'attn_q_b'
  | 'attn_kv_a'
  | 'attn_kv_b'
  | 'attn_sinks'
  | 'ffn_gate'
  | 'ffn_up'
  | 'ffn_gate_up'
  | 'ffn_down'
  | 'ffn_gate_inp'
  | 'ssm_in'
  | 'ssm_conv'
  | 'ssm_x'
  | 'ssm_dt'
  | 'ssm_a'
  | 'ssm_d'
  | 'ssm_out'
  | 'norm'
  | 'bias'
  | 'other';

/**
 * One weight tensor. Identical expert tensors are one entry with `copies` = number of experts
 * and `activeCopies` = experts read per token; for every other tensor both are 1 (or 0 active
 * when the tensor is not read per generated token, such as multi-token-prediction layers).
 */
export interface TensorSpec {
  /** Canonical Hugging Face style name, for example `model.layers.0.self_attn.q_proj.weight`. */
  name: string;
  /** Elements per copy, outermost dimension first ([out, in] for a linear weight). */
  shape: readonly number[];
  copies: number;
  activeCopies: number;
  group: ParamGroup;
  role: TensorRole;
  /** Decoder layer index, or null for tensors outside the layer stack. */
  layer: number | null;
  /** Storage type when read from a real file header (safetensors dtype or GGML type name). */
  storedType?: string;
  /** Exact bytes of all copies when read from a real file header. */
  storedBytes?: number;
}

/** Mixture-of-experts summary, for display and throughput. */
export interface MoeSummary {
  routedExperts: number;
  expertsPerToken: number;
  sharedExperts: number;
  /** Layers that carry experts (the others are dense). */
  moeLayers: number;
}

/** Floating-point type a checkpoint's unquantised tensors are stored in. */
export type CheckpointDtype = 'f32' | 'f16' | 'bf16' | 'fp8';

/**
 * A checkpoint's own quantisation, from `quantization_config`: the method and what it keeps
 * unquantised. Bits and group size are null when the method fixes them.
 */
export interface CheckpointQuantization {
  method: 'gptq' | 'awq' | 'bitsandbytes' | 'fp8' | 'mxfp4' | 'compressed-tensors' | 'other';
  bits: number | null;
  groupSize: number | null;
  /** Module name patterns left unquantised (`modules_to_not_convert` and relatives). */
  excludedModules: string[];
}

/**
 * What a config says about context length, for engines that derive their own limit (vLLM's
 * max_model_len): every length key it states, and its rope scaling.
 */
export interface ContextFacts {
  /** Length keys and their values (`max_position_embeddings`, `n_positions`, `seq_length` ...). */
  lengthKeys: Readonly<Record<string, number>>;
  /** `rope_scaling` type and factor, with `original_max_position_embeddings` when stated. */
  ropeScaling: { type: string; factor: number; originalMaxPositionTokens: number | null } | null;
}

/** Where a spec came from. */
export type SpecSource = 'hf-config' | 'safetensors' | 'gguf' | 'catalogue';

/** Everything the capacity math needs to know about a model, in canonical form. */
export interface ModelSpec {
  /** Display name (a hub id, file name or catalogue name). */
  name: string;
  /** The source's architecture name (`model_type`, or GGUF `general.architecture`). */
  modelType: string;
  source: SpecSource;
  hiddenSize: number;
  vocabSize: number;
  /** Decoder layers that run for every token, in order (multi-token-prediction layers excluded). */
  layers: LayerSpec[];
  /** Multi-token-prediction (next-n) layers, loaded only for speculative decoding. */
  mtpLayers: number;
  tensors: TensorSpec[];
  tiedEmbeddings: boolean;
  /** Longest context the model was trained for, in tokens, when the source says. */
  maxPositionTokens: number | null;
  /** The config's length keys and rope scaling, when the spec was read from a config. */
  contextFacts?: ContextFacts;
  /** False for encoders and rerankers, which keep no KV cache. */
  causal: boolean;
  moe: MoeSummary | null;
  checkpoint: { dtype: CheckpointDtype | null; quantization: CheckpointQuantization | null };
  warnings: CapacityWarning[];
}
