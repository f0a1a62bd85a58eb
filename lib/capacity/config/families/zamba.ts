// Zamba (`zamba`): Mamba layers, some of which first run one shared attention block.

import type { LayerSpec, TensorSpec } from '../../spec.ts';
import {
  attentionTensors,
  layerPrefix,
  linearTensors,
  mlpTensors,
  normTensors,
  outputHead,
  tensor,
  tokenEmbedding,
} from '../../tensors.ts';
import type { FamilySpec, HeadShape } from '../family.ts';
import { attentionMixer, readMaxPosition } from '../family.ts';
import type { ConfigReader } from '../reader.ts';
import type { Mamba1Dims, MambaWeights } from './ssm.ts';
import { mamba1Mixer, readDtRank } from './ssm.ts';

/** What each of Zamba's layers is: a Mamba layer, or the shared block followed by one. */
export type ZambaBlock = 'mamba' | 'hybrid';

/**
 * Each layer's kind: `layers_block_type` when the config lists it, else transformers'
 * ZambaConfig rule: layers 0 and 1 Mamba, layer 2 hybrid, then layer 3 + i hybrid when
 * i % `attn_layer_period` == `attn_layer_offset` (Zamba-7B: 13 hybrid layers of 76).
 */
export function readZambaBlocks(config: ConfigReader, layers: number): ZambaBlock[] {
  const listed = config.optStringArray('layers_block_type');
  if (listed !== null) {
    if (listed.length !== layers) {
      config.contradiction(
        ['layers_block_type', 'num_hidden_layers'],
        `layers_block_type lists ${listed.length} layers, the model has ${layers}`,
        `${layers} entries in layers_block_type`,
      );
    }
    return listed.map((name, index) => {
      if (name !== 'mamba' && name !== 'hybrid') {
        config.invalid(`layers_block_type[${index}]`, name, 'mamba or hybrid');
      }
      return name;
    });
  }

  const period = config.int('attn_layer_period', { max: layers });
  const offset = config.int('attn_layer_offset', { min: 0, max: period - 1 });
  const head: ZambaBlock[] = ['mamba', 'mamba', 'hybrid'];
  const rest = Array.from({ length: Math.max(0, layers - 3) }, (_, index): ZambaBlock =>
    index % period === offset ? 'hybrid' : 'mamba',
  );
  return [...head, ...rest].slice(0, layers);
}

/**
 * Zamba's Mamba mixer (transformers `ZambaMambaMixer`): Mamba-1 with `n_mamba_heads` heads that
 * split the inner channels, so x_proj [heads, dtRank + 2 x state, inner / heads], dt_proj
 * [heads, inner / heads, dtRank] with its bias, A_log [heads, inner / heads, state] and D
 * [heads, inner / heads]; the same element counts as a single-head Mamba-1 mixer.
 */
function zambaMixerTensors(weights: MambaWeights, dims: Mamba1Dims, heads: number): TensorSpec[] {
  const { prefix, layer, hiddenSize } = weights;
  const { innerSize, stateSize, dtRank } = dims;
  const perHead = innerSize / heads;
  const ssm = { group: 'ssm' as const, layer };
  const conv = [
    tensor({
      ...ssm,
      name: `${prefix}.conv1d.weight`,
      shape: [innerSize, 1, dims.convKernel],
      role: 'ssm_conv',
    }),
  ];
  if (weights.convBias) {
    conv.push(tensor({ ...ssm, name: `${prefix}.conv1d.bias`, shape: [innerSize], role: 'bias' }));
  }
  return [
    ...linearTensors({
      ...ssm,
      name: `${prefix}.in_proj`,
      outFeatures: 2 * innerSize,
      inFeatures: hiddenSize,
      bias: weights.projBias,
      role: 'ssm_in',
    }),
    ...conv,
    tensor({
      ...ssm,
      name: `${prefix}.x_proj_weight`,
      shape: [heads, dtRank + 2 * stateSize, perHead],
      role: 'ssm_x',
    }),
    tensor({
      ...ssm,
      name: `${prefix}.dt_proj_weight`,
      shape: [heads, perHead, dtRank],
      role: 'ssm_dt',
    }),
    tensor({ ...ssm, name: `${prefix}.dt_proj_bias`, shape: [heads, perHead], role: 'bias' }),
    tensor({ ...ssm, name: `${prefix}.A_log`, shape: [heads, perHead, stateSize], role: 'ssm_a' }),
    tensor({ ...ssm, name: `${prefix}.D`, shape: [heads, perHead], role: 'ssm_d' }),
    ...linearTensors({
      ...ssm,
      name: `${prefix}.out_proj`,
      outFeatures: hiddenSize,
      inFeatures: innerSize,
      bias: weights.projBias,
      role: 'ssm_out',
    }),
  ];
}

/**
 * The shared transformer block, stored once: an RMS norm over the concatenation of the hidden
 * state and the input embedding [2 x hidden], attention from 2 x hidden to heads x head dim
 * and back to hidden, a norm and a gated MLP of `intermediate_size`.
 */
function sharedBlockTensors(prefix: string, hiddenSize: number, heads: HeadShape, inter: number) {
  const attention = attentionTensors({
    prefix: `${prefix}.self_attn`,
    layer: 0,
    hiddenSize: 2 * hiddenSize,
    heads: heads.heads,
    kvHeads: heads.kvHeads,
    headDimK: heads.headDim,
  }).map((spec) =>
    spec.role === 'attn_output'
      ? { ...spec, shape: [hiddenSize, heads.heads * heads.headDim] }
      : spec,
  );
  const tensors = [
    ...normTensors(`${prefix}.input_layernorm`, 2 * hiddenSize, 0),
    ...attention,
    ...normTensors(`${prefix}.pre_ff_layernorm`, hiddenSize, 0),
    ...mlpTensors({
      prefix: `${prefix}.feed_forward`,
      layer: 0,
      hiddenSize,
      intermediateSize: inter,
      gated: true,
    }),
  ];
  return tensors.map((spec) => ({ ...spec, layer: null }));
}

function readZambaHeads(config: ConfigReader, hiddenSize: number): HeadShape {
  const heads = config.int('num_attention_heads');
  const kvHeads = config.optInt('num_key_value_heads') ?? heads;
  if (heads % kvHeads !== 0) {
    config.contradiction(
      ['num_attention_heads', 'num_key_value_heads'],
      `${heads} heads cannot be shared evenly by ${kvHeads} KV heads`,
      'attention heads a multiple of KV heads',
    );
  }
  const headDim = config.optInt('attention_head_dim') ?? (2 * hiddenSize) / heads;
  if (!Number.isInteger(headDim)) {
    config.contradiction(
      ['hidden_size', 'num_attention_heads'],
      `2 x hidden size ${hiddenSize} is not a multiple of ${heads} heads`,
      'attention_head_dim, or 2 x hidden size divisible by the head count',
    );
  }
  return { heads, kvHeads, headDim };
}

/**
 * Zamba-7B (`zamba`, transformers ZambaForCausalLM). Every layer is a Mamba layer (Mamba-1 with
 * `n_mamba_heads` heads); a hybrid layer first runs the one shared attention block on the
 * hidden state concatenated with the input embedding (head dim 2 x hidden / heads) and adds it
 * through its own linear [hidden, hidden]. Each run of the shared block keeps its own KV
 * cache, so a hybrid layer appears in `layers` as two entries: the shared block's attention
 * (with its MLP), then the Mamba layer. The shared block's weights are stored once.
 */
export function parseZamba(config: ConfigReader): FamilySpec {
  const hiddenSize = config.int('hidden_size');
  const layers = config.int('num_hidden_layers');
  const vocabSize = config.int('vocab_size');
  const blocks = readZambaBlocks(config, layers);
  const heads = readZambaHeads(config, hiddenSize);
  const dims: Mamba1Dims = {
    innerSize: config.int('mamba_expand') * hiddenSize,
    stateSize: config.int('mamba_d_state'),
    convKernel: config.int('mamba_d_conv'),
    dtRank: readDtRank(config, 'mamba_dt_rank', hiddenSize),
  };
  const mambaHeads = config.intOr('n_mamba_heads', 1);
  if (dims.innerSize % mambaHeads !== 0) {
    config.invalid('n_mamba_heads', mambaHeads, `a divisor of the inner size ${dims.innerSize}`);
  }
  const projBias = config.boolOr('mamba_proj_bias', false);
  const convBias = config.boolOr('mamba_conv_bias', true);
  const firstHybrid = blocks.indexOf('hybrid');

  const specLayers: LayerSpec[] = [];
  const tensors: TensorSpec[] = [tokenEmbedding(vocabSize, hiddenSize)];
  if (firstHybrid >= 0) {
    const prefix = `${layerPrefix(firstHybrid)}.shared_transf`;
    const inter = config.int('intermediate_size');
    tensors.push(...sharedBlockTensors(prefix, hiddenSize, heads, inter));
  }

  blocks.forEach((block, index) => {
    const prefix = layerPrefix(index);
    const mambaPrefix = block === 'hybrid' ? `${prefix}.mamba_decoder` : prefix;
    if (block === 'hybrid') {
      const attentionIndex = specLayers.length;
      specLayers.push({ index: attentionIndex, mixer: attentionMixer(heads, null), ffn: 'dense' });
      tensors.push(
        ...linearTensors({
          name: `${prefix}.linear`,
          outFeatures: hiddenSize,
          inFeatures: hiddenSize,
          bias: false,
          group: 'attention',
          role: 'other',
          layer: attentionIndex,
        }),
      );
    }
    const mambaIndex = specLayers.length;
    specLayers.push({ index: mambaIndex, mixer: mamba1Mixer(dims), ffn: 'none' });
    const weights = {
      prefix: `${mambaPrefix}.mamba`,
      layer: mambaIndex,
      hiddenSize,
      projBias,
      convBias,
    };
    tensors.push(
      ...zambaMixerTensors(weights, dims, mambaHeads),
      ...normTensors(`${mambaPrefix}.input_layernorm`, hiddenSize, mambaIndex),
    );
  });

  const tied = config.boolOr('tie_word_embeddings', true);
  tensors.push(
    ...normTensors('model.final_layernorm', hiddenSize, null),
    ...outputHead({ vocabSize, hiddenSize, tied }),
  );

  return {
    modelType: 'zamba',
    hiddenSize,
    vocabSize,
    layers: specLayers,
    mtpLayers: 0,
    tensors,
    tiedEmbeddings: tied,
    maxPositionTokens: readMaxPosition(config),
    causal: true,
    moe: null,
    warnings: [],
  };
}
