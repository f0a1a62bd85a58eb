// Falcon (`falcon`, and the older `RefinedWeb` / `RefinedWebModel` names) config parser.

import type { FamilySpec, HeadShape } from '../family.ts';
import { attentionMixer, readMaxPosition } from '../family.ts';
import type { ConfigReader } from '../reader.ts';
import { buildDecoder } from './decoder.ts';

const HEADS = ['num_attention_heads', 'n_head'];
const KV_HEADS = ['num_kv_heads', 'n_head_kv', 'num_key_value_heads'];

/**
 * Heads of the three Falcon layouts (transformers' FalconAttention): the new decoder
 * architecture (40B/180B) uses `num_kv_heads`; the old one is MQA (1 KV head) when
 * `multi_query`, else MHA. Old configs have no KV-head field, and `multi_query` with several
 * KV heads in the old layout is a contradiction.
 */
function falconHeads(config: ConfigReader, hiddenSize: number, newLayout: boolean): HeadShape {
  const heads = config.int(HEADS);
  if (hiddenSize % heads !== 0) {
    config.contradiction(
      ['hidden_size', config.presentKey(HEADS) ?? 'num_attention_heads'],
      `hidden size ${hiddenSize} is not a multiple of ${heads} heads`,
      'a hidden size divisible by the head count',
    );
  }
  const headDim = hiddenSize / heads;
  const statedKv = config.optInt(KV_HEADS);
  const kvName = config.presentKey(KV_HEADS) ?? 'num_kv_heads';

  if (newLayout) {
    const kvHeads = statedKv ?? heads;
    if (heads % kvHeads !== 0) {
      config.contradiction(
        [config.presentKey(HEADS) ?? 'num_attention_heads', kvName],
        `${heads} heads cannot be shared evenly by ${kvHeads} KV heads`,
        'attention heads a multiple of KV heads',
      );
    }
    return { heads, kvHeads, headDim };
  }

  const multiQuery = config.boolOr('multi_query', true);
  if (multiQuery && statedKv !== null && statedKv !== 1) {
    config.contradiction(
      ['multi_query', kvName],
      `multi_query is true but ${statedKv} KV heads are stated`,
      'one KV head with multi_query, or multi_query false',
    );
  }
  return { heads, kvHeads: multiQuery ? 1 : heads, headDim };
}

function falconNorms(config: ConfigReader, newLayout: boolean, parallel: boolean): string[] {
  if (newLayout && config.intOr('num_ln_in_parallel_attn', 2, { max: 2 }) === 2) {
    return ['ln_attn', 'ln_mlp'];
  }
  return parallel ? ['input_layernorm'] : ['input_layernorm', 'post_attention_layernorm'];
}

/**
 * Falcon: fused `query_key_value` `[(H + 2*Hkv)*d, hidden]`, `dense`, a plain GELU MLP of
 * `ffn_hidden_size` (default 4 x hidden), LayerNorms with bias, biases on linears per `bias`,
 * tied embeddings by default. Falcon-7B: 71 heads, MQA, head dim 64, 6,921,720,704 parameters.
 */
export function parseFalcon(config: ConfigReader): FamilySpec {
  const hiddenSize = config.int('hidden_size');
  const layers = config.int(['num_hidden_layers', 'n_layer']);
  const newLayout = config.boolOr('new_decoder_architecture', false);
  const parallel = config.boolOr('parallel_attn', true);
  const heads = falconHeads(config, hiddenSize, newLayout);
  const bias = config.boolOr('bias', false);
  const plan = {
    kind: 'dense' as const,
    intermediateSize: config.intOr('ffn_hidden_size', 4 * hiddenSize),
    gated: false,
    bias,
    names: { up: 'dense_h_to_4h', down: 'dense_4h_to_h' },
  };

  return buildDecoder({
    modelType: 'falcon',
    hiddenSize,
    vocabSize: config.int('vocab_size'),
    tiedEmbeddings: config.boolOr('tie_word_embeddings', true),
    maxPositionTokens: readMaxPosition(config),
    mixers: Array.from({ length: layers }, () => attentionMixer(heads, null)),
    attention: {
      fusedQkv: { name: 'query_key_value' },
      qkvBias: bias,
      outputBias: bias,
      outputName: 'dense',
    },
    ffn: () => plan,
    layerNorms: falconNorms(config, newLayout, parallel),
    normBias: true,
    names: {
      stack: 'transformer.h',
      attention: 'self_attention',
      embedding: 'transformer.word_embeddings.weight',
      finalNorm: 'transformer.ln_f',
    },
  });
}
