// Nemotron-H (`nemotron_h`): a per-layer pattern of Mamba-2, attention and MLP-only blocks.

import type { FamilySpec } from '../family.ts';
import { attentionMixer, readHeadShape, readMaxPosition } from '../family.ts';
import type { ConfigReader } from '../reader.ts';
import { attentionTensors } from '../../tensors.ts';
import type { HybridLayer } from './hybrid.ts';
import { buildHybrid } from './hybrid.ts';
import type { Mamba2Dims } from './ssm.ts';
import { checkMamba2Groups, checkMamba2Inner, mamba2Mixer, mamba2Tensors } from './ssm.ts';

/** What one character of `hybrid_override_pattern` puts in a layer. */
export type NemotronBlock = 'mamba' | 'attention' | 'mlp';

const PATTERN_BLOCKS: Readonly<Record<string, NemotronBlock>> = {
  M: 'mamba',
  '*': 'attention',
  '-': 'mlp',
};

/**
 * Reads `hybrid_override_pattern`, one character per layer: `M` a Mamba-2 mixer, `*`
 * attention, `-` an MLP. Its length must equal `num_hidden_layers`; any other character
 * (such as Nemotron 3's `E` for experts) is rejected with its position.
 */
export function readHybridPattern(config: ConfigReader, layers: number): NemotronBlock[] {
  const pattern = config.string('hybrid_override_pattern');

  if (pattern.length !== layers) {
    config.contradiction(
      ['hybrid_override_pattern', 'num_hidden_layers'],
      `the pattern has ${pattern.length} characters, the model has ${layers} layers`,
      `one pattern character per layer (${layers})`,
    );
  }

  return [...pattern].map((character, index) => {
    const block = PATTERN_BLOCKS[character];
    if (block === undefined) {
      config.invalid(
        `hybrid_override_pattern[${index}]`,
        character,
        'M (Mamba-2), * (attention) or - (MLP)',
      );
    }
    return block;
  });
}

function readMambaDims(config: ConfigReader, hiddenSize: number): Mamba2Dims {
  const heads = config.int('mamba_num_heads');
  const headDim = config.int('mamba_head_dim');
  const dims: Mamba2Dims = {
    innerSize: heads * headDim,
    heads,
    headDim,
    groups: config.int('n_groups'),
    stateSize: config.int('ssm_state_size'),
    convKernel: config.int('conv_kernel'),
  };
  const expand = config.optInt('expand');
  if (expand !== null) {
    checkMamba2Inner(
      config,
      { ...dims, innerSize: expand * hiddenSize },
      { heads: 'mamba_num_heads', headDim: 'mamba_head_dim', expand: 'expand' },
    );
  }
  checkMamba2Groups(config, dims, ['mamba_num_heads', 'n_groups']);
  return dims;
}

/**
 * Nemotron-H 8B/47B/56B (`nemotron_h`, NemotronHForCausalLM). Every layer is one RMS norm and
 * one block chosen by `hybrid_override_pattern`: a Mamba-2 mixer (`mamba_num_heads` x
 * `mamba_head_dim`, `n_groups`, `ssm_state_size`), a GQA attention block (`attention_head_dim`)
 * or a ReLU^2 MLP (up and down projections of `intermediate_size`). Nemotron-H-56B: 118 layers,
 * 54 Mamba-2, 10 attention, 54 MLP; 56.3B parameters.
 */
export function parseNemotronH(config: ConfigReader): FamilySpec {
  const hiddenSize = config.int('hidden_size');
  const layers = config.int('num_hidden_layers');
  const pattern = readHybridPattern(config, layers);
  const needs = new Set(pattern);
  const dims = needs.has('mamba') ? readMambaDims(config, hiddenSize) : null;
  const heads = needs.has('attention')
    ? readHeadShape(config, hiddenSize, { headDim: ['attention_head_dim', 'head_dim'] })
    : null;
  const intermediateSize = needs.has('mlp') ? config.int('intermediate_size') : 0;
  const attentionBias = config.boolOr('attention_bias', false);
  const mlpBias = config.boolOr('mlp_bias', false);
  const projBias = config.boolOr('use_bias', false);
  const convBias = config.boolOr('use_conv_bias', true);

  const stack: HybridLayer[] = pattern.map((block, index) => {
    const prefix = `backbone.layers.${index}.mixer`;
    const norms = [`backbone.layers.${index}.norm`];
    if (block === 'mamba' && dims !== null) {
      const weights = { prefix, layer: index, hiddenSize, projBias, convBias };
      return {
        mixer: mamba2Mixer(dims),
        mixerTensors: mamba2Tensors(weights, dims),
        ffn: { kind: 'none' },
        norms,
      };
    }
    if (block === 'attention' && heads !== null) {
      const mixerTensors = attentionTensors({
        prefix,
        layer: index,
        hiddenSize,
        heads: heads.heads,
        kvHeads: heads.kvHeads,
        headDimK: heads.headDim,
        qkvBias: attentionBias,
        outputBias: attentionBias,
      });
      return { mixer: attentionMixer(heads, null), mixerTensors, ffn: { kind: 'none' }, norms };
    }
    return {
      mixer: { kind: 'none' },
      mixerTensors: [],
      ffn: { kind: 'dense', prefix, intermediateSize, gated: false, bias: mlpBias },
      norms,
    };
  });

  return buildHybrid({
    modelType: 'nemotron_h',
    hiddenSize,
    vocabSize: config.int('vocab_size'),
    tiedEmbeddings: config.boolOr('tie_word_embeddings', false),
    maxPositionTokens: readMaxPosition(config),
    layers: stack,
    sharedExperts: 0,
    names: { embedding: 'backbone.embeddings.weight', finalNorm: 'backbone.norm_f' },
  });
}
