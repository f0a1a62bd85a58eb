// IBM Granite dense (`granite`) and MoE (`granitemoe`, `granitemoeshared`) config parsers.

import type { FamilySpec } from '../family.ts';
import type { ConfigReader } from '../reader.ts';
import type { FfnPlan } from './decoder.ts';
import { parseLlamaLike } from './llama.ts';
import { readExpertCounts } from './moe.ts';

/**
 * Granite 3.x dense: the Llama layout (its embedding, residual and logit multipliers change no
 * shapes); biases per `attention_bias` and `mlp_bias`.
 */
export function parseGranite(config: ConfigReader): FamilySpec {
  return parseLlamaLike(config, { modelType: 'granite' });
}

function graniteMoeFfn(config: ConfigReader): (layer: number) => FfnPlan {
  const counts = readExpertCounts(config, {
    experts: 'num_local_experts',
    expertsPerToken: 'num_experts_per_tok',
  });
  const sharedSize = config.optInt('shared_intermediate_size');
  const plan: FfnPlan = {
    kind: 'moe',
    moe: {
      ...counts,
      expertIntermediateSize: config.int('intermediate_size'),
      routerName: 'router.layer',
      names: { gateUp: 'input_linear', down: 'output_linear' },
    },
    ...(sharedSize === null
      ? {}
      : { shared: { intermediateSize: sharedSize, name: 'shared_mlp' } }),
  };
  return () => plan;
}

/**
 * Granite MoE: every layer's MLP is `num_local_experts` experts with a fused gate+up
 * `input_linear` `[2*inter, hidden]` and `output_linear` `[hidden, inter]`, routed top
 * `num_experts_per_tok` by `router.layer` (no bias). `granitemoeshared` adds an always-on shared
 * MLP of `shared_intermediate_size`.
 */
export function parseGraniteMoe(config: ConfigReader): FamilySpec {
  const modelType = config.optString('model_type') ?? 'granitemoe';
  return parseLlamaLike(config, { modelType, ffn: graniteMoeFfn });
}
