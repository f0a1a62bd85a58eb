// Ollama's memory: llama.cpp underneath, with the flash-attention and reserve rules of a release.

import type { DeviceVendor } from '../devices/types.ts';
import type { CapacityWarning } from '../errors.ts';
import { isBlockKvDtype } from '../kv-dtype.ts';
import type { KvDtypes } from '../kv.ts';
import type { ModelSpec } from '../spec.ts';
import { LLAMACPP_DEFAULTS, llamaCppBudgetBytes, prepareLlamaCpp } from './llamacpp.ts';
import {
  OLLAMA_CURRENT_VERSION,
  ggufArchitecture,
  ollamaRunner,
  ownEngineFlashDefault,
  runsOnOwnEngine,
} from './ollama-versions.ts';
import type { EngineModelInput, OllamaSettings, PreparedEngine } from './types.ts';

/**
 * Ollama defaults: the current release, OLLAMA_FLASH_ATTENTION unset (each release's own
 * default applies), no OLLAMA_GPU_OVERHEAD.
 */
export const OLLAMA_DEFAULTS: OllamaSettings = {
  engine: 'ollama',
  version: OLLAMA_CURRENT_VERSION,
  flashAttention: null,
  gpuOverheadBytes: 0,
};

/**
 * Ollama's per-GPU minimum reserve on CUDA and ROCm in its own-runner releases, 457 MiB
 * (`MinimumMemory`, ml/device.go; Metal used 512 MiB). It stands in for the runner's CUDA
 * context, which the free memory Ollama measures before starting the runner does not show.
 */
export const OLLAMA_MINIMUM_MEMORY_BYTES = 457 * 2 ** 20;

/** llama-server's default `--fit-target`, which Ollama raises to OLLAMA_GPU_OVERHEAD. */
const LLAMA_SERVER_FIT_TARGET_BYTES = LLAMACPP_DEFAULTS.fitTargetBytes;

/** Architectures Ollama's SupportsFlashAttention refuses by name (fs/ggml/ggml.go). */
const NO_FLASH_ARCHITECTURES = new Set(['gemma2', 'grok']);

/**
 * fs/ggml SupportsFlashAttention: not an embedding model, not gemma2 or grok, and every
 * layer's K head size equal to its V head size (which excludes MLA models).
 */
function modelSupportsFlash(spec: ModelSpec): boolean {
  if (!spec.causal || NO_FLASH_ARCHITECTURES.has(ggufArchitecture(spec.modelType))) return false;
  return spec.layers.every((layer) => {
    const mixer = layer.mixer;
    if (mixer.kind === 'mla') return mixer.qkNopeHeadDim + mixer.qkRopeHeadDim === mixer.vHeadDim;
    return mixer.kind !== 'attention' || mixer.headDimK === mixer.headDimV;
  });
}

/** How a release runs flash attention for one model, and whether it keeps a quantized cache. */
export interface OllamaFlash {
  flashAttention: boolean;
  /** Whether a quantized OLLAMA_KV_CACHE_TYPE reaches the engine. */
  quantizedKv: boolean;
  /** What Ollama logs when it drops a quantized cache type. */
  dropReason: string;
}

/**
 * Flash attention as Ollama `settings.version` resolves it for `spec` (llm/server.go, then
 * llm/llama_server.go):
 * - 0.12 to 0.2x, own engine (gemma3, gpt-oss, qwen3 ...): OLLAMA_FLASH_ATTENTION, else the
 *   architecture list `FlashAttention()`, and only where SupportsFlashAttention; a quantized
 *   cache only with flash attention on;
 * - 0.12 to 0.2x, llama.cpp runner (llama, qwen2, mistral ...): `auto` unless the variable is
 *   set, so llama.cpp turns it on where it can, but a quantized cache needs the variable set
 *   ("OLLAMA_FLASH_ATTENTION must be enabled to use a quantized OLLAMA_KV_CACHE_TYPE");
 * - llama-server releases: `--flash-attn auto` unless the variable is set, cache type as asked.
 */
export function ollamaFlash(settings: OllamaSettings, spec: ModelSpec): OllamaFlash {
  const asked = settings.flashAttention;
  const supported = modelSupportsFlash(spec);
  const offReason = 'quantized kv cache requested but flash attention disabled';

  if (ollamaRunner(settings.version) === 'llama-server') {
    const on = asked !== false;
    return { flashAttention: on, quantizedKv: on, dropReason: offReason };
  }
  if (runsOnOwnEngine(spec.modelType)) {
    const on = (asked ?? ownEngineFlashDefault(spec.modelType)) && supported;
    return { flashAttention: on, quantizedKv: on, dropReason: offReason };
  }
  const enabled = asked === true && supported;
  return {
    flashAttention: asked === null || enabled,
    quantizedKv: enabled,
    dropReason:
      asked === null
        ? 'OLLAMA_FLASH_ATTENTION must be enabled to use a quantized OLLAMA_KV_CACHE_TYPE'
        : offReason,
  };
}

/** Whether Ollama runs `spec` with flash attention under `settings`. */
export function ollamaFlashAttention(settings: OllamaSettings, spec: ModelSpec): boolean {
  return ollamaFlash(settings, spec).flashAttention;
}

/**
 * The cache types Ollama really uses: a quantized OLLAMA_KV_CACHE_TYPE only where the release
 * passes it on (see `ollamaFlash`); otherwise f16 and a warning quoting Ollama's log line.
 * The warning is null when nothing changes.
 */
export function ollamaKvDtypes(
  settings: OllamaSettings,
  spec: ModelSpec,
  kv: KvDtypes,
): { kv: KvDtypes; warning: CapacityWarning | null } {
  const quantized = isBlockKvDtype(kv.k) || isBlockKvDtype(kv.v);
  const flash = ollamaFlash(settings, spec);
  if (!quantized || flash.quantizedKv) return { kv, warning: null };
  return {
    kv: { ...kv, k: 'f16', v: 'f16' },
    warning: {
      code: 'kv_dtype_unsupported',
      message:
        `Ollama ${settings.version} keeps an f16 KV cache for ${spec.modelType}: ${kv.v} ` +
        `needs flash attention turned on ("${flash.dropReason}")`,
      data: { requested: kv.v, used: 'f16', engine: 'ollama' },
    },
  };
}

/** Reserves of one release: its runtime part per GPU and how the budget is taken. */
interface OllamaReserve {
  runtimeBytes: number;
  runtimeSource: string;
  budgetBytes(usableBytes: number, vendor?: DeviceVendor): number;
}

function reserveOf(settings: OllamaSettings): OllamaReserve {
  if (ollamaRunner(settings.version) === 'llama-server') {
    const fitTargetBytes = Math.max(LLAMA_SERVER_FIT_TARGET_BYTES, settings.gpuOverheadBytes);
    return {
      runtimeBytes: 0,
      runtimeSource:
        'llama-server --fit keeps max(1024 MiB, OLLAMA_GPU_OVERHEAD) free per device ' +
        '(server/sched.go llamaServerFitTargetForRunner); the CUDA context (400 MiB, estimate) ' +
        'comes off the budget',
      budgetBytes: (usable, vendor) => llamaCppBudgetBytes(usable, { fitTargetBytes }, vendor),
    };
  }
  return {
    runtimeBytes: OLLAMA_MINIMUM_MEMORY_BYTES + settings.gpuOverheadBytes,
    runtimeSource:
      "Ollama's 457 MiB minimum per GPU (covers the runner's CUDA context) plus " +
      'OLLAMA_GPU_OVERHEAD',
    budgetBytes: (usable) => Math.max(0, usable),
  };
}

/** Binds Ollama's rules to one model: llama.cpp's allocations plus the release's reserves. */
export function prepareOllama(input: EngineModelInput, settings: OllamaSettings): PreparedEngine {
  const llama = prepareLlamaCpp(
    { ...input, kvDtypes: ollamaKvDtypes(settings, input.spec, input.kvDtypes).kv },
    {
      ...LLAMACPP_DEFAULTS,
      flashAttention: ollamaFlashAttention(settings, input.spec),
      fitTargetBytes: 0,
    },
  );
  const reserve = reserveOf(settings);

  return {
    notes: {
      ...llama.notes,
      runtimeBytes: { provenance: 'estimate', source: reserve.runtimeSource },
    },
    memoryAt(contextTokens: number, sequences: number) {
      return { ...llama.memoryAt(contextTokens, sequences), runtimeBytes: reserve.runtimeBytes };
    },
    budgetBytes: reserve.budgetBytes,
  };
}
