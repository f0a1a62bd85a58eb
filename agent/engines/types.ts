// Shapes of engine telemetry: one normalised snapshot per engine, whatever engine it is.

/** Inference servers the agent can read. */
export type EngineKind = 'llama.cpp' | 'ollama' | 'vllm' | 'tgi' | 'mlx-lm' | 'mistral.rs';

/** Every engine kind, in the order discovery tries them on a shared port. */
export const ENGINE_KINDS: readonly EngineKind[] = [
  'llama.cpp',
  'ollama',
  'vllm',
  'tgi',
  'mistral.rs',
  'mlx-lm',
];

/** Code of a remark about an engine read; the UI owns the wording. */
export type EngineWarningCode =
  'endpoint_unavailable' | 'unparsable_response' | 'metric_missing' | 'value_out_of_range';

/** A non-fatal remark about one endpoint of an engine. */
export interface EngineWarning {
  code: EngineWarningCode;
  /** Path of the endpoint, e.g. `/metrics`. */
  endpoint: string;
  message: string;
}

/** One model an engine holds, with what the engine says about its memory; null = not said. */
export interface EngineModel {
  name: string;
  /** Context per sequence the engine runs the model at, tokens. */
  contextTokens: number | null;
  /** Bytes of the weights (Ollama: the model's size on disk, which the GGUF maps whole). */
  weightsBytes: number | null;
  kvBytes: number | null;
  /** Everything the engine says the model holds (Ollama `size`: weights, KV and graph). */
  totalBytes: number | null;
  /** Part of `totalBytes` on the GPU (Ollama `size_vram`); the rest spilled to host RAM. */
  deviceBytes: number | null;
  quantization: string | null;
  architecture: string | null;
  parameterCount: number | null;
}

/** What one engine reported at one moment, normalised; null wherever it said nothing usable. */
export interface EngineSnapshot {
  engine: EngineKind;
  baseUrl: string;
  /** Whether the engine answered at all. */
  reachable: boolean;
  version: string | null;
  models: EngineModel[];
  /** Sequences the engine serves at once (llama.cpp slots, TGI concurrent requests). */
  parallelSequences: number | null;
  requestsRunning: number | null;
  requestsWaiting: number | null;
  /** Share of the KV cache in use, 0 to 1. */
  kvUsageRatio: number | null;
  kvUsedTokens: number | null;
  /** Tokens the KV cache holds in all (vLLM blocks x block size, TGI's batch budget). */
  kvCapacityTokens: number | null;
  promptTokensTotal: number | null;
  generatedTokensTotal: number | null;
  /** Generated tokens per second: from counters between two reads, else the engine's gauge. */
  generationTokensPerSecond: number | null;
  promptTokensPerSecond: number | null;
  capturedAtMs: number;
  warnings: EngineWarning[];
}

/** A snapshot with every figure unknown, to be filled in by a bridge. */
export function emptySnapshot(
  engine: EngineKind,
  baseUrl: string,
  capturedAtMs: number,
): EngineSnapshot {
  return {
    engine,
    baseUrl,
    reachable: false,
    version: null,
    models: [],
    parallelSequences: null,
    requestsRunning: null,
    requestsWaiting: null,
    kvUsageRatio: null,
    kvUsedTokens: null,
    kvCapacityTokens: null,
    promptTokensTotal: null,
    generatedTokensTotal: null,
    generationTokensPerSecond: null,
    promptTokensPerSecond: null,
    capturedAtMs,
    warnings: [],
  };
}

/** A model entry with every figure unknown but its name. */
export function emptyModel(name: string): EngineModel {
  return {
    name,
    contextTokens: null,
    weightsBytes: null,
    kvBytes: null,
    totalBytes: null,
    deviceBytes: null,
    quantization: null,
    architecture: null,
    parameterCount: null,
  };
}
