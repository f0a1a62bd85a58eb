// Contradictory or broken model files are refused (or flagged), never read silently.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { CapacityError } from '../../../lib/capacity/errors.ts';
import type { GgufTensorInfo } from '../../../lib/capacity/formats/gguf.ts';
import { specFromGguf } from '../../../lib/capacity/formats/gguf.ts';
import { loadModelSpec } from '../../../lib/sources/load-model-spec.ts';
import { LLAMA_CONFIG } from '../../support/llama-shapes.ts';
import type { SafetensorsTensor } from '../../support/model-files.ts';
import { safetensorsBytes } from '../../support/model-files.ts';

let root = '';

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'hwledger-consistency-'));
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

async function folder(name: string, files: Record<string, Uint8Array | string>): Promise<string> {
  const path = join(root, name);
  await mkdir(path, { recursive: true });
  for (const [file, content] of Object.entries(files)) await writeFile(join(path, file), content);
  return path;
}

/** A two-layer model: embedding 100 x 64 and one 64 x 64 projection per layer, in F16. */
const TWO_LAYERS: SafetensorsTensor[] = [
  { name: 'model.embed_tokens.weight', dtype: 'F16', shape: [100, 64] },
  { name: 'model.layers.0.self_attn.q_proj.weight', dtype: 'F16', shape: [64, 64] },
  { name: 'model.layers.1.self_attn.q_proj.weight', dtype: 'F16', shape: [64, 64] },
];
/** Header + data: data is (100 x 64 + 2 x 64 x 64) x 2 bytes. */
const DATA_BYTES = (100 * 64 + 2 * 64 * 64) * 2;

function gguf(i: number): GgufTensorInfo {
  return { name: `blk.${String(i)}.attn_k.weight`, shape: [64n, 64n], dtype: 1 };
}

const META = {
  'general.architecture': 'llama',
  'llama.block_count': 2,
  'llama.context_length': 4096,
  'llama.embedding_length': 64,
  'llama.attention.head_count': 4,
  'llama.attention.head_count_kv': 4,
  'llama.vocab_size': 100,
};
const EMBD: GgufTensorInfo = { name: 'token_embd.weight', shape: [64n, 100n], dtype: 1 };

function rejected(metadata: Record<string, unknown>, tensors: GgufTensorInfo[]): CapacityError {
  try {
    specFromGguf(metadata, tensors);
  } catch (error) {
    expect(error).toBeInstanceOf(CapacityError);
    return error as CapacityError;
  }
  throw new Error('expected a CapacityError');
}

describe('safetensors beside a config.json', () => {
  it('refuses a config of 32 layers beside weights of 2, naming both counts', async () => {
    const path = await folder('contradicts', {
      'config.json': JSON.stringify(LLAMA_CONFIG),
      'model.safetensors': safetensorsBytes(TWO_LAYERS),
    });
    const error = await loadModelSpec(path).then(
      () => null,
      (thrown: unknown) => thrown as CapacityError,
    );
    expect(error?.code).toBe('contradictory_fields');
    expect(error?.message).toContain('says 32 layers, the safetensors hold 2');
  });

  it('flags a file shorter than its data offsets as incomplete', async () => {
    const full = safetensorsBytes(TWO_LAYERS, { withData: true });
    const path = await folder('cut', { 'model.safetensors': full.subarray(0, full.length - 10) });
    const spec = await loadModelSpec(join(path, 'model.safetensors'));
    const warning = spec.warnings.find((w) => w.code === 'incomplete_file');
    expect(warning?.message).toContain(join(path, 'model.safetensors'));
    expect(warning?.data?.neededBytes).toBe(full.length);
    expect(warning?.data?.fileBytes).toBe(full.length - 10);
    expect(full.length).toBeGreaterThan(8 + DATA_BYTES); // length + header JSON + data
  });

  it('does not flag a complete file', async () => {
    const full = safetensorsBytes(TWO_LAYERS, { withData: true });
    const path = await folder('whole', { 'model.safetensors': full });
    const spec = await loadModelSpec(join(path, 'model.safetensors'));
    expect(spec.warnings.filter((w) => w.code === 'incomplete_file')).toEqual([]);
  });
});

describe('GGUF consistency', () => {
  it('reads a file whose blocks match block_count', () => {
    expect(specFromGguf(META, [EMBD, gguf(0), gguf(1)]).layers).toHaveLength(2);
  });

  it.each<[string, string, Record<string, unknown>, GgufTensorInfo[]]>([
    [
      'fewer blocks than block_count',
      'llama.block_count',
      { 'llama.block_count': 4 },
      [EMBD, gguf(0)],
    ],
    ['more blocks than block_count', 'llama.block_count', {}, [EMBD, gguf(0), gguf(1), gguf(2)]],
    ['no tensors', 'tensor infos', {}, []],
    [
      'a context_length of 0',
      'llama.context_length',
      { 'llama.context_length': 0 },
      [EMBD, gguf(0), gguf(1)],
    ],
    [
      'head_count_kv 0 on a layer with attn_k',
      'llama.attention.head_count_kv',
      { 'llama.attention.head_count_kv': 0 },
      [EMBD, gguf(0), gguf(1)],
    ],
  ])('refuses %s, naming %s', (_label, field, overrides, tensors) => {
    const error = rejected({ ...META, ...overrides }, tensors);
    expect(error.field).toBe(field);
  });

  it('reads an extra block as next-token prediction only when the file says so', () => {
    const metadata = { ...META, 'llama.block_count': 3, 'llama.nextn_predict_layers': 1 };
    const spec = specFromGguf(metadata, [EMBD, gguf(0), gguf(1), gguf(2)]);
    expect(spec.layers).toHaveLength(2); // 3 blocks - 1 MTP
    expect(spec.mtpLayers).toBe(1);
  });
});
