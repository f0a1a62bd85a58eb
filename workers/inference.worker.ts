// The inference worker: runs transformers.js (WebGPU or WASM) off the page's thread via comlink.

import * as Comlink from 'comlink';

import {
  browserMemoryProbe,
  chooseBrowserBackend,
  generateGreedy,
  loadModel,
  watchWasmMemory,
} from '../lib/engines/transformers/index.ts';
import type {
  BackendChoice,
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

/** A worker answer: the value, or what failed in words (errors never cross as exceptions). */
export type WorkerResult<T> =
  { ok: true; value: T } | { ok: false; stage: 'backend' | 'load' | 'generate'; message: string };

/** What a successful load reports to the page. */
export interface LoadSummary {
  modelName: string;
  backend: BackendChoice;
  loadMs: number;
  weightsBytes: number;
  /** Bytes the planner predicts for the weights, or null without a prediction. */
  predictedWeightsBytes: number | null;
  notes: string[];
}

/** Options of `load`. */
export interface WorkerLoadOptions {
  dtype: ModelDtype;
  /** Skip WebGPU even where an adapter exists. */
  forceWasm: boolean;
}

let loaded: LoadedModel | null = null;

function failure(stage: 'backend' | 'load' | 'generate', error: unknown) {
  const message = error instanceof Error ? error.message : String(error);
  return { ok: false as const, stage, message };
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
    if (loaded) {
      await loaded.model.dispose().catch(() => undefined);
      loaded = null;
    }
    let backend: BackendChoice;
    try {
      const gpu = (navigator as { gpu?: GpuLike }).gpu;
      backend = await chooseBrowserBackend(gpu, options.dtype, options.forceWasm);
    } catch (error) {
      return failure('backend', error);
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
        notes: loaded.notes,
      },
    };
  },

  /** Greedy generation with the loaded model, streaming text pieces. */
  async generate(
    prompt: string,
    maxNewTokens: number,
    onToken: (text: string, tokenId: number) => void,
  ): Promise<WorkerResult<RunReport>> {
    if (!loaded) return failure('generate', new Error('Load a model first.'));
    try {
      const report = await generateGreedy(loaded, prompt, {
        maxNewTokens,
        onToken: (text, tokenId) => onToken(text, tokenId),
        memoryProbe: browserMemoryProbe,
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
