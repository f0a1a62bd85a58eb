// The transformers.js runner's public API, shared by Node tests and the browser worker.

export { chooseBrowserBackend, nodeBackend } from './backend.ts';
export type { GpuAdapterLike, GpuLike } from './backend.ts';
export {
  MAX_NEW_TOKENS_LIMIT,
  modelContextTokens,
  parseNewTokens,
  requestProblem,
} from './limits.ts';
export type { FieldProblem, NewTokensField, RequestSize } from './limits.ts';
export { browserMemoryProbe, figure, measureKvCache } from './measure.ts';
export type { KvMeasurement, MemoryProbe, MemoryReading, TensorLike } from './measure.ts';
export { OnnxFormatError, onnxWeights } from './onnx-weights.ts';
export type { OnnxInitializer, OnnxWeights } from './onnx-weights.ts';
export { predictOrt } from './prediction.ts';
export type { OrtPrediction } from './prediction.ts';
export {
  InferenceError,
  checkRequest,
  encodePrompt,
  generateGreedy,
  lastLogits,
  loadModel,
  sourceLabel,
} from './session.ts';
export type { GenerateOptions, LoadOptions, LoadedModel } from './session.ts';
export { normalBaseUrl, onnxFileName, sourceProblem } from './source-checks.ts';
export { configureSource, hubFileUrl, readOnnxBytes } from './sources.ts';
export type { SourceReaders } from './sources.ts';
export { wasmMemoryBytes, watchWasmMemory } from './wasm-memory.ts';
export type * from './types.ts';
