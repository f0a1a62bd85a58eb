// Reads a Hugging Face checkpoint tensor name into its layer, expert, parameter group and role.

import type { ParamGroup, TensorRole } from '../spec.ts';

/** How a stored tensor contributes to a logical weight. */
export type TensorPart =
  | 'weight'
  | 'bias'
  | 'scale'
  | 'zeros'
  | 'index'
  | 'packed'
  | 'blocks'
  | 'absmax'
  | 'codebook'
  | 'state'
  | 'own';

/** What a checkpoint tensor name says about the tensor. */
export interface HfNameInfo {
  /** Name of the logical tensor this stored tensor belongs to (experts folded to `*`). */
  logicalName: string;
  part: TensorPart;
  layer: number | null;
  /** Expert index of a per-expert tensor (`experts.3.`), or null. */
  expert: number | null;
  /** True for fused expert tensors stored with the experts as their outermost dimension. */
  stackedExperts: boolean;
  group: ParamGroup;
  role: TensorRole;
}

const VISION_MODULES = [
  'visual',
  'vision_tower',
  'vision_model',
  'vision_encoder',
  'multi_modal_projector',
  'mm_projector',
  'image_newline',
  'audio_tower',
  'vision_embed_tokens',
];
const VISION_RE = new RegExp(`(^|\\.)(${VISION_MODULES.join('|')})(\\.|$)`);
const LAYER_RE = /(^|\.)(layers|h|blocks|block)\.(\d+)\./;
const EXPERT_RE = /\.experts\.(\d+)\./;

/** Quantisation side tensors, by the suffix that follows the module name. */
const PART_SUFFIXES: readonly [RegExp, TensorPart, string][] = [
  [/\.weight\.(absmax|nested_absmax)$/, 'absmax', 'weight'],
  [/\.weight\.(quant_map|nested_quant_map)$/, 'codebook', 'weight'],
  [/\.weight\.quant_state\.[\w]+$/, 'state', 'weight'],
  [/\.qweight$/, 'packed', 'weight'],
  [/\.weight_packed$/, 'packed', 'weight'],
  [/\.qzeros$/, 'zeros', 'weight'],
  [/\.weight_zero_point$/, 'zeros', 'weight'],
  [/\.(scales|weight_scale_inv|weight_scale|input_scale|SCB)$/, 'scale', 'weight'],
  [/\.(g_idx|weight_g_idx|weight_shape|weight_format)$/, 'index', 'weight'],
  [/(?<=proj)_blocks$/, 'blocks', ''],
  [/(?<=proj)_scales$/, 'scale', ''],
  [/\.weight$/, 'weight', 'weight'],
  [/\.bias$/, 'bias', 'bias'],
];

/**
 * Splits a name into its module path, its part, and the name of the logical tensor it belongs
 * to (before expert folding). gpt-oss names its expert biases `<proj>_bias`: own tensors.
 */
function splitPart(name: string): { module: string; part: TensorPart; logical: string } {
  if (/_proj_bias$/.test(name)) {
    return { module: name.slice(0, -'_bias'.length), part: 'bias', logical: name };
  }
  for (const [pattern, part, tail] of PART_SUFFIXES) {
    const match = pattern.exec(name);
    if (!match) continue;
    const module = name.slice(0, match.index);
    return { module, part, logical: tail === '' ? module : `${module}.${tail}` };
  }
  return { module: name, part: 'own', logical: name };
}

/** Role and group of a module inside a decoder layer, from its last path components. */
function layerRole(path: string): [TensorRole, ParamGroup] {
  const last = path.slice(path.lastIndexOf('.') + 1);
  const group: ParamGroup = /shared_expert/.test(path)
    ? 'shared_experts'
    : /\.experts(\.|$)/.test(path) || path.startsWith('experts')
      ? 'experts'
      : 'mlp';

  if (/norm|^ln_\d$/.test(last)) return ['norm', 'norm'];
  if (last === 'shared_expert_gate') return ['other', 'shared_experts'];
  if (last === 'e_score_correction_bias') return ['bias', 'router'];
  if (/(^|\.)(mlp|block_sparse_moe|feed_forward|moe)\.(gate|router)$/.test(path)) {
    return ['ffn_gate_inp', 'router'];
  }
  if (last === 'router') return ['ffn_gate_inp', 'router'];

  const attention = ATTENTION_ROLES[last];
  if (attention) return [attention, 'attention'];
  if (/(^|\.)(self_attn|attention|attn|self_attention)\.out_proj$/.test(path)) {
    return ['attn_output', 'attention'];
  }
  if (last === 'sinks') return ['attn_sinks', 'attention'];
  if (/(^|\.)(attn|self_attention)\.c_proj$|self_attention\.dense$/.test(path)) {
    return ['attn_output', 'attention'];
  }

  const ssm = SSM_ROLES[last] ?? (last.startsWith('in_proj') ? 'ssm_in' : undefined);
  if (ssm) return [ssm, 'ssm'];
  if (last === 'dt_bias') return ['bias', 'ssm'];

  const ffn = FFN_ROLES[last];
  if (ffn) return [ffn, group];
  if (/mlp\.c_proj$/.test(path)) return ['ffn_down', group];
  return ['other', 'other'];
}

const ATTENTION_ROLES: Record<string, TensorRole> = {
  q_proj: 'attn_q',
  k_proj: 'attn_k',
  v_proj: 'attn_v',
  o_proj: 'attn_output',
  qkv_proj: 'attn_qkv',
  query_key_value: 'attn_qkv',
  c_attn: 'attn_qkv',
  Wqkv: 'attn_qkv',
  q_a_proj: 'attn_q_a',
  q_b_proj: 'attn_q_b',
  kv_a_proj_with_mqa: 'attn_kv_a',
  kv_b_proj: 'attn_kv_b',
};

const SSM_ROLES: Record<string, TensorRole> = {
  conv1d: 'ssm_conv',
  x_proj: 'ssm_x',
  dt_proj: 'ssm_dt',
  A_log: 'ssm_a',
  D: 'ssm_d',
  out_proj: 'ssm_out',
};

const FFN_ROLES: Record<string, TensorRole> = {
  gate_proj: 'ffn_gate',
  w1: 'ffn_gate',
  up_proj: 'ffn_up',
  w3: 'ffn_up',
  down_proj: 'ffn_down',
  w2: 'ffn_down',
  gate_up_proj: 'ffn_gate_up',
  c_fc: 'ffn_up',
  fc1: 'ffn_up',
  dense_h_to_4h: 'ffn_up',
  fc2: 'ffn_down',
  dense_4h_to_h: 'ffn_down',
};

/** Role and group of a module outside the layer stack. */
function outerRole(path: string): [TensorRole, ParamGroup] {
  const last = path.slice(path.lastIndexOf('.') + 1);
  if (/^(embed_tokens|wte|word_embeddings|embeddings|tok_embeddings|embedding)$/.test(last)) {
    return ['token_embd', 'embedding'];
  }
  if (/^(wpe|embed_positions|position_embeddings)$/.test(last)) return ['pos_embd', 'embedding'];
  if (/^(lm_head|embed_out|output)$/.test(last)) return ['output', 'head'];
  if (/norm|^ln_f$/.test(last)) return ['norm', 'norm'];
  return ['other', 'other'];
}

/**
 * Layer, expert, group and role of a checkpoint tensor, and the logical weight it is part of:
 * GPTQ/AWQ `qweight`/`qzeros`/`scales`/`g_idx`, FP8 `weight_scale_inv`, bitsandbytes `absmax`
 * and code books, compressed-tensors `weight_packed`, and gpt-oss `_blocks`/`_scales` all fold
 * into their module's `.weight`. Per-expert tensors fold to `experts.*`. Names this reader does
 * not know are group and role `other`, still counted.
 */
export function hfNameInfo(name: string): HfNameInfo {
  const { module, part, logical } = splitPart(name);
  const expertMatch = EXPERT_RE.exec(module);
  const expert = expertMatch ? Number(expertMatch[1]) : null;
  const logicalName = expertMatch ? logical.replace(EXPERT_RE, '.experts.*.') : logical;
  const vision = VISION_RE.test(module);
  const layerMatch = vision ? null : LAYER_RE.exec(module);
  const layer = layerMatch ? Number(layerMatch[3]) : null;
  const stackedExperts = expert === null && /\.experts\.[A-Za-z_]+$/.test(module);

  let role: TensorRole;
  let group: ParamGroup;
  if (vision) {
    [role, group] = ['other', 'vision'];
  } else if (/(^|\.)mtp\./.test(module)) {
    [role, group] = ['other', 'mtp'];
  } else if (layerMatch) {
    [role, group] = layerRole(module.slice(layerMatch.index + layerMatch[0].length));
  } else {
    [role, group] = outerRole(module);
  }
  if (part === 'bias' && role !== 'norm') role = 'bias';
  return { logicalName, part, layer, expert, stackedExperts, group, role };
}
