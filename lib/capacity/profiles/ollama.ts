// Ollama's memory: llama.cpp underneath, plus the reserve Ollama's scheduler keeps per GPU.

import { LLAMACPP_DEFAULTS, prepareLlamaCpp } from './llamacpp.ts';
import type { EngineModelInput, OllamaSettings, PreparedEngine } from './types.ts';

/** Ollama defaults: flash attention off (OLLAMA_FLASH_ATTENTION), no extra GPU overhead. */
export const OLLAMA_DEFAULTS: OllamaSettings = {
  engine: 'ollama',
  flashAttention: false,
  gpuOverheadBytes: 0,
};

/**
 * Ollama's per-GPU minimum reserve on CUDA and ROCm, 457 MiB (`MinimumMemory` in its
 * estimator until Nov 2025; Metal used 512 MiB). capacity.md 3.2.
 */
const MINIMUM_MEMORY_BYTES = 457 * 2 ** 20;

/** Binds Ollama's rules to one model: llama.cpp's allocations plus Ollama's reserves. */
export function prepareOllama(input: EngineModelInput, settings: OllamaSettings): PreparedEngine {
  const llama = prepareLlamaCpp(input, {
    ...LLAMACPP_DEFAULTS,
    flashAttention: settings.flashAttention,
  });
  const runtimeBytes = MINIMUM_MEMORY_BYTES + settings.gpuOverheadBytes;

  return {
    notes: {
      ...llama.notes,
      runtimeBytes: {
        provenance: 'estimate',
        source: "Ollama's 457 MiB minimum per GPU plus OLLAMA_GPU_OVERHEAD",
      },
    },
    memoryAt(contextTokens: number, sequences: number) {
      return { ...llama.memoryAt(contextTokens, sequences), runtimeBytes };
    },
    budgetBytes: llama.budgetBytes,
  };
}
