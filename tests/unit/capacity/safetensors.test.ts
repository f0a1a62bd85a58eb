import { describe, expect, it } from 'vitest';

import { CapacityError } from '../../../lib/capacity/errors.ts';
import {
  hfNameInfo,
  parseSafetensorsHeader,
  readSafetensorsHeaderLength,
  specFromSafetensors,
} from '../../../lib/capacity/formats/safetensors.ts';
import type { AttentionMixer, ModelSpec } from '../../../lib/capacity/spec.ts';
import { weightBytes } from '../../../lib/capacity/weights.ts';
import { LLAMA_3_8B, llamaSpec, MIXTRAL_8X7B, totalParams } from '../../support/llama-shapes.ts';
import type { SafetensorsTensor } from '../../support/model-files.ts';
import { safetensorsBytes, tensorsOfSpec } from '../../support/model-files.ts';

/** A file whose header is `json` verbatim. */
function rawFile(json: string, declaredLength?: number): Uint8Array {
  const text = new TextEncoder().encode(json);
  const bytes = new Uint8Array(8 + text.length);
  new DataView(bytes.buffer).setBigUint64(0, BigInt(declaredLength ?? text.length), true);
  bytes.set(text, 8);
  return bytes;
}

function expectFileError(run: () => unknown, field: string): void {
  try {
    run();
    expect.unreachable();
  } catch (error) {
    expect(error).toBeInstanceOf(CapacityError);
    expect((error as CapacityError).field).toBe(field);
  }
}

const LLAMA_8B_FILE = safetensorsBytes(tensorsOfSpec(llamaSpec(LLAMA_3_8B)), {
  metadata: { format: 'pt' },
});

describe('safetensors header parsing', () => {
  it('reads dtype, shape, offsets and __metadata__', () => {
    const header = parseSafetensorsHeader(
      safetensorsBytes(
        [
          { name: 'a', dtype: 'BF16', shape: [2, 3] },
          { name: 'b', dtype: 'F32', shape: [4] },
        ],
        { metadata: { format: 'pt' }, withData: true },
      ),
    );
    expect(header.metadata).toEqual({ format: 'pt' });
    expect(header.tensors).toEqual([
      { name: 'a', dtype: 'BF16', shape: [2, 3], dataOffsets: [0, 12] }, // 6 x 2 B
      { name: 'b', dtype: 'F32', shape: [4], dataOffsets: [12, 28] }, // + 4 x 4 B
    ]);
    expect(header.dataBytes).toBe(28);
  });

  it('reads a header-only Llama-3.1-8B: 8,030,261,248 params, 16,060,522,496 bf16 bytes', () => {
    const header = parseSafetensorsHeader(LLAMA_8B_FILE, { fileBytes: LLAMA_8B_FILE.length });
    expect(header.tensors).toHaveLength(291); // 32 layers x 9 + embed, norm, lm_head
    expect(header.dataBytes).toBe(16_060_522_496);
    const spec = specFromSafetensors(header);
    expect(totalParams(spec)).toBe(8_030_261_248);
    expect(weightBytes(spec, { kind: 'checkpoint' }).totalBytes).toBe(8_030_261_248 * 2);
  });

  it('rejects fewer than 8 bytes', () => {
    expectFileError(() => parseSafetensorsHeader(new Uint8Array(5)), 'header length');
  });

  it('rejects a header length beyond the file', () => {
    const file = rawFile('{}', 4096);
    expectFileError(() => readSafetensorsHeaderLength(file, file.length), 'header length');
  });

  it('rejects a header cut short', () => {
    expectFileError(() => parseSafetensorsHeader(rawFile('{"a":', 64)), 'header');
  });

  it('rejects a header length above 100 MB', () => {
    expectFileError(() => parseSafetensorsHeader(rawFile('{}', 200_000_000)), 'header length');
  });

  it('rejects a header that is not JSON', () => {
    try {
      parseSafetensorsHeader(rawFile('{not json}'));
      expect.unreachable();
    } catch (error) {
      expect((error as CapacityError).code).toBe('invalid_json');
    }
  });

  it.each([
    ['an unknown dtype', { dtype: 'F12', shape: [2], data_offsets: [0, 4] }, 'w.dtype'],
    ['a negative dimension', { dtype: 'F16', shape: [-2], data_offsets: [0, 4] }, 'w.shape'],
    [
      'offsets that disagree with the shape',
      { dtype: 'F16', shape: [3], data_offsets: [0, 4] },
      'w.data_offsets',
    ],
    ['a single offset', { dtype: 'F16', shape: [2], data_offsets: [4] }, 'w.data_offsets'],
    [
      'data that does not start at 0',
      { dtype: 'F16', shape: [2], data_offsets: [4, 8] },
      'w.data_offsets',
    ],
  ])('rejects %s', (_label, entry, field) => {
    expectFileError(() => parseSafetensorsHeader(rawFile(JSON.stringify({ w: entry }))), field);
  });

  it('rejects overlapping tensors', () => {
    const json = JSON.stringify({
      a: { dtype: 'F16', shape: [2], data_offsets: [0, 4] },
      b: { dtype: 'F16', shape: [2], data_offsets: [2, 6] },
    });
    expectFileError(() => parseSafetensorsHeader(rawFile(json)), 'b.data_offsets');
  });

  it('rejects non-string metadata', () => {
    const json = JSON.stringify({ __metadata__: { total: 4 } });
    expectFileError(() => parseSafetensorsHeader(rawFile(json)), '__metadata__.total');
  });
});

describe('checkpoint tensor names', () => {
  it.each([
    ['model.embed_tokens.weight', null, 'embedding', 'token_embd'],
    ['lm_head.weight', null, 'head', 'output'],
    ['model.norm.weight', null, 'norm', 'norm'],
    ['model.layers.3.self_attn.k_proj.weight', 3, 'attention', 'attn_k'],
    ['model.layers.3.self_attn.q_proj.bias', 3, 'attention', 'bias'],
    ['model.layers.3.mlp.down_proj.weight', 3, 'mlp', 'ffn_down'],
    ['model.layers.3.mlp.gate.weight', 3, 'router', 'ffn_gate_inp'],
    ['model.layers.3.mlp.experts.7.up_proj.weight', 3, 'experts', 'ffn_up'],
    ['model.layers.3.mlp.shared_experts.gate_proj.weight', 3, 'shared_experts', 'ffn_gate'],
    ['model.layers.3.self_attn.kv_a_proj_with_mqa.weight', 3, 'attention', 'attn_kv_a'],
    ['model.layers.3.self_attn.kv_a_layernorm.weight', 3, 'norm', 'norm'],
    ['transformer.h.2.self_attention.query_key_value.weight', 2, 'attention', 'attn_qkv'],
    ['transformer.h.2.mlp.c_proj.weight', 2, 'mlp', 'ffn_down'],
    ['backbone.layers.5.mixer.in_proj.weight', 5, 'ssm', 'ssm_in'],
    ['backbone.layers.5.mixer.A_log', 5, 'ssm', 'ssm_a'],
    ['model.layers.0.self_attn.sinks', 0, 'attention', 'attn_sinks'],
    ['model.visual.blocks.0.attn.qkv.weight', null, 'vision', 'other'],
  ] as const)('reads %s', (name, layer, group, role) => {
    expect(hfNameInfo(name)).toMatchObject({ layer, group, role });
  });
});

describe('specFromSafetensors', () => {
  const header = parseSafetensorsHeader(LLAMA_8B_FILE);

  it('infers Llama-3.1-8B layers from shapes and says what it assumed', () => {
    const spec = specFromSafetensors(header, undefined, { name: 'llama' });
    expect(spec).toMatchObject({
      name: 'llama',
      source: 'safetensors',
      hiddenSize: 4096,
      vocabSize: 128256,
      tiedEmbeddings: false,
      moe: null,
      checkpoint: { dtype: 'bf16', quantization: null },
    });
    expect(spec.layers).toHaveLength(32);
    expect(spec.layers[0]?.mixer).toMatchObject<Partial<AttentionMixer>>({
      kind: 'attention',
      kvHeads: 8, // k_proj width 1024 / assumed head size 128
      headDimK: 128,
      heads: 32,
    });
    const fields = spec.warnings.map((warning) => warning.data?.field);
    expect(fields).toContain('head_dim');
    expect(fields).toContain('config.json');
  });

  it('takes layers from a config spec and exact tensors from the header', () => {
    const config = llamaSpec(LLAMA_3_8B);
    const spec = specFromSafetensors(header, config);
    expect(spec.layers).toBe(config.layers);
    expect(spec.source).toBe('safetensors');
    const q = spec.tensors.find(
      (tensor) => tensor.name === 'model.layers.0.self_attn.q_proj.weight',
    );
    expect(q).toMatchObject({
      storedType: 'bf16',
      storedBytes: 4096 * 4096 * 2,
      shape: [4096, 4096],
    });
  });

  it('folds Mixtral per-expert tensors into one entry of 8 copies, 2 active', () => {
    const config = llamaSpec({ ...MIXTRAL_8X7B, layers: 2 });
    const file = parseSafetensorsHeader(safetensorsBytes(tensorsOfSpec(config)));
    const spec = specFromSafetensors(file, config);
    const w2 = spec.tensors.find(
      (tensor) => tensor.name === 'model.layers.1.block_sparse_moe.experts.*.w2.weight',
    );
    expect(w2).toMatchObject({
      shape: [4096, 14336],
      copies: 8,
      activeCopies: 2,
      group: 'experts',
      storedBytes: 8 * 4096 * 14336 * 2,
    });
    expect(totalParams(spec)).toBe(totalParams(config));
  });

  it('counts all experts as active without a config, with a warning', () => {
    const config = llamaSpec({ ...MIXTRAL_8X7B, layers: 1 });
    const spec = specFromSafetensors(
      parseSafetensorsHeader(safetensorsBytes(tensorsOfSpec(config))),
    );
    expect(spec.moe).toMatchObject({ routedExperts: 8, expertsPerToken: 8, moeLayers: 1 });
    expect(spec.warnings.some((warning) => warning.data?.field === 'num_experts_per_tok')).toBe(
      true,
    );
  });

  it('folds GPTQ parts into one logical weight of exact stored bytes', () => {
    const p = 'model.layers.0.self_attn.q_proj';
    const tensors: SafetensorsTensor[] = [
      { name: 'model.embed_tokens.weight', dtype: 'F16', shape: [1000, 4096] },
      { name: `${p}.qweight`, dtype: 'I32', shape: [4096 / 8, 4096] },
      { name: `${p}.qzeros`, dtype: 'I32', shape: [32, 4096 / 8] },
      { name: `${p}.scales`, dtype: 'F16', shape: [32, 4096] },
      { name: `${p}.g_idx`, dtype: 'I32', shape: [4096] },
    ];
    const spec = specFromSafetensors(parseSafetensorsHeader(safetensorsBytes(tensors)));
    const q = spec.tensors.find((tensor) => tensor.name === `${p}.weight`);
    expect(q).toMatchObject({
      shape: [4096, 4096],
      storedType: 'gptq',
      storedBytes: 512 * 4096 * 4 + 32 * 512 * 4 + 32 * 4096 * 2 + 4096 * 4,
    });
    expect(spec.checkpoint.quantization).toMatchObject({ method: 'gptq', bits: 4 });
  });

  it('folds gpt-oss MXFP4 blocks and scales into 32 expert copies', () => {
    const p = 'model.layers.0.mlp.experts';
    const tensors: SafetensorsTensor[] = [
      { name: 'model.embed_tokens.weight', dtype: 'BF16', shape: [1000, 2880] },
      { name: `${p}.gate_up_proj_blocks`, dtype: 'U8', shape: [32, 5760, 90, 16] },
      { name: `${p}.gate_up_proj_scales`, dtype: 'U8', shape: [32, 5760, 90] },
      { name: `${p}.gate_up_proj_bias`, dtype: 'BF16', shape: [32, 5760] },
    ];
    const spec = specFromSafetensors(parseSafetensorsHeader(safetensorsBytes(tensors)));
    const gateUp = spec.tensors.find((tensor) => tensor.name === `${p}.gate_up_proj`);
    expect(gateUp).toMatchObject({
      shape: [5760, 2880], // 90 blocks x 16 bytes x 2 values
      copies: 32,
      storedType: 'mxfp4',
      storedBytes: 32 * 5760 * 90 * (16 + 1),
    });
    const bias = spec.tensors.find((tensor) => tensor.name === `${p}.gate_up_proj_bias`);
    expect(bias).toMatchObject({ shape: [5760], copies: 32, role: 'bias' });
  });

  it('folds FP8 weights with their block scales', () => {
    const p = 'model.layers.0.self_attn.q_b_proj';
    const tensors: SafetensorsTensor[] = [
      { name: 'model.embed_tokens.weight', dtype: 'BF16', shape: [1000, 7168] },
      { name: `${p}.weight`, dtype: 'F8_E4M3', shape: [24576, 1536] },
      { name: `${p}.weight_scale_inv`, dtype: 'F32', shape: [192, 12] },
    ];
    const spec = specFromSafetensors(parseSafetensorsHeader(safetensorsBytes(tensors)));
    expect(spec.tensors[1]).toMatchObject({
      name: `${p}.weight`,
      shape: [24576, 1536],
      storedType: 'fp8',
      storedBytes: 24576 * 1536 + 192 * 12 * 4,
    });
  });

  it('marks layers past the config stack as multi-token prediction', () => {
    const config: ModelSpec = llamaSpec({ ...LLAMA_3_8B, layers: 1 });
    const tensors = [
      ...tensorsOfSpec(config),
      { name: 'model.layers.1.eh_proj.weight', dtype: 'BF16', shape: [4096, 8192] },
    ];
    const spec = specFromSafetensors(parseSafetensorsHeader(safetensorsBytes(tensors)), config);
    const eh = spec.tensors.find((tensor) => tensor.name === 'model.layers.1.eh_proj.weight');
    expect(eh).toMatchObject({ group: 'mtp', activeCopies: 0 });
  });

  it('rejects a tensor found in two shards', () => {
    const shard = parseSafetensorsHeader(
      safetensorsBytes([{ name: 'a', dtype: 'F16', shape: [2] }]),
    );
    expectFileError(() => specFromSafetensors([shard, shard]), 'a');
  });

  it('refuses to infer a spec without a token embedding', () => {
    const file = parseSafetensorsHeader(
      safetensorsBytes([{ name: 'x.weight', dtype: 'F16', shape: [2, 2] }]),
    );
    expectFileError(() => specFromSafetensors(file), 'model.embed_tokens.weight');
  });
});
