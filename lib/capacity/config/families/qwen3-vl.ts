// Qwen3-VL (`qwen3_vl`, `qwen3_vl_moe`): a Qwen3 text decoder in `text_config` plus its ViT.

import { CapacityError } from '../../errors.ts';
import type { FamilySpec } from '../family.ts';
import type { ConfigReader } from '../reader.ts';
import { parseQwen3, parseQwen3Moe } from './qwen3.ts';
import { qwen3VlVisionTower, withVisionTower } from './vision.ts';

/**
 * Qwen3-VL: `text_config` is a Qwen3 (dense) or Qwen3-MoE decoder; `tie_word_embeddings` may
 * sit at the root. The vision tower is counted in group `vision` (Qwen3-VL-8B-Instruct:
 * 8,767,123,696 parameters in all, as its safetensors headers sum).
 */
export function parseQwen3Vl(config: ConfigReader): FamilySpec {
  const modelType = config.optString('model_type') ?? 'qwen3_vl';
  const rawText = config.child('text_config');
  if (rawText === null) {
    throw new CapacityError('missing_field', `${config.field('text_config')} is missing`, {
      field: config.field('text_config'),
      expected: `the text decoder's config of ${modelType}`,
    });
  }
  const text = rawText.withDefaults({
    tie_word_embeddings: config.boolOr('tie_word_embeddings', false),
  });
  const moe = text.has('num_experts') || modelType === 'qwen3_vl_moe';
  const family = { ...(moe ? parseQwen3Moe(text) : parseQwen3(text)), modelType };
  return withVisionTower(family, config, qwen3VlVisionTower);
}
