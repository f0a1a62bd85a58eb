import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { gguf as parseGguf } from '@huggingface/gguf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { GgufFileDescription } from '../../support/gguf-writer.ts';
import {
  buildLlama,
  buildMamba,
  encodeGguf,
  ggmlTensorBytes,
  gguf,
  llama31_8bQ4KM,
  spmVocabMetadata,
  writeGgufFile,
} from '../../support/gguf-writer.ts';

let directory = '';

beforeAll(() => {
  directory = mkdtempSync(join(tmpdir(), 'hwledger-gguf-'));
});

afterAll(() => {
  if (directory !== '') rmSync(directory, { recursive: true, force: true });
});

/** Writes `description` and reads it back with @huggingface/gguf, an independent parser. */
async function roundTrip(description: GgufFileDescription, data: 'random' | 'none') {
  const path = join(directory, `file-${Math.random().toString(36).slice(2)}.gguf`);
  const size = writeGgufFile(path, description, { data, seed: 1 });
  const parsed = await parseGguf(path, { allowLocalFile: true });
  return { path, size, parsed };
}

const everyType: GgufFileDescription = {
  metadata: [
    ['general.architecture', gguf.str('llama')],
    ['test.u8', gguf.u8(200)],
    ['test.i8', gguf.i8(-5)],
    ['test.u16', gguf.u16(60000)],
    ['test.i16', gguf.i16(-300)],
    ['test.u32', gguf.u32(4_000_000_000)],
    ['test.i32', gguf.i32(-7)],
    ['test.f32', gguf.f32(0.5)],
    ['test.bool', gguf.bool(true)],
    ['test.u64', gguf.u64(2n ** 40n)],
    ['test.i64', gguf.i64(-3)],
    ['test.f64', gguf.f64(1.25)],
    ['test.ints', gguf.arr('int32', [1, -2, 3])],
    ['test.strings', gguf.arr('string', ['x', 'yy'])],
    ['general.alignment', gguf.u32(64)],
  ],
  tensors: [
    { name: 'w', ne: [32, 3], type: 'Q8_0' },
    { name: 'n', ne: [5], type: 'F32' },
  ],
};

describe('GGUF writer', () => {
  it('writes every metadata value type, arrays included, as a reader sees them', async () => {
    const { parsed } = await roundTrip(everyType, 'none');

    expect(parsed.metadata).toMatchObject({
      version: 3,
      'test.u8': 200,
      'test.i8': -5,
      'test.u16': 60000,
      'test.i16': -300,
      'test.u32': 4_000_000_000,
      'test.i32': -7,
      'test.f32': 0.5,
      'test.bool': true,
      'test.u64': 2n ** 40n,
      'test.i64': -3n,
      'test.f64': 1.25,
      'test.ints': [1, -2, 3],
      'test.strings': ['x', 'yy'],
    });
  });

  it('aligns every tensor offset to general.alignment', async () => {
    const { parsed } = await roundTrip(everyType, 'none');
    const offsets = parsed.tensorInfos.map((info) => [info.name, info.offset, info.dtype]);

    expect(offsets).toEqual([
      ['w', 0n, 8], // Q8_0 is ggml type 8
      ['n', 128n, 0], // 3 rows x 34 bytes = 102, padded to 64 -> 128
    ]);
  });

  it('ends a header-only file where tensor data would start', async () => {
    const { parsed, size } = await roundTrip(everyType, 'none');
    expect(BigInt(size)).toBe(parsed.tensorDataOffset);
  });

  it('writes each tensor at its offset in a file with data', async () => {
    const { parsed, size } = await roundTrip(everyType, 'random');
    expect(BigInt(size)).toBe(parsed.tensorDataOffset + 128n + 64n); // w padded, n: 20 -> 64
  });

  it('gives every Q8_0 block a finite f16 scale', async () => {
    const { path, parsed } = await roundTrip(everyType, 'random');
    const bytes = readFileSync(path);
    const start = Number(parsed.tensorDataOffset);

    for (let block = 0; block < 3; block++) {
      expect(bytes.readUInt16LE(start + 34 * block)).toBe(0x0c00); // 2^-12 as f16
    }
  });

  it('fills data from a seed, the same bytes every time', () => {
    const model = buildLlama({
      layers: 1,
      embedding: 64,
      heads: 2,
      kvHeads: 1,
      feedForward: 128,
      vocab: 300,
      weights: 'Q4_0',
    });
    const first = encodeGguf(model, { data: 'random', seed: 5 });

    expect(encodeGguf(model, { data: 'random', seed: 5 })).toEqual(first);
    expect(encodeGguf(model, { data: 'random', seed: 6 })).not.toEqual(first);
  });

  it.each([
    ['F32', [64, 2], 64 * 2 * 4],
    ['F16', [64, 2], 64 * 2 * 2],
    ['Q8_0', [64, 2], 2 * 2 * 34], // 2 blocks of 32 per row x 2 rows
    ['Q4_0', [64, 2], 2 * 2 * 18],
    ['Q4_K', [256, 3], 3 * 144], // one 256-element block per row
    ['Q6_K', [4096, 14336], 16 * 14336 * 210], // Llama-3-8B ffn_down at Q6_K
  ] as const)('stores a %s tensor of %j in %i bytes', (type, ne, bytes) => {
    expect(ggmlTensorBytes(type, ne)).toBe(bytes);
  });

  it('refuses a row that is not whole blocks', () => {
    expect(() => ggmlTensorBytes('Q8_0', [48, 2])).toThrow(/multiple of 32/);
  });
});

describe('GGUF model builders', () => {
  it('writes Llama-3.1-8B Q4_K_M as llama-quantize does: 66 F32, 193 Q4_K, 33 Q6_K', () => {
    const model = llama31_8bQ4KM();
    const counts: Record<string, number> = {};
    for (const tensor of model.tensors) counts[tensor.type] = (counts[tensor.type] ?? 0) + 1;

    expect(counts).toEqual({ F32: 66, Q4_K: 193, Q6_K: 33 });
    expect(model.spec.tensors.reduce((sum, t) => sum + (t.storedBytes ?? 0), 0)).toBe(
      4_912_898_304, // 4.58 GiB
    );
  });

  it('keeps the real-size header-only file small', () => {
    const path = join(directory, 'llama-8b-header.gguf');
    writeGgufFile(path, llama31_8bQ4KM(), { data: 'none' });
    expect(statSync(path).size).toBeLessThan(4 * 2 ** 20);
  });

  it('describes experts once, with all copies in the stored bytes', () => {
    const model = buildLlama({
      layers: 1,
      embedding: 64,
      heads: 2,
      kvHeads: 1,
      feedForward: 128,
      vocab: 300,
      weights: 'F16',
      experts: { count: 4, used: 2 },
    });
    const up = model.spec.tensors.find((tensor) => tensor.name === 'blk.0.ffn_up_exps.weight');

    expect(up).toMatchObject({ shape: [128, 64], copies: 4, activeCopies: 2, group: 'experts' });
    expect(up?.storedBytes).toBe(4 * 128 * 64 * 2); // experts x ff x hidden x f16
  });

  it('gives Mamba layers their conv and SSM state sizes', () => {
    const model = buildMamba({
      layers: 1,
      embedding: 64,
      vocab: 300,
      stateSize: 16,
      convKernel: 4,
      timeStepRank: 4,
      weights: 'F32',
    });
    expect(model.spec.layers[0]?.mixer).toEqual({
      kind: 'recurrent',
      variant: 'mamba1',
      stateElements: 16 * 128, // d_state x d_inner (2 x 64)
      convElements: 3 * 128, // (d_conv - 1) x d_inner
    });
  });

  it('makes an SPM vocabulary of unique tokens with byte tokens for the newline', () => {
    const tokens = spmVocabMetadata(300).find(([key]) => key === 'tokenizer.ggml.tokens')?.[1];
    if (tokens?.type !== 'array') throw new Error('tokens are an array');

    expect(new Set(tokens.items).size).toBe(300);
    expect(tokens.items).toContain('<0x0A>');
  });
});
