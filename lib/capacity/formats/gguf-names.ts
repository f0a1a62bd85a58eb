// Reads a GGUF tensor name (llama.cpp's naming) into its layer, parameter group and role.

import type { ParamGroup, TensorRole } from '../spec.ts';

/** What a GGUF tensor name says about the tensor. */
export interface GgufNameInfo {
  /** Block index from `blk.N.`, or null for tensors outside the layer stack. */
  layer: number | null;
  group: ParamGroup;
  role: TensorRole;
  /** True for stacked expert tensors (`*_exps`), whose outermost dimension counts experts. */
  stackedExperts: boolean;
}

/** Base names (between `blk.N.` and the suffix) and the role and group they carry. */
const BASE_ROLES: Record<string, [TensorRole, ParamGroup]> = {
  attn_q: ['attn_q', 'attention'],
  attn_k: ['attn_k', 'attention'],
  attn_v: ['attn_v', 'attention'],
  attn_qkv: ['attn_qkv', 'attention'],
  attn_output: ['attn_output', 'attention'],
  attn_q_a: ['attn_q_a', 'attention'],
  attn_q_b: ['attn_q_b', 'attention'],
  attn_kv_a_mqa: ['attn_kv_a', 'attention'],
  attn_kv_b: ['attn_kv_b', 'attention'],
  attn_k_b: ['other', 'attention'],
  attn_v_b: ['other', 'attention'],
  attn_sinks: ['attn_sinks', 'attention'],
  ffn_gate: ['ffn_gate', 'mlp'],
  ffn_up: ['ffn_up', 'mlp'],
  ffn_down: ['ffn_down', 'mlp'],
  ffn_gate_inp: ['ffn_gate_inp', 'router'],
  exp_probs_b: ['bias', 'router'],
  ffn_gate_exps: ['ffn_gate', 'experts'],
  ffn_up_exps: ['ffn_up', 'experts'],
  ffn_down_exps: ['ffn_down', 'experts'],
  ffn_gate_up_exps: ['ffn_gate_up', 'experts'],
  ffn_gate_shexp: ['ffn_gate', 'shared_experts'],
  ffn_up_shexp: ['ffn_up', 'shared_experts'],
  ffn_down_shexp: ['ffn_down', 'shared_experts'],
  ffn_gate_inp_shexp: ['other', 'shared_experts'],
  ssm_in: ['ssm_in', 'ssm'],
  ssm_conv1d: ['ssm_conv', 'ssm'],
  ssm_x: ['ssm_x', 'ssm'],
  ssm_dt: ['ssm_dt', 'ssm'],
  ssm_a: ['ssm_a', 'ssm'],
  ssm_d: ['ssm_d', 'ssm'],
  ssm_out: ['ssm_out', 'ssm'],
  'shortconv.conv': ['ssm_conv', 'ssm'],
  'shortconv.in_proj': ['ssm_in', 'ssm'],
  'shortconv.out_proj': ['ssm_out', 'ssm'],
  token_embd: ['token_embd', 'embedding'],
  pos_embd: ['pos_embd', 'embedding'],
  token_types: ['other', 'embedding'],
  output: ['output', 'head'],
};

const LAYER_RE = /^blk\.(\d+)\.(.+)$/;

/** Splits `name` into its base and its last suffix (`weight`, `bias`, `scale`), if any. */
function splitSuffix(name: string): { base: string; suffix: string } {
  const dot = name.lastIndexOf('.');
  if (dot < 0) return { base: name, suffix: '' };
  const suffix = name.slice(dot + 1);
  if (suffix === 'weight' || suffix === 'bias' || suffix === 'scale') {
    return { base: name.slice(0, dot), suffix };
  }
  return { base: name, suffix: '' };
}

/**
 * Layer, group and role of a GGUF tensor from its name, following llama.cpp's LLM_TENSOR_NAMES
 * (`blk.N.attn_q.weight`, `blk.N.ffn_down_exps.weight`, `token_embd.weight` ...). Norms are
 * any base ending in `norm`; biases take the group of the weight they belong to. Names this
 * table does not know are group and role `other`, still counted exactly.
 */
export function ggufNameInfo(name: string): GgufNameInfo {
  const match = LAYER_RE.exec(name);
  const layer = match ? Number(match[1]) : null;
  const { base, suffix } = splitSuffix(match ? (match[2] ?? '') : name);
  const known = BASE_ROLES[base];
  const stackedExperts = base.endsWith('_exps');

  if (base.endsWith('norm') || base.includes('_norm')) {
    return { layer, group: 'norm', role: 'norm', stackedExperts: false };
  }
  if (base.startsWith('nextn.')) {
    return { layer, group: 'mtp', role: suffix === 'bias' ? 'bias' : 'other', stackedExperts };
  }
  const group: ParamGroup = known ? known[1] : 'other';
  if (suffix === 'bias') return { layer, group, role: 'bias', stackedExperts };
  return { layer, group, role: known ? known[0] : 'other', stackedExperts };
}
