// Builders of the weight tensors that decoder families share: embeddings, attention, MLP, MoE.

import type { ParamGroup, TensorRole, TensorSpec } from './spec.ts';

/** Fields of a tensor that callers set; copies default to 1 and active copies to copies. */
export interface TensorInit {
  name: string;
  shape: readonly number[];
  group: ParamGroup;
  role: TensorRole;
  layer?: number | null;
  copies?: number;
  activeCopies?: number;
}

/** One tensor; a single copy read for every token unless told otherwise. */
export function tensor(init: TensorInit): TensorSpec {
  const copies = init.copies ?? 1;
  return {
    name: init.name,
    shape: [...init.shape],
    copies,
    activeCopies: init.activeCopies ?? copies,
    group: init.group,
    role: init.role,
    layer: init.layer ?? null,
  };
}

/** Elements in one copy of a tensor (the product of its shape). */
export function tensorElements(spec: TensorSpec): number {
  return spec.shape.reduce((product, size) => product * size, 1);
}

/** Standard prefix of decoder layer `layer`: `model.layers.{layer}`. */
export function layerPrefix(layer: number, stack = 'model.layers'): string {
  return `${stack}.${layer}`;
}

/** A linear layer's weight `[out, in]` and, when `bias`, its bias `[out]` (role `bias`). */
export function linearTensors(init: {
  name: string;
  outFeatures: number;
  inFeatures: number;
  bias: boolean;
  group: ParamGroup;
  role: TensorRole;
  layer: number | null;
  copies?: number;
  activeCopies?: number;
}): TensorSpec[] {
  const { name, outFeatures, inFeatures, bias, ...rest } = init;
  const weight = tensor({ ...rest, name: `${name}.weight`, shape: [outFeatures, inFeatures] });
  if (!bias) return [weight];
  return [weight, tensor({ ...rest, name: `${name}.bias`, shape: [outFeatures], role: 'bias' })];
}

/** A norm's weight `[size]` and, for LayerNorm (`bias`), its bias; group `norm`. */
export function normTensors(
  name: string,
  size: number,
  layer: number | null,
  bias = false,
): TensorSpec[] {
  const weight = tensor({
    name: `${name}.weight`,
    shape: [size],
    group: 'norm',
    role: 'norm',
    layer,
  });
  if (!bias) return [weight];
  return [
    weight,
    tensor({ name: `${name}.bias`, shape: [size], group: 'norm', role: 'bias', layer }),
  ];
}

/** The token embedding `[vocab, hidden]`, group `embedding`, role `token_embd`. */
export function tokenEmbedding(
  vocabSize: number,
  hiddenSize: number,
  name = 'model.embed_tokens.weight',
): TensorSpec {
  return tensor({ name, shape: [vocabSize, hiddenSize], group: 'embedding', role: 'token_embd' });
}

/** A learned absolute position embedding `[positions, hidden]` (GPT-2 style). */
export function positionEmbedding(
  positions: number,
  hiddenSize: number,
  name = 'model.embed_positions.weight',
): TensorSpec {
  return tensor({ name, shape: [positions, hiddenSize], group: 'embedding', role: 'pos_embd' });
}

/**
 * The LM head `[vocab, hidden]` (group `head`, role `output`). A tied head shares the token
 * embedding's storage, so it yields no tensor at all and is never counted twice.
 */
export function outputHead(init: {
  vocabSize: number;
  hiddenSize: number;
  tied: boolean;
  bias?: boolean;
  name?: string;
}): TensorSpec[] {
  if (init.tied) return [];
  return linearTensors({
    name: init.name ?? 'lm_head',
    outFeatures: init.vocabSize,
    inFeatures: init.hiddenSize,
    bias: init.bias ?? false,
    group: 'head',
    role: 'output',
    layer: null,
  });
}

/** Shape of one attention block's projections (heads x head dims), and its extras. */
export interface AttentionBlock {
  /** Name prefix, e.g. `model.layers.3.self_attn`. */
  prefix: string;
  layer: number;
  hiddenSize: number;
  heads: number;
  kvHeads: number;
  headDimK: number;
  /** Defaults to `headDimK`. */
  headDimV?: number;
  /** Bias on the q, k and v projections (Qwen2, gpt-oss, GPT-2). */
  qkvBias?: boolean;
  /** Bias on the output projection. */
  outputBias?: boolean;
  /** Norms of size head_dim on q and k (Qwen3, Gemma-3: RMS; Phi: LayerNorm with bias). */
  qkNorm?: boolean;
  /** The q/k norms are LayerNorms with a bias; their names default to `q_norm` / `k_norm`. */
  qkNormBias?: boolean;
  qkNormNames?: { q: string; k: string };
  /** One fused `qkv` projection instead of three (Phi-3, Falcon, GPT-2). */
  fusedQkv?: { name: string };
  /** Output projection name; defaults to `o_proj`. */
  outputName?: string;
  /** Learned per-head sink logits (gpt-oss `sinks`, `[heads]`). */
  learnedSinks?: boolean;
}

/**
 * The tensors of one attention block: q `[H*dk, hidden]`, k `[Hkv*dk, hidden]`, v
 * `[Hkv*dv, hidden]` (or one fused qkv of the summed rows), o `[hidden, H*dv]`, plus the biases,
 * q/k norms and sinks the block asks for. Shapes as in transformers' attention modules.
 */
export function attentionTensors(block: AttentionBlock): TensorSpec[] {
  const { prefix, layer, hiddenSize, heads, kvHeads, headDimK } = block;
  const headDimV = block.headDimV ?? headDimK;
  const qkvBias = block.qkvBias ?? false;
  const common = { group: 'attention' as const, layer, inFeatures: hiddenSize, bias: qkvBias };
  const tensors: TensorSpec[] = [];

  if (block.fusedQkv) {
    const rows = heads * headDimK + kvHeads * (headDimK + headDimV);
    const name = `${prefix}.${block.fusedQkv.name}`;
    tensors.push(...linearTensors({ ...common, name, outFeatures: rows, role: 'attn_qkv' }));
  } else {
    tensors.push(
      ...linearTensors({
        ...common,
        name: `${prefix}.q_proj`,
        outFeatures: heads * headDimK,
        role: 'attn_q',
      }),
      ...linearTensors({
        ...common,
        name: `${prefix}.k_proj`,
        outFeatures: kvHeads * headDimK,
        role: 'attn_k',
      }),
      ...linearTensors({
        ...common,
        name: `${prefix}.v_proj`,
        outFeatures: kvHeads * headDimV,
        role: 'attn_v',
      }),
    );
  }

  tensors.push(
    ...linearTensors({
      name: `${prefix}.${block.outputName ?? 'o_proj'}`,
      outFeatures: hiddenSize,
      inFeatures: heads * headDimV,
      bias: block.outputBias ?? false,
      group: 'attention',
      role: 'attn_output',
      layer,
    }),
  );

  if (block.qkNorm) {
    const qkNames = block.qkNormNames ?? { q: 'q_norm', k: 'k_norm' };
    tensors.push(
      ...normTensors(`${prefix}.${qkNames.q}`, headDimK, layer, block.qkNormBias ?? false),
      ...normTensors(`${prefix}.${qkNames.k}`, headDimK, layer, block.qkNormBias ?? false),
    );
  }

  if (block.learnedSinks) {
    tensors.push(
      tensor({
        name: `${prefix}.sinks`,
        shape: [heads],
        group: 'attention',
        role: 'attn_sinks',
        layer,
      }),
    );
  }

  return tensors;
}

/** Names of an MLP's projections; the defaults are Llama's. */
export interface MlpNames {
  gate?: string;
  up?: string;
  down?: string;
  /** Name of a fused gate+up projection (Phi-3 `gate_up_proj`). */
  gateUp?: string;
}

/** One feed-forward block: a gated (SwiGLU/GeGLU) or plain two-layer MLP. */
export interface MlpBlock {
  /** Name prefix, e.g. `model.layers.3.mlp`. */
  prefix: string;
  layer: number;
  hiddenSize: number;
  intermediateSize: number;
  /** Gated MLPs have gate, up and down projections; plain ones only up and down. */
  gated: boolean;
  bias?: boolean;
  names?: MlpNames;
  /** `mlp` for a dense MLP, `shared_experts` for an always-on shared expert. */
  group?: ParamGroup;
}

/**
 * Dense MLP tensors: gate and up `[inter, hidden]` (fused `[2*inter, hidden]` when named so),
 * down `[hidden, inter]`; a plain MLP has only up and down.
 */
export function mlpTensors(block: MlpBlock): TensorSpec[] {
  const { prefix, layer, hiddenSize, intermediateSize, gated } = block;
  const names = block.names ?? {};
  const group = block.group ?? 'mlp';
  const bias = block.bias ?? false;
  const inward = { inFeatures: hiddenSize, bias, group, layer };
  const tensors: TensorSpec[] = [];

  if (gated && names.gateUp !== undefined) {
    tensors.push(
      ...linearTensors({
        ...inward,
        name: `${prefix}.${names.gateUp}`,
        outFeatures: 2 * intermediateSize,
        role: 'ffn_gate_up',
      }),
    );
  } else {
    if (gated) {
      tensors.push(
        ...linearTensors({
          ...inward,
          name: `${prefix}.${names.gate ?? 'gate_proj'}`,
          outFeatures: intermediateSize,
          role: 'ffn_gate',
        }),
      );
    }
    tensors.push(
      ...linearTensors({
        ...inward,
        name: `${prefix}.${names.up ?? 'up_proj'}`,
        outFeatures: intermediateSize,
        role: 'ffn_up',
      }),
    );
  }

  tensors.push(
    ...linearTensors({
      name: `${prefix}.${names.down ?? 'down_proj'}`,
      outFeatures: hiddenSize,
      inFeatures: intermediateSize,
      bias,
      group,
      role: 'ffn_down',
      layer,
    }),
  );
  return tensors;
}

/** A routed-expert block: the router plus identical experts read `expertsPerToken` at a time. */
export interface MoeBlock {
  /** Name prefix, e.g. `model.layers.3.mlp`. */
  prefix: string;
  layer: number;
  hiddenSize: number;
  /** Intermediate size of one expert. */
  expertIntermediateSize: number;
  experts: number;
  expertsPerToken: number;
  /** Router (gate) name under the prefix; defaults to `gate`. */
  routerName?: string;
  routerBias?: boolean;
  /** Bias on every expert projection (gpt-oss). */
  expertBias?: boolean;
  /** Expert projection names under `{prefix}.{expertsName}.*`; defaults to Llama's. */
  names?: MlpNames;
  /** Defaults to `experts`. */
  expertsName?: string;
}

/**
 * Router `[experts, hidden]` (group `router`) and the expert projections, each ONE tensor per
 * layer with `copies` = experts and `activeCopies` = experts per token (group `experts`).
 */
export function moeTensors(block: MoeBlock): TensorSpec[] {
  const { prefix, layer, hiddenSize, experts, expertsPerToken } = block;
  const router = linearTensors({
    name: `${prefix}.${block.routerName ?? 'gate'}`,
    outFeatures: experts,
    inFeatures: hiddenSize,
    bias: block.routerBias ?? false,
    group: 'router',
    role: 'ffn_gate_inp',
    layer,
  });
  const expertTensors = mlpTensors({
    prefix: `${prefix}.${block.expertsName ?? 'experts'}.*`,
    layer,
    hiddenSize,
    intermediateSize: block.expertIntermediateSize,
    gated: true,
    bias: block.expertBias ?? false,
    ...(block.names ? { names: block.names } : {}),
    group: 'experts',
  }).map((spec) => ({ ...spec, copies: experts, activeCopies: expertsPerToken }));
  return [...router, ...expertTensors];
}

/**
 * Marks tensors as multi-token-prediction weights: group `mtp`, read by no generated token
 * (activeCopies 0), so they stay out of total and active counts.
 */
export function asMtp(tensors: readonly TensorSpec[]): TensorSpec[] {
  return tensors.map((spec) => ({ ...spec, group: 'mtp', activeCopies: 0 }));
}

/** Moves tensors into another group (for example a vision tower's blocks into `vision`). */
export function inGroup(tensors: readonly TensorSpec[], group: ParamGroup): TensorSpec[] {
  return tensors.map((spec) => ({ ...spec, group }));
}
