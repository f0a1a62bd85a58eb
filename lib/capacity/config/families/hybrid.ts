// Assembles specs whose layers mix attention, MLA, recurrent and MLP-only blocks.

import type { CapacityWarning } from '../../errors.ts';
import type { LayerSpec, Mixer, MoeSummary, TensorSpec } from '../../spec.ts';
import type { MlpNames, MoeBlock } from '../../tensors.ts';
import {
  mlpTensors,
  moeTensors,
  normTensors,
  outputHead,
  tensor,
  tokenEmbedding,
} from '../../tensors.ts';
import type { FamilySpec } from '../family.ts';

/** A dense feed-forward block: gated (SwiGLU) or plain two-layer (Nemotron-H's ReLU^2). */
export interface DenseFfn {
  kind: 'dense';
  /** Name prefix, e.g. `model.layers.0.mlp`. */
  prefix: string;
  intermediateSize: number;
  gated: boolean;
  bias?: boolean;
  names?: MlpNames;
}

/** An always-on shared expert beside the routed ones. */
export interface SharedExpert {
  /** Name under the block prefix: `shared_experts` (DeepSeek), `shared_expert` (Qwen). */
  name: string;
  intermediateSize: number;
  /** Qwen's sigmoid gate `[1, hidden]` that scales the shared expert. */
  gateName?: string;
}

/** A routed mixture-of-experts block, with its optional shared expert. */
export interface MoeFfn {
  kind: 'moe';
  prefix: string;
  moe: Omit<MoeBlock, 'prefix' | 'layer' | 'hiddenSize'>;
  shared?: SharedExpert;
  /**
   * Router score correction bias `[experts]` next to the router weight (DeepSeek-V3's
   * `e_score_correction_bias` for aux-loss-free balancing; Kimi's router has it too).
   */
  routerCorrectionBias?: boolean;
}

/** A layer's feed-forward block, or none (Mamba blocks, Nemotron-H's mixer-only layers). */
export type FfnBlock = DenseFfn | MoeFfn | { kind: 'none' };

/** One layer: its mixer (for the cache), the mixer's weights, its feed-forward and norms. */
export interface HybridLayer {
  mixer: Mixer;
  mixerTensors: readonly TensorSpec[];
  ffn: FfnBlock;
  /** Full names (without `.weight`) of the RMS norms of this layer. */
  norms: readonly string[];
}

/** Multi-token-prediction layers: counted apart from the main model (group `mtp`). */
export interface MtpPlan {
  layers: number;
  tensors: readonly TensorSpec[];
}

/** Everything that decides a hybrid model's spec. */
export interface HybridPlan {
  modelType: string;
  hiddenSize: number;
  vocabSize: number;
  tiedEmbeddings: boolean;
  maxPositionTokens: number | null;
  layers: readonly HybridLayer[];
  /** Shared experts per MoE layer, for the summary (DeepSeek-V2-Lite: 2, merged in one MLP). */
  sharedExperts: number;
  names: { embedding: string; finalNorm: string; head?: string };
  mtp?: MtpPlan;
  warnings?: readonly CapacityWarning[];
}

/**
 * Weights of one feed-forward block: the dense MLP, or the router (plus its correction bias),
 * the routed experts (one tensor per projection with `copies` = experts) and the shared
 * expert (plus its gate). Shapes as in the transformers modules named by each family.
 */
export function ffnBlockTensors(block: FfnBlock, layer: number, hiddenSize: number): TensorSpec[] {
  if (block.kind === 'none') return [];

  if (block.kind === 'dense') {
    return mlpTensors({
      prefix: block.prefix,
      layer,
      hiddenSize,
      intermediateSize: block.intermediateSize,
      gated: block.gated,
      bias: block.bias ?? false,
      ...(block.names ? { names: block.names } : {}),
    });
  }

  const tensors = moeTensors({ ...block.moe, prefix: block.prefix, layer, hiddenSize });

  if (block.routerCorrectionBias === true) {
    const router = block.moe.routerName ?? 'gate';
    tensors.push(
      tensor({
        name: `${block.prefix}.${router}.e_score_correction_bias`,
        shape: [block.moe.experts],
        group: 'router',
        role: 'bias',
        layer,
      }),
    );
  }

  const shared = block.shared;
  if (shared) {
    tensors.push(
      ...mlpTensors({
        prefix: `${block.prefix}.${shared.name}`,
        layer,
        hiddenSize,
        intermediateSize: shared.intermediateSize,
        gated: true,
        group: 'shared_experts',
      }),
    );
    if (shared.gateName !== undefined) {
      tensors.push(
        tensor({
          name: `${block.prefix}.${shared.gateName}.weight`,
          shape: [1, hiddenSize],
          group: 'shared_experts',
          role: 'other',
          layer,
        }),
      );
    }
  }
  return tensors;
}

/** All tensors of one layer: mixer, feed-forward and norms. */
export function hybridLayerTensors(
  layer: HybridLayer,
  index: number,
  hiddenSize: number,
): TensorSpec[] {
  return [
    ...layer.mixerTensors,
    ...ffnBlockTensors(layer.ffn, index, hiddenSize),
    ...layer.norms.flatMap((name) => normTensors(name, hiddenSize, index)),
  ];
}

function moeSummary(plan: HybridPlan): MoeSummary | null {
  const moeLayers = plan.layers.filter((layer) => layer.ffn.kind === 'moe');
  const first = moeLayers[0]?.ffn;
  if (first === undefined || first.kind !== 'moe') return null;
  return {
    routedExperts: first.moe.experts,
    expertsPerToken: first.moe.expertsPerToken,
    sharedExperts: plan.sharedExperts,
    moeLayers: moeLayers.length,
  };
}

/**
 * Builds the spec: token embedding, each layer's tensors in order, final norm, LM head (none
 * when tied), then the MTP tensors. A layer's `ffn` kind is `none` for mixer-only blocks.
 */
export function buildHybrid(plan: HybridPlan): FamilySpec {
  const hidden = plan.hiddenSize;
  const tensors: TensorSpec[] = [tokenEmbedding(plan.vocabSize, hidden, plan.names.embedding)];
  const layers: LayerSpec[] = [];

  plan.layers.forEach((layer, index) => {
    layers.push({ index, mixer: layer.mixer, ffn: layer.ffn.kind });
    tensors.push(...hybridLayerTensors(layer, index, hidden));
  });

  tensors.push(
    ...normTensors(plan.names.finalNorm, hidden, null),
    ...outputHead({
      vocabSize: plan.vocabSize,
      hiddenSize: hidden,
      tied: plan.tiedEmbeddings,
      ...(plan.names.head !== undefined ? { name: plan.names.head } : {}),
    }),
    ...(plan.mtp?.tensors ?? []),
  );

  return {
    modelType: plan.modelType,
    hiddenSize: hidden,
    vocabSize: plan.vocabSize,
    layers,
    mtpLayers: plan.mtp?.layers ?? 0,
    tensors,
    tiedEmbeddings: plan.tiedEmbeddings,
    maxPositionTokens: plan.maxPositionTokens,
    causal: true,
    moe: moeSummary(plan),
    warnings: [...(plan.warnings ?? [])],
  };
}
