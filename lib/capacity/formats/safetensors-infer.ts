// Infers decoder layers from weight shapes alone, for checkpoints read without a config.json.

import type { CapacityWarning } from '../errors.ts';
import type { LayerSpec, Mixer, TensorSpec } from '../spec.ts';

/** Layers read from shapes, and remarks on what had to be assumed. */
export interface InferredLayers {
  layers: LayerSpec[];
  warnings: CapacityWarning[];
}

function out(tensor: TensorSpec | undefined): number {
  return tensor?.shape[0] ?? 0;
}

function innermost(tensor: TensorSpec | undefined): number {
  return tensor?.shape[tensor.shape.length - 1] ?? 0;
}

/** Head size: a q/k norm's width when present (Qwen3, Gemma 3), else 128, 64 or one head. */
function headDimFor(
  tensors: TensorSpec[],
  kvWidth: number,
  qWidth: number,
): {
  headDim: number;
  assumed: boolean;
} {
  const headNorm = tensors.find((t) => /\.(k_norm|q_norm)\.weight$/.test(t.name));
  if (headNorm && headNorm.shape.length === 1) return { headDim: out(headNorm), assumed: false };
  for (const size of [128, 64]) {
    if (kvWidth % size === 0 && qWidth % size === 0) return { headDim: size, assumed: true };
  }
  return { headDim: kvWidth, assumed: true };
}

/**
 * MLA sizes from shapes: kv_a_proj_with_mqa's output is kv_lora_rank + rope, kv_a_layernorm's
 * width is kv_lora_rank. With v = nope (true of DeepSeek V2/V3 and Kimi K2), q_b (or q) output
 * heads x (nope + rope) and kv_b output heads x 2 x nope give heads and nope exactly.
 */
function mlaMixer(tensors: TensorSpec[], warnings: Set<string>): Mixer {
  const kvA = tensors.find((t) => t.role === 'attn_kv_a');
  const kvNorm = tensors.find((t) => /kv_a_layernorm/.test(t.name));
  const qOut = out(
    tensors.find((t) => t.role === 'attn_q_b') ?? tensors.find((t) => t.role === 'attn_q'),
  );
  const kvB = out(tensors.find((t) => t.role === 'attn_kv_b'));
  const qA = tensors.find((t) => t.role === 'attn_q_a');
  const rank = out(kvNorm);
  const rope = out(kvA) - rank;
  const heads = rope > 0 ? (qOut - kvB / 2) / rope : 0;
  const nope = heads > 0 ? kvB / (2 * heads) : 0;
  warnings.add('mla');
  return {
    kind: 'mla',
    heads: Number.isInteger(heads) ? heads : 0,
    qLoraRank: qA ? out(qA) : null,
    kvLoraRank: rank,
    qkNopeHeadDim: Number.isInteger(nope) ? nope : 0,
    qkRopeHeadDim: rope,
    vHeadDim: Number.isInteger(nope) ? nope : 0,
  };
}

/**
 * Mamba state from shapes: a 2-D A_log [d_inner, d_state] is Mamba-1 (state d_inner x d_state,
 * conv (d_conv - 1) x d_inner); a 1-D A_log is Mamba-2, whose conv1d [conv_dim, 1, d_conv] gives
 * the conv window exactly and whose d_state assumes one group.
 */
function ssmMixer(tensors: TensorSpec[], warnings: Set<string>): Mixer {
  const aLog = tensors.find((t) => t.role === 'ssm_a');
  const conv = tensors.find((t) => t.role === 'ssm_conv');
  const kernel = innermost(conv);
  const convDim = out(conv);
  if (aLog && aLog.shape.length === 2) {
    return {
      kind: 'recurrent',
      variant: 'mamba1',
      stateElements: out(aLog) * innermost(aLog),
      convElements: Math.max(kernel - 1, 0) * convDim,
    };
  }
  const inner = innermost(tensors.find((t) => t.role === 'ssm_out'));
  warnings.add('mamba2');
  return {
    kind: 'recurrent',
    variant: 'mamba2',
    stateElements: (inner * Math.max(convDim - inner, 0)) / 2,
    convElements: Math.max(kernel - 1, 0) * convDim,
  };
}

function attentionMixer(tensors: TensorSpec[], warnings: Set<string>): Mixer | null {
  const k = tensors.find((t) => t.role === 'attn_k' && t.shape.length === 2);
  const v = tensors.find((t) => t.role === 'attn_v' && t.shape.length === 2);
  const q = tensors.find((t) => t.role === 'attn_q' && t.shape.length === 2);
  if (!k || !v || !q) {
    const fused = tensors.find((t) => t.role === 'attn_qkv');
    if (!fused) return null;
    warnings.add('fused');
    const width = out(fused) / 3;
    const { headDim } = headDimFor(tensors, width, width);
    const heads = width / headDim;
    return attention(heads, heads, headDim, headDim, tensors);
  }
  const { headDim, assumed } = headDimFor(tensors, out(k), out(q));
  if (assumed) warnings.add('head_dim');
  const headDimV = out(v) / (out(k) / headDim);
  return attention(out(q) / headDim, out(k) / headDim, headDim, headDimV, tensors);
}

function attention(
  heads: number,
  kvHeads: number,
  headDimK: number,
  headDimV: number,
  tensors: TensorSpec[],
): Mixer {
  return {
    kind: 'attention',
    heads,
    kvHeads,
    headDimK,
    headDimV,
    window: null,
    sinkTokens: 0,
    learnedSinks: tensors.some((t) => t.role === 'attn_sinks'),
  };
}

const WARNING_TEXT: Record<string, [string, Record<string, string>]> = {
  head_dim: ['head size assumed from projection widths', { field: 'head_dim' }],
  fused: ['fused QKV read as multi-head attention', { field: 'num_key_value_heads' }],
  mla: ['MLA head sizes assume v_head_dim = qk_nope_head_dim', { field: 'v_head_dim' }],
  mamba2: ['Mamba-2 state size assumes one group', { field: 'n_groups' }],
};

/**
 * Decoder layers from the tensors of layers 0 .. count - 1: MLA when kv_a_proj_with_mqa is
 * present, attention from q/k/v widths (the KV width per token is exact; the head split is
 * assumed unless a q/k norm gives the head size), Mamba from A_log and conv1d, else no mixer.
 * Sliding windows are not visible in weights: every attention layer is read as full, and a
 * warning says so, as it does for each other assumption.
 */
export function inferLayers(tensors: readonly TensorSpec[], count: number): InferredLayers {
  const byLayer: TensorSpec[][] = Array.from({ length: count }, () => []);
  for (const tensor of tensors) {
    if (tensor.layer !== null && tensor.layer < count) byLayer[tensor.layer]?.push(tensor);
  }
  const assumptions = new Set<string>();
  const layers = byLayer.map((own, index): LayerSpec => {
    const hasSsm = own.some((t) => t.group === 'ssm');
    const hasMla = own.some((t) => t.role === 'attn_kv_a');
    const mixer: Mixer = hasMla
      ? mlaMixer(own, assumptions)
      : hasSsm
        ? ssmMixer(own, assumptions)
        : (attentionMixer(own, assumptions) ?? { kind: 'none' });
    const experts = own.some((t) => t.group === 'experts' && t.role !== 'bias');
    const dense = own.some((t) => t.group === 'mlp' && t.role !== 'bias');
    return { index, mixer, ffn: experts ? 'moe' : dense ? 'dense' : 'none' };
  });

  const warnings: CapacityWarning[] = [
    {
      code: 'estimate',
      message: 'layers inferred from weight shapes; sliding windows are not visible there',
      data: { field: 'config.json' },
    },
  ];
  for (const key of assumptions) {
    const text = WARNING_TEXT[key];
    if (text) warnings.push({ code: 'estimate', message: text[0], data: text[1] });
  }
  return { layers, warnings };
}
