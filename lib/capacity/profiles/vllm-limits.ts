// vLLM's own limits: the max_model_len it derives, its max_num_seqs default, its auto dtype.

import type { DeviceSpec } from '../devices/types.ts';
import type { ModelSpec } from '../spec.ts';
import type { VllmSettings } from './types.ts';

/** The context vLLM uses when a config states no length and no --max-model-len is given. */
export const VLLM_DEFAULT_MAX_MODEL_LEN = 2048;

/** rope_scaling types whose factor vLLM does not multiply into the derived length. */
const UNSCALED_ROPE_TYPES = new Set(['su', 'longrope', 'llama3']);

/**
 * Length attributes the transformers config class sets by default, which vLLM reads when
 * config.json leaves them out (FalconConfig max_position_embeddings = 2048, GPT2Config
 * n_positions = 1024, LlamaConfig max_position_embeddings = 2048). Mamba's config class has
 * none, so vLLM finds no length for it.
 */
const CONFIG_CLASS_LENGTHS: Readonly<Record<string, readonly [string, number]>> = {
  falcon: ['max_position_embeddings', 2048],
  gpt2: ['n_positions', 1024],
  llama: ['max_position_embeddings', 2048],
};

/** The longest max_model_len vLLM accepts for a model, and what it was derived from. */
export interface VllmContextLimit {
  tokens: number;
  /** The key the limit came from, with `x factor` for rope scaling. */
  derivedFrom: string;
}

function statedLength(spec: ModelSpec): VllmContextLimit | null {
  const keys = spec.contextFacts?.lengthKeys ?? {};
  let derived: VllmContextLimit | null = null;
  for (const [key, tokens] of Object.entries(keys)) {
    if (derived === null || tokens < derived.tokens) derived = { tokens, derivedFrom: key };
  }
  if (derived !== null) return derived;
  if (spec.maxPositionTokens !== null) {
    return { tokens: spec.maxPositionTokens, derivedFrom: 'max_position_embeddings' };
  }
  const classDefault = CONFIG_CLASS_LENGTHS[spec.modelType];
  if (classDefault === undefined) return null;
  const [key, tokens] = classDefault;
  return { tokens, derivedFrom: `${key} (config default)` };
}

/**
 * vLLM's derived max_model_len (model_config.py `_get_and_verify_max_len`): the smallest of the
 * config's length keys (max_position_embeddings, n_positions, max_seq_len, seq_length ...,
 * with the config class's defaults), times the rope_scaling factor for types other than su,
 * longrope and llama3 (mrope counts 1; yarn scales original_max_position_embeddings when
 * stated), except for model types containing "gemma3", whose length is already scaled. A
 * longer `--max-model-len` is refused unless VLLM_ALLOW_LONG_MAX_MODEL_LEN=1. Null when the
 * config states no length: vLLM then takes any `--max-model-len` as given, and 2048 when none
 * is given (`VLLM_DEFAULT_MAX_MODEL_LEN`). The sliding-window cap applies only with
 * `--disable-sliding-window`, which is not modelled.
 */
export function vllmMaxModelLen(spec: ModelSpec): VllmContextLimit | null {
  const derived = statedLength(spec);
  if (derived === null) return null;

  const rope = spec.contextFacts?.ropeScaling ?? null;
  if (rope === null || UNSCALED_ROPE_TYPES.has(rope.type)) return derived;
  if (spec.modelType.includes('gemma3')) return derived;
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
 * 256 elsewhere, and never above a `--max-num-batched-tokens` that is set.
 */
export function vllmMaxNumSeqs(settings: VllmSettings, device: DeviceSpec): number {
  if (settings.maxNumSeqs !== null) return settings.maxNumSeqs;
  const byDevice = largeBatchDevice(device) ? 1024 : 256;
  const batched = settings.maxNumBatchedTokens;
  return batched === null ? byDevice : Math.min(byDevice, batched);
}

/**
 * `--max-num-batched-tokens` on `device` at a `--max-model-len` of `maxModelLenTokens`: the
 * setting, or vLLM's default for the OpenAI server (arg_utils.py get_batch_defaults and
 * `_set_default_max_num_seqs_and_batched_tokens_args`, chunked prefill on): 8192 on GPUs of
 * 70 GiB or more other than the A100, 2048 elsewhere, and never above max_num_seqs x
 * max_model_len.
 */
export function vllmMaxNumBatchedTokens(
  settings: VllmSettings,
  device: DeviceSpec | null,
  maxModelLenTokens: number,
): number {
  return vllmBatchedTokensRule(settings, device)(maxModelLenTokens);
}

/**
 * `vllmMaxNumBatchedTokens` with the device's part worked out once: the returned function maps
 * a max_model_len to the token budget, cheap enough for every point of a context search.
 */
export function vllmBatchedTokensRule(
  settings: VllmSettings,
  device: DeviceSpec | null,
): (maxModelLenTokens: number) => number {
  const fixed = settings.maxNumBatchedTokens;
  if (fixed !== null) return () => fixed;
  const capTokens = device !== null && largeBatchDevice(device) ? 8192 : 2048;
  const seqs = device === null ? (settings.maxNumSeqs ?? 256) : vllmMaxNumSeqs(settings, device);
  return (maxModelLenTokens) => Math.min(capTokens, seqs * maxModelLenTokens);
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
