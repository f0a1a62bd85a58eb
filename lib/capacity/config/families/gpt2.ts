// GPT-2 (`gpt2`) config parser.

import type { FamilySpec } from '../family.ts';
import { attentionMixer, readHeadShape, readMaxPosition } from '../family.ts';
import type { ConfigReader } from '../reader.ts';
import { positionEmbedding } from '../../tensors.ts';
import { buildDecoder } from './decoder.ts';

/**
 * GPT-2: learned positions `wpe` `[n_positions, n_embd]`, fused `c_attn` and `c_proj` with bias,
 * a plain GELU MLP of `n_inner` (default 4 x n_embd) with bias, LayerNorms with bias, tied LM
 * head. GPT-2 small: 124,439,808 parameters.
 */
export function parseGpt2(config: ConfigReader): FamilySpec {
  const hiddenSize = config.int(['n_embd', 'hidden_size']);
  const layers = config.int(['n_layer', 'num_hidden_layers']);
  const heads = readHeadShape(config, hiddenSize, {
    heads: ['n_head', 'num_attention_heads'],
    kvHeads: ['n_head_kv'],
  });
  const positions = config.int(['n_positions', 'max_position_embeddings']);
  const plan = {
    kind: 'dense' as const,
    intermediateSize: config.intOr('n_inner', 4 * hiddenSize),
    gated: false,
    bias: true,
    names: { up: 'c_fc', down: 'c_proj' },
  };

  return buildDecoder({
    modelType: 'gpt2',
    hiddenSize,
    vocabSize: config.int('vocab_size'),
    tiedEmbeddings: config.boolOr('tie_word_embeddings', true),
    maxPositionTokens: readMaxPosition(config),
    mixers: Array.from({ length: layers }, () => attentionMixer(heads, null)),
    attention: {
      fusedQkv: { name: 'c_attn' },
      qkvBias: true,
      outputBias: true,
      outputName: 'c_proj',
    },
    ffn: () => plan,
    layerNorms: ['ln_1', 'ln_2'],
    normBias: true,
    names: {
      stack: 'transformer.h',
      attention: 'attn',
      embedding: 'transformer.wte.weight',
      finalNorm: 'transformer.ln_f',
    },
    extraTensors: [positionEmbedding(positions, hiddenSize, 'transformer.wpe.weight')],
  });
}
