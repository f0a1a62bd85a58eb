// Pure state-space models: Mamba (`mamba`) and Mamba-2 (`mamba2`), no attention and no MLP.

import type { FamilySpec } from '../family.ts';
import { readMaxPosition } from '../family.ts';
import type { ConfigReader } from '../reader.ts';
import type { HybridLayer } from './hybrid.ts';
import { buildHybrid } from './hybrid.ts';
import type { Mamba1Dims, Mamba2Dims, MambaWeights } from './ssm.ts';
import {
  checkMamba2Groups,
  checkMamba2Inner,
  mamba1Mixer,
  mamba1Tensors,
  mamba2Mixer,
  mamba2Tensors,
  readDtRank,
} from './ssm.ts';

/** The sizes both Mamba generations state, under transformers' and mamba_ssm's key names. */
interface MambaSizes {
  hiddenSize: number;
  layers: number;
  vocabSize: number;
}

function readMambaSizes(config: ConfigReader): MambaSizes {
  return {
    hiddenSize: config.int(['hidden_size', 'd_model']),
    layers: config.int(['num_hidden_layers', 'n_layer']),
    vocabSize: config.int('vocab_size'),
  };
}

/**
 * The inner size: `intermediate_size` when stated, else `expand` x hidden; when both are
 * stated they must agree.
 */
function readInnerSize(config: ConfigReader, hiddenSize: number, expandDefault: number): number {
  const expand = config.intOr('expand', expandDefault);
  const stated = config.optInt('intermediate_size');
  if (stated === null) return expand * hiddenSize;

  if (config.has('expand') && stated !== expand * hiddenSize) {
    config.contradiction(
      ['intermediate_size', 'expand', 'hidden_size'],
      `intermediate_size ${stated} is not expand ${expand} x hidden ${hiddenSize}`,
      'intermediate_size equal to expand x hidden_size',
    );
  }
  return stated;
}

function weightsOf(config: ConfigReader, sizes: MambaSizes, index: number): MambaWeights {
  return {
    prefix: `backbone.layers.${index}.mixer`,
    layer: index,
    hiddenSize: sizes.hiddenSize,
    projBias: config.boolOr('use_bias', false),
    convBias: config.boolOr('use_conv_bias', true),
  };
}

function mambaStack(
  sizes: MambaSizes,
  build: (index: number) => Pick<HybridLayer, 'mixer' | 'mixerTensors'>,
): HybridLayer[] {
  return Array.from({ length: sizes.layers }, (_, index) => ({
    ...build(index),
    ffn: { kind: 'none' },
    norms: [`backbone.layers.${index}.norm`],
  }));
}

/**
 * Mamba-1 (`mamba`, transformers `MambaForCausalLM`): per layer one RMS norm and one mixer
 * (selective scan, state_size per channel), tied embeddings by default. mamba-2.8b: 64 layers,
 * hidden 2560, inner 5120, state 16, conv 4, dt rank 160 = 2,768,345,600 parameters and a fixed
 * state of 64 x (5120 x 16 + 3 x 5120) = 6,225,920 elements per sequence (capacity.md T11).
 */
export function parseMamba(config: ConfigReader): FamilySpec {
  const sizes = readMambaSizes(config);
  const dims: Mamba1Dims = {
    innerSize: readInnerSize(config, sizes.hiddenSize, 2),
    stateSize: config.int(['state_size', 'd_state']),
    convKernel: config.int(['conv_kernel', 'd_conv']),
    dtRank: readDtRank(config, 'time_step_rank', sizes.hiddenSize),
  };
  const mixer = mamba1Mixer(dims);

  return buildHybrid({
    modelType: 'mamba',
    ...sizes,
    tiedEmbeddings: config.boolOr('tie_word_embeddings', true),
    maxPositionTokens: readMaxPosition(config),
    layers: mambaStack(sizes, (index) => ({
      mixer,
      mixerTensors: mamba1Tensors(weightsOf(config, sizes, index), dims),
    })),
    sharedExperts: 0,
    names: { embedding: 'backbone.embeddings.weight', finalNorm: 'backbone.norm_f' },
  });
}

/**
 * Mamba-2 (`mamba2`, transformers `Mamba2ForCausalLM`): per layer one RMS norm and one SSD
 * mixer with `num_heads` heads of `head_dim`, `n_groups` shared B/C groups (8 when absent,
 * as Mamba2Config) and `state_size`; untied embeddings by default (Mamba2Config). Mamba-2
 * 2.7B: 64 layers, hidden 2560, 80 heads of 64, state 128, one group.
 */
export function parseMamba2(config: ConfigReader): FamilySpec {
  const sizes = readMambaSizes(config);
  const dims: Mamba2Dims = {
    innerSize: readInnerSize(config, sizes.hiddenSize, 2),
    heads: config.int('num_heads'),
    headDim: config.int('head_dim'),
    groups: config.intOr('n_groups', 8),
    stateSize: config.int('state_size'),
    convKernel: config.int('conv_kernel'),
  };
  checkMamba2Inner(config, dims, { heads: 'num_heads', headDim: 'head_dim', expand: 'expand' });
  checkMamba2Groups(config, dims, ['num_heads', 'n_groups']);
  const mixer = mamba2Mixer(dims);

  return buildHybrid({
    modelType: 'mamba2',
    ...sizes,
    tiedEmbeddings: config.boolOr('tie_word_embeddings', false),
    maxPositionTokens: readMaxPosition(config),
    layers: mambaStack(sizes, (index) => ({
      mixer,
      mixerTensors: mamba2Tensors(weightsOf(config, sizes, index), dims),
    })),
    sharedExperts: 0,
    names: { embedding: 'backbone.embeddings.weight', finalNorm: 'backbone.norm_f' },
  });
}
