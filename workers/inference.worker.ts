// The inference worker: runs transformers.js (WebGPU or WASM) off the page's thread via comlink.

import * as Comlink from 'comlink';

import {
  InferenceError,
  browserMemoryProbe,
  chooseBrowserBackend,
  encodePrompt,
  generateGreedy,
  loadModel,
  sourceProblem,
  watchWasmMemory,
} from '../lib/engines/transformers/index.ts';
import type {
  BackendChoice,
  FieldProblem,
  GpuLike,
  LoadedModel,
  LoadProgress,
  ModelDtype,
  ModelSource,
  RunReport,
} from '../lib/engines/transformers/index.ts';

watchWasmMemory();

/** ONNX Runtime's WASM files, served by the app itself (never a CDN). */
const WASM_PATHS = {
  mjs: new URL('onnxruntime-web/ort-wasm-simd-threaded.asyncify.mjs', import.meta.url).href,
  wasm: new URL('onnxruntime-web/ort-wasm-simd-threaded.asyncify.wasm', import.meta.url).href,
};

/** Where a worker call failed: `input` means nothing ran and the loaded model is still usable. */
export type WorkerStage = 'backend' | 'load' | 'generate' | 'input';

/** A worker answer: the value, or what failed in words (errors never cross as exceptions). */
export type WorkerResult<T> =
  | { ok: true; value: T }
  | { ok: false; stage: WorkerStage; message: string; field: FieldProblem['field'] | null };

/** What a successful load reports to the page. */
export interface LoadSummary {
  modelName: string;
  backend: BackendChoice;
  loadMs: number;
  weightsBytes: number;
  /** Bytes the planner predicts for the weights, or null without a prediction. */
  predictedWeightsBytes: number | null;
  /** The longest context the model's config declares, or null when it names none. */
  context: { tokens: number; key: string } | null;
  notes: string[];
}

/** A prompt's size next to the loaded model's context. */
export interface PromptSize {
  promptTokens: number;
  context: { tokens: number; key: string } | null;
}

/** Options of `load`. */
export interface WorkerLoadOptions {
  dtype: ModelDtype;
  /** Skip WebGPU even where an adapter exists. */
  forceWasm: boolean;
}

let loaded: LoadedModel | null = null;

/** Set by `stop`, read between tokens by the running generation. */
let stopRequested = false;

function failure(stage: WorkerStage, error: unknown) {
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof InferenceError) {
    return { ok: false as const, stage: error.stage, message, field: error.field };
  }
  return { ok: false as const, stage, message, field: null };
}

const api = {
  /** Which backend a load would use here, and why. */
  async backend(dtype: ModelDtype, forceWasm: boolean): Promise<WorkerResult<BackendChoice>> {
    try {
      const gpu = (navigator as { gpu?: GpuLike }).gpu;
      return { ok: true, value: await chooseBrowserBackend(gpu, dtype, forceWasm) };
    } catch (error) {
      return failure('backend', error);
    }
  },

  /** Loads a model (replacing any loaded one), reporting download progress. */
  async load(
    source: ModelSource,
    options: WorkerLoadOptions,
    onProgress: (progress: LoadProgress) => void,
  ): Promise<WorkerResult<LoadSummary>> {
    let backend: BackendChoice;
    try {
      const gpu = (navigator as { gpu?: GpuLike }).gpu;
      backend = await chooseBrowserBackend(gpu, options.dtype, options.forceWasm);
    } catch (error) {
      return failure('backend', error);
    }
    const problem = sourceProblem(source, backend.dtype);
    if (problem)
      return { ok: false, stage: 'input', message: problem.message, field: problem.field };
    if (loaded) {
      await loaded.model.dispose().catch(() => undefined);
      loaded = null;
    }
    try {
      loaded = await loadModel(source, {
        backend,
        onProgress: (progress) => onProgress(progress),
        wasmPaths: WASM_PATHS,
        memoryProbe: browserMemoryProbe,
      });
    } catch (error) {
      return failure('load', error);
    }
    return {
      ok: true,
      value: {
        modelName: loaded.modelName,
        backend,
        loadMs: loaded.loadMs,
        weightsBytes: loaded.weights.weightsBytes,
        predictedWeightsBytes: loaded.prediction?.weightsBytes ?? null,
        context: loaded.context,
        notes: loaded.notes,
      },
    };
  },

  /** Tokens `prompt` encodes to with the loaded model's tokenizer, and the model's context. */
  async promptSize(prompt: string): Promise<WorkerResult<PromptSize>> {
    if (!loaded) return failure('input', new Error('Load a model first.'));
    try {
      return {
        ok: true,
        value: { promptTokens: encodePrompt(loaded, prompt).length, context: loaded.context },
      };
    } catch (error) {
      return failure('generate', error);
    }
  },

  /** Ends the running generation after its current token; the model stays loaded. */
  stop(): void {
    stopRequested = true;
  },

  /** Greedy generation with the loaded model, streaming text pieces; `stop` ends it early. */
  async generate(
    prompt: string,
    maxNewTokens: number,
    onToken: (text: string, tokenId: number) => void,
  ): Promise<WorkerResult<RunReport>> {
    if (!loaded) return failure('input', new Error('Load a model first.'));
    stopRequested = false;
    try {
      const report = await generateGreedy(loaded, prompt, {
        maxNewTokens,
        onToken: (text, tokenId) => onToken(text, tokenId),
        memoryProbe: browserMemoryProbe,
        shouldStop: () => stopRequested,
      });
      return { ok: true, value: report };
    } catch (error) {
      return failure('generate', error);
    }
  },
};

/** The worker's API as the page sees it through comlink. */
export type InferenceWorkerApi = typeof api;

Comlink.expose(api);
