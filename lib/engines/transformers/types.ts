// Shapes shared by the transformers.js runner, the inference worker and the inference cell.

/**
 * Where a model's files come from: a folder on disk (Node), a folder the app serves (browser,
 * e.g. `/generated/models/`), a hub-style server (`<baseUrl><id>/resolve/main/<file>`), or files
 * the user picked (relative path to contents, e.g. `onnx/model.onnx`).
 */
export type ModelSource =
  | { kind: 'folder'; path: string }
  | { kind: 'app'; baseUrl: string; modelId: string }
  | { kind: 'hub'; baseUrl: string; modelId: string }
  | { kind: 'files'; label: string; files: ReadonlyMap<string, Blob> };

/** ONNX Runtime execution target: native CPU in Node, WebGPU or WASM in a browser. */
export type BackendName = 'cpu' | 'webgpu' | 'wasm';

/** Weight element types we run and predict; others would need a quantized-weights profile. */
export type ModelDtype = 'fp32' | 'fp16';

/** The backend picked for a run, with the reason in words. */
export interface BackendChoice {
  backend: BackendName;
  dtype: ModelDtype;
  reason: string;
}

/** Download progress of one model load, over all files seen so far (bytes). */
export interface LoadProgress {
  file: string;
  loadedBytes: number;
  totalBytes: number;
  /** 0 to 1 over every file with a known size. */
  fraction: number;
}

/** One measured figure next to lib/capacity's prediction; bytes unless the name says. */
export interface MeasuredFigure {
  name: string;
  measured: number;
  /** Null when lib/capacity has no prediction for this figure. */
  predicted: number | null;
  /** measured - predicted, or null. */
  differenceBytes: number | null;
  /** |difference| / predicted, or null when there is no prediction or it is 0. */
  relativeDifference: number | null;
  /** How the measured number was obtained. */
  method: string;
}

/** Speeds and times of one greedy generation. */
export interface RunTimings {
  loadMs: number;
  promptTokens: number;
  generatedTokens: number;
  prefillMs: number;
  decodeMs: number;
  prefillTokensPerSecond: number;
  /** Decode steps after the first token, per second; null when fewer than 2 tokens came. */
  decodeTokensPerSecond: number | null;
}

/** Everything one run reports: the text, tokens, speeds, memory next to the plan. */
export interface RunReport {
  modelName: string;
  backend: BackendChoice;
  prompt: string;
  text: string;
  promptTokenIds: number[];
  tokenIds: number[];
  timings: RunTimings;
  /** Tokens held in the KV cache at the end (prompt + generated - 1). */
  cacheTokens: number;
  /** Whether the run was stopped on request before its token count or an end token. */
  stopped: boolean;
  memory: MeasuredFigure[];
  notes: string[];
}
