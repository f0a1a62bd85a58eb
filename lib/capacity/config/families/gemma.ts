// Gemma (`gemma`), Gemma 2 (`gemma2`) and Gemma 3 (`gemma3_text`, multimodal `gemma3`) parsers.

import type { FamilySpec } from '../family.ts';
import {
  attentionMixer,
  readAttentionLayerTypes,
  readHeadShape,
  readMaxPosition,
} from '../family.ts';
import type { ConfigReader } from '../reader.ts';
import type { AttentionOptions } from './decoder.ts';
import { buildDecoder } from './decoder.ts';
import { siglipVisionTower, withVisionTower } from './vision.ts';

/** Norms of a Gemma-2/3 layer: around attention and around the MLP. */
const SANDWICH_NORMS = [
  'input_layernorm',
  'post_attention_layernorm',
  'pre_feedforward_layernorm',
  'post_feedforward_layernorm',
];

/**
 * Defaults of transformers' Gemma3TextConfig for the keys Google's config.json files leave
 * out (gemma-3-27b-it states no vocab_size; gemma-3-4b-it no head counts).
 */
const GEMMA3_TEXT_DEFAULTS = {
  vocab_size: 262_208,
  num_attention_heads: 8,
  num_key_value_heads: 4,
  head_dim: 256,
  sliding_window: 4096,
  sliding_window_pattern: 6,
  max_position_embeddings: 131_072,
  tie_word_embeddings: true,
};

interface GemmaLayout {
  modelType: string;
  layerNorms: readonly string[];
  qkNorm: boolean;
  /** Window of each layer (null: global attention). */
  windows: (config: ConfigReader, layers: number) => (number | null)[];
}

function parseGemmaLayout(config: ConfigReader, layout: GemmaLayout): FamilySpec {
  const hiddenSize = config.int('hidden_size');
  const layers = config.int('num_hidden_layers');
  const heads = readHeadShape(config, hiddenSize);
  const attentionBias = config.boolOr('attention_bias', false);
  const attention: AttentionOptions = {
    qkvBias: attentionBias,
    outputBias: attentionBias,
    qkNorm: layout.qkNorm,
  };
  const plan = { kind: 'dense' as const, intermediateSize: config.int('intermediate_size') };

  return buildDecoder({
    modelType: layout.modelType,
    hiddenSize,
    vocabSize: config.int('vocab_size'),
    tiedEmbeddings: config.boolOr('tie_word_embeddings', true),
    maxPositionTokens: readMaxPosition(config),
    mixers: layout.windows(config, layers).map((window) => attentionMixer(heads, window)),
    attention,
    ffn: () => ({ ...plan, gated: true }),
    layerNorms: layout.layerNorms,
  });
}

/** Windows from `layer_types`, else from `isSliding(layer)`, sized by `sliding_window`. */
function patternWindows(
  config: ConfigReader,
  layers: number,
  isSliding: (layer: number) => boolean,
): (number | null)[] {
  const window = config.int(['sliding_window', 'sliding_window_size']);
  const kinds = readAttentionLayerTypes(config, layers);
  if (kinds !== null) return kinds.map((kind) => (kind === 'sliding' ? window : null));
  return Array.from({ length: layers }, (_, layer) => (isSliding(layer) ? window : null));
}

/** Gemma 1: Llama layout with GeGLU, tied embeddings and full attention. */
export function parseGemma(config: ConfigReader): FamilySpec {
  return parseGemmaLayout(config, {
    modelType: 'gemma',
    layerNorms: ['input_layernorm', 'post_attention_layernorm'],
    qkNorm: false,
    windows: (_, layers) => new Array<number | null>(layers).fill(null),
  });
}

/**
 * Gemma 2: four norms per layer; local (sliding, 4096 in the released models) and global layers
 * alternate from layer 0 local (transformers: `not bool(layer_idx % 2)`), or per `layer_types`.
 * Gemma-2-9B: head_dim 256 (16 heads x 256 = 4096, not hidden 3584).
 */
export function parseGemma2(config: ConfigReader): FamilySpec {
  return parseGemmaLayout(config, {
    modelType: 'gemma2',
    layerNorms: SANDWICH_NORMS,
    qkNorm: false,
    windows: (cfg, layers) => patternWindows(cfg, layers, (layer) => layer % 2 === 0),
  });
}

/**
 * Gemma 3 text: Gemma-2 norms plus q/k RMS norms; every `sliding_window_pattern`-th layer is
 * global (transformers: sliding when `(i + 1) % pattern` is non-zero), others use
 * `sliding_window`. Gemma-3-27B: 62 layers, window 1024, pattern 6: 52 local and 10 global.
 */
export function parseGemma3Text(config: ConfigReader): FamilySpec {
  const completed = config.withDefaults(GEMMA3_TEXT_DEFAULTS);
  return parseGemmaLayout(completed, {
    modelType: 'gemma3_text',
    layerNorms: SANDWICH_NORMS,
    qkNorm: true,
    windows: (cfg, layers) => {
      const pattern = cfg.int(['sliding_window_pattern', '_sliding_window_pattern']);
      return patternWindows(cfg, layers, (layer) => (layer + 1) % pattern !== 0);
    },
  });
}

/**
 * Gemma 3 multimodal (`gemma3`): the `text_config` decoder plus the SigLIP vision tower and
 * the projector `mm_input_projection_weight` `[vision hidden, text hidden]` with its soft
 * embedding RMS norm, in group `vision`.
 */
export function parseGemma3(config: ConfigReader): FamilySpec {
  const text = config.child('text_config');
  if (text === null) return { ...parseGemma3Text(config), modelType: 'gemma3' };

  const family = { ...parseGemma3Text(text), modelType: 'gemma3' };
  return withVisionTower(family, config, (vision) =>
    siglipVisionTower(vision, {
      textHiddenSize: family.hiddenSize,
      prefix: 'vision_tower.vision_model',
    }),
  );
}
