// OpenAI gpt-oss (`gpt_oss`) config parser.

import type { FamilySpec } from '../family.ts';
import {
  attentionMixer,
  readAttentionLayerTypes,
  readHeadShape,
  readMaxPosition,
} from '../family.ts';
import type { ConfigReader } from '../reader.ts';
import type { FfnPlan } from './decoder.ts';
import { buildDecoder } from './decoder.ts';
import { readExpertCounts } from './moe.ts';

/**
 * gpt-oss: sliding (128) and full attention alternate from layer 0 sliding (per `layer_types`,
 * the same default in transformers' GptOssConfig), q/k/v/o with bias, learned per-head sinks
 * `[heads]` (a logit bias: no cache); every layer is MoE with a biased router and experts with
 * a fused biased `gate_up_proj` `[2*inter, hidden]` and `down_proj`. gpt-oss-20b: 24 layers,
 * 64/8 heads of 64, 32 experts top-4, 20,914,757,184 parameters.
 */
export function parseGptOss(config: ConfigReader): FamilySpec {
  const hiddenSize = config.int('hidden_size');
  const layers = config.int('num_hidden_layers');
  const heads = readHeadShape(config, hiddenSize);
  const window = config.int('sliding_window');
  const kinds =
    readAttentionLayerTypes(config, layers) ??
    Array.from({ length: layers }, (_, layer) => (layer % 2 === 0 ? 'sliding' : 'full'));
  const attentionBias = config.boolOr('attention_bias', true);
  const counts = readExpertCounts(config, {
    experts: ['num_local_experts', 'num_experts'],
    expertsPerToken: ['num_experts_per_tok', 'experts_per_token'],
  });
  const plan: FfnPlan = {
    kind: 'moe',
    moe: {
      ...counts,
      expertIntermediateSize: config.int('intermediate_size'),
      routerName: 'router',
      routerBias: true,
      expertBias: true,
      names: { gateUp: 'gate_up_proj', down: 'down_proj' },
    },
  };

  return buildDecoder({
    modelType: 'gpt_oss',
    hiddenSize,
    vocabSize: config.int('vocab_size'),
    tiedEmbeddings: config.boolOr('tie_word_embeddings', false),
    maxPositionTokens: readMaxPosition(config),
    mixers: kinds.map((kind) => attentionMixer(heads, kind === 'sliding' ? window : null, true)),
    attention: { qkvBias: attentionBias, outputBias: attentionBias, learnedSinks: true },
    ffn: () => plan,
    layerNorms: ['input_layernorm', 'post_attention_layernorm'],
  });
}
