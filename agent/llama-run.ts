// Predicted versus actual: load a GGUF in llama.cpp (child process) and compare with the profile.

import { gguf } from '@huggingface/gguf';

import { CapacityError } from '../lib/capacity/errors.ts';
import { specFromGguf } from '../lib/capacity/formats/gguf.ts';
import type { KvDtype } from '../lib/capacity/kv-dtype.ts';
import { llamaCppMemory } from '../lib/capacity/profiles/llamacpp.ts';
import type { LlamaCppMemory } from '../lib/capacity/profiles/llamacpp.ts';
import type { ModelSpec } from '../lib/capacity/spec.ts';
import { measureLlamaCpp } from '../lib/engines/llamacpp/measure.ts';
import type {
  CacheType,
  ContextMeasurement,
  MeasureJob,
  MeasureResult,
} from '../lib/engines/llamacpp/measure.ts';

const MIB_BYTES = 2 ** 20;

/**
 * How close a prediction must be to count as agreeing: exact parts (weights, KV cache and
 * recurrent state) to the byte, the total within 1 % (the bound the capacity core's llama.cpp
 * oracle tests hold, tests/engine/llamacpp-oracle.test.ts); the compute buffer is an estimate
 * and only reported.
 */
export const LLAMA_RUN_TOLERANCE = { exactBytes: 0, totalShare: 0.01 } as const;

/** What to load and at which settings. */
export interface LlamaRunRequest {
  modelPath: string;
  /** Tokens per sequence. */
  contextTokens: number;
  sequences?: number;
  /** KV cache type for K and V (a quantized V needs flash attention). */
  kvType?: CacheType;
  /** Flash attention; llama.cpp's `auto` when not given. */
  flashAttention?: boolean;
  /** Logical and physical batch, tokens. */
  batchTokens?: number;
}

/** One compared part: bytes predicted and allocated, their difference, how it is judged. */
export interface ComparedPart {
  name: 'weights' | 'kv_and_recurrent' | 'compute' | 'output' | 'total';
  predictedBytes: number;
  actualBytes: number;
  /** predicted - actual, bytes. */
  differenceBytes: number;
  /** differenceBytes / actualBytes (0 when both are 0). */
  relativeDifference: number;
  provenance: 'exact' | 'estimate';
  agrees: boolean;
}

/** The report `hwledger agent --measure` prints. */
export type LlamaRunReport =
  | {
      ok: true;
      model: { path: string; name: string; architecture: string };
      /** Settings llama.cpp resolved (read from its log) and the prediction used. */
      settings: {
        contextTokens: number;
        sequences: number;
        kvType: CacheType;
        flashAttention: boolean;
        batchTokens: number;
        ubatchTokens: number;
      };
      parts: ComparedPart[];
      agrees: boolean;
      tolerance: typeof LLAMA_RUN_TOLERANCE;
    }
  | { ok: false; stage: 'read' | 'measure' | 'predict'; error: string };

/** What the comparison touches; tests may replace the measuring child. */
export interface LlamaRunDeps {
  readSpec: (path: string) => Promise<ModelSpec>;
  measure: (job: MeasureJob) => Promise<MeasureResult>;
}

/** Reads a GGUF's header (metadata and tensor infos, not the data) into a ModelSpec. */
export async function readGgufSpec(path: string): Promise<ModelSpec> {
  const parsed = await gguf(path, { allowLocalFile: true });
  return specFromGguf(parsed.metadata, parsed.tensorInfos);
}

const DEFAULT_DEPS: LlamaRunDeps = {
  readSpec: readGgufSpec,
  measure: (job) => measureLlamaCpp(job, { timeoutMs: 120_000 }),
};

function compare(
  name: ComparedPart['name'],
  predictedBytes: number,
  actualBytes: number,
  provenance: ComparedPart['provenance'],
): ComparedPart {
  const differenceBytes = predictedBytes - actualBytes;
  const relativeDifference =
    actualBytes === 0 ? (differenceBytes === 0 ? 0 : 1) : differenceBytes / actualBytes;
  const agrees =
    provenance === 'estimate'
      ? true
      : name === 'total'
        ? Math.abs(relativeDifference) < LLAMA_RUN_TOLERANCE.totalShare
        : Math.abs(differenceBytes) <= LLAMA_RUN_TOLERANCE.exactBytes;
  return {
    name,
    predictedBytes,
    actualBytes,
    differenceBytes,
    relativeDifference,
    provenance,
    agrees,
  };
}

function cacheBytes(memory: LlamaCppMemory): number {
  const kv = memory.kv;
  return kv.kBytes + kv.vBytes + kv.swaKBytes + kv.swaVBytes + memory.recurrentBytes;
}

function message(error: unknown): string {
  if (error instanceof CapacityError)
    return `${error.message}${error.field ? ` (${error.field})` : ''}`;
  return error instanceof Error ? error.message : String(error);
}

function compareMeasurement(
  spec: ModelSpec,
  result: MeasureResult,
  measured: ContextMeasurement,
  kvType: CacheType,
) {
  const settings = measured.settings;
  if (!settings || measured.memoryBytes === null || measured.computeBytes === null) {
    throw new Error('llama.cpp did not log the settings and buffers the comparison needs');
  }

  const memory = llamaCppMemory({
    spec,
    contextTokens: measured.request.contextTokens,
    sequences: measured.request.sequences ?? 1,
    kvTypeK: kvType as KvDtype,
    kvTypeV: kvType as KvDtype,
    placement: 'cpu',
    settings: {
      flashAttention: settings.flashAttention,
      batchTokens: settings.nBatch,
      ubatchTokens: settings.nUbatch,
      unifiedKv: settings.kvUnified,
    },
  });
  const outputBytes = Math.round((measured.outputMiB ?? 0) * MIB_BYTES);
  const actualTotal = result.modelBytes + measured.contextBytes + outputBytes;

  // The logits buffer is exact in the profile, but llama.cpp only logs it in MiB with two
  // decimals, so that side is rounded: it is reported, not judged.
  const parts = [
    compare('weights', memory.modelBytes, result.modelBytes, 'exact'),
    compare('kv_and_recurrent', cacheBytes(memory), measured.memoryBytes, 'exact'),
    compare('compute', memory.computeBytes, measured.computeBytes, 'estimate'),
    compare('output', memory.outputBytes, outputBytes, 'estimate'),
    compare('total', memory.totalBytes, actualTotal, 'exact'),
  ];
  return { settings, parts };
}

/**
 * Loads `request.modelPath` with llama.cpp on the CPU in a child process (a malformed file can
 * abort llama.cpp; it then fails this call, not the agent), reads what it allocated, predicts
 * the same model at the settings llama.cpp resolved with lib/capacity's llama.cpp profile, and
 * reports each part's difference. Never throws: failures come back as `{ ok: false, stage }`.
 */
export async function compareWithLlamaCpp(
  request: LlamaRunRequest,
  deps: LlamaRunDeps = DEFAULT_DEPS,
): Promise<LlamaRunReport> {
  const kvType = request.kvType ?? 'f16';

  let spec: ModelSpec;
  try {
    spec = await deps.readSpec(request.modelPath);
  } catch (error) {
    return { ok: false, stage: 'read', error: message(error) };
  }

  let result: MeasureResult;
  try {
    result = await deps.measure({
      modelPath: request.modelPath,
      mode: 'allocate',
      contexts: [
        {
          contextTokens: request.contextTokens,
          sequences: request.sequences ?? 1,
          kvTypeK: kvType,
          kvTypeV: kvType,
          ...(request.flashAttention === undefined
            ? {}
            : { flashAttention: request.flashAttention }),
          ...(request.batchTokens === undefined ? {} : { batchTokens: request.batchTokens }),
        },
      ],
    });
  } catch (error) {
    return { ok: false, stage: 'measure', error: message(error) };
  }

  try {
    const measured = result.contexts[0];
    if (!measured) throw new Error('llama.cpp measured no context');
    const { settings, parts } = compareMeasurement(spec, result, measured, kvType);
    return {
      ok: true,
      model: { path: request.modelPath, name: spec.name, architecture: spec.modelType },
      settings: {
        contextTokens: measured.request.contextTokens,
        sequences: measured.request.sequences ?? 1,
        kvType,
        flashAttention: settings.flashAttention,
        batchTokens: settings.nBatch,
        ubatchTokens: settings.nUbatch,
      },
      parts,
      agrees: parts.every((part) => part.agrees),
      tolerance: LLAMA_RUN_TOLERANCE,
    };
  } catch (error) {
    return { ok: false, stage: 'predict', error: message(error) };
  }
}
