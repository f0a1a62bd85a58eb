// Qwen3-Next (`qwen3_next`): gated DeltaNet layers with a gated full-attention layer every 4th.

import type { CapacityWarning } from '../../errors.ts';
import type { RecurrentMixer, TensorSpec } from '../../spec.ts';
import {
  attentionTensors,
  layerPrefix,
  linearTensors,
  normTensors,
  tensor,
} from '../../tensors.ts';
import type { FamilySpec, HeadShape } from '../family.ts';
import { attentionMixer, readHeadShape, readMaxPosition } from '../family.ts';
import type { ConfigReader } from '../reader.ts';
import type { FfnBlock, HybridLayer } from './hybrid.ts';
import { buildHybrid } from './hybrid.ts';
import { qwenSparseLayers, readExpertCounts } from './moe.ts';

/** Shape of a gated DeltaNet layer (`linear_*` keys). */
export interface DeltaNetDims {
  keyHeads: number;
  valueHeads: number;
  keyHeadDim: number;
  valueHeadDim: number;
  convKernel: number;
}

/**
 * Gated DeltaNet state per sequence and layer: one valueHeadDim x keyHeadDim matrix per value
 * head, and the conv window over q, k and v: (kernel - 1) x (2 x keyHeads x keyHeadDim +
 * valueHeads x valueHeadDim). Source: vLLM `gated_delta_net_state_shape`, capacity.md 3.1.
 */
export function gatedDeltaNetMixer(dims: DeltaNetDims): RecurrentMixer {
  const keyDim = dims.keyHeads * dims.keyHeadDim;
  const valueDim = dims.valueHeads * dims.valueHeadDim;
  return {
    kind: 'recurrent',
    variant: 'gated_deltanet',
    stateElements: dims.valueHeads * dims.valueHeadDim * dims.keyHeadDim,
    convElements: (dims.convKernel - 1) * (2 * keyDim + valueDim),
  };
}

/**
 * Gated DeltaNet weights (transformers `Qwen3NextGatedDeltaNet`): in_proj_qkvz [2 x key +
 * 2 x value dims, hidden], in_proj_ba [2 x value heads, hidden], conv1d [2 x key + value dims,
 * 1, kernel] without bias, dt_bias and A_log [value heads], the gated norm [value head dim],
 * out_proj [hidden, value dim].
 */
function deltaNetTensors(
  prefix: string,
  layer: number,
  hiddenSize: number,
  dims: DeltaNetDims,
): TensorSpec[] {
  const keyDim = dims.keyHeads * dims.keyHeadDim;
  const valueDim = dims.valueHeads * dims.valueHeadDim;
  const convDim = 2 * keyDim + valueDim;
  const ssm = { group: 'ssm' as const, layer, bias: false };
  const perHead = { group: 'ssm' as const, layer, shape: [dims.valueHeads] };
  return [
    ...linearTensors({
      ...ssm,
      name: `${prefix}.in_proj_qkvz`,
      outFeatures: 2 * keyDim + 2 * valueDim,
      inFeatures: hiddenSize,
      role: 'ssm_in',
    }),
    ...linearTensors({
      ...ssm,
      name: `${prefix}.in_proj_ba`,
      outFeatures: 2 * dims.valueHeads,
      inFeatures: hiddenSize,
      role: 'ssm_in',
    }),
    tensor({
      name: `${prefix}.conv1d.weight`,
      shape: [convDim, 1, dims.convKernel],
      group: 'ssm',
      role: 'ssm_conv',
      layer,
    }),
    tensor({ ...perHead, name: `${prefix}.dt_bias`, role: 'ssm_dt' }),
    tensor({ ...perHead, name: `${prefix}.A_log`, role: 'ssm_a' }),
    ...normTensors(`${prefix}.norm`, dims.valueHeadDim, layer),
    ...linearTensors({
      ...ssm,
      name: `${prefix}.out_proj`,
      outFeatures: hiddenSize,
      inFeatures: valueDim,
      role: 'ssm_out',
    }),
  ];
}

/**
 * Gated attention weights: Llama-style q/k/v/o with q/k RMS norms, where q_proj also yields a
 * sigmoid output gate per head, so it has 2 x heads x head_dim rows.
 */
function gatedAttentionTensors(
  prefix: string,
  layer: number,
  hiddenSize: number,
  heads: HeadShape,
  bias: boolean,
): TensorSpec[] {
  const tensors = attentionTensors({
    prefix,
    layer,
    hiddenSize,
    heads: heads.heads,
    kvHeads: heads.kvHeads,
    headDimK: heads.headDim,
    qkvBias: bias,
    outputBias: bias,
    qkNorm: true,
  });
  const gatedRows = 2 * heads.heads * heads.headDim;
  return tensors.map((spec) => {
    if (spec.role === 'attn_q') return { ...spec, shape: [gatedRows, hiddenSize] };
    if (spec.name === `${prefix}.q_proj.bias`) return { ...spec, shape: [gatedRows] };
    return spec;
  });
}

/**
 * Which layers hold full attention: `layer_types` (linear_attention / full_attention) when
 * stated, else every `full_attention_interval`-th layer (transformers' Qwen3NextConfig: layer i
 * is full when (i + 1) is a multiple of the interval, 4 by default).
 */
export function readFullAttentionLayers(config: ConfigReader, layers: number): boolean[] {
  const types = config.optStringArray('layer_types');
  if (types === null) {
    const interval = config.intOr('full_attention_interval', 4, { max: layers });
    return Array.from({ length: layers }, (_, index) => (index + 1) % interval === 0);
  }

  if (types.length !== layers) {
    config.contradiction(
      ['layer_types', 'num_hidden_layers'],
      `layer_types lists ${types.length} layers, the model has ${layers}`,
      `${layers} entries in layer_types`,
    );
  }
  return types.map((name, index) => {
    if (name === 'full_attention') return true;
    if (name !== 'linear_attention') {
      config.invalid(`layer_types[${index}]`, name, 'linear_attention or full_attention');
    }
    return false;
  });
}

function readDeltaNetDims(config: ConfigReader): DeltaNetDims {
  const dims: DeltaNetDims = {
    keyHeads: config.int('linear_num_key_heads'),
    valueHeads: config.int('linear_num_value_heads'),
    keyHeadDim: config.int('linear_key_head_dim'),
    valueHeadDim: config.int('linear_value_head_dim'),
    convKernel: config.int('linear_conv_kernel_dim'),
  };
  if (dims.valueHeads % dims.keyHeads !== 0) {
    config.contradiction(
      ['linear_num_value_heads', 'linear_num_key_heads'],
      `${dims.valueHeads} value heads cannot share ${dims.keyHeads} key heads evenly`,
      'value heads a multiple of key heads',
    );
  }
  return dims;
}

function qwen3NextFfn(config: ConfigReader, layers: number): (index: number) => FfnBlock {
  const sparse = qwenSparseLayers(config, layers);
  const dense = (index: number): FfnBlock => ({
    kind: 'dense',
    prefix: `${layerPrefix(index)}.mlp`,
    intermediateSize: config.int('intermediate_size'),
    gated: true,
  });
  if ((config.optInt('num_experts', { min: 0 }) ?? 0) === 0) return dense;

  const counts = readExpertCounts(config, {
    experts: 'num_experts',
    expertsPerToken: 'num_experts_per_tok',
  });
  const expertSize = config.int('moe_intermediate_size');
  const sharedSize = config.optInt('shared_expert_intermediate_size', { min: 0 }) ?? 0;

  return (index) => {
    if (!sparse(index)) return dense(index);
    return {
      kind: 'moe',
      prefix: `${layerPrefix(index)}.mlp`,
      moe: { ...counts, expertIntermediateSize: expertSize },
      ...(sharedSize > 0
        ? {
            shared: {
              name: 'shared_expert',
              intermediateSize: sharedSize,
              gateName: 'shared_expert_gate',
            },
          }
        : {}),
    };
  };
}

function mtpWarning(config: ConfigReader, key: string, layers: number): CapacityWarning {
  return {
    code: 'mtp_layers_excluded',
    message: `${config.field(key)} ${layers}: multi-token-prediction weights are not counted`,
    data: { mtpLayers: layers, counted: false },
  };
}

/**
 * Qwen3-Next-80B-A3B (`qwen3_next`). Layers alternate three gated DeltaNet layers (a fixed
 * recurrent state per sequence) with one gated full-attention layer (KV grows with context);
 * every layer's feed-forward is MoE (512 experts, top 10, plus a gated shared expert) unless
 * `mlp_only_layers` or `decoder_sparse_step` say otherwise. 79,674,391,296 parameters without
 * the MTP module, 3.87B read per token.
 */
export function parseQwen3Next(config: ConfigReader): FamilySpec {
  const hiddenSize = config.int('hidden_size');
  const layers = config.int('num_hidden_layers');
  const full = readFullAttentionLayers(config, layers);
  const heads = readHeadShape(config, hiddenSize);
  const dims = readDeltaNetDims(config);
  const bias = config.boolOr('attention_bias', false);
  const ffn = qwen3NextFfn(config, layers);

  const stack: HybridLayer[] = full.map((isFull, index) => {
    const prefix = layerPrefix(index);
    const norms = [`${prefix}.input_layernorm`, `${prefix}.post_attention_layernorm`];
    if (isFull) {
      return {
        mixer: attentionMixer(heads, null),
        mixerTensors: gatedAttentionTensors(`${prefix}.self_attn`, index, hiddenSize, heads, bias),
        ffn: ffn(index),
        norms,
      };
    }
    return {
      mixer: gatedDeltaNetMixer(dims),
      mixerTensors: deltaNetTensors(`${prefix}.linear_attn`, index, hiddenSize, dims),
      ffn: ffn(index),
      norms,
    };
  });

  const mtpKey = config.presentKey(['num_nextn_predict_layers', 'mtp_num_hidden_layers']);
  const mtpLayers = mtpKey === null ? 0 : config.intOr(mtpKey, 0, { min: 0 });

  return buildHybrid({
    modelType: 'qwen3_next',
    hiddenSize,
    vocabSize: config.int('vocab_size'),
    tiedEmbeddings: config.boolOr('tie_word_embeddings', false),
    maxPositionTokens: readMaxPosition(config),
    layers: stack,
    sharedExperts: (config.optInt('shared_expert_intermediate_size', { min: 0 }) ?? 0) > 0 ? 1 : 0,
    names: { embedding: 'model.embed_tokens.weight', finalNorm: 'model.norm' },
    mtp: { layers: mtpLayers, tensors: [] },
    warnings: mtpKey !== null && mtpLayers > 0 ? [mtpWarning(config, mtpKey, mtpLayers)] : [],
  });
}
