// DeepSeek-V2 / V3 and Kimi-K2: MLA attention, dense first layers, routed plus shared experts.

import type { CapacityWarning } from '../../errors.ts';
import type { MlaMixer, TensorSpec } from '../../spec.ts';
import { asMtp, layerPrefix, linearTensors, normTensors, tensor } from '../../tensors.ts';
import type { FamilySpec } from '../family.ts';
import { readMaxPosition } from '../family.ts';
import type { ConfigReader } from '../reader.ts';
import type { FfnBlock, HybridLayer } from './hybrid.ts';
import { buildHybrid, hybridLayerTensors } from './hybrid.ts';
import { mlaTensors, readMlaMixer } from './mla.ts';
import { readExpertCounts } from './moe.ts';

/** How the DeepSeek-layout families differ. */
interface DeepseekVariant {
  modelType: string;
  /** `topk_method` when the config leaves it out (transformers' defaults per version). */
  topkMethodDefault: string;
}

/** Sizes every layer of a DeepSeek-layout model shares. */
interface DeepseekSizes {
  hiddenSize: number;
  layers: number;
  vocabSize: number;
  mixer: MlaMixer;
  attentionBias: boolean;
}

/**
 * The per-layer feed-forward rule of DeepSeek's modeling code: routed experts when
 * `n_routed_experts` is set, the layer index is at least `first_k_dense_replace` and a multiple
 * of `moe_layer_freq`; the dense MLP of `intermediate_size` otherwise.
 */
function deepseekFfn(
  config: ConfigReader,
  variant: DeepseekVariant,
  layers: number,
): (index: number) => FfnBlock {
  const firstMoe = config.intOr('first_k_dense_replace', 0, { min: 0, max: layers });
  const frequency = config.intOr('moe_layer_freq', 1, { max: layers });
  const dense = config.int('intermediate_size');

  if (!config.has('n_routed_experts')) {
    return (index: number): FfnBlock => denseBlock(index, dense);
  }

  const counts = readExpertCounts(config, {
    experts: 'n_routed_experts',
    expertsPerToken: 'num_experts_per_tok',
  });
  const expertSize = config.int('moe_intermediate_size');
  const shared = config.optInt('n_shared_experts', { min: 0 }) ?? 0;
  const topkMethod = config.optString('topk_method') ?? variant.topkMethodDefault;

  return (index: number): FfnBlock => {
    if (index < firstMoe || index % frequency !== 0) return denseBlock(index, dense);
    return {
      kind: 'moe',
      prefix: `${layerPrefix(index)}.mlp`,
      moe: { ...counts, expertIntermediateSize: expertSize },
      ...(shared > 0
        ? { shared: { name: 'shared_experts', intermediateSize: expertSize * shared } }
        : {}),
      routerCorrectionBias: topkMethod === 'noaux_tc',
    };
  };
}

function denseBlock(index: number, intermediateSize: number): FfnBlock {
  return { kind: 'dense', prefix: `${layerPrefix(index)}.mlp`, intermediateSize, gated: true };
}

function deepseekLayer(sizes: DeepseekSizes, ffn: FfnBlock, index: number): HybridLayer {
  const prefix = layerPrefix(index);
  const weights = {
    prefix: `${prefix}.self_attn`,
    layer: index,
    hiddenSize: sizes.hiddenSize,
    bias: sizes.attentionBias,
  };
  return {
    mixer: sizes.mixer,
    mixerTensors: mlaTensors(weights, sizes.mixer),
    ffn,
    norms: [`${prefix}.input_layernorm`, `${prefix}.post_attention_layernorm`],
  };
}

/**
 * One multi-token-prediction module as DeepSeek-V3's checkpoint stores it under
 * `model.layers.{L + j}`: its own copies of the embedding and output head, norms of the
 * embedding (enorm) and hidden state (hnorm), eh_proj [hidden, 2 x hidden], one full decoder
 * layer and shared_head.norm. Source: DeepSeek-V3 README_WEIGHTS.md.
 */
function mtpModuleTensors(
  sizes: DeepseekSizes,
  ffn: (index: number) => FfnBlock,
  index: number,
): TensorSpec[] {
  const prefix = layerPrefix(index);
  const { hiddenSize, vocabSize } = sizes;
  const layer = deepseekLayer(sizes, ffn(index), index);
  const common = { group: 'mtp' as const, layer: index };
  return [
    tensor({
      ...common,
      name: `${prefix}.embed_tokens.weight`,
      shape: [vocabSize, hiddenSize],
      role: 'token_embd',
    }),
    ...normTensors(`${prefix}.enorm`, hiddenSize, index),
    ...normTensors(`${prefix}.hnorm`, hiddenSize, index),
    ...linearTensors({
      ...common,
      name: `${prefix}.eh_proj`,
      outFeatures: hiddenSize,
      inFeatures: 2 * hiddenSize,
      bias: false,
      role: 'other',
    }),
    ...hybridLayerTensors(layer, index, hiddenSize),
    ...normTensors(`${prefix}.shared_head.norm`, hiddenSize, index),
    tensor({
      ...common,
      name: `${prefix}.shared_head.head.weight`,
      shape: [vocabSize, hiddenSize],
      role: 'output',
    }),
  ];
}

function mtpWarning(config: ConfigReader, layers: number): CapacityWarning {
  return {
    code: 'mtp_layers_excluded',
    message: `${config.field('num_nextn_predict_layers')} ${layers}: multi-token-prediction layers are counted apart from the model`,
    data: { mtpLayers: layers },
  };
}

function parseDeepseekLike(config: ConfigReader, variant: DeepseekVariant): FamilySpec {
  const layers = config.int('num_hidden_layers');
  const sizes: DeepseekSizes = {
    hiddenSize: config.int('hidden_size'),
    layers,
    vocabSize: config.int('vocab_size'),
    mixer: readMlaMixer(config),
    attentionBias: config.boolOr('attention_bias', false),
  };
  const ffn = deepseekFfn(config, variant, layers);
  const mtpLayers = config.intOr('num_nextn_predict_layers', 0, { min: 0 });

  const mtpTensors: TensorSpec[] = [];
  for (let step = 0; step < mtpLayers; step += 1) {
    mtpTensors.push(...mtpModuleTensors(sizes, ffn, layers + step));
  }

  const stack = Array.from({ length: layers }, (_, index) =>
    deepseekLayer(sizes, ffn(index), index),
  );
  const sharedExperts = config.optInt('n_shared_experts', { min: 0 }) ?? 0;

  return buildHybrid({
    modelType: variant.modelType,
    hiddenSize: sizes.hiddenSize,
    vocabSize: sizes.vocabSize,
    tiedEmbeddings: config.boolOr('tie_word_embeddings', false),
    maxPositionTokens: readMaxPosition(config),
    layers: stack,
    sharedExperts,
    names: { embedding: 'model.embed_tokens.weight', finalNorm: 'model.norm' },
    mtp: {
      layers: mtpLayers,
      tensors: asMtp(mtpTensors).map((spec) => ({ ...spec, layer: null })),
    },
    warnings: mtpLayers > 0 ? [mtpWarning(config, mtpLayers)] : [],
  });
}

/**
 * DeepSeek-V2 and V2-Lite (`deepseek_v2`): MLA (V2-Lite projects queries directly,
 * `q_lora_rank` null), routed experts with a softmax router and no correction bias
 * (`topk_method` greedy or group_limited_greedy), shared experts merged into one MLP of
 * `moe_intermediate_size` x `n_shared_experts`. V2-Lite: 15.7B total, 2.4B active.
 */
export function parseDeepseekV2(config: ConfigReader): FamilySpec {
  return parseDeepseekLike(config, { modelType: 'deepseek_v2', topkMethodDefault: 'greedy' });
}

/**
 * DeepSeek-V3 / R1 (`deepseek_v3`): the V2 layout with a sigmoid router whose
 * `e_score_correction_bias` [experts] balances load (`topk_method` noaux_tc) and
 * `num_nextn_predict_layers` MTP modules kept out of the layer stack (group `mtp`).
 * DeepSeek-V3: 671B main model + 14B MTP on the hub, 37B active.
 */
export function parseDeepseekV3(config: ConfigReader): FamilySpec {
  return parseDeepseekLike(config, { modelType: 'deepseek_v3', topkMethodDefault: 'noaux_tc' });
}

/**
 * Kimi-K2 (`kimi_k2`): DeepSeek-V3's architecture under its own model_type (Moonshot's model
 * card: change model_type to deepseek_v3 to run it); 384 experts, 64 heads, 1T total, 32B
 * active.
 */
export function parseKimiK2(config: ConfigReader): FamilySpec {
  return parseDeepseekLike(config, { modelType: 'kimi_k2', topkMethodDefault: 'noaux_tc' });
}
