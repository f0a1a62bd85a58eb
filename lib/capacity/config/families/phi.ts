// Microsoft Phi-1/1.5/2 (`phi`) and Phi-3/Phi-4-mini (`phi3`) config parsers.

import type { FamilySpec } from '../family.ts';
import { attentionMixer, readHeadShape, readMaxPosition } from '../family.ts';
import type { ConfigReader } from '../reader.ts';
import { buildDecoder } from './decoder.ts';
import { readLlamaSizes } from './llama.ts';
import { ignoredWindow } from './windows.ts';

/**
 * Phi-3: fused `qkv_proj` `[(H + 2*Hkv)*d, hidden]` and `gate_up_proj` `[2*inter, hidden]`, no
 * biases. Phi-3-mini-4k states `sliding_window` 2047, which transformers and llama.cpp (PR
 * #13676) do not apply: full attention with a warning.
 */
export function parsePhi3(config: ConfigReader): FamilySpec {
  const sizes = readLlamaSizes(config);
  const { windows, warnings } = ignoredWindow(
    config,
    sizes,
    'engines run Phi-3 with full attention',
  );
  const plan = {
    kind: 'dense' as const,
    intermediateSize: config.int('intermediate_size'),
    gated: true,
    names: { gateUp: 'gate_up_proj' },
  };

  return buildDecoder({
    modelType: 'phi3',
    hiddenSize: sizes.hiddenSize,
    vocabSize: sizes.vocabSize,
    tiedEmbeddings: config.boolOr('tie_word_embeddings', false),
    maxPositionTokens: readMaxPosition(config),
    mixers: windows.map((window) => attentionMixer(sizes.heads, window)),
    attention: { fusedQkv: { name: 'qkv_proj' } },
    ffn: () => plan,
    layerNorms: ['input_layernorm', 'post_attention_layernorm'],
    warnings,
  });
}

/**
 * Phi-1/1.5/2: parallel attention and MLP behind one LayerNorm; q/k/v and `dense` with bias,
 * plain GELU MLP `fc1`/`fc2` with bias, `final_layernorm`, and an LM head with bias.
 * Phi-2: 2,779,683,840 parameters.
 */
export function parsePhi(config: ConfigReader): FamilySpec {
  const hiddenSize = config.int('hidden_size');
  const heads = readHeadShape(config, hiddenSize);
  const layers = config.int('num_hidden_layers');
  const plan = {
    kind: 'dense' as const,
    intermediateSize: config.int('intermediate_size'),
    gated: false,
    bias: true,
    names: { up: 'fc1', down: 'fc2' },
  };

  return buildDecoder({
    modelType: 'phi',
    hiddenSize,
    vocabSize: config.int('vocab_size'),
    tiedEmbeddings: config.boolOr('tie_word_embeddings', false),
    maxPositionTokens: readMaxPosition(config),
    mixers: Array.from({ length: layers }, () => attentionMixer(heads, null)),
    attention: {
      qkvBias: true,
      outputBias: true,
      outputName: 'dense',
      qkNorm: config.boolOr('qk_layernorm', false),
      qkNormBias: true,
      qkNormNames: { q: 'q_layernorm', k: 'k_layernorm' },
    },
    ffn: () => plan,
    layerNorms: ['input_layernorm'],
    normBias: true,
    names: { finalNorm: 'model.final_layernorm' },
    headBias: true,
  });
}
