// llama.cpp as the oracle: generated GGUFs loaded by the real engine must match the profile.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { gguf as parseGguf } from '@huggingface/gguf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { specFromGguf } from '../../lib/capacity/formats/gguf.ts';
import type { LlamaCppMemory } from '../../lib/capacity/profiles/llamacpp.ts';
import type { ModelSpec } from '../../lib/capacity/spec.ts';
import { llamaCppMemory } from '../../lib/capacity/profiles/llamacpp.ts';
import type { GeneratedModel } from '../support/gguf-writer.ts';
import {
  buildGemma2,
  buildLlama,
  buildMamba,
  llama31_8bQ4KM,
  writeGgufFile,
} from '../support/gguf-writer.ts';
import type {
  ContextMeasurement,
  ContextRequest,
  MeasureResult,
} from '../../lib/engines/llamacpp/measure.ts';
import { measureLlamaCpp } from '../../lib/engines/llamacpp/measure.ts';

const MIB = 2 ** 20;

/** The profile for a measured context, fed the settings llama.cpp logged it resolved. */
function predict(spec: ModelSpec, measured: ContextMeasurement): LlamaCppMemory {
  const request = measured.request;
  const settings = measured.settings;
  if (settings === null) throw new Error('allocate mode logs the resolved settings');
  return llamaCppMemory({
    spec,
    contextTokens: request.contextTokens,
    sequences: request.sequences ?? 1,
    kvTypeK: request.kvTypeK ?? 'f16',
    kvTypeV: request.kvTypeV ?? 'f16',
    placement: 'cpu',
    settings: {
      flashAttention: settings.flashAttention,
      batchTokens: settings.nBatch,
      ubatchTokens: settings.nUbatch,
      unifiedKv: settings.kvUnified,
    },
  });
}

function cacheBytes(memory: LlamaCppMemory): number {
  const kv = memory.kv;
  return kv.kBytes + kv.vBytes + kv.swaKBytes + kv.swaVBytes + memory.recurrentBytes;
}

/** What llama.cpp holds in all: weights, caches and compute (exact), logits (from its log). */
function measuredTotal(result: MeasureResult, measured: ContextMeasurement): number {
  return result.modelBytes + measured.contextBytes + (measured.outputMiB ?? 0) * MIB;
}

function label(request: ContextRequest): string {
  const fa = request.flashAttention === false ? 'no FA' : 'FA';
  const kv = `${request.kvTypeK ?? 'f16'}/${request.kvTypeV ?? 'f16'}`;
  const batch = request.batchTokens === undefined ? '' : ` batch ${request.batchTokens}`;
  return `${request.contextTokens} x ${request.sequences ?? 1} seq, ${kv}, ${fa}${batch}`;
}

/** One generated model, the contexts measured on it, and how close its compute estimate is. */
interface OracleCase {
  name: string;
  model: GeneratedModel;
  contexts: ContextRequest[];
  /** Largest relative error the compute-buffer estimate is known to have for this shape. */
  computeTolerance: number;
}

const gqa = buildLlama({
  name: 'tiny-gqa',
  layers: 4,
  embedding: 128,
  heads: 4,
  kvHeads: 2,
  feedForward: 512,
  vocab: 8192,
  weights: 'F32',
});

const CASES: OracleCase[] = [
  {
    name: 'llama GQA (4 heads, 2 KV heads)',
    model: gqa,
    computeTolerance: 0.06,
    contexts: [
      { contextTokens: 256 },
      { contextTokens: 1000 },
      { contextTokens: 4096 },
      { contextTokens: 1000, flashAttention: false },
      { contextTokens: 4096, flashAttention: false },
      { contextTokens: 1000, sequences: 2 },
      { contextTokens: 1000, sequences: 2, flashAttention: false },
      { contextTokens: 1000, kvTypeK: 'q8_0', kvTypeV: 'q8_0' },
      { contextTokens: 4096, kvTypeK: 'q8_0', kvTypeV: 'q8_0' },
      { contextTokens: 1000, kvTypeK: 'q4_0', kvTypeV: 'q4_0' },
      { contextTokens: 1000, kvTypeK: 'q8_0', flashAttention: false },
      { contextTokens: 1000, batchTokens: 128 },
    ],
  },
  {
    name: 'llama MHA (4 KV heads)',
    model: buildLlama({
      name: 'tiny-mha',
      layers: 4,
      embedding: 128,
      heads: 4,
      kvHeads: 4,
      feedForward: 512,
      vocab: 8192,
      weights: 'F32',
    }),
    computeTolerance: 0.06,
    contexts: [{ contextTokens: 1000 }, { contextTokens: 1000, flashAttention: false }],
  },
  {
    name: 'llama MQA (1 KV head), Q4_0 weights',
    model: buildLlama({
      name: 'tiny-mqa',
      layers: 4,
      embedding: 128,
      heads: 4,
      kvHeads: 1,
      feedForward: 512,
      vocab: 8192,
      weights: 'Q4_0',
    }),
    computeTolerance: 0.06,
    contexts: [
      { contextTokens: 1000 },
      { contextTokens: 4096, flashAttention: false },
      { contextTokens: 1000, sequences: 2 },
    ],
  },
  {
    name: 'llama MoE (8 experts, 2 per token), F16 weights',
    model: buildLlama({
      name: 'tiny-moe',
      layers: 4,
      embedding: 128,
      heads: 4,
      kvHeads: 2,
      feedForward: 256,
      vocab: 8192,
      weights: 'F16',
      experts: { count: 8, used: 2 },
    }),
    computeTolerance: 0.06,
    contexts: [
      { contextTokens: 1000 },
      { contextTokens: 1000, flashAttention: false },
      { contextTokens: 1000, sequences: 2 },
    ],
  },
  {
    name: 'gemma2 (sliding window 128 on even layers)',
    model: buildGemma2({
      name: 'tiny-gemma2',
      layers: 8,
      embedding: 128,
      heads: 4,
      kvHeads: 2,
      headDim: 32,
      feedForward: 512,
      vocab: 8192,
      slidingWindow: 128,
      weights: 'F32',
    }),
    computeTolerance: 0.06,
    contexts: [
      { contextTokens: 256 },
      { contextTokens: 1000 },
      { contextTokens: 4096 },
      { contextTokens: 1000, flashAttention: false },
      { contextTokens: 1000, sequences: 2 },
    ],
  },
  {
    name: 'mamba (d_state 16, d_conv 4), Q8_0 weights',
    model: buildMamba({
      name: 'tiny-mamba',
      layers: 4,
      embedding: 128,
      vocab: 8192,
      stateSize: 16,
      convKernel: 4,
      timeStepRank: 8,
      weights: 'Q8_0',
    }),
    computeTolerance: 0.01,
    contexts: [
      { contextTokens: 256 },
      { contextTokens: 4096 },
      { contextTokens: 1000, sequences: 2 },
    ],
  },
];

let directory = '';

beforeAll(() => {
  directory = mkdtempSync(join(tmpdir(), 'hwledger-llamacpp-'));
});

afterAll(() => {
  if (directory !== '') rmSync(directory, { recursive: true, force: true });
});

describe.each(CASES)('llama.cpp on a generated $name', (testCase) => {
  const path = () => join(directory, `${testCase.model.spec.name}.gguf`);
  let result: MeasureResult;

  beforeAll(async () => {
    writeGgufFile(path(), testCase.model, { data: 'random', seed: 7 });
    result = await measureLlamaCpp({
      modelPath: path(),
      mode: 'allocate',
      contexts: testCase.contexts,
    });
  });

  it('holds exactly the stored tensor bytes as its model', () => {
    const stored = testCase.model.spec.tensors.reduce((sum, t) => sum + (t.storedBytes ?? 0), 0);
    expect(result.modelBytes).toBe(stored);
    expect(llamaCppMemory({ spec: testCase.model.spec, contextTokens: 256 }).modelBytes).toBe(
      stored,
    );
  });

  it.each(testCase.contexts.map((request, index) => [label(request), index] as const))(
    'allocates exactly the predicted cells and cache bytes at %s',
    (_label, index) => {
      const measured = result.contexts[index];
      if (measured === undefined) throw new Error(`no measurement ${index}`);
      const memory = predict(testCase.model.spec, measured);

      const kv = memory.kv;
      const kvBytes = kv.kBytes + kv.vBytes + kv.swaKBytes + kv.swaVBytes;
      const loggedKv = measured.caches.filter((cache) => cache.kind === 'kv');

      expect(measured.memoryBytes).toBe(cacheBytes(memory));
      expect([measured.kvBytes ?? 0, measured.recurrentBytes ?? 0]).toEqual([
        kvBytes,
        memory.recurrentBytes,
      ]);
      expect(measured.settings?.nCtx).toBe(kv.cells.nCtx);
      for (const cache of loggedKv) {
        expect([kv.cells.kvCells, kv.cells.swaCells]).toContain(cache.cells);
        expect(cache.streams).toBe(kv.cells.streams);
      }
      const loggedK = loggedKv.reduce((sum, cache) => sum + cache.kMiB, 0);
      const loggedV = loggedKv.reduce((sum, cache) => sum + cache.vMiB, 0);
      const rounding = 0.005 * loggedKv.length + 1e-9; // each line rounds to 0.01 MiB
      expect(Math.abs(loggedK - (kv.kBytes + kv.swaKBytes) / MIB)).toBeLessThanOrEqual(rounding);
      expect(Math.abs(loggedV - (kv.vBytes + kv.swaVBytes) / MIB)).toBeLessThanOrEqual(rounding);
    },
  );

  it.each(testCase.contexts.map((request, index) => [label(request), index] as const))(
    'lands within 1 % of the total llama.cpp holds at %s',
    (_label, index) => {
      const measured = result.contexts[index];
      if (measured === undefined) throw new Error(`no measurement ${index}`);
      const memory = predict(testCase.model.spec, measured);

      expect(Math.abs(memory.totalBytes / measuredTotal(result, measured) - 1)).toBeLessThan(0.01);
      expect((memory.outputBytes / MIB).toFixed(2)).toBe(measured.outputMiB?.toFixed(2));
      const computeError = memory.computeBytes / (measured.computeBytes ?? Number.NaN) - 1;
      expect(Math.abs(computeError)).toBeLessThanOrEqual(testCase.computeTolerance);
    },
  );

  it('predicts the same caches from the spec the GGUF parser reads out of the file', async () => {
    const parsed = await parseGguf(path(), { allowLocalFile: true });
    const spec = specFromGguf(parsed.metadata, parsed.tensorInfos);

    expect(llamaCppMemory({ spec, contextTokens: 256 }).modelBytes).toBe(result.modelBytes);
    for (const measured of result.contexts) {
      expect(cacheBytes(predict(spec, measured))).toBe(measured.memoryBytes);
    }
  });
});

describe('measuring in a child process', () => {
  it('rejects a file llama.cpp cannot load instead of taking the runner down', async () => {
    const path = join(directory, 'not-a-model.gguf');
    writeFileSync(path, new Uint8Array([0x47, 0x47, 0x55, 0x46, 3, 0, 0, 0, 0xff, 0xff]));
    const job = { modelPath: path, mode: 'allocate' as const, contexts: [{ contextTokens: 256 }] };

    await expect(measureLlamaCpp(job)).rejects.toThrow(/llama.cpp child exited/);
  });
});

describe('llama.cpp estimating a header-only Llama-3.1-8B Q4_K_M', () => {
  const model = llama31_8bQ4KM();
  const contexts: ContextRequest[] = [
    { contextTokens: 4096 },
    { contextTokens: 4096, kvTypeK: 'f32', kvTypeV: 'f32' },
    { contextTokens: 4096, flashAttention: false },
    { contextTokens: 32768, sequences: 2 },
    { contextTokens: 8192, kvTypeK: 'q8_0', kvTypeV: 'q8_0' },
  ];
  let result: MeasureResult;

  beforeAll(async () => {
    const path = join(directory, 'llama-3.1-8b-q4_k_m-header.gguf');
    writeGgufFile(path, model, { data: 'none' });
    result = await measureLlamaCpp({ modelPath: path, mode: 'estimate', contexts });
  });

  function estimateAt(index: number): { measured: ContextMeasurement; memory: LlamaCppMemory } {
    const measured = result.contexts[index];
    const request = contexts[index];
    if (measured === undefined || request === undefined) throw new Error(`no estimate ${index}`);
    const memory = llamaCppMemory({
      spec: model.spec,
      contextTokens: request.contextTokens,
      sequences: request.sequences ?? 1,
      kvTypeK: request.kvTypeK ?? 'f16',
      kvTypeV: request.kvTypeV ?? 'f16',
      placement: 'cpu',
      settings: { flashAttention: request.flashAttention !== false },
    });
    return { measured, memory };
  }

  it('weighs the Q4_K_M mix byte for byte', () => {
    expect(result.modelBytes).toBe(4_912_898_304); // 4.58 GiB, llama-quantize's Q4_K_M Llama-3-8B
    expect(llamaCppMemory({ spec: model.spec, contextTokens: 4096 }).modelBytes).toBe(
      result.modelBytes,
    );
  });

  it('grows by exactly one f16 KV cache when the cache turns f32', () => {
    const kvF16 = 32 * 4096 * 8 * 128 * 2 * 2; // layers x cells x KV heads x dim x K+V x f16
    const f16 = estimateAt(0);
    const f32 = estimateAt(1);

    expect(f32.measured.contextBytes - f16.measured.contextBytes).toBe(kvF16);
    expect(f16.memory.kv.kBytes + f16.memory.kv.vBytes).toBe(kvF16);
  });

  it.each(contexts.map((request, index) => [label(request), index] as const))(
    'lands within 1 % of the estimated total at %s',
    (_label, index) => {
      const { measured, memory } = estimateAt(index);
      const measuredBytes = result.modelBytes + measured.contextBytes;
      const predictedBytes = memory.modelBytes + cacheBytes(memory) + memory.computeBytes;

      expect(Math.abs(predictedBytes / measuredBytes - 1)).toBeLessThan(0.01);
    },
  );

  it('matches the compute buffer to the byte with flash attention at 4096 tokens', () => {
    const { measured, memory } = estimateAt(0);
    const logits = 128256 * 512 * 4; // vocab x ubatch x f32
    const residual = 4096 * 512 * 4; // hidden x ubatch x f32

    expect(memory.computeBytes).toBe(logits + 2 * residual + 4 * 512);
    expect(measured.contextBytes - cacheBytes(memory)).toBe(memory.computeBytes);
  });
});
