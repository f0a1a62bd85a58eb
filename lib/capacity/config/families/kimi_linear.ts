// Kimi-Linear (`kimi_linear`): Kimi delta attention layers with an MLA layer every few, and MoE.

import type { CapacityWarning } from '../../errors.ts';
import type { MlaMixer, RecurrentMixer, TensorSpec } from '../../spec.ts';
import { layerPrefix, linearTensors, normTensors, tensor } from '../../tensors.ts';
import type { FamilySpec } from '../family.ts';
import { readMaxPosition } from '../family.ts';
import type { ConfigReader } from '../reader.ts';
import type { FfnBlock, HybridLayer } from './hybrid.ts';
import { buildHybrid } from './hybrid.ts';
import { mlaTensors, readMlaMixer } from './mla.ts';
import { readExpertCounts } from './moe.ts';

/** Shape of a Kimi delta attention layer (`linear_attn_config`). */
export interface KdaDims {
  heads: number;
  headDim: number;
  convKernel: number;
}

/**
 * KDA state per sequence and layer: one headDim x headDim matrix per head, and three short
 * conv windows (q, k and v), each (kernel - 1) x heads x headDim. Source: vLLM
 * `kda_state_shape` (conv over proj + 2 x proj_k channels, recurrent heads x dim x dim).
 */
export function kdaMixer(dims: KdaDims): RecurrentMixer {
  const projection = dims.heads * dims.headDim;
  return {
    kind: 'recurrent',
    variant: 'kda',
    stateElements: dims.heads * dims.headDim * dims.headDim,
    convElements: (dims.convKernel - 1) * 3 * projection,
  };
}

/**
 * KDA weights (Moonshot's `KimiDeltaAttention`): q, k, v projections [heads x dim, hidden],
 * their short convolutions [heads x dim, 1, kernel] without bias, A_log [heads], the decay gate
 * f_a [dim, hidden] and f_b [heads x dim, dim] with dt_bias [heads x dim], beta b_proj
 * [heads, hidden], the output gate g_a and g_b, the gated norm o_norm [dim], o_proj.
 */
function kdaTensors(
  prefix: string,
  layer: number,
  hiddenSize: number,
  dims: KdaDims,
): TensorSpec[] {
  const projection = dims.heads * dims.headDim;
  const ssm = { group: 'ssm' as const, layer, bias: false };
  const linear = (
    name: string,
    outFeatures: number,
    inFeatures: number,
    role: 'ssm_in' | 'ssm_out' | 'other',
  ) => linearTensors({ ...ssm, name: `${prefix}.${name}`, outFeatures, inFeatures, role });
  const conv = (name: string) =>
    tensor({
      name: `${prefix}.${name}.weight`,
      shape: [projection, 1, dims.convKernel],
      group: 'ssm',
      role: 'ssm_conv',
      layer,
    });

  return [
    ...linear('q_proj', projection, hiddenSize, 'ssm_in'),
    ...linear('k_proj', projection, hiddenSize, 'ssm_in'),
    ...linear('v_proj', projection, hiddenSize, 'ssm_in'),
    conv('q_conv1d'),
    conv('k_conv1d'),
    conv('v_conv1d'),
    tensor({
      name: `${prefix}.A_log`,
      shape: [1, 1, dims.heads, 1],
      group: 'ssm',
      role: 'ssm_a',
      layer,
    }),
    ...linear('f_a_proj', dims.headDim, hiddenSize, 'other'),
    ...linear('f_b_proj', projection, dims.headDim, 'other'),
    tensor({ name: `${prefix}.dt_bias`, shape: [projection], group: 'ssm', role: 'ssm_dt', layer }),
    ...linear('b_proj', dims.heads, hiddenSize, 'other'),
    ...linear('g_a_proj', dims.headDim, hiddenSize, 'other'),
    ...linear('g_b_proj', projection, dims.headDim, 'other'),
    ...normTensors(`${prefix}.o_norm`, dims.headDim, layer),
    ...linear('o_proj', hiddenSize, projection, 'ssm_out'),
  ];
}

/** Which layers are KDA (by index from 0), and the shape they share. */
export interface KdaLayout {
  isKda: boolean[];
  dims: KdaDims;
}

function readLayerList(linear: ConfigReader, key: string, layers: number): Set<number> {
  return new Set(linear.intArray(key, { min: 1, max: layers }));
}

/**
 * Reads `linear_attn_config`: `kda_layers` lists the KDA layers counting from 1 (as Moonshot's
 * `is_kda_layer` reads it: layer i is KDA when i + 1 is listed); the rest are MLA. When
 * `full_attn_layers` is stated it must list exactly the other layers.
 */
export function readKdaLayout(config: ConfigReader, layers: number): KdaLayout | null {
  const linear = config.child('linear_attn_config');
  if (linear === null) return null;

  const kda = readLayerList(linear, 'kda_layers', layers);
  const isKda = Array.from({ length: layers }, (_, index) => kda.has(index + 1));

  if (linear.has('full_attn_layers')) {
    const full = readLayerList(linear, 'full_attn_layers', layers);
    const complete = isKda.every((kdaLayer, index) => kdaLayer !== full.has(index + 1));
    if (!complete) {
      linear.contradiction(
        ['kda_layers', 'full_attn_layers'],
        'every layer must be listed in exactly one of the two lists',
        `the numbers 1 to ${layers}, each in one list`,
      );
    }
  }

  const dims: KdaDims = {
    heads: linear.int('num_heads'),
    headDim: linear.int('head_dim'),
    convKernel: linear.int('short_conv_kernel_size'),
  };
  return { isKda, dims };
}

function kimiFfn(config: ConfigReader, layers: number): (index: number) => FfnBlock {
  const firstMoe = config.intOr('first_k_dense_replace', 0, { min: 0, max: layers });
  const frequency = config.intOr('moe_layer_freq', 1, { max: layers });
  const dense = (index: number): FfnBlock => ({
    kind: 'dense',
    prefix: `${layerPrefix(index)}.mlp`,
    intermediateSize: config.int('intermediate_size'),
    gated: true,
  });
  if (!config.has('num_experts')) return dense;

  const counts = readExpertCounts(config, {
    experts: 'num_experts',
    expertsPerToken: 'num_experts_per_token',
  });
  const expertSize = config.int('moe_intermediate_size');
  const shared = config.optInt('num_shared_experts', { min: 0 }) ?? 0;

  return (index) => {
    if (index < firstMoe || index % frequency !== 0) return dense(index);
    return {
      kind: 'moe',
      prefix: `${layerPrefix(index)}.block_sparse_moe`,
      moe: {
        ...counts,
        expertIntermediateSize: expertSize,
        names: { gate: 'w1', up: 'w3', down: 'w2' },
      },
      ...(shared > 0
        ? { shared: { name: 'shared_experts', intermediateSize: expertSize * shared } }
        : {}),
      routerCorrectionBias: true,
    };
  };
}

function kimiLayer(
  config: { hiddenSize: number; mla: MlaMixer; kda: KdaLayout | null },
  ffn: FfnBlock,
  index: number,
): HybridLayer {
  const prefix = layerPrefix(index);
  const norms = [`${prefix}.input_layernorm`, `${prefix}.post_attention_layernorm`];
  const kda = config.kda;
  if (kda !== null && kda.isKda[index] === true) {
    return {
      mixer: kdaMixer(kda.dims),
      mixerTensors: kdaTensors(`${prefix}.self_attn`, index, config.hiddenSize, kda.dims),
      ffn,
      norms,
    };
  }
  const weights = {
    prefix: `${prefix}.self_attn`,
    layer: index,
    hiddenSize: config.hiddenSize,
    bias: false,
  };
  return { mixer: config.mla, mixerTensors: mlaTensors(weights, config.mla), ffn, norms };
}

function mtpWarning(config: ConfigReader, layers: number): CapacityWarning {
  return {
    code: 'mtp_layers_excluded',
    message: `${config.field('num_nextn_predict_layers')} ${layers}: multi-token-prediction weights are not counted`,
    data: { mtpLayers: layers, counted: false },
  };
}

/**
 * Kimi-Linear-48B-A3B (`kimi_linear`): 27 layers, KDA on the layers of
 * `linear_attn_config.kda_layers` (a fixed state per sequence) and MLA without a query rank on
 * the others (7 layers, latent 512 + rope 64 per token); a dense first layer, then 256 experts
 * (top 8) plus one shared expert behind a sigmoid router with a correction bias.
 * 49,122,681,728 parameters (the sum of its safetensors tensors).
 */
export function parseKimiLinear(config: ConfigReader): FamilySpec {
  const hiddenSize = config.int('hidden_size');
  const layers = config.int('num_hidden_layers');
  const layout = { hiddenSize, mla: readMlaMixer(config), kda: readKdaLayout(config, layers) };
  const ffn = kimiFfn(config, layers);
  const stack = Array.from({ length: layers }, (_, index) => kimiLayer(layout, ffn(index), index));
  const mtpLayers = config.intOr('num_nextn_predict_layers', 0, { min: 0 });

  return buildHybrid({
    modelType: 'kimi_linear',
    hiddenSize,
    vocabSize: config.int('vocab_size'),
    tiedEmbeddings: config.boolOr('tie_word_embeddings', false),
    maxPositionTokens: readMaxPosition(config) ?? config.optInt('model_max_length'),
    layers: stack,
    sharedExperts: config.optInt('num_shared_experts', { min: 0 }) ?? 0,
    names: { embedding: 'model.embed_tokens.weight', finalNorm: 'model.norm' },
    mtp: { layers: mtpLayers, tensors: [] },
    warnings: mtpLayers > 0 ? [mtpWarning(config, mtpLayers)] : [],
  });
}
