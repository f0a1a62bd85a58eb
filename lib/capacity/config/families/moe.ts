// Reading routed-expert settings shared by the MoE families (Mixtral, Qwen-MoE, Granite-MoE).

import type { ConfigKeys, ConfigReader } from '../reader.ts';

/** Routed experts and how many each token reads. */
export interface ExpertCounts {
  experts: number;
  expertsPerToken: number;
}

/**
 * Reads the expert count and top-k under the family's key names; top-k above the expert count
 * is a contradiction.
 */
export function readExpertCounts(
  config: ConfigReader,
  keys: { experts: ConfigKeys; expertsPerToken: ConfigKeys },
): ExpertCounts {
  const experts = config.int(keys.experts);
  const expertsPerToken = config.int(keys.expertsPerToken);

  if (expertsPerToken > experts) {
    config.contradiction(
      [
        config.presentKey(keys.expertsPerToken) ?? 'num_experts_per_tok',
        config.presentKey(keys.experts) ?? 'num_experts',
      ],
      `${expertsPerToken} experts per token exceeds ${experts} experts`,
      'experts per token no more than the expert count',
    );
  }
  return { experts, expertsPerToken };
}

/**
 * Whether layer `layer` is sparse in the Qwen-MoE scheme (transformers' Qwen2MoeDecoderLayer):
 * not listed in `mlp_only_layers`, and (layer + 1) a multiple of `decoder_sparse_step`.
 */
export function qwenSparseLayers(config: ConfigReader, layers: number): (layer: number) => boolean {
  const mlpOnly = new Set(config.optIntArray('mlp_only_layers', { min: 0 }) ?? []);
  const step = config.intOr('decoder_sparse_step', 1);

  for (const layer of mlpOnly) {
    if (layer >= layers) {
      config.invalid('mlp_only_layers', layer, `layer indices below ${layers}`);
    }
  }
  return (layer) => !mlpOnly.has(layer) && (layer + 1) % step === 0;
}
