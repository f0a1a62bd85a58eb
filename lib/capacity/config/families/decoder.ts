// Assembles a decoder-only transformer spec (layers and tensors) from a per-family plan.

import type { CapacityWarning } from '../../errors.ts';
import type { AttentionMixer, LayerSpec, MoeSummary, TensorSpec } from '../../spec.ts';
import type { AttentionBlock, MlpNames, MoeBlock } from '../../tensors.ts';
import {
  attentionTensors,
  layerPrefix,
  mlpTensors,
  moeTensors,
  normTensors,
  outputHead,
  tensor,
  tokenEmbedding,
} from '../../tensors.ts';
import type { FamilySpec } from '../family.ts';

/** A dense feed-forward block. */
export interface DenseFfnPlan {
  kind: 'dense';
  intermediateSize: number;
  gated: boolean;
  bias?: boolean;
  names?: MlpNames;
}

/** An always-on shared expert next to the routed ones (Qwen2-MoE, GraniteMoeShared). */
export interface SharedExpertPlan {
  intermediateSize: number;
  /** Name under the MLP prefix, e.g. `shared_expert`. */
  name: string;
  /** Qwen2-MoE scales the shared expert by a sigmoid gate `[1, hidden]`. */
  gateName?: string;
}

/** A routed mixture-of-experts block. */
export interface MoeFfnPlan {
  kind: 'moe';
  moe: Omit<MoeBlock, 'prefix' | 'layer' | 'hiddenSize'>;
  shared?: SharedExpertPlan;
}

/** A layer's feed-forward block. */
export type FfnPlan = DenseFfnPlan | MoeFfnPlan;

/** Attention options common to every layer of a family. */
export type AttentionOptions = Omit<
  AttentionBlock,
  'prefix' | 'layer' | 'hiddenSize' | 'heads' | 'kvHeads' | 'headDimK' | 'headDimV'
>;

/** Everything that decides a decoder's layers and tensors. */
export interface DecoderPlan {
  modelType: string;
  hiddenSize: number;
  vocabSize: number;
  tiedEmbeddings: boolean;
  maxPositionTokens: number | null;
  /** One mixer per layer, in order. */
  mixers: readonly AttentionMixer[];
  attention: AttentionOptions;
  ffn: (layer: number) => FfnPlan;
  /** Norm names inside each layer, e.g. `input_layernorm`, `post_attention_layernorm`. */
  layerNorms: readonly string[];
  /** LayerNorm (weight and bias) instead of RMSNorm (weight only). */
  normBias?: boolean;
  /** Defaults: `model.layers`, `self_attn`, `mlp`, `model.embed_tokens.weight`, `model.norm`. */
  names?: {
    stack?: string;
    attention?: string;
    mlp?: string;
    embedding?: string;
    finalNorm?: string;
    head?: string;
  };
  headBias?: boolean;
  /** Tensors outside the layer stack beyond embedding, final norm and head. */
  extraTensors?: readonly TensorSpec[];
  warnings?: readonly CapacityWarning[];
}

function ffnTensors(plan: FfnPlan, prefix: string, layer: number, hidden: number): TensorSpec[] {
  if (plan.kind === 'dense') {
    return mlpTensors({
      prefix,
      layer,
      hiddenSize: hidden,
      intermediateSize: plan.intermediateSize,
      gated: plan.gated,
      bias: plan.bias ?? false,
      ...(plan.names ? { names: plan.names } : {}),
    });
  }

  const tensors = moeTensors({ ...plan.moe, prefix, layer, hiddenSize: hidden });
  const shared = plan.shared;
  if (shared) {
    tensors.push(
      ...mlpTensors({
        prefix: `${prefix}.${shared.name}`,
        layer,
        hiddenSize: hidden,
        intermediateSize: shared.intermediateSize,
        gated: true,
        group: 'shared_experts',
      }),
    );
    if (shared.gateName !== undefined) {
      tensors.push(
        tensor({
          name: `${prefix}.${shared.gateName}.weight`,
          shape: [1, hidden],
          group: 'shared_experts',
          role: 'other',
          layer,
        }),
      );
    }
  }
  return tensors;
}

function moeSummary(plans: readonly FfnPlan[]): MoeSummary | null {
  const moePlans = plans.filter((plan): plan is MoeFfnPlan => plan.kind === 'moe');
  const first = moePlans[0];
  if (first === undefined) return null;
  return {
    routedExperts: first.moe.experts,
    expertsPerToken: first.moe.expertsPerToken,
    sharedExperts: first.shared ? 1 : 0,
    moeLayers: moePlans.length,
  };
}

/**
 * Builds the spec of a decoder-only transformer: token embedding, then per layer its attention
 * block (shapes from the layer's mixer), feed-forward block and norms, then the final norm and
 * the LM head (absent when tied). Parameter totals follow from the tensor shapes alone.
 */
export function buildDecoder(plan: DecoderPlan): FamilySpec {
  const names = plan.names ?? {};
  const stack = names.stack ?? 'model.layers';
  const hidden = plan.hiddenSize;
  const tensors: TensorSpec[] = [
    tokenEmbedding(plan.vocabSize, hidden, names.embedding ?? 'model.embed_tokens.weight'),
    ...(plan.extraTensors ?? []),
  ];
  const layers: LayerSpec[] = [];
  const ffnPlans: FfnPlan[] = [];

  plan.mixers.forEach((mixer, index) => {
    const prefix = layerPrefix(index, stack);
    const ffn = plan.ffn(index);
    ffnPlans.push(ffn);
    layers.push({ index, mixer, ffn: ffn.kind });

    tensors.push(
      ...attentionTensors({
        ...plan.attention,
        prefix: `${prefix}.${names.attention ?? 'self_attn'}`,
        layer: index,
        hiddenSize: hidden,
        heads: mixer.heads,
        kvHeads: mixer.kvHeads,
        headDimK: mixer.headDimK,
        headDimV: mixer.headDimV,
      }),
      ...ffnTensors(ffn, `${prefix}.${names.mlp ?? 'mlp'}`, index, hidden),
    );
    for (const norm of plan.layerNorms) {
      tensors.push(...normTensors(`${prefix}.${norm}`, hidden, index, plan.normBias ?? false));
    }
  });

  tensors.push(
    ...normTensors(names.finalNorm ?? 'model.norm', hidden, null, plan.normBias ?? false),
    ...outputHead({
      vocabSize: plan.vocabSize,
      hiddenSize: hidden,
      tied: plan.tiedEmbeddings,
      bias: plan.headBias ?? false,
      ...(names.head !== undefined ? { name: names.head } : {}),
    }),
  );

  return {
    modelType: plan.modelType,
    hiddenSize: hidden,
    vocabSize: plan.vocabSize,
    layers,
    mtpLayers: 0,
    tensors,
    tiedEmbeddings: plan.tiedEmbeddings,
    maxPositionTokens: plan.maxPositionTokens,
    causal: true,
    moe: moeSummary(ffnPlans),
    warnings: [...(plan.warnings ?? [])],
  };
}
