// vLLM's own limits: the max_model_len it derives, its max_num_seqs default, its auto dtype.

import type { DeviceSpec } from '../devices/types.ts';
import type { ModelSpec } from '../spec.ts';
import type { VllmSettings } from './types.ts';

/** The context vLLM falls back to when a config states no length (model_config.py). */
export const VLLM_DEFAULT_MAX_MODEL_LEN = 2048;

/** rope_scaling types whose factor vLLM does not multiply into the derived length. */
const UNSCALED_ROPE_TYPES = new Set(['su', 'longrope', 'llama3']);

/** The longest max_model_len vLLM accepts for a model, and what it was derived from. */
export interface VllmContextLimit {
  tokens: number;
  /** The key (or `default`) the limit came from, with `x factor` for rope scaling. */
  derivedFrom: string;
}

/**
 * vLLM's derived max_model_len (model_config.py `_get_and_verify_max_len`): the smallest of the
 * config's length keys (max_position_embeddings, n_positions, max_seq_len, seq_length ...), or
 * 2048 when it states none; times the rope_scaling factor for types other than su, longrope and
 * llama3 (mrope counts 1; yarn scales original_max_position_embeddings when stated). A longer
 * `--max-model-len` is refused unless VLLM_ALLOW_LONG_MAX_MODEL_LEN=1. The sliding-window cap
 * applies only with `--disable-sliding-window`, which is not modelled.
 */
export function vllmMaxModelLen(spec: ModelSpec): VllmContextLimit {
  const keys = spec.contextFacts?.lengthKeys ?? {};
  let derived: VllmContextLimit | null = null;
  for (const [key, tokens] of Object.entries(keys)) {
    if (derived === null || tokens < derived.tokens) derived = { tokens, derivedFrom: key };
  }
  if (derived === null && spec.maxPositionTokens !== null) {
    derived = { tokens: spec.maxPositionTokens, derivedFrom: 'max_position_embeddings' };
  }
  if (derived === null) return { tokens: VLLM_DEFAULT_MAX_MODEL_LEN, derivedFrom: 'default' };

  const rope = spec.contextFacts?.ropeScaling ?? null;
  if (rope === null || UNSCALED_ROPE_TYPES.has(rope.type)) return derived;
  const factor = rope.type === 'mrope' ? 1 : rope.factor;
  const base =
    rope.type === 'yarn' && rope.originalMaxPositionTokens !== null
      ? { tokens: rope.originalMaxPositionTokens, derivedFrom: 'original_max_position_embeddings' }
      : derived;
  if (factor === 1) return base;
  return {
    tokens: Math.floor(base.tokens * factor),
    derivedFrom: `${base.derivedFrom} x ${String(factor)} (${rope.type})`,
  };
}

/** Devices vLLM gives the large batch defaults: 70 GiB or more and not an A100. */
function largeBatchDevice(device: DeviceSpec): boolean {
  return device.memoryBytes >= 70 * 2 ** 30 && !/a100/i.test(`${device.id} ${device.name}`);
}

/**
 * `--max-num-seqs` on `device`: the setting, or vLLM's default for the OpenAI server
 * (arg_utils.py get_batch_defaults): 1024 on GPUs of 70 GiB or more other than the A100,
 * 256 elsewhere.
 */
export function vllmMaxNumSeqs(settings: VllmSettings, device: DeviceSpec): number {
  if (settings.maxNumSeqs !== null) return settings.maxNumSeqs;
  return largeBatchDevice(device) ? 1024 : 256;
}

/**
 * The dtype `--dtype auto` loads a float32 checkpoint in (model_config.py `_resolve_auto_dtype`,
 * vLLM 0.9 and later): the platform's first supported dtype, bfloat16 on CUDA GPUs of compute
 * capability 8.0 or newer; float16 before 0.9 ("we use float16 for float32 models").
 */
export function vllmFloat32AutoDtype(version: string): 'bf16' | 'f16' {
  const [major = 0, minor = 0] = version.split('.').map(Number);
  return major > 0 || minor >= 9 ? 'bf16' : 'f16';
}
