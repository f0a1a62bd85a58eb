// Mistral (`model_type` mistral): the Llama layout with a sliding window on its layers.

import type { FamilySpec } from '../family.ts';
import type { ConfigReader } from '../reader.ts';
import { parseLlamaLike } from './llama.ts';
import { uniformOrTypedWindows } from './windows.ts';

/**
 * Mistral-7B-v0.1 states `sliding_window` 4096 and applies it to all 32 layers; later Mistral
 * configs set it to null (full attention) and may state `head_dim` (Mistral-Nemo: 128, not
 * 5120 / 32).
 */
export function parseMistral(config: ConfigReader): FamilySpec {
  return parseLlamaLike(config, { modelType: 'mistral', windows: uniformOrTypedWindows });
}
