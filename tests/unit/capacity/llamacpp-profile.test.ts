import { describe, expect, it } from 'vitest';

import { CapacityError } from '../../../lib/capacity/errors.ts';
import type { LlamaCppRequest } from '../../../lib/capacity/profiles/llamacpp.ts';
import {
  LLAMACPP_DEFAULTS,
  llamaCppCells,
  llamaCppMemory,
  llamaCppMlaForm,
  prepareLlamaCpp,
} from '../../../lib/capacity/profiles/llamacpp.ts';
import type { LayerSpec, Mixer, ModelSpec, TensorSpec } from '../../../lib/capacity/spec.ts';
import { buildGemma2, buildLlama, llama31_8bQ4KM } from '../../support/gguf-writer.ts';

const MIB = 2 ** 20;
const GIB = 2 ** 30;

function attention(kvHeads: number, headDim: number, window: number | null = null): Mixer {
  return {
    kind: 'attention',
    heads: kvHeads * 4,
    kvHeads,
    headDimK: headDim,
    headDimV: headDim,
    window,
    sinkTokens: 0,
    learnedSinks: false,
  };
}

/** A spec with the given layer mixers and no tensors: enough for cache arithmetic. */
function specOf(modelType: string, mixers: Mixer[], fields: Partial<ModelSpec> = {}): ModelSpec {
  const layers: LayerSpec[] = mixers.map((mixer, index) => ({ index, mixer, ffn: 'dense' }));
  return {
    name: modelType,
    modelType,
    source: 'catalogue',
    hiddenSize: 4096,
    vocabSize: 32000,
    layers,
    mtpLayers: 0,
    tensors: [],
    tiedEmbeddings: false,
    maxPositionTokens: null,
    causal: true,
    moe: null,
    checkpoint: { dtype: null, quantization: null },
    warnings: [],
    ...fields,
  };
}

function kvBytes(request: LlamaCppRequest): number {
  const kv = llamaCppMemory(request).kv;
  return kv.kBytes + kv.vBytes + kv.swaKBytes + kv.swaVBytes;
}

const deepseekV3 = specOf(
  'deepseek2',
  Array.from({ length: 61 }, () => ({
    kind: 'mla' as const,
    heads: 128,
    qLoraRank: 1536,
    kvLoraRank: 512,
    qkNopeHeadDim: 128,
    qkRopeHeadDim: 64,
    vHeadDim: 128,
  })),
);

describe('llama.cpp cell counts', () => {
  const settings = { ...LLAMACPP_DEFAULTS };

  it.each([
    // context, sequences, n_ctx, cells per stream, streams
    [1000, 1, 1024, 1024, 1], // pad256(1000)
    [1000, 2, 2048, 1024, 2], // pad256(2000) / 2
    [1000, 3, 3072, 1024, 3], // pad256(3000) / 3
    [1100, 2, 2560, 1280, 2], // pad256(2200) = 2304, / 2 = 1152 -> 1280 per stream
    [4096, 1, 4096, 4096, 1],
  ])(
    'gives %i tokens x %i sequences %i cells, %i per stream',
    (ctx, seqs, nCtx, cells, streams) => {
      const result = llamaCppCells(ctx, seqs, settings, null);
      expect(result).toMatchObject({ nCtx, kvCells: cells, streams, swaCells: null });
    },
  );

  it('shares one stream of all cells with a unified cache', () => {
    const result = llamaCppCells(1000, 2, { ...settings, unifiedKv: true }, null);
    expect(result).toMatchObject({ nCtx: 2048, kvCells: 2048, streams: 1 });
  });

  it.each([
    // context, sequences, unified, window, sliding cells
    [4096, 1, false, 128, 768], // pad256(128 + 512)
    [1024, 1, false, 4096, 1024], // capped by the 1024 full cells
    [4096, 2, true, 128, 768], // pad256(128 x 2 + 512) in one shared stream
    [131072, 1, false, 1024, 1536], // Gemma-3: pad256(1024 + 512)
  ])(
    'keeps %i tokens x %i seq (unified %s, window %i) in %i sliding cells',
    (ctx, seqs, unifiedKv, window, swaCells) => {
      expect(llamaCppCells(ctx, seqs, { ...settings, unifiedKv }, window).swaCells).toBe(swaCells);
    },
  );

  it('keeps every cell in the sliding cache with --swa-full', () => {
    expect(llamaCppCells(4096, 1, settings, 128, true).swaCells).toBe(4096);
  });

  it('caps the batch and the ubatch at the context', () => {
    const result = llamaCppCells(200, 1, settings, null);
    expect(result).toMatchObject({ nCtx: 256, nBatch: 256, nUbatch: 256 });
  });
});

describe('llama.cpp KV cache', () => {
  it.each([
    ['f16', 32 * 4096 * 8 * 128 * 2 * 2], // layers x cells x KV heads x dim x K+V x f16
    ['q8_0', ((32 * 4096 * 8 * 128 * 2) / 32) * 34], // 34 bytes per 32 elements
    ['q4_0', ((32 * 4096 * 8 * 128 * 2) / 32) * 18], // 18 bytes per 32 elements
  ] as const)('stores Llama-3.1-8B at 4096 tokens in %s as %i bytes', (dtype, bytes) => {
    const spec = llama31_8bQ4KM().spec;
    expect(kvBytes({ spec, contextTokens: 4096, kvTypeK: dtype, kvTypeV: dtype })).toBe(bytes);
  });

  it('stores Qwen2.5-7B at 262144 tokens in q8_0 as 7.4375 GiB (capacity.md T13)', () => {
    const spec = specOf(
      'qwen2',
      Array.from({ length: 28 }, () => attention(4, 128)),
    );
    const bytes = kvBytes({ spec, contextTokens: 262144, kvTypeK: 'q8_0', kvTypeV: 'q8_0' });
    expect(bytes).toBe(((28 * 2 * 4 * 128 * 262144) / 32) * 34); // 7.4375 GiB
  });

  it('gives Gemma-3-4B at 131072 tokens 2560 MiB global + 174 MiB sliding (capacity.md T5)', () => {
    const mixers = Array.from({ length: 34 }, (_, i) =>
      attention(4, 256, i % 6 === 5 ? null : 1024),
    );
    const memory = llamaCppMemory({ spec: specOf('gemma3', mixers), contextTokens: 131072 });

    expect(memory.kv.kBytes + memory.kv.vBytes).toBe(5 * 131072 * 4 * 256 * 2 * 2); // 2560 MiB
    expect(memory.kv.swaKBytes + memory.kv.swaVBytes).toBe(29 * 1536 * 4 * 256 * 2 * 2); // 174 MiB
  });

  it('gives gpt-oss-20b at 131072 tokens 3.0176 GiB (capacity.md T6)', () => {
    const mixers = Array.from({ length: 24 }, (_, i) => attention(8, 64, i % 2 === 0 ? 128 : null));
    const bytes = kvBytes({ spec: specOf('gpt-oss', mixers), contextTokens: 131072 });
    expect(bytes).toBe(12 * 131072 * 8 * 64 * 2 * 2 + 12 * 768 * 8 * 64 * 2 * 2);
    expect(bytes / GIB).toBeCloseTo(3.0176, 4);
  });

  it.each([
    // build, MLA form, bytes at 65536 tokens f16 (capacity.md B2)
    [5000, 'decompressed', 61 * 65536 * 128 * (192 + 128) * 2], // about 305 GiB
    [6000, 'latent_kv', 61 * 65536 * (576 + 512) * 2], // 8.10 GiB
    [9000, 'latent', 61 * 65536 * 576 * 2], // 4,605,345,792 B
  ] as const)('caches DeepSeek-V3 MLA at build %i in %s form', (build, form, bytes) => {
    expect(llamaCppMlaForm(build)).toBe(form);
    const request = { spec: deepseekV3, contextTokens: 65536, settings: { build } };
    expect(kvBytes(request)).toBe(bytes);
  });

  it('caches DeepSeek-V3 at 32768 tokens in 2196 MiB with a V-less cache (capacity.md T1)', () => {
    const bytes = kvBytes({ spec: deepseekV3, contextTokens: 32768 });
    expect(bytes).toBe(2_302_672_896); // 61 layers x 576 x f16 x 32768 cells
  });

  it('takes the MLA boundaries a caller gives', () => {
    expect(llamaCppMlaForm(6000, { latentKv: 5000, latent: 5500 })).toBe('latent');
  });

  it('keeps Mamba-2.8B state at 24,903,680 bytes per sequence, whatever the context (T11)', () => {
    const mamba = specOf(
      'mamba',
      Array.from({ length: 64 }, () => ({
        kind: 'recurrent' as const,
        variant: 'mamba1' as const,
        stateElements: 16 * 5120, // d_state x d_inner
        convElements: 3 * 5120, // (d_conv - 1) x d_inner
      })),
    );
    for (const contextTokens of [256, 131072]) {
      const memory = llamaCppMemory({ spec: mamba, contextTokens, sequences: 2 });
      expect(memory.recurrentBytes).toBe(2 * 24_903_680); // 64 x 19 x 5120 x f32 per sequence
      expect(memory.kv.kBytes).toBe(0);
    }
  });

  it('runs a llama-architecture sliding window as full attention, with a warning', () => {
    const spec = specOf(
      'llama',
      Array.from({ length: 32 }, () => attention(8, 128, 4096)),
    );
    const memory = llamaCppMemory({ spec, contextTokens: 32768 });

    expect(memory.kv.kBytes + memory.kv.vBytes).toBe(32 * 32768 * 8 * 128 * 2 * 2);
    expect(memory.warnings.map((warning) => warning.code)).toContain('sliding_window_ignored');
  });

  it('pads every V row to the widest one when V is stored transposed (no flash attention)', () => {
    const mixers = [attention(2, 64), { ...attention(2, 64), headDimV: 128 } as Mixer];
    const spec = specOf('qwen3', mixers);
    const flash = llamaCppMemory({ spec, contextTokens: 256 });
    const noFlash = llamaCppMemory({
      spec,
      contextTokens: 256,
      settings: { flashAttention: false },
    });

    expect(flash.kv.vBytes).toBe(256 * (2 * 64 + 2 * 128) * 2); // cells x rows x f16
    expect(noFlash.kv.vBytes).toBe(256 * (2 * 128 + 2 * 128) * 2);
  });

  it('never shrinks as the context grows', () => {
    const spec = buildGemma2({
      layers: 4,
      embedding: 128,
      heads: 4,
      kvHeads: 2,
      headDim: 32,
      feedForward: 512,
      vocab: 2048,
      slidingWindow: 128,
      weights: 'F16',
    }).spec;
    let previous = 0;
    for (let contextTokens = 1; contextTokens <= 20_000; contextTokens += 997) {
      const total = llamaCppMemory({ spec, contextTokens }).totalBytes;
      expect(total).toBeGreaterThanOrEqual(previous);
      previous = total;
    }
  });
});

describe('llama.cpp weights and placement', () => {
  const tiny = buildLlama({
    layers: 2,
    embedding: 64,
    heads: 4,
    kvHeads: 2,
    feedForward: 128,
    vocab: 320,
    weights: 'F32',
  }).spec;
  const embedding = 64 * 320 * 4; // hidden x vocab x f32

  it('keeps the input embedding and the logits in host memory when offloaded', () => {
    const memory = llamaCppMemory({ spec: tiny, contextTokens: 1024 });
    const host = memory.parts.filter((part) => !part.onDevice);

    expect(host.map((part) => [part.name, part.bytes])).toEqual([
      ['weights', embedding],
      ['output', 320 * 4], // vocab x f32 x one sequence
    ]);
    expect(memory.deviceBytes + memory.hostBytes).toBe(memory.totalBytes);
  });

  it('puts everything in host memory on the CPU', () => {
    const memory = llamaCppMemory({ spec: tiny, contextTokens: 1024, placement: 'cpu' });
    expect(memory.deviceBytes).toBe(0);
    expect(memory.hostBytes).toBe(memory.totalBytes);
  });

  it('duplicates a tied embedding on the device as the output layer', () => {
    const tied = buildLlama({
      layers: 2,
      embedding: 64,
      heads: 4,
      kvHeads: 2,
      feedForward: 128,
      vocab: 320,
      weights: 'F32',
      tiedEmbeddings: true,
    }).spec;
    const memory = llamaCppMemory({ spec: tied, contextTokens: 1024 });
    const deviceWeights = memory.parts.find((part) => part.name === 'weights' && part.onDevice);

    expect(deviceWeights?.bytes).toBe(memory.modelBytes); // the rest + a copy of the embedding
  });

  it('sums the Q4_K_M mix of Llama-3.1-8B to 4.58 GiB', () => {
    const memory = llamaCppMemory({ spec: llama31_8bQ4KM().spec, contextTokens: 4096 });
    expect(memory.modelBytes).toBe(4_912_898_304);
  });

  it('prefers bytes the caller gives per tensor', () => {
    const tensorBytes = Object.fromEntries(tiny.tensors.map((t: TensorSpec) => [t.name, 100]));
    const memory = llamaCppMemory({ spec: tiny, contextTokens: 256, tensorBytes });
    expect(memory.modelBytes).toBe(100 * tiny.tensors.length);
  });

  it('marks compute as the only estimate and says where every part comes from', () => {
    const memory = llamaCppMemory({ spec: tiny, contextTokens: 1024 });
    const estimates = memory.parts.filter((part) => part.provenance === 'estimate');

    expect(estimates.map((part) => part.name)).toEqual(['compute']);
    for (const part of memory.parts) expect(part.source.length).toBeGreaterThan(10);
  });
});

describe('llama.cpp compute buffer', () => {
  const spec = llama31_8bQ4KM().spec;
  const tokens = 512;
  const residual = 4096 * tokens * 4; // hidden x ubatch x f32
  const logits = 128256 * tokens * 4; // vocab x ubatch x f32

  it('is the logits phase with flash attention: L + 2R + 4T', () => {
    const memory = llamaCppMemory({ spec, contextTokens: 4096 });
    expect(memory.computeBytes).toBe(logits + 2 * residual + 4 * tokens); // 279,447,552 measured
  });

  it('is the KQ phase without flash attention: inputs + mask + KQ + 5R', () => {
    const inputs = 12 * tokens + 8 * tokens + 8 * tokens * 1024; // ids + K rows + V rows x width
    const mask = 4096 * tokens * 4; // cells x ubatch x f32
    const scores = 32 * 4096 * tokens * 4; // heads x cells x ubatch x f32
    const memory = llamaCppMemory({
      spec,
      contextTokens: 4096,
      settings: { flashAttention: false },
    });
    expect(memory.computeBytes).toBe(inputs + mask + scores + 5 * residual); // 322,971,648 measured
  });

  it('scales with the ubatch', () => {
    const small = llamaCppMemory({ spec, contextTokens: 4096, settings: { ubatchTokens: 128 } });
    expect(small.computeBytes).toBe((logits + 2 * residual) / 4 + 4 * 128);
  });
});

describe('llama.cpp settings and errors', () => {
  const spec = llama31_8bQ4KM().spec;

  it('uses -fa auto (on), -b 2048, -ub 512 and one stream per sequence by default', () => {
    expect(llamaCppMemory({ spec, contextTokens: 4096 }).settings).toEqual(LLAMACPP_DEFAULTS);
  });

  it('rejects a quantized V cache without flash attention, naming kvTypeV', () => {
    const request = { spec, contextTokens: 4096, kvTypeV: 'q8_0' as const };
    try {
      llamaCppMemory({ ...request, settings: { flashAttention: false } });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(CapacityError);
      expect((error as CapacityError).field).toBe('kvTypeV');
    }
    expect(llamaCppMemory(request).settings.flashAttention).toBe(true);
  });

  it.each([
    [{ kvTypeK: 'fp8' as const }, 'kvTypeK'],
    [{ contextTokens: 0 }, 'contextTokens'],
    [{ sequences: 1.5 }, 'sequences'],
    [{ settings: { ubatchTokens: -1 } }, 'settings.ubatchTokens'],
  ])('rejects %j naming %s', (override, field) => {
    try {
      llamaCppMemory({ spec, contextTokens: 4096, ...override });
      expect.unreachable();
    } catch (error) {
      expect((error as CapacityError).field).toBe(field);
    }
  });

  it('rejects different K and V types for an MLA model', () => {
    const request = { spec: deepseekV3, contextTokens: 4096, kvTypeK: 'q8_0' as const };
    expect(() => llamaCppMemory(request)).toThrow(CapacityError);
  });

  it('names the tensor whose stored bytes are missing', () => {
    const tensor: TensorSpec = {
      name: 'blk.0.attn_q.weight',
      shape: [4096, 4096],
      copies: 1,
      activeCopies: 1,
      group: 'attention',
      role: 'attn_q',
      layer: 0,
    };
    try {
      llamaCppMemory({ spec: { ...spec, tensors: [tensor] }, contextTokens: 4096 });
      expect.unreachable();
    } catch (error) {
      expect((error as CapacityError).field).toBe('tensorBytes.blk.0.attn_q.weight');
    }
  });

  it('warns when a sequence holds more cells than the model was trained for', () => {
    const memory = llamaCppMemory({ spec, contextTokens: 200_000 });
    expect(memory.warnings.map((warning) => warning.code)).toContain('context_above_model_limit');
  });
});

describe('llama.cpp as a prepared engine', () => {
  const spec = llama31_8bQ4KM().spec;
  const embedding = 4096 * 128256 * (144 / 256); // hidden x vocab at Q4_K

  const engine = prepareLlamaCpp(
    {
      spec,
      deviceWeightsBytes: 4_912_898_304,
      deviceEmbeddingBytes: embedding,
      kvDtypes: { k: 'f16', v: 'f16', recurrent: 'f32' },
      tensorParallel: 1,
    },
    LLAMACPP_DEFAULTS,
  );

  it('agrees with the detailed profile on the device and the host', () => {
    const detailed = llamaCppMemory({ spec, contextTokens: 8192, sequences: 2 });
    const memory = engine.memoryAt(8192, 2);

    expect(memory.weightsBytes).toBe(4_912_898_304 - embedding);
    expect(memory.kvBytes).toBe(2 * 32 * 8192 * 8 * 128 * 2 * 2); // 2 seqs x layers x cells x ...
    expect(memory.computeBytes).toBe(detailed.computeBytes);
    expect(memory.hostWeightsBytes).toBe(embedding);
    expect(memory.hostOutputBytes).toBe(2 * 128256 * 4); // logits of 2 sequences, f32
    expect(memory.outputBytes).toBe(0);
  });

  it('reports the KV cache as exact and the compute buffer as an estimate', () => {
    expect(engine.notes.kvBytes.provenance).toBe('exact');
    expect(engine.notes.computeBytes.provenance).toBe('estimate');
    // --fit keeps 1 GiB free on every device; NVIDIA also loses the CUDA context (400 MiB)
    expect(engine.budgetBytes(24 * GIB)).toBe(24 * GIB - 1024 * MIB);
    expect(engine.budgetBytes(24 * GIB, 'nvidia')).toBe(24 * GIB - 1024 * MIB - 400 * MIB);
    expect(engine.budgetBytes(24 * GIB, 'apple')).toBe(24 * GIB - 1024 * MIB);
  });

  it('refuses a quantized V cache with flash attention off, as llama.cpp does', () => {
    // llama-context.cpp: "V cache quantization requires flash_attn"
    const prepare = () =>
      prepareLlamaCpp(
        {
          spec,
          deviceWeightsBytes: 0,
          deviceEmbeddingBytes: 0,
          kvDtypes: { k: 'q8_0', v: 'q8_0', recurrent: 'f32' },
          tensorParallel: 1,
        },
        { ...LLAMACPP_DEFAULTS, flashAttention: false },
      );
    expect(prepare).toThrow(CapacityError);
    expect(prepare).toThrow(/V cache quantization requires flash_attn/);
  });

  it('keeps a quantized V cache with flash attention on', () => {
    const quantized = prepareLlamaCpp(
      {
        spec,
        deviceWeightsBytes: 0,
        deviceEmbeddingBytes: 0,
        kvDtypes: { k: 'q8_0', v: 'q8_0', recurrent: 'f32' },
        tensorParallel: 1,
      },
      LLAMACPP_DEFAULTS,
    );
    expect(quantized.memoryAt(4096, 1).kvBytes).toBe(285_212_672); // 32 x 4096 x 2048 x 34/32
    expect(quantized.memoryAt(4096, 1).computeBytes / MIB).toBeCloseTo(266.5, 1);
  });
});
