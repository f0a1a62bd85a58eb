// Ollama releases: which runner a version uses and which architectures its own engine runs.

import { CapacityError } from '../errors.ts';

/**
 * Ollama version assumed when none is given: the current release line, which runs upstream
 * llama-server (capacity.md 1.1, "Ollama HEAD (v0.32, 2026-08)").
 */
export const OLLAMA_CURRENT_VERSION = '0.32';

/** Oldest version planned: 0.12 added the per-architecture flash-attention default. */
export const OLLAMA_OLDEST_VERSION = '0.12';

/**
 * First version that launches upstream llama-server (llm/llama_server.go, `--flash-attn auto`,
 * `--fit`) instead of Ollama's own runners. An estimate: the release that switched is not
 * recorded here; 0.12 to about 0.29 carried the runners and their architecture lists.
 */
export const OLLAMA_LLAMA_SERVER_VERSION = '0.30';

/** How a version runs a model: its own runners (0.12 to 0.2x) or upstream llama-server. */
export type OllamaRunner = 'own-runners' | 'llama-server';

/** `[major, minor]` of a version string `major.minor` or `major.minor.patch`. */
function versionParts(version: string): [number, number] {
  const match = /^(\d{1,3})\.(\d{1,3})(?:\.\d{1,3})?$/.exec(version.trim());
  if (!match) {
    throw new CapacityError('invalid_field', `Ollama version "${version}" is not a version`, {
      field: 'engine.version',
      expected: 'an Ollama version such as 0.12 or 0.13.1',
    });
  }
  return [Number(match[1]), Number(match[2])];
}

function compareVersions(a: string, b: string): number {
  const [aMajor, aMinor] = versionParts(a);
  const [bMajor, bMinor] = versionParts(b);
  return aMajor === bMajor ? aMinor - bMinor : aMajor - bMajor;
}

/**
 * The runner of Ollama `version`; throws naming `engine.version` for text that is not a
 * version or a release older than 0.12, whose rules are not modelled.
 */
export function ollamaRunner(version: string): OllamaRunner {
  if (compareVersions(version, OLLAMA_OLDEST_VERSION) < 0) {
    throw new CapacityError(
      'out_of_range',
      `Ollama ${version} is older than the ${OLLAMA_OLDEST_VERSION} this planner models`,
      { field: 'engine.version', expected: `Ollama ${OLLAMA_OLDEST_VERSION} or later` },
    );
  }
  return compareVersions(version, OLLAMA_LLAMA_SERVER_VERSION) < 0 ? 'own-runners' : 'llama-server';
}

/** GGUF `general.architecture` of a Hugging Face `model_type` where the two names differ. */
const GGUF_ARCHITECTURES: Readonly<Record<string, string>> = {
  gemma3_text: 'gemma3',
  gpt_oss: 'gptoss',
  qwen3_moe: 'qwen3moe',
  qwen3_vl: 'qwen3vl',
  qwen3_vl_moe: 'qwen3vlmoe',
  qwen2_5_vl: 'qwen25vl',
  deepseek_v2: 'deepseek2',
  deepseek_v3: 'deepseek2',
  kimi_k2: 'deepseek2',
};

/** The GGUF architecture name llama.cpp and Ollama give a model of `modelType`. */
export function ggufArchitecture(modelType: string): string {
  return GGUF_ARCHITECTURES[modelType] ?? modelType;
}

/**
 * Architectures the 0.12/0.13 releases run on Ollama's own engine (fs/ggml/ggml.go
 * `OllamaEngineRequired`); every other architecture runs on the bundled llama.cpp runner.
 */
const OWN_ENGINE_ARCHITECTURES = new Set([
  'bert',
  'deepseek2',
  'deepseekocr',
  'gemma3',
  'gemma3n',
  'gptoss',
  'llama4',
  'mistral3',
  'mllama',
  'nomic-bert',
  'olmo3',
  'qwen25vl',
  'qwen3',
  'qwen3moe',
  'qwen3vl',
  'qwen3vlmoe',
]);

/**
 * Architectures whose flash attention the 0.12/0.13 Ollama engine turns on by default
 * (fs/ggml/ggml.go `FlashAttention()`, the default of `envconfig.FlashAttention`).
 */
const OWN_ENGINE_FLASH_DEFAULT = new Set([
  'bert',
  'gemma3',
  'gptoss',
  'mistral3',
  'olmo3',
  'qwen3',
  'qwen3moe',
  'qwen3vl',
  'qwen3vlmoe',
]);

/** Whether Ollama's own engine (not its llama.cpp runner) runs `modelType` in 0.12/0.13. */
export function runsOnOwnEngine(modelType: string): boolean {
  return OWN_ENGINE_ARCHITECTURES.has(ggufArchitecture(modelType));
}

/** Whether the 0.12/0.13 Ollama engine turns flash attention on for `modelType` by default. */
export function ownEngineFlashDefault(modelType: string): boolean {
  return OWN_ENGINE_FLASH_DEFAULT.has(ggufArchitecture(modelType));
}

/**
 * Architectures whose Ollama blob holds the vision tower inline (`v.*` tensors) and whose
 * runner loads it: the own-engine multimodal models, and in llama-server releases the
 * `compatClipArches` that point `--mmproj` at the model file (llm/llama_server.go).
 */
const INLINE_VISION_ARCHITECTURES = new Set(['gemma3', 'qwen3vl', 'qwen3vlmoe', 'mistral3']);

/** Whether Ollama loads `modelType`'s vision tower from the model blob onto the GPU. */
export function loadsInlineVisionTower(modelType: string): boolean {
  return INLINE_VISION_ARCHITECTURES.has(ggufArchitecture(modelType));
}
