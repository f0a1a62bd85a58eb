// Multi-head latent attention (DeepSeek-V2/V3, Kimi): reading its ranks and building its weights.

import type { MlaMixer, TensorSpec } from '../../spec.ts';
import { linearTensors, normTensors } from '../../tensors.ts';
import type { ConfigReader } from '../reader.ts';

/**
 * Reads the MLA shape: query heads, the optional query LoRA rank (`q_lora_rank`, null for
 * DeepSeek-V2-Lite and Kimi-Linear, which project queries directly), the KV latent rank
 * (`kv_lora_rank`, required), and the no-rope / rope / value head dims.
 */
export function readMlaMixer(config: ConfigReader): MlaMixer {
  return {
    kind: 'mla',
    heads: config.int('num_attention_heads'),
    qLoraRank: config.optInt('q_lora_rank'),
    kvLoraRank: config.int('kv_lora_rank'),
    qkNopeHeadDim: config.int('qk_nope_head_dim'),
    qkRopeHeadDim: config.int('qk_rope_head_dim'),
    vHeadDim: config.int('v_head_dim'),
  };
}

/** Where one MLA block's weights live. */
export interface MlaWeights {
  /** Name prefix, e.g. `model.layers.0.self_attn`. */
  prefix: string;
  layer: number;
  hiddenSize: number;
  /** `attention_bias`: bias on q_a_proj, kv_a_proj_with_mqa and o_proj (false in releases). */
  bias: boolean;
}

/**
 * MLA weights as in DeepSeek-V3's modeling code: queries through q_a_proj [qLora, hidden],
 * q_a_layernorm and q_b_proj [H x (nope + rope), qLora], or one q_proj [H x (nope + rope),
 * hidden] without a query rank; kv_a_proj_with_mqa [kvLora + rope, hidden], kv_a_layernorm
 * [kvLora], kv_b_proj [H x (nope + v), kvLora] and o_proj [hidden, H x v].
 */
export function mlaTensors(weights: MlaWeights, mixer: MlaMixer): TensorSpec[] {
  const { prefix, layer, hiddenSize, bias } = weights;
  const qHeadDim = mixer.qkNopeHeadDim + mixer.qkRopeHeadDim;
  const common = { group: 'attention' as const, layer };
  const tensors: TensorSpec[] = [];

  if (mixer.qLoraRank === null) {
    tensors.push(
      ...linearTensors({
        ...common,
        name: `${prefix}.q_proj`,
        outFeatures: mixer.heads * qHeadDim,
        inFeatures: hiddenSize,
        bias: false,
        role: 'attn_q',
      }),
    );
  } else {
    tensors.push(
      ...linearTensors({
        ...common,
        name: `${prefix}.q_a_proj`,
        outFeatures: mixer.qLoraRank,
        inFeatures: hiddenSize,
        bias,
        role: 'attn_q_a',
      }),
      ...normTensors(`${prefix}.q_a_layernorm`, mixer.qLoraRank, layer),
      ...linearTensors({
        ...common,
        name: `${prefix}.q_b_proj`,
        outFeatures: mixer.heads * qHeadDim,
        inFeatures: mixer.qLoraRank,
        bias: false,
        role: 'attn_q_b',
      }),
    );
  }

  tensors.push(
    ...linearTensors({
      ...common,
      name: `${prefix}.kv_a_proj_with_mqa`,
      outFeatures: mixer.kvLoraRank + mixer.qkRopeHeadDim,
      inFeatures: hiddenSize,
      bias,
      role: 'attn_kv_a',
    }),
    ...normTensors(`${prefix}.kv_a_layernorm`, mixer.kvLoraRank, layer),
    ...linearTensors({
      ...common,
      name: `${prefix}.kv_b_proj`,
      outFeatures: mixer.heads * (mixer.qkNopeHeadDim + mixer.vHeadDim),
      inFeatures: mixer.kvLoraRank,
      bias: false,
      role: 'attn_kv_b',
    }),
    ...linearTensors({
      ...common,
      name: `${prefix}.o_proj`,
      outFeatures: hiddenSize,
      inFeatures: mixer.heads * mixer.vHeadDim,
      bias,
      role: 'attn_output',
    }),
  );
  return tensors;
}
