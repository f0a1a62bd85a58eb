// Qwen2 / Qwen2.5 (`qwen2`) and Qwen1.5/Qwen2 MoE (`qwen2_moe`) config parsers.

import type { FamilySpec } from '../family.ts';
import type { ConfigReader } from '../reader.ts';
import type { FfnPlan } from './decoder.ts';
import type { LlamaSizes } from './llama.ts';
import { parseLlamaLike } from './llama.ts';
import { qwenSparseLayers, readExpertCounts } from './moe.ts';
import { qwenWindows } from './windows.ts';

/**
 * Qwen2 and Qwen2.5: Llama layout with bias on q, k and v (never on o). Qwen2.5 states
 * `sliding_window` 131072 with `use_sliding_window` false: full attention plus a warning.
 */
export function parseQwen2(config: ConfigReader): FamilySpec {
  return parseLlamaLike(config, {
    modelType: 'qwen2',
    qkvBiasDefault: true,
    outputBiasFollowsAttentionBias: false,
    windows: qwenWindows,
  });
}

/** The dense MLP of the layers a Qwen-MoE keeps dense (`intermediate_size`). */
export function denseMlp(config: ConfigReader): FfnPlan {
  return { kind: 'dense', intermediateSize: config.int('intermediate_size'), gated: true };
}

function qwen2MoeFfn(config: ConfigReader, sizes: LlamaSizes): (layer: number) => FfnPlan {
  const sparse = qwenSparseLayers(config, sizes.layers);
  const counts = readExpertCounts(config, {
    experts: 'num_experts',
    expertsPerToken: 'num_experts_per_tok',
  });
  const sharedSize = config.optInt('shared_expert_intermediate_size');
  const moe: FfnPlan = {
    kind: 'moe',
    moe: { ...counts, expertIntermediateSize: config.int('moe_intermediate_size') },
    ...(sharedSize === null
      ? {}
      : {
          shared: {
            intermediateSize: sharedSize,
            name: 'shared_expert',
            gateName: 'shared_expert_gate',
          },
        }),
  };
  return (layer) => (sparse(layer) ? moe : denseMlp(config));
}

/**
 * Qwen1.5-MoE / Qwen2-MoE: routed experts of `moe_intermediate_size` (top-k of `num_experts`),
 * one always-on shared expert of `shared_expert_intermediate_size` scaled by a sigmoid gate
 * `[1, hidden]`, and dense MLPs on the `mlp_only_layers`.
 */
export function parseQwen2Moe(config: ConfigReader): FamilySpec {
  return parseLlamaLike(config, {
    modelType: 'qwen2_moe',
    qkvBiasDefault: true,
    outputBiasFollowsAttentionBias: false,
    windows: qwenWindows,
    ffn: qwen2MoeFfn,
  });
}
