// Jamba (`jamba`): Mamba-1 layers with an attention layer every `attn_layer_period`, and MoE.

import type { FamilySpec } from '../family.ts';
import { attentionMixer, readHeadShape, readMaxPosition, slidingWindowIgnored } from '../family.ts';
import type { ConfigReader } from '../reader.ts';
import { attentionTensors, layerPrefix } from '../../tensors.ts';
import type { FfnBlock, HybridLayer } from './hybrid.ts';
import { buildHybrid } from './hybrid.ts';
import { readExpertCounts } from './moe.ts';
import type { Mamba1Dims } from './ssm.ts';
import { mamba1Mixer, mamba1Tensors, readDtRank } from './ssm.ts';

/** A layer pattern: layers whose index modulo `period` equals `offset`. */
interface Period {
  period: number;
  offset: number;
}

/**
 * Reads a period and offset; the period must fit the layer count and the offset must be below
 * the period, or the pattern would select no layer.
 */
function readPeriod(
  config: ConfigReader,
  keys: { period: string; offset: string },
  layers: number,
): Period {
  const period = config.int(keys.period, { max: layers });
  const offset = config.int(keys.offset, { min: 0, max: period - 1 });
  return { period, offset };
}

function selects(pattern: Period, index: number): boolean {
  return index % pattern.period === pattern.offset;
}

/**
 * Jamba's feed-forward rule: with one expert (`num_experts` 1) every layer is dense, as
 * JambaConfig builds it; otherwise the expert pattern picks the MoE layers.
 */
function jambaFfn(config: ConfigReader, layers: number): (index: number) => FfnBlock {
  const intermediateSize = config.int('intermediate_size');
  const dense = (index: number): FfnBlock => ({
    kind: 'dense',
    prefix: `${layerPrefix(index)}.feed_forward`,
    intermediateSize,
    gated: true,
  });
  if (config.int('num_experts') === 1) return dense;

  const experts = readPeriod(
    config,
    { period: 'expert_layer_period', offset: 'expert_layer_offset' },
    layers,
  );
  const counts = readExpertCounts(config, {
    experts: 'num_experts',
    expertsPerToken: 'num_experts_per_tok',
  });

  return (index) => {
    if (!selects(experts, index)) return dense(index);
    return {
      kind: 'moe',
      prefix: `${layerPrefix(index)}.feed_forward`,
      moe: { ...counts, expertIntermediateSize: intermediateSize, routerName: 'router' },
    };
  };
}

/**
 * Jamba-v0.1 and Jamba-1.5 (`jamba`, transformers `JambaForCausalLM`). Layer i holds attention
 * when i % `attn_layer_period` == `attn_layer_offset` (Jamba-v0.1: 4 of 32 layers, at 4, 12, 20,
 * 28), a Mamba-1 mixer otherwise (inner `mamba_expand` x hidden, state `mamba_d_state`, with RMS
 * norms on dt, B and C); its feed-forward is MoE when i % `expert_layer_period` ==
 * `expert_layer_offset`, dense otherwise. A stated `sliding_window` is reported and not applied.
 * Jamba-v0.1: 51.6B total, 12.1B active.
 */
export function parseJamba(config: ConfigReader): FamilySpec {
  const hiddenSize = config.int('hidden_size');
  const layers = config.int('num_hidden_layers');
  const heads = readHeadShape(config, hiddenSize);
  const attention = readPeriod(
    config,
    { period: 'attn_layer_period', offset: 'attn_layer_offset' },
    layers,
  );
  const dims: Mamba1Dims = {
    innerSize: config.int('mamba_expand') * hiddenSize,
    stateSize: config.int('mamba_d_state'),
    convKernel: config.int('mamba_d_conv'),
    dtRank: readDtRank(config, 'mamba_dt_rank', hiddenSize),
  };
  const projBias = config.boolOr('mamba_proj_bias', false);
  const convBias = config.boolOr('mamba_conv_bias', true);
  const ffn = jambaFfn(config, layers);
  const window = config.optInt('sliding_window');
  const warnings =
    window === null
      ? []
      : [
          slidingWindowIgnored(
            config,
            window,
            'Jamba attention layers are planned as full attention',
          ),
        ];

  const stack: HybridLayer[] = Array.from({ length: layers }, (_, index) => {
    const prefix = layerPrefix(index);
    const norms = [`${prefix}.input_layernorm`, `${prefix}.pre_ff_layernorm`];
    if (selects(attention, index)) {
      const mixer = attentionMixer(heads, null);
      const mixerTensors = attentionTensors({
        prefix: `${prefix}.self_attn`,
        layer: index,
        hiddenSize,
        heads: heads.heads,
        kvHeads: heads.kvHeads,
        headDimK: heads.headDim,
      });
      return { mixer, mixerTensors, ffn: ffn(index), norms };
    }
    const weights = { prefix: `${prefix}.mamba`, layer: index, hiddenSize, projBias, convBias };
    return {
      mixer: mamba1Mixer(dims),
      mixerTensors: mamba1Tensors(weights, dims, true),
      ffn: ffn(index),
      norms,
    };
  });

  return buildHybrid({
    modelType: 'jamba',
    hiddenSize,
    vocabSize: config.int('vocab_size'),
    tiedEmbeddings: config.boolOr('tie_word_embeddings', false),
    maxPositionTokens: readMaxPosition(config),
    layers: stack,
    sharedExperts: 0,
    names: { embedding: 'model.embed_tokens.weight', finalNorm: 'model.final_layernorm' },
    warnings,
  });
}
