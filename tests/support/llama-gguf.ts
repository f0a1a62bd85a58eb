// Lays out a Llama-shaped ModelSpec as a GGUF file: llama.cpp tensor names, ne and types.

import { GGML_TYPES } from '../../lib/capacity/quant/ggml-types.ts';
import type { GgmlTypeName } from '../../lib/capacity/quant/ggml-types.ts';
import type { ModelSpec } from '../../lib/capacity/spec.ts';
import type { GgufEntry, GgufTensor } from './model-files.ts';
import { ggufBytes } from './model-files.ts';

const LAYER_NAMES: Record<string, string> = {
  'input_layernorm.weight': 'attn_norm.weight',
  'self_attn.q_proj.weight': 'attn_q.weight',
  'self_attn.k_proj.weight': 'attn_k.weight',
  'self_attn.v_proj.weight': 'attn_v.weight',
  'self_attn.o_proj.weight': 'attn_output.weight',
  'post_attention_layernorm.weight': 'ffn_norm.weight',
  'mlp.gate_proj.weight': 'ffn_gate.weight',
  'mlp.up_proj.weight': 'ffn_up.weight',
  'mlp.down_proj.weight': 'ffn_down.weight',
};

const OUTER_NAMES: Record<string, string> = {
  'model.embed_tokens.weight': 'token_embd.weight',
  'model.norm.weight': 'output_norm.weight',
  'lm_head.weight': 'output.weight',
};

/** The llama.cpp name of a Hugging Face Llama tensor name. */
export function ggufNameOf(name: string): string {
  const outer = OUTER_NAMES[name];
  if (outer) return outer;
  const match = /^model\.layers\.(\d+)\.(.+)$/.exec(name);
  const inner = match ? LAYER_NAMES[match[2] ?? ''] : undefined;
  if (!match || !inner) throw new Error(`no llama.cpp name for ${name}`);
  return `blk.${match[1] ?? ''}.${inner}`;
}

/** GGUF bytes of a dense Llama spec whose tensors take `types` (same order as the spec). */
export function llamaGguf(spec: ModelSpec, types: readonly GgmlTypeName[]): Uint8Array {
  const mixer = spec.layers[0]?.mixer;
  if (mixer?.kind !== 'attention') throw new Error('a llama spec has attention layers');
  const metadata: Record<string, GgufEntry> = {
    'general.architecture': { type: 'string', value: 'llama' },
    'general.name': { type: 'string', value: spec.name },
    'llama.block_count': { type: 'u32', value: spec.layers.length },
    'llama.context_length': { type: 'u32', value: 8192 },
    'llama.embedding_length': { type: 'u32', value: spec.hiddenSize },
    'llama.feed_forward_length': { type: 'u32', value: 14336 },
    'llama.attention.head_count': { type: 'u32', value: mixer.heads },
    'llama.attention.head_count_kv': { type: 'u32', value: mixer.kvHeads },
    'llama.attention.layer_norm_rms_epsilon': { type: 'f32', value: 1e-5 },
  };
  const tensors: GgufTensor[] = spec.tensors.map((tensor, index) => ({
    name: ggufNameOf(tensor.name),
    ne: [...tensor.shape].reverse(),
    type: GGML_TYPES[types[index] ?? 'F32'].id,
  }));
  return ggufBytes(metadata, tensors);
}
