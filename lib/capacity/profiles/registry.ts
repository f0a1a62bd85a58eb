// Engine profiles by name: their defaults, the KV types they accept, and how to prepare them.

import { CapacityError } from '../errors.ts';
import type { KvDtype } from '../kv-dtype.ts';
import { LLAMACPP_DEFAULTS, prepareLlamaCpp } from './llamacpp.ts';
import { OLLAMA_DEFAULTS, prepareOllama } from './ollama.ts';
import { ORT_DEFAULTS, prepareOrt } from './ort.ts';
import type { EngineModelInput, EngineName, EngineSettings, PreparedEngine } from './types.ts';
import { VLLM_DEFAULTS, prepareVllm } from './vllm.ts';

/** Every engine with a memory profile. */
export const ENGINE_NAMES: readonly EngineName[] = [
  'llama.cpp',
  'vllm',
  'ollama',
  'transformers.js',
];

/**
 * KV types each engine can store: llama.cpp's `--cache-type-k/v` list, vLLM's `--kv-cache-dtype`
 * (auto = model dtype, fp8), ONNX Runtime's past_key_values in f32 or f16.
 */
const KV_SUPPORT: Record<EngineName, readonly KvDtype[]> = {
  'llama.cpp': ['f32', 'f16', 'bf16', 'q8_0', 'q5_1', 'q5_0', 'q4_1', 'q4_0', 'iq4_nl'],
  ollama: ['f16', 'q8_0', 'q4_0'],
  vllm: ['f16', 'bf16', 'fp8'],
  'transformers.js': ['f32', 'f16'],
};

/** KV types `engine` accepts. */
export function supportedKvDtypes(engine: EngineName): readonly KvDtype[] {
  return KV_SUPPORT[engine];
}

/** An engine's default settings; throws naming the field for an unknown engine. */
export function engineDefaults(name: string): EngineSettings {
  switch (name) {
    case 'llama.cpp':
      return { ...LLAMACPP_DEFAULTS };
    case 'vllm':
      return { ...VLLM_DEFAULTS };
    case 'ollama':
      return { ...OLLAMA_DEFAULTS };
    case 'transformers.js':
      return { ...ORT_DEFAULTS };
    default:
      throw new CapacityError('unknown_engine', `unknown engine "${name}"`, {
        field: 'engine',
        expected: `one of ${ENGINE_NAMES.join(', ')}`,
      });
  }
}

/** Binds an engine's memory rules to one model and split. */
export function prepareEngine(settings: EngineSettings, input: EngineModelInput): PreparedEngine {
  switch (settings.engine) {
    case 'vllm':
      return prepareVllm(input, settings);
    case 'transformers.js':
      return prepareOrt(input, settings);
    case 'llama.cpp':
      return prepareLlamaCpp(input, settings);
    case 'ollama':
      return prepareOllama(input, settings);
  }
}

/** Whether an engine keeps the input embedding in host memory (llama.cpp and Ollama do). */
export function keepsEmbeddingOnHost(engine: EngineName): boolean {
  return engine === 'llama.cpp' || engine === 'ollama';
}
