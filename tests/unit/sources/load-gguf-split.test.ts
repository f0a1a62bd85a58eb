// Split GGUF models: every shard's header is read and the tensors merged, by path and by URL.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { GGML_TYPES } from '../../../lib/capacity/quant/ggml-types.ts';
import { SourceError } from '../../../lib/sources/errors.ts';
import { loadModelSpec } from '../../../lib/sources/load-model-spec.ts';
import type { LoopbackServer } from '../../support/loopback-server.ts';
import { startLoopbackServer } from '../../support/loopback-server.ts';
import type { GgufEntry, GgufTensor } from '../../support/model-files.ts';
import { ggufBytes } from '../../support/model-files.ts';

const F16 = GGML_TYPES.F16.id;
const EMBD = 64;
const VOCAB = 100;

function block(i: number): GgufTensor[] {
  const p = `blk.${String(i)}`;
  return [
    { name: `${p}.attn_q.weight`, ne: [EMBD, EMBD], type: F16 },
    { name: `${p}.attn_k.weight`, ne: [EMBD, EMBD], type: F16 },
    { name: `${p}.attn_v.weight`, ne: [EMBD, EMBD], type: F16 },
    { name: `${p}.attn_output.weight`, ne: [EMBD, EMBD], type: F16 },
    { name: `${p}.ffn_up.weight`, ne: [EMBD, 128], type: F16 },
  ];
}

const SHARD_1 = [{ name: 'token_embd.weight', ne: [EMBD, VOCAB], type: F16 }, ...block(0)];
const SHARD_2 = [...block(1), { name: 'output.weight', ne: [EMBD, VOCAB], type: F16 }];
/** Params: embd + output 2 x 64 x 100, two blocks of 4 x 64 x 64 + 64 x 128. */
const PARAMS = 2 * EMBD * VOCAB + 2 * (4 * EMBD * EMBD + EMBD * 128);

function shard(no: number, tensors: GgufTensor[], tensorsCount = 12): Uint8Array {
  const split: Record<string, GgufEntry> = {
    'split.no': { type: 'u32', value: no },
    'split.count': { type: 'u32', value: 2 },
    'split.tensors.count': { type: 'i32', value: tensorsCount },
  };
  const model: Record<string, GgufEntry> = {
    'general.architecture': { type: 'string', value: 'llama' },
    'llama.block_count': { type: 'u32', value: 2 },
    'llama.context_length': { type: 'u32', value: 4096 },
    'llama.embedding_length': { type: 'u32', value: EMBD },
    'llama.attention.head_count': { type: 'u32', value: 4 },
    'llama.attention.head_count_kv': { type: 'u32', value: 4 },
    'llama.vocab_size': { type: 'u32', value: VOCAB },
  };
  return ggufBytes(no === 0 ? { ...model, ...split } : split, tensors);
}

const FIRST = 'model-00001-of-00002.gguf';
const SECOND = 'model-00002-of-00002.gguf';

function params(spec: { tensors: readonly { shape: readonly number[]; copies: number }[] }) {
  return spec.tensors.reduce((sum, t) => sum + t.shape.reduce((a, b) => a * b, 1) * t.copies, 0);
}

let root = '';
let server: LoopbackServer;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'hwledger-split-'));
  server = await startLoopbackServer();
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
  await server.close();
});

async function folder(name: string, files: Record<string, Uint8Array>): Promise<string> {
  const path = join(root, name);
  await mkdir(path, { recursive: true });
  for (const [file, bytes] of Object.entries(files)) await writeFile(join(path, file), bytes);
  return path;
}

async function caught(promise: Promise<unknown>): Promise<SourceError> {
  const error = await promise.then(
    () => null,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(SourceError);
  return error as SourceError;
}

describe('split GGUF files', () => {
  it('merges the tensors of both local shards', async () => {
    const path = await folder('both', { [FIRST]: shard(0, SHARD_1), [SECOND]: shard(1, SHARD_2) });
    const spec = await loadModelSpec(join(path, FIRST));
    expect(spec.tensors).toHaveLength(12); // 1 + 5 + 5 + 1
    expect(params(spec)).toBe(PARAMS);
    expect(spec.layers).toHaveLength(2);
  });

  it('reads the same model from a folder holding the shards', async () => {
    const path = await folder('as-folder', {
      [FIRST]: shard(0, SHARD_1),
      [SECOND]: shard(1, SHARD_2),
    });
    expect(params(await loadModelSpec(path))).toBe(PARAMS);
  });

  it('reads both shards by URL', async () => {
    server.files.set(`/m/${FIRST}`, shard(0, SHARD_1));
    server.files.set(`/m/${SECOND}`, shard(1, SHARD_2));
    const spec = await loadModelSpec(`${server.base}/m/${FIRST}`);
    expect(params(spec)).toBe(PARAMS);
    expect(server.requests.some((request) => request.path === `/m/${SECOND}`)).toBe(true);
  });

  it('names a missing shard', async () => {
    const path = await folder('missing', { [FIRST]: shard(0, SHARD_1) });
    const error = await caught(loadModelSpec(join(path, FIRST)));
    expect(error.code).toBe('not_found');
    expect(error.message).toContain(join(path, SECOND));
  });

  it('refuses shards whose tensors do not add up to split.tensors.count', async () => {
    const path = await folder('count', {
      [FIRST]: shard(0, SHARD_1, 13),
      [SECOND]: shard(1, SHARD_2, 13),
    });
    const error = await caught(loadModelSpec(join(path, FIRST)));
    expect(error.code).toBe('invalid_file');
    expect(error.message).toContain('12 tensors, split.tensors.count says 13');
  });
});
