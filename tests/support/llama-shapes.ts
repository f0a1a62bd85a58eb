// Builds Llama- and Mixtral-shaped ModelSpecs with every weight tensor, from published shapes.

import type {
  LayerSpec,
  ModelSpec,
  ParamGroup,
  TensorRole,
  TensorSpec,
} from '../../lib/capacity/spec.ts';

/** The shape facts of a Llama-family decoder (Llama, Mistral, Mixtral, Qwen2 without bias). */
export interface LlamaShape {
  name: string;
  modelType?: string;
  layers: number;
  hidden: number;
  heads: number;
  kvHeads: number;
  headDim?: number;
  intermediate: number;
  vocab: number;
  tied?: boolean;
  /** Routed experts and experts per token; absent for a dense MLP. */
  experts?: { count: number; perToken: number };
}

/** Llama-3.1-8B (config.json: 32 layers, 4096 hidden, 32/8 heads, 14336, 128256 vocab). */
export const LLAMA_3_8B: LlamaShape = {
  name: 'Llama-3.1-8B',
  layers: 32,
  hidden: 4096,
  heads: 32,
  kvHeads: 8,
  intermediate: 14336,
  vocab: 128256,
};

/** Llama-3.1-8B's config.json facts, as published (the keys a parser reads). */
export const LLAMA_CONFIG = {
  architectures: ['LlamaForCausalLM'],
  model_type: 'llama',
  hidden_size: 4096,
  intermediate_size: 14336,
  num_hidden_layers: 32,
  num_attention_heads: 32,
  num_key_value_heads: 8,
  vocab_size: 128256,
  max_position_embeddings: 131072,
  rms_norm_eps: 1e-5,
  rope_theta: 500000.0,
  tie_word_embeddings: false,
  torch_dtype: 'bfloat16',
};

/** Llama-3.1-70B (80 layers, 8192 hidden, 64/8 heads, 28672, 128256 vocab). */
export const LLAMA_3_70B: LlamaShape = {
  name: 'Llama-3.1-70B',
  layers: 80,
  hidden: 8192,
  heads: 64,
  kvHeads: 8,
  intermediate: 28672,
  vocab: 128256,
};

/** Mixtral-8x7B-v0.1 (32 layers, 4096 hidden, 32/8 heads, 8 experts of 14336, top-2, 32000). */
export const MIXTRAL_8X7B: LlamaShape = {
  name: 'Mixtral-8x7B-v0.1',
  modelType: 'mixtral',
  layers: 32,
  hidden: 4096,
  heads: 32,
  kvHeads: 8,
  intermediate: 14336,
  vocab: 32000,
  experts: { count: 8, perToken: 2 },
};

function tensor(
  name: string,
  shape: number[],
  group: ParamGroup,
  role: TensorRole,
  layer: number | null,
  copies = 1,
  activeCopies = copies === 1 ? 1 : copies,
): TensorSpec {
  return { name, shape, copies, activeCopies, group, role, layer };
}

function layerTensors(shape: LlamaShape, i: number): TensorSpec[] {
  const headDim = shape.headDim ?? shape.hidden / shape.heads;
  const p = `model.layers.${String(i)}`;
  const h = shape.hidden;
  const list: TensorSpec[] = [
    tensor(`${p}.input_layernorm.weight`, [h], 'norm', 'norm', i),
    tensor(`${p}.self_attn.q_proj.weight`, [shape.heads * headDim, h], 'attention', 'attn_q', i),
    tensor(`${p}.self_attn.k_proj.weight`, [shape.kvHeads * headDim, h], 'attention', 'attn_k', i),
    tensor(`${p}.self_attn.v_proj.weight`, [shape.kvHeads * headDim, h], 'attention', 'attn_v', i),
    tensor(
      `${p}.self_attn.o_proj.weight`,
      [h, shape.heads * headDim],
      'attention',
      'attn_output',
      i,
    ),
    tensor(`${p}.post_attention_layernorm.weight`, [h], 'norm', 'norm', i),
  ];
  const inter = shape.intermediate;
  if (shape.experts) {
    const { count, perToken } = shape.experts;
    const m = `${p}.block_sparse_moe`;
    list.push(
      tensor(`${m}.gate.weight`, [count, h], 'router', 'ffn_gate_inp', i),
      tensor(`${m}.experts.*.w1.weight`, [inter, h], 'experts', 'ffn_gate', i, count, perToken),
      tensor(`${m}.experts.*.w3.weight`, [inter, h], 'experts', 'ffn_up', i, count, perToken),
      tensor(`${m}.experts.*.w2.weight`, [h, inter], 'experts', 'ffn_down', i, count, perToken),
    );
  } else {
    list.push(
      tensor(`${p}.mlp.gate_proj.weight`, [inter, h], 'mlp', 'ffn_gate', i),
      tensor(`${p}.mlp.up_proj.weight`, [inter, h], 'mlp', 'ffn_up', i),
      tensor(`${p}.mlp.down_proj.weight`, [h, inter], 'mlp', 'ffn_down', i),
    );
  }
  return list;
}

/** A ModelSpec with every tensor of a Llama-family model, in checkpoint order. */
export function llamaSpec(shape: LlamaShape, overrides: Partial<ModelSpec> = {}): ModelSpec {
  const headDim = shape.headDim ?? shape.hidden / shape.heads;
  const layers: LayerSpec[] = Array.from({ length: shape.layers }, (_, index) => ({
    index,
    mixer: {
      kind: 'attention',
      heads: shape.heads,
      kvHeads: shape.kvHeads,
      headDimK: headDim,
      headDimV: headDim,
      window: null,
      sinkTokens: 0,
      learnedSinks: false,
    },
    ffn: shape.experts ? 'moe' : 'dense',
  }));
  const tensors: TensorSpec[] = [
    tensor(
      'model.embed_tokens.weight',
      [shape.vocab, shape.hidden],
      'embedding',
      'token_embd',
      null,
    ),
    ...layers.flatMap((layer) => layerTensors(shape, layer.index)),
    tensor('model.norm.weight', [shape.hidden], 'norm', 'norm', null),
  ];
  if (!shape.tied) {
    tensors.push(tensor('lm_head.weight', [shape.vocab, shape.hidden], 'head', 'output', null));
  }
  return {
    name: shape.name,
    modelType: shape.modelType ?? 'llama',
    source: 'hf-config',
    hiddenSize: shape.hidden,
    vocabSize: shape.vocab,
    layers,
    mtpLayers: 0,
    tensors,
    tiedEmbeddings: shape.tied ?? false,
    maxPositionTokens: 131072,
    causal: true,
    moe: shape.experts
      ? {
          routedExperts: shape.experts.count,
          expertsPerToken: shape.experts.perToken,
          sharedExperts: 0,
          moeLayers: shape.layers,
        }
      : null,
    checkpoint: { dtype: 'bf16', quantization: null },
    warnings: [],
    ...overrides,
  };
}

/** Elements of every tensor, all copies counted. */
export function totalParams(spec: ModelSpec): number {
  return spec.tensors.reduce(
    (sum, t) => sum + t.copies * t.shape.reduce((product, dim) => product * dim, 1),
    0,
  );
}
