import { describe, expect, it } from 'vitest';

import { CapacityError } from '../../../lib/capacity/errors.ts';
import type { GgufTensorInfo } from '../../../lib/capacity/formats/gguf.ts';
import { specFromGguf } from '../../../lib/capacity/formats/gguf.ts';
import { GGML_TYPES } from '../../../lib/capacity/quant/ggml-types.ts';
import type { GgmlTypeName } from '../../../lib/capacity/quant/ggml-types.ts';
import type { AttentionMixer, MlaMixer, RecurrentMixer } from '../../../lib/capacity/spec.ts';
import { weightBytes } from '../../../lib/capacity/weights.ts';

/** A tensor info with GGML's innermost-first `ne`. */
function info(name: string, ne: number[], type: GgmlTypeName = 'F32'): GgufTensorInfo {
  return { name, shape: ne.map((dim) => BigInt(dim)), dtype: GGML_TYPES[type].id };
}

/** The tensors of a llama-style block `i` (attention and dense or expert FFN). */
function llamaBlock(
  i: number,
  s: { embd: number; kvWidth: number; ff: number; experts?: number },
  type: GgmlTypeName,
): GgufTensorInfo[] {
  const p = `blk.${String(i)}`;
  const list = [
    info(`${p}.attn_norm.weight`, [s.embd]),
    info(`${p}.attn_q.weight`, [s.embd, s.embd], type),
    info(`${p}.attn_k.weight`, [s.embd, s.kvWidth], type),
    info(`${p}.attn_v.weight`, [s.embd, s.kvWidth], type),
    info(`${p}.attn_output.weight`, [s.embd, s.embd], type),
    info(`${p}.ffn_norm.weight`, [s.embd]),
  ];
  if (s.experts) {
    list.push(
      info(`${p}.ffn_gate_inp.weight`, [s.embd, s.experts]),
      info(`${p}.ffn_gate_exps.weight`, [s.embd, s.ff, s.experts], type),
      info(`${p}.ffn_up_exps.weight`, [s.embd, s.ff, s.experts], type),
      info(`${p}.ffn_down_exps.weight`, [s.ff, s.embd, s.experts], type),
    );
  } else {
    list.push(
      info(`${p}.ffn_gate.weight`, [s.embd, s.ff], type),
      info(`${p}.ffn_up.weight`, [s.embd, s.ff], type),
      info(`${p}.ffn_down.weight`, [s.ff, s.embd], type),
    );
  }
  return list;
}

const LLAMA_META = {
  'general.architecture': 'llama',
  'general.name': 'Llama-3-8B',
  'general.file_type': 15,
  'llama.block_count': 32,
  'llama.context_length': 8192,
  'llama.embedding_length': 4096,
  'llama.feed_forward_length': 14336,
  'llama.attention.head_count': 32,
  'llama.attention.head_count_kv': 8,
};

function llamaTensors(type: GgmlTypeName): GgufTensorInfo[] {
  const shape = { embd: 4096, kvWidth: 1024, ff: 14336 };
  return [
    info('token_embd.weight', [4096, 128256], type),
    ...Array.from({ length: 32 }, (_, i) => llamaBlock(i, shape, type)).flat(),
    info('output_norm.weight', [4096]),
    info('output.weight', [4096, 128256], 'Q6_K'),
  ];
}

describe('specFromGguf for llama', () => {
  const spec = specFromGguf(LLAMA_META, llamaTensors('Q4_K'));

  it('reads the model facts', () => {
    expect(spec).toMatchObject({
      name: 'Llama-3-8B',
      modelType: 'llama',
      source: 'gguf',
      hiddenSize: 4096,
      vocabSize: 128256, // from token_embd, as the file has no token list
      maxPositionTokens: 8192,
      tiedEmbeddings: false,
      causal: true,
      moe: null,
      mtpLayers: 0,
    });
    expect(spec.layers).toHaveLength(32);
    expect(spec.layers[31]?.mixer).toEqual<AttentionMixer>({
      kind: 'attention',
      heads: 32,
      kvHeads: 8,
      headDimK: 128, // 4096 / 32
      headDimV: 128,
      window: null,
      sinkTokens: 0,
      learnedSinks: false,
    });
    expect(spec.layers[0]?.ffn).toBe('dense');
  });

  it('keeps each tensor with its stored type and exact bytes, outermost dimension first', () => {
    const embedding = spec.tensors.find((tensor) => tensor.name === 'token_embd.weight');
    expect(embedding).toMatchObject({
      shape: [128256, 4096],
      storedType: 'Q4_K',
      storedBytes: 128256 * (4096 / 256) * 144,
      group: 'embedding',
      role: 'token_embd',
      layer: null,
    });
    const down = spec.tensors.find((tensor) => tensor.name === 'blk.7.ffn_down.weight');
    expect(down).toMatchObject({ shape: [4096, 14336], layer: 7, group: 'mlp', role: 'ffn_down' });
  });

  it('sums to the file bytes under the checkpoint scheme', () => {
    const q4k = (rows: number, cols: number) => rows * (cols / 256) * 144;
    const perLayer =
      q4k(4096, 4096) * 2 + q4k(1024, 4096) * 2 + q4k(14336, 4096) * 2 + q4k(4096, 14336);
    const expected =
      q4k(128256, 4096) + 32 * (perLayer + 2 * 4096 * 4) + 4096 * 4 + 128256 * 16 * 210;
    expect(weightBytes(spec, { kind: 'checkpoint' }).totalBytes).toBe(expected);
  });
});

describe('specFromGguf per-layer arrays and layer kinds', () => {
  it('reads an LFM2-style head_count_kv array per layer (B4: not as one number)', () => {
    const kvHeads = [0, 0, 8, 0, 0, 8, 0, 0, 8, 0, 8, 0, 8, 0, 8, 0];
    const tensors = kvHeads.flatMap((kv, i) => {
      const p = `blk.${String(i)}`;
      const mixer =
        kv === 0
          ? [
              info(`${p}.shortconv.conv.weight`, [3, 2048]),
              info(`${p}.shortconv.in_proj.weight`, [2048, 6144], 'Q8_0'),
              info(`${p}.shortconv.out_proj.weight`, [2048, 2048], 'Q8_0'),
            ]
          : [
              info(`${p}.attn_q.weight`, [2048, 2048], 'Q8_0'),
              info(`${p}.attn_k.weight`, [2048, 512], 'Q8_0'),
              info(`${p}.attn_v.weight`, [2048, 512], 'Q8_0'),
            ];
      return [...mixer, info(`${p}.ffn_down.weight`, [8192, 2048], 'Q8_0')];
    });
    const spec = specFromGguf(
      {
        'general.architecture': 'lfm2',
        'lfm2.block_count': 16,
        'lfm2.embedding_length': 2048,
        'lfm2.attention.head_count': 32,
        'lfm2.attention.head_count_kv': kvHeads,
        'lfm2.shortconv.l_cache': 3,
        'tokenizer.ggml.tokens': Array.from({ length: 65536 }, (_, i) => `t${String(i)}`),
      },
      [info('token_embd.weight', [2048, 65536], 'Q8_0'), ...tensors],
    );
    const attention = spec.layers.filter((layer) => layer.mixer.kind === 'attention');
    expect(attention.map((layer) => layer.index)).toEqual([2, 5, 8, 10, 12, 14]);
    expect(attention[0]?.mixer).toMatchObject({ kvHeads: 8, headDimK: 64 }); // 2048 / 32
    expect(spec.layers[0]?.mixer).toEqual<RecurrentMixer>({
      kind: 'recurrent',
      variant: 'short_conv',
      stateElements: 0,
      convElements: (3 - 1) * 2048,
    });
    expect(spec.vocabSize).toBe(65536);
    expect(spec.tiedEmbeddings).toBe(true);
  });

  it.each([
    ['gemma2', 42, [true, false, true, false], 4096],
    ['gemma3', 12, [true, true, true, true, true, false, true], 1024],
  ] as const)('slides %s layers by llama.cpp pattern', (arch, layers, pattern, window) => {
    const tensors = Array.from({ length: layers }, (_, i) =>
      llamaBlock(i, { embd: 256, kvWidth: 128, ff: 512 }, 'F16'),
    ).flat();
    const spec = specFromGguf(
      {
        'general.architecture': arch,
        [`${arch}.block_count`]: layers,
        [`${arch}.embedding_length`]: 256,
        [`${arch}.attention.head_count`]: 4,
        [`${arch}.attention.head_count_kv`]: 2,
        [`${arch}.attention.key_length`]: 64,
        [`${arch}.attention.value_length`]: 64,
        [`${arch}.attention.sliding_window`]: window,
      },
      [info('token_embd.weight', [256, 1000], 'F16'), ...tensors],
    );
    const windows = spec.layers.map((layer) => (layer.mixer as AttentionMixer).window);
    expect(windows.slice(0, pattern.length)).toEqual(
      pattern.map((slides) => (slides ? window : null)),
    );
  });

  it('reads a boolean sliding_window_pattern array from the file', () => {
    const tensors = [0, 1, 2].flatMap((i) =>
      llamaBlock(i, { embd: 64, kvWidth: 64, ff: 64 }, 'F16'),
    );
    const spec = specFromGguf(
      {
        'general.architecture': 'gemma3n',
        'gemma3n.block_count': 3,
        'gemma3n.embedding_length': 64,
        'gemma3n.attention.head_count': 1,
        'gemma3n.attention.sliding_window': 512,
        'gemma3n.attention.sliding_window_pattern': [false, true, true],
      },
      [info('token_embd.weight', [64, 100], 'F16'), ...tensors],
    );
    expect(spec.layers.map((layer) => (layer.mixer as AttentionMixer).window)).toEqual([
      null,
      512,
      512,
    ]);
  });

  it('reads gpt-oss expert stacks, learned sinks and its alternating window', () => {
    const tensors = [0, 1].flatMap((i) => [
      ...llamaBlock(i, { embd: 2880, kvWidth: 512, ff: 2880, experts: 32 }, 'MXFP4').map(
        (tensor) =>
          tensor.name.includes('attn_') ? { ...tensor, dtype: GGML_TYPES.Q8_0.id } : tensor,
      ),
      info(`blk.${String(i)}.attn_sinks.weight`, [64]),
    ]);
    const spec = specFromGguf(
      {
        'general.architecture': 'gpt-oss',
        'gpt-oss.block_count': 2,
        'gpt-oss.embedding_length': 2880,
        'gpt-oss.attention.head_count': 64,
        'gpt-oss.attention.head_count_kv': 8,
        'gpt-oss.attention.key_length': 64,
        'gpt-oss.attention.value_length': 64,
        'gpt-oss.attention.sliding_window': 128,
        'gpt-oss.expert_count': 32,
        'gpt-oss.expert_used_count': 4,
      },
      [info('token_embd.weight', [2880, 201088], 'Q8_0'), ...tensors],
    );
    const down = spec.tensors.find((tensor) => tensor.name === 'blk.0.ffn_down_exps.weight');
    expect(down).toMatchObject({
      shape: [2880, 2880],
      copies: 32,
      activeCopies: 4,
      group: 'experts',
      storedType: 'MXFP4',
      storedBytes: 32 * 2880 * (2880 / 32) * 17,
    });
    expect(spec.layers.map((layer) => (layer.mixer as AttentionMixer).window)).toEqual([128, null]);
    expect((spec.layers[0]?.mixer as AttentionMixer).learnedSinks).toBe(true);
    expect(spec.moe).toEqual({
      routedExperts: 32,
      expertsPerToken: 4,
      sharedExperts: 0,
      moeLayers: 2,
    });
  });

  it('reads DeepSeek MLA, leading dense layers and the next-n layer', () => {
    const mla = (i: number) => {
      const p = `blk.${String(i)}`;
      return [
        info(`${p}.attn_q_a.weight`, [7168, 1536], 'Q8_0'),
        info(`${p}.attn_q_b.weight`, [1536, 128 * 192], 'Q8_0'),
        info(`${p}.attn_kv_a_mqa.weight`, [7168, 576], 'Q8_0'),
        info(`${p}.attn_kv_b.weight`, [512, 128 * 256], 'Q8_0'),
        info(`${p}.attn_output.weight`, [128 * 128, 7168], 'Q8_0'),
      ];
    };
    const spec = specFromGguf(
      {
        'general.architecture': 'deepseek2',
        'deepseek2.block_count': 3,
        'deepseek2.embedding_length': 7168,
        'deepseek2.attention.head_count': 128,
        'deepseek2.attention.head_count_kv': 128,
        'deepseek2.attention.q_lora_rank': 1536,
        'deepseek2.attention.kv_lora_rank': 512,
        'deepseek2.attention.key_length': 192,
        'deepseek2.attention.value_length': 128,
        'deepseek2.rope.dimension_count': 64,
        'deepseek2.expert_count': 256,
        'deepseek2.expert_used_count': 8,
        'deepseek2.expert_shared_count': 1,
        'deepseek2.nextn_predict_layers': 1,
      },
      [
        info('token_embd.weight', [7168, 129280], 'Q8_0'),
        ...mla(0),
        info('blk.0.ffn_down.weight', [18432, 7168], 'Q8_0'),
        ...mla(1),
        info('blk.1.ffn_down_exps.weight', [2048, 7168, 256], 'Q4_K'),
        info('blk.1.ffn_down_shexp.weight', [2048, 7168], 'Q8_0'),
        ...mla(2),
        info('blk.2.nextn.eh_proj.weight', [14336, 7168], 'Q8_0'),
      ],
    );
    expect(spec.layers).toHaveLength(2);
    expect(spec.mtpLayers).toBe(1);
    expect(spec.layers[1]?.mixer).toEqual<MlaMixer>({
      kind: 'mla',
      heads: 128,
      qLoraRank: 1536,
      kvLoraRank: 512,
      qkNopeHeadDim: 128, // 192 - 64
      qkRopeHeadDim: 64,
      vHeadDim: 128,
    });
    expect(spec.layers.map((layer) => layer.ffn)).toEqual(['dense', 'moe']);
    expect(spec.moe).toEqual({
      routedExperts: 256,
      expertsPerToken: 8,
      sharedExperts: 1,
      moeLayers: 1,
    });
    const nextn = spec.tensors.filter((tensor) => tensor.layer === 2);
    expect(nextn.every((tensor) => tensor.group === 'mtp' && tensor.activeCopies === 0)).toBe(true);
    expect(spec.warnings.map((warning) => warning.code)).toContain('mtp_layers_excluded');
  });

  it('reads per-head MLA sizes from key_length_mla in files with a split kv_b', () => {
    const p = 'blk.0';
    const spec = specFromGguf(
      {
        'general.architecture': 'deepseek2',
        'deepseek2.block_count': 1,
        'deepseek2.embedding_length': 2048,
        'deepseek2.attention.head_count': 16,
        'deepseek2.attention.head_count_kv': 1,
        'deepseek2.attention.kv_lora_rank': 512,
        'deepseek2.attention.key_length': 576, // latent + rope, as cached
        'deepseek2.attention.value_length': 512,
        'deepseek2.attention.key_length_mla': 192,
        'deepseek2.attention.value_length_mla': 128,
        'deepseek2.rope.dimension_count': 64,
      },
      [
        info('token_embd.weight', [2048, 102400], 'Q8_0'),
        info(`${p}.attn_q.weight`, [2048, 16 * 192], 'Q8_0'),
        info(`${p}.attn_kv_a_mqa.weight`, [2048, 576], 'Q8_0'),
        info(`${p}.attn_k_b.weight`, [128, 512, 16], 'Q8_0'),
        info(`${p}.attn_v_b.weight`, [512, 128, 16], 'Q8_0'),
      ],
    );
    expect(spec.layers[0]?.mixer).toMatchObject({
      kind: 'mla',
      qLoraRank: null,
      qkNopeHeadDim: 128,
    });
  });

  it('sizes Mamba-2.8B state per layer as llama.cpp does (d_inner x d_state + conv)', () => {
    const layers = 64;
    const tensors = Array.from({ length: layers }, (_, i) => {
      const p = `blk.${String(i)}`;
      return [
        info(`${p}.ssm_in.weight`, [2560, 10240], 'F16'),
        info(`${p}.ssm_conv1d.weight`, [4, 5120]),
        info(`${p}.ssm_a`, [16, 5120]),
        info(`${p}.ssm_out.weight`, [5120, 2560], 'F16'),
      ];
    }).flat();
    const spec = specFromGguf(
      {
        'general.architecture': 'mamba',
        'mamba.block_count': layers,
        'mamba.embedding_length': 2560,
        'mamba.ssm.inner_size': 5120,
        'mamba.ssm.state_size': 16,
        'mamba.ssm.conv_kernel': 4,
        'mamba.ssm.time_step_rank': 160,
      },
      [info('token_embd.weight', [2560, 50280], 'F16'), ...tensors],
    );
    const mixer = spec.layers[0]?.mixer as RecurrentMixer;
    expect(mixer).toEqual({
      kind: 'recurrent',
      variant: 'mamba1',
      stateElements: 5120 * 16,
      convElements: (4 - 1) * 5120,
    });
    // capacity.md: 6,225,920 state elements per sequence over the 64 layers
    expect(layers * (mixer.stateElements + mixer.convElements)).toBe(6_225_920);
    expect(spec.tensors.find((tensor) => tensor.name === 'blk.0.ssm_a')?.role).toBe('ssm_a');
  });

  it('reads an unknown architecture through the generic path, with a warning', () => {
    const spec = specFromGguf(
      {
        'general.architecture': 'newarch',
        'newarch.block_count': 1,
        'newarch.embedding_length': 64,
        'newarch.attention.head_count': 4,
        'newarch.vocab_size': 100,
      },
      llamaBlock(0, { embd: 64, kvWidth: 64, ff: 128 }, 'F16'),
    );
    expect(spec.layers[0]?.mixer).toMatchObject({ kind: 'attention', kvHeads: 4, headDimK: 16 });
    expect(spec.warnings[0]).toMatchObject({ code: 'estimate', data: { architecture: 'newarch' } });
  });

  it('keeps no KV cache for encoders', () => {
    const spec = specFromGguf(
      {
        'general.architecture': 'bert',
        'bert.block_count': 1,
        'bert.embedding_length': 64,
        'bert.attention.head_count': 4,
        'bert.attention.causal': false,
      },
      [
        info('token_embd.weight', [64, 100], 'F16'),
        ...llamaBlock(0, { embd: 64, kvWidth: 64, ff: 128 }, 'F16'),
      ],
    );
    expect(spec.causal).toBe(false);
  });
});

describe('specFromGguf errors', () => {
  const base = {
    'general.architecture': 'llama',
    'llama.block_count': 1,
    'llama.embedding_length': 64,
  };
  const block = llamaBlock(0, { embd: 64, kvWidth: 64, ff: 128 }, 'F16');
  const embd = info('token_embd.weight', [64, 100], 'F16');

  it.each<[string, string, Record<string, unknown>, GgufTensorInfo[]]>([
    ['no architecture', 'general.architecture', {}, [embd]],
    ['no block count', 'llama.block_count', { 'general.architecture': 'llama' }, [embd]],
    ['no head count', 'llama.attention.head_count', base, [embd, ...block]],
    [
      'a head_count_kv array of the wrong length',
      'llama.attention.head_count_kv',
      { ...base, 'llama.attention.head_count': 4, 'llama.attention.head_count_kv': [1, 1] },
      [embd, ...block],
    ],
    [
      'a negative count',
      'llama.attention.head_count',
      { ...base, 'llama.attention.head_count': -4 },
      [embd, ...block],
    ],
    [
      'an unknown tensor type',
      'token_embd.weight type',
      { ...base, 'llama.attention.head_count': 4 },
      [{ ...embd, dtype: 33 }],
    ],
    [
      'a Q4_K row of 100 values',
      'token_embd.weight shape',
      { ...base, 'llama.attention.head_count': 4 },
      [info('token_embd.weight', [100, 64], 'Q4_K')],
    ],
    [
      'a tensor listed twice',
      'tensor name',
      { ...base, 'llama.attention.head_count': 4 },
      [embd, embd],
    ],
  ])('rejects %s, naming %s', (_label, field, metadata, tensors) => {
    try {
      specFromGguf(metadata, tensors);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(CapacityError);
      expect((error as CapacityError).field).toBe(field);
    }
  });
});
