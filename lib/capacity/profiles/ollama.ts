// Ollama's memory: llama.cpp underneath, plus the reserve Ollama's scheduler keeps per GPU.

import type { CapacityWarning } from '../errors.ts';
import { isBlockKvDtype } from '../kv-dtype.ts';
import type { KvDtypes } from '../kv.ts';
import type { ModelSpec } from '../spec.ts';
import { LLAMACPP_DEFAULTS, prepareLlamaCpp } from './llamacpp.ts';
import type { EngineModelInput, OllamaSettings, PreparedEngine } from './types.ts';

/**
 * Ollama defaults: flash attention on where the model supports it (llm/server.go:
 * `envconfig.FlashAttention(f.SupportsFlashAttention())`; OLLAMA_FLASH_ATTENTION=0 turns it
 * off), no extra GPU overhead.
 */
export const OLLAMA_DEFAULTS: OllamaSettings = {
  engine: 'ollama',
  flashAttention: true,
  gpuOverheadBytes: 0,
};

/**
 * Ollama's per-GPU minimum reserve on CUDA and ROCm, 457 MiB (`MinimumMemory` in its
 * estimator until Nov 2025; Metal used 512 MiB). capacity.md 3.2.
 */
const MINIMUM_MEMORY_BYTES = 457 * 2 ** 20;

/** Architectures Ollama's SupportsFlashAttention refuses by name (fs/ggml/ggml.go). */
const NO_FLASH_ARCHITECTURES = new Set(['gemma2', 'grok']);

/**
 * Whether Ollama runs `spec` with flash attention under `settings`: asked for, and the model
 * supports it (fs/ggml SupportsFlashAttention: not an embedding model, not gemma2 or grok, and
 * every layer's K head size equal to its V head size, which excludes MLA models).
 */
export function ollamaFlashAttention(settings: OllamaSettings, spec: ModelSpec): boolean {
  if (!settings.flashAttention || !spec.causal) return false;
  if (NO_FLASH_ARCHITECTURES.has(spec.modelType)) return false;
  return spec.layers.every((layer) => {
    const mixer = layer.mixer;
    if (mixer.kind === 'mla') return mixer.qkNopeHeadDim + mixer.qkRopeHeadDim === mixer.vHeadDim;
    return mixer.kind !== 'attention' || mixer.headDimK === mixer.headDimV;
  });
}

/**
 * The cache types Ollama really uses: a quantized OLLAMA_KV_CACHE_TYPE only with flash
 * attention; without it Ollama logs "quantized kv cache requested but flash attention
 * disabled" and keeps f16 (llm/server.go). The warning is null when nothing changes.
 */
export function ollamaKvDtypes(
  settings: OllamaSettings,
  spec: ModelSpec,
  kv: KvDtypes,
): { kv: KvDtypes; warning: CapacityWarning | null } {
  const quantized = isBlockKvDtype(kv.k) || isBlockKvDtype(kv.v);
  if (!quantized || ollamaFlashAttention(settings, spec)) return { kv, warning: null };
  return {
    kv: { ...kv, k: 'f16', v: 'f16' },
    warning: {
      code: 'kv_dtype_unsupported',
      message:
        `Ollama keeps an f16 KV cache: ${kv.v} needs flash attention, which is off ` +
        `for ${spec.modelType} here ("quantized kv cache requested but flash attention disabled")`,
      data: { requested: kv.v, used: 'f16', engine: 'ollama' },
    },
  };
}

/** Binds Ollama's rules to one model: llama.cpp's allocations plus Ollama's reserves. */
export function prepareOllama(input: EngineModelInput, settings: OllamaSettings): PreparedEngine {
  const llama = prepareLlamaCpp(
    { ...input, kvDtypes: ollamaKvDtypes(settings, input.spec, input.kvDtypes).kv },
    {
      ...LLAMACPP_DEFAULTS,
      flashAttention: ollamaFlashAttention(settings, input.spec),
      fitTargetBytes: 0,
    },
  );
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
