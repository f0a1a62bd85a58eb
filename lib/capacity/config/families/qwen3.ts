// Qwen3 dense (`qwen3`) and Qwen3 MoE (`qwen3_moe`) config parsers.

import type { FamilySpec } from '../family.ts';
import type { ConfigReader } from '../reader.ts';
import type { FfnPlan } from './decoder.ts';
import type { LlamaSizes } from './llama.ts';
import { parseLlamaLike } from './llama.ts';
import { qwenSparseLayers, readExpertCounts } from './moe.ts';
import { denseMlp } from './qwen2.ts';
import { qwenWindows } from './windows.ts';

/**
 * Qwen3: Llama layout plus RMS norms of size head_dim on q and k; biases per `attention_bias`
 * (false in released models). `head_dim` is 128 even where hidden / heads differs (Qwen3-0.6B:
 * 1024 / 16 = 64).
 */
export function parseQwen3(config: ConfigReader): FamilySpec {
  return parseLlamaLike(config, { modelType: 'qwen3', qkNorm: true, windows: qwenWindows });
}

function qwen3MoeFfn(config: ConfigReader, sizes: LlamaSizes): (layer: number) => FfnPlan {
  const sparse = qwenSparseLayers(config, sizes.layers);
  const counts = readExpertCounts(config, {
    experts: 'num_experts',
    expertsPerToken: 'num_experts_per_tok',
  });
  const moe: FfnPlan = {
    kind: 'moe',
    moe: { ...counts, expertIntermediateSize: config.int('moe_intermediate_size') },
  };
  return (layer) => (sparse(layer) ? moe : denseMlp(config));
}

/**
 * Qwen3 MoE (Qwen3-30B-A3B, Qwen3-235B-A22B): Qwen3 attention, a router without bias and
 * `num_experts` experts of `moe_intermediate_size` (top `num_experts_per_tok`), no shared
 * expert; dense MLPs only on `mlp_only_layers`.
 */
export function parseQwen3Moe(config: ConfigReader): FamilySpec {
  return parseLlamaLike(config, {
    modelType: 'qwen3_moe',
    qkNorm: true,
    windows: qwenWindows,
    ffn: qwen3MoeFfn,
  });
}
