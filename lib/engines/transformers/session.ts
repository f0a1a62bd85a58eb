// Loads a causal LM with transformers.js and runs greedy generation, timed and measured.

import {
  AutoModelForCausalLM,
  AutoTokenizer,
  BaseStreamer,
  InterruptableStoppingCriteria,
  Tensor,
  env,
} from '@huggingface/transformers';
import type { PreTrainedModel, PreTrainedTokenizer, ProgressInfo } from '@huggingface/transformers';

import { modelContextTokens, requestProblem } from './limits.ts';
import type { FieldProblem } from './limits.ts';
import { figure, measureKvCache } from './measure.ts';
import type { MemoryProbe, MemoryReading } from './measure.ts';
import { onnxWeights } from './onnx-weights.ts';
import type { OnnxWeights } from './onnx-weights.ts';
import { predictOrt } from './prediction.ts';
import type { OrtPrediction } from './prediction.ts';
import { onnxFileName, sourceProblem } from './source-checks.ts';
import { configureSource, joinUrl, readOnnxBytes } from './sources.ts';
import type { SourceReaders } from './sources.ts';
import type {
  BackendChoice,
  LoadProgress,
  MeasuredFigure,
  ModelDtype,
  ModelSource,
  RunReport,
} from './types.ts';

/** A stage of a run and what went wrong, in words a person can act on. */
export class InferenceError extends Error {
  override name = 'InferenceError';

  /**
   * `input` means the request was refused before anything ran (the model stays usable, and
   * `field` names what to change); `load` and `generate` mean the engine failed.
   */
  constructor(
    readonly stage: 'load' | 'generate' | 'input',
    message: string,
    readonly field: FieldProblem['field'] | null = null,
  ) {
    super(message);
  }
}

/** Options of `loadModel`. */
export interface LoadOptions {
  backend: BackendChoice;
  onProgress?: (progress: LoadProgress) => void;
  /** URLs of ONNX Runtime's `.mjs` and `.wasm` files that the app itself serves (browser). */
  wasmPaths?: { mjs: string; wasm: string };
  /** How to read raw files of a source outside transformers.js (Node: the file system). */
  readers?: SourceReaders;
  memoryProbe?: MemoryProbe;
  /** ONNX Runtime session options passed through (e.g. `{ intraOpNumThreads: 1 }` in Node). */
  sessionOptions?: Record<string, unknown>;
}

/** A loaded model with what the run needs to report against the plan. */
export interface LoadedModel {
  modelName: string;
  backend: BackendChoice;
  tokenizer: PreTrainedTokenizer;
  model: PreTrainedModel;
  weights: OnnxWeights;
  /** lib/capacity's prediction, or null with the reason in `notes`. */
  prediction: OrtPrediction | null;
  loadMs: number;
  /** The longest context the config declares (tokens, and its key), or null when none. */
  context: { tokens: number; key: string } | null;
  memoryBefore: MemoryReading | null;
  /** The probe's reading right after the load, before any run. */
  memoryAfterLoad: MemoryReading | null;
  notes: string[];
}

/** Options of `generateGreedy`. */
export interface GenerateOptions {
  maxNewTokens: number;
  /** Called with each piece of new text and the token that completed it. */
  onToken?: (text: string, tokenId: number) => void;
  memoryProbe?: MemoryProbe;
  /**
   * Polled after each new token; true ends the run there, with the tokens so far. When given,
   * each step first yields to the event loop so that a stop request (a worker message) is seen.
   */
  shouldStop?: () => boolean;
}

function progressTracker(onProgress: LoadOptions['onProgress']) {
  const files = new Map<string, { loaded: number; total: number }>();
  return (info: ProgressInfo) => {
    if (!onProgress || info.status !== 'progress') return;
    files.set(info.file, { loaded: info.loaded, total: info.total });
    let loadedBytes = 0;
    let totalBytes = 0;
    for (const file of files.values()) {
      loadedBytes += file.loaded;
      totalBytes += file.total;
    }
    const fraction = totalBytes > 0 ? Math.min(1, loadedBytes / totalBytes) : 0;
    onProgress({ file: info.file, loadedBytes, totalBytes, fraction });
  };
}

function setWasmPaths(paths: LoadOptions['wasmPaths']): void {
  if (!paths) return;
  const onnx = env.backends.onnx as { wasm?: { wasmPaths?: unknown } };
  if (onnx.wasm) onnx.wasm.wasmPaths = { ...paths };
}

/**
 * The field transformers.js read from an absent object (its `TypeError: Cannot read properties
 * of undefined (reading 'tokenizer_class')`), or null for any other error.
 */
function engineFieldMiss(error: unknown): string | null {
  if (!(error instanceof TypeError)) return null;
  return /reading '([^']+)'/.exec(error.message)?.[1] ?? null;
}

/** What a model folder lacks when transformers.js found no object to read `field` from. */
function missingFieldMessage(field: string, where: string): string {
  if (field === 'tokenizer_class') {
    return (
      `${where} has no tokenizer_config.json: transformers.js builds the tokenizer from ` +
      'tokenizer.json and tokenizer_config.json beside config.json; add both files'
    );
  }
  return (
    `${where} lacks what transformers.js needs: it found no value holding "${field}" in ` +
    'config.json, tokenizer.json or tokenizer_config.json; check those files are complete'
  );
}

/** Readable message for a load failure: which file or check failed, and the engine's words. */
function loadFailure(error: unknown, source: ModelSource, dtype: ModelDtype): InferenceError {
  const text = error instanceof Error ? error.message : String(error);
  const where = sourceLabel(source);
  const missing = /not found|could not locate|404|missing/i.test(text);
  if (missing && dtype === 'fp16' && text.includes(onnxFileName('fp16'))) {
    return new InferenceError(
      'load',
      `${where} has no fp16 weights (${onnxFileName('fp16')} is missing); choose fp32 weights.`,
    );
  }
  const unread = engineFieldMiss(error);
  if (unread !== null) return new InferenceError('load', missingFieldMessage(unread, where));
  if (/failed to fetch|networkerror|fetch failed|load failed/i.test(text)) {
    const server = source.kind === 'hub' ? source.baseUrl : where;
    return new InferenceError(
      'load',
      `Could not reach ${server} (no answer: is the hub base URL right and the server up?): ${text}`,
    );
  }
  if (missing) {
    return new InferenceError('load', `A model file is missing in ${where}: ${text}`);
  }
  if (/protobuf|parse|load model|invalid model|onnx/i.test(text)) {
    return new InferenceError('load', `The ONNX model in ${where} could not be read: ${text}`);
  }
  return new InferenceError('load', `Could not load the model from ${where}: ${text}`);
}

/** A short description of a source for messages. */
export function sourceLabel(source: ModelSource): string {
  switch (source.kind) {
    case 'folder':
      return `folder ${source.path}`;
    case 'app':
    case 'hub':
      return joinUrl(source.baseUrl.trim(), source.modelId.trim());
    case 'files':
      return `the picked folder "${source.label}"`;
  }
}

/**
 * Loads tokenizer, model and the ONNX file's weight sizes from `source` on `options.backend`,
 * timing the whole load in milliseconds. Throws InferenceError('load') with a readable message.
 */
export async function loadModel(source: ModelSource, options: LoadOptions): Promise<LoadedModel> {
  const problem = sourceProblem(source, options.backend.dtype);
  if (problem) throw new InferenceError('input', problem.message, problem.field);
  const memoryBefore = options.memoryProbe ? await options.memoryProbe() : null;
  const started = performance.now();
  setWasmPaths(options.wasmPaths);
  const { modelId, restore } = configureSource(source);
  const progress_callback = progressTracker(options.onProgress);
  const notes: string[] = [];

  let tokenizer: PreTrainedTokenizer;
  let model: PreTrainedModel;
  let weights: OnnxWeights;
  try {
    tokenizer = await AutoTokenizer.from_pretrained(modelId, { progress_callback });
    model = await AutoModelForCausalLM.from_pretrained(modelId, {
      device: options.backend.backend,
      dtype: options.backend.dtype,
      progress_callback,
      ...(options.sessionOptions ? { session_options: options.sessionOptions } : {}),
    });
    const bytes = await readOnnxBytes(source, onnxFileName(options.backend.dtype), options.readers);
    weights = onnxWeights(bytes);
  } catch (error) {
    throw loadFailure(error, source, options.backend.dtype);
  } finally {
    restore();
  }
  const loadMs = performance.now() - started;
  const memoryAfterLoad = options.memoryProbe ? await options.memoryProbe() : null;

  let prediction: OrtPrediction | null = null;
  try {
    prediction = predictOrt(model.config, options.backend.dtype, options.backend.backend);
  } catch (error) {
    const text = error instanceof Error ? error.message : String(error);
    notes.push(`lib/capacity could not read this config, so there is no prediction: ${text}`);
  }
  if (options.backend.backend === 'cpu') {
    notes.push('onnxruntime-node (CPU) is compared with the transformers.js WASM profile.');
  }

  const modelName = source.kind === 'folder' || source.kind === 'files' ? modelId : source.modelId;
  return {
    modelName,
    backend: options.backend,
    tokenizer,
    model,
    weights,
    prediction,
    loadMs,
    context: modelContextTokens(model.config),
    memoryBefore,
    memoryAfterLoad,
    notes,
  };
}

/** Records when `generate()` pushes tokens: first the prompt, then one call per new token. */
class TimingStreamer extends BaseStreamer {
  readonly times: number[] = [];
  readonly tokenIds: number[] = [];
  private emitted = '';

  constructor(
    private readonly decode: (ids: number[]) => string,
    private readonly onToken: GenerateOptions['onToken'],
    private readonly stopCheck: () => void,
  ) {
    super();
  }

  override put(value: bigint[][]): void {
    this.times.push(performance.now());
    if (this.times.length === 1) return;
    const id = Number(value[0]?.[0] ?? -1);
    this.tokenIds.push(id);
    this.stopCheck();
    if (!this.onToken) return;
    const text = this.decode(this.tokenIds);
    if (text.endsWith('\uFFFD') || !text.startsWith(this.emitted)) return;
    const piece = text.slice(this.emitted.length);
    this.emitted = text;
    this.onToken(piece, id);
  }

  override end(): void {}
}

interface GenerateOutput {
  sequences: Tensor;
  past_key_values: Record<string, unknown> & { dispose?: () => Promise<void> };
}

/** Token ids a prompt encodes to (with the tokenizer's special tokens). */
export function encodePrompt(loaded: LoadedModel, prompt: string): number[] {
  const encoded = loaded.tokenizer(prompt) as { input_ids: Tensor };
  return Array.from(encoded.input_ids.data as BigInt64Array, (id) => Number(id));
}

/**
 * Throws InferenceError('input') naming the field when `prompt` and `maxNewTokens` cannot run
 * on `loaded` (no tokens, more than the model's context, a bad token count); nothing runs.
 */
export function checkRequest(loaded: LoadedModel, prompt: string, maxNewTokens: number): void {
  const problem = requestProblem({
    promptTokens: encodePrompt(loaded, prompt).length,
    maxNewTokens,
    context: loaded.context,
  });
  if (problem) throw new InferenceError('input', problem.message, problem.field);
}

/** Resolves after the event loop has run pending tasks (such as a worker's stop message). */
function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      resolve();
    };
    channel.port2.postMessage(null);
  });
}

type Forward = (inputs: Record<string, unknown>) => Promise<unknown>;

/** Makes each model step wait for the event loop first; returns the undo. */
function yieldBeforeEachStep(model: PreTrainedModel): () => void {
  const target = model as unknown as { forward: Forward };
  const own = Object.getOwnPropertyDescriptor(target, 'forward');
  const forward = target.forward.bind(model) as Forward;
  target.forward = async (inputs) => {
    await yieldToEventLoop();
    return forward(inputs);
  };
  return () => {
    if (own) Object.defineProperty(target, 'forward', own);
    else delete (target as { forward?: Forward }).forward;
  };
}

/**
 * Greedy generation of up to `maxNewTokens` tokens, streaming text through `onToken`. Reports
 * load, prefill and decode times (ms and tokens/s; decode counts the steps after the first new
 * token), and memory next to lib/capacity's transformers.js profile: ONNX initializer bytes,
 * KV held (present tensors' dims) and KV at the last step (past plus present), and the probe's
 * growth over load and run. Throws InferenceError('generate') with a readable message.
 */
export async function generateGreedy(
  loaded: LoadedModel,
  prompt: string,
  options: GenerateOptions,
): Promise<RunReport> {
  checkRequest(loaded, prompt, options.maxNewTokens);
  const decode = (ids: number[]) => loaded.tokenizer.decode(ids, { skip_special_tokens: true });
  const interrupter = new InterruptableStoppingCriteria();
  let stopped = false;
  const stopCheck = () => {
    if (!options.shouldStop?.()) return;
    stopped = true;
    interrupter.interrupt();
  };
  const streamer = new TimingStreamer(decode, options.onToken, stopCheck);
  const encoded = loaded.tokenizer(prompt) as { input_ids: Tensor; attention_mask: Tensor };
  const promptTokenIds = Array.from(encoded.input_ids.data as BigInt64Array, (id) => Number(id));

  const undoYield = options.shouldStop ? yieldBeforeEachStep(loaded.model) : () => undefined;
  const started = performance.now();
  let output: GenerateOutput;
  try {
    output = (await loaded.model.generate({
      ...encoded,
      max_new_tokens: options.maxNewTokens,
      do_sample: false,
      streamer,
      stopping_criteria: [interrupter],
      return_dict_in_generate: true,
    } as unknown as Parameters<PreTrainedModel['generate']>[0])) as unknown as GenerateOutput;
  } catch (error) {
    const text = error instanceof Error ? error.message : String(error);
    throw new InferenceError('generate', `The model failed while generating: ${text}`);
  } finally {
    undoYield();
  }

  const firstTokenAt = streamer.times[1] ?? performance.now();
  const lastTokenAt = streamer.times.at(-1) ?? firstTokenAt;
  const tokenIds = streamer.tokenIds;
  const prefillMs = firstTokenAt - started;
  const decodeMs = lastTokenAt - firstTokenAt;
  const kv = measureKvCache(output.past_key_values);
  await output.past_key_values.dispose?.();
  const memoryAfter = options.memoryProbe ? await options.memoryProbe() : null;

  return {
    modelName: loaded.modelName,
    backend: loaded.backend,
    prompt,
    text: decode(tokenIds),
    promptTokenIds,
    tokenIds,
    timings: {
      loadMs: loaded.loadMs,
      promptTokens: promptTokenIds.length,
      generatedTokens: tokenIds.length,
      prefillMs,
      decodeMs,
      prefillTokensPerSecond: (promptTokenIds.length * 1000) / Math.max(prefillMs, 1e-3),
      decodeTokensPerSecond:
        tokenIds.length < 2 ? null : ((tokenIds.length - 1) * 1000) / Math.max(decodeMs, 1e-3),
    },
    cacheTokens: kv.tokens,
    stopped,
    memory: memoryFigures(loaded, kv, memoryAfter),
    notes: [
      ...(stopped
        ? [`Stopped on request after ${tokenIds.length} of ${options.maxNewTokens} new tokens.`]
        : []),
      ...loaded.notes,
      ...totalNote(loaded, kv.tokens),
    ],
  };
}

/** The plan's whole total, which no probe here can measure, said in words beside the rows. */
function totalNote(loaded: LoadedModel, tokens: number): string[] {
  const prediction = loaded.prediction;
  if (!prediction) return [];
  const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;
  return [
    `The plan's whole total at ${tokens} tokens is ${mib(prediction.totalBytes(tokens))}: ` +
      `weights, KV, compute and logits plus ${mib(prediction.runtimeBytes)} estimated for ` +
      "the compiled runtime and the session's JS objects, which live outside the WASM heap " +
      'and are not measured here.',
  ];
}

function memoryFigures(
  loaded: LoadedModel,
  kv: ReturnType<typeof measureKvCache>,
  after: MemoryReading | null,
): MeasuredFigure[] {
  const prediction = loaded.prediction;
  const tokens = kv.tokens;
  const figures = [
    figure(
      'weights',
      loaded.weights.weightsBytes,
      prediction?.weightsBytes ?? null,
      'sum of the ONNX file initializers, dims x element size',
    ),
    figure(
      'kv cache held',
      kv.bytes,
      prediction ? prediction.kvHeldBytes(tokens) : null,
      `present tensors' dims after the run (${tokens} tokens)`,
    ),
    figure(
      'kv cache during the last step',
      Math.round(kv.bytesPerToken * Math.max(0, 2 * tokens - 1)),
      prediction ? prediction.kvPeakBytes(tokens) : null,
      `past (${Math.max(0, tokens - 1)} tokens) and present (${tokens} tokens) alive together`,
    ),
  ];
  const afterLoad = loaded.memoryAfterLoad?.wasmBytes;
  const onWasm = loaded.backend.backend === 'wasm';
  if (afterLoad !== undefined) {
    figures.push(
      figure(
        'WASM heap after load',
        afterLoad,
        prediction && onWasm ? prediction.wasmHeapAfterLoadBytes : null,
        "ONNX Runtime's WASM linear memory right after the load; plan: 3 copies of the " +
          'weights alive while the session is made, plus 9 MiB for the runtime, at least the ' +
          '16 MiB initial heap; the heap grows in steps of up to 20%',
      ),
    );
  }
  if (after?.wasmBytes !== undefined) {
    figures.push(
      figure(
        'WASM heap after the run',
        after.wasmBytes,
        prediction && onWasm ? prediction.wasmHeapBytes(tokens) : null,
        "ONNX Runtime's WASM linear memory after the run, its high-water mark (it never " +
          "shrinks); plan: the larger of the load figure and the plan's weights, KV, compute " +
          'and logits plus the runtime, a lower bound for long prompts (arena growth)',
      ),
    );
  }
  const growth = probeGrowth(loaded.memoryBefore, after);
  if (growth) {
    figures.push(
      figure(
        `memory growth (${growth.field})`,
        growth.bytes,
        prediction ? prediction.totalBytes(tokens) : null,
        `${growth.field} after the run less before the load; coarse: includes the runtime ` +
          'and garbage not yet collected',
      ),
    );
  }
  return figures;
}

function probeGrowth(before: MemoryReading | null, after: MemoryReading | null) {
  if (!before || !after) return null;
  const fields = ['residentBytes', 'pageBytes', 'jsHeapBytes'] as const;
  for (const field of fields) {
    const start = before[field];
    const end = after[field];
    if (start !== undefined && end !== undefined) return { field, bytes: end - start };
  }
  return null;
}

/** Logits of the last position for `tokenIds` in one uncached forward pass (no past). */
export async function lastLogits(loaded: LoadedModel, tokenIds: readonly number[]) {
  const ids = BigInt64Array.from(tokenIds, (id) => BigInt(id));
  const mask = new BigInt64Array(tokenIds.length).fill(1n);
  const output = (await loaded.model({
    input_ids: new Tensor('int64', ids, [1, tokenIds.length]),
    attention_mask: new Tensor('int64', mask, [1, tokenIds.length]),
  })) as { logits: Tensor };
  const vocab = output.logits.dims.at(-1) ?? 0;
  const data = output.logits.data as Float32Array;
  return data.slice(data.length - vocab);
}
