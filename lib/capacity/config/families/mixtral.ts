// Mixtral (`model_type` mixtral): the Mistral layout with routed SwiGLU experts on every layer.

import type { FamilySpec } from '../family.ts';
import type { ConfigReader } from '../reader.ts';
import type { FfnPlan } from './decoder.ts';
import { parseLlamaLike } from './llama.ts';
import { readExpertCounts } from './moe.ts';
import { uniformOrTypedWindows } from './windows.ts';

/**
 * Mixtral-8x7B: 8 experts of `intermediate_size` (w1 gate, w3 up, w2 down), top-2, a router
 * `block_sparse_moe.gate` without bias, on all 32 layers; 46.7B total, 12.9B per token.
 */
export function parseMixtral(config: ConfigReader): FamilySpec {
  return parseLlamaLike(config, {
    modelType: 'mixtral',
    windows: uniformOrTypedWindows,
    ffn: (cfg) => {
      const counts = readExpertCounts(cfg, {
        experts: 'num_local_experts',
        expertsPerToken: 'num_experts_per_tok',
      });
      const plan: FfnPlan = {
        kind: 'moe',
        moe: {
          ...counts,
          expertIntermediateSize: cfg.int('intermediate_size'),
          names: { gate: 'w1', up: 'w3', down: 'w2' },
        },
      };
      return () => plan;
    },
  });
}
