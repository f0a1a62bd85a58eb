import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { CapacityError } from '../../../lib/capacity/errors.ts';
import { ggufTensorTypes } from '../../../lib/capacity/quant/gguf-recipes.ts';
import { parseWeightScheme } from '../../../lib/capacity/quant/schemes.ts';
import { weightBytes } from '../../../lib/capacity/weights.ts';
import { SourceError } from '../../../lib/sources/errors.ts';
import type { LoadProgress } from '../../../lib/sources/load-model-spec.ts';
import { loadModelSpec } from '../../../lib/sources/load-model-spec.ts';
import { llamaGguf } from '../../support/llama-gguf.ts';
import { LLAMA_3_8B, LLAMA_CONFIG, llamaSpec, totalParams } from '../../support/llama-shapes.ts';
import { safetensorsBytes, tensorsOfSpec } from '../../support/model-files.ts';

const LLAMA = llamaSpec(LLAMA_3_8B);
const TENSORS = tensorsOfSpec(LLAMA);

let root = '';

async function folder(name: string, files: Record<string, Uint8Array | string>): Promise<string> {
  const path = join(root, name);
  await mkdir(path, { recursive: true });
  for (const [file, content] of Object.entries(files)) await writeFile(join(path, file), content);
  return path;
}

async function expectSourceError(promise: Promise<unknown>, code: string): Promise<void> {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(SourceError);
  expect((error as SourceError).code).toBe(code);
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'hwledger-sources-'));
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('loadModelSpec from local files', () => {
  it('reads a config.json path as the config alone', async () => {
    const path = await folder('config-only', { 'config.json': JSON.stringify(LLAMA_CONFIG) });
    const spec = await loadModelSpec(join(path, 'config.json'));
    expect(spec.source).toBe('hf-config');
    expect(totalParams(spec)).toBe(8_030_261_248);
  });

  it('reads a folder: config layers and exact header bytes, never the tensor data', async () => {
    const path = await folder('Llama-3.1-8B', {
      'config.json': JSON.stringify(LLAMA_CONFIG),
      'model.safetensors': safetensorsBytes(TENSORS),
    });
    const spec = await loadModelSpec(path);
    expect(spec.name).toBe('Llama-3.1-8B');
    expect(spec.source).toBe('safetensors');
    expect(spec.layers).toHaveLength(32);
    expect(spec.tensors.every((tensor) => tensor.storedBytes !== undefined)).toBe(true);
    expect(weightBytes(spec, { kind: 'checkpoint' }).totalBytes).toBe(16_060_522_496);
  });

  it('reads every shard of model.safetensors.index.json and reports progress', async () => {
    const half = TENSORS.length / 2;
    const first = TENSORS.slice(0, Math.floor(half));
    const second = TENSORS.slice(Math.floor(half));
    const weightMap = Object.fromEntries([
      ...first.map((t) => [t.name, 'model-00001-of-00002.safetensors']),
      ...second.map((t) => [t.name, 'model-00002-of-00002.safetensors']),
    ]);
    const path = await folder('sharded', {
      'config.json': JSON.stringify(LLAMA_CONFIG),
      'model.safetensors.index.json': JSON.stringify({ metadata: {}, weight_map: weightMap }),
      'model-00001-of-00002.safetensors': safetensorsBytes(first),
      'model-00002-of-00002.safetensors': safetensorsBytes(second),
    });
    const events: LoadProgress[] = [];
    const spec = await loadModelSpec(path, { onProgress: (event) => events.push(event) });
    expect(weightBytes(spec, { kind: 'checkpoint' }).totalBytes).toBe(16_060_522_496);
    expect(events.map((event) => event.kind).sort()).toEqual([
      'config',
      'index',
      'safetensors',
      'safetensors',
    ]);
    expect(events.at(-1)).toMatchObject({ filesDone: 4, filesTotal: 4 });
    const headerBytes = safetensorsBytes(first).length + safetensorsBytes(second).length;
    expect(events.at(-1)?.bytesRead).toBeGreaterThanOrEqual(headerBytes);
  });

  it('infers the spec of a lone .safetensors file from its shapes', async () => {
    const path = await folder('lone', { 'weights.safetensors': safetensorsBytes(TENSORS) });
    const spec = await loadModelSpec(join(path, 'weights.safetensors'));
    expect(spec.name).toBe('weights.safetensors');
    expect(spec.layers).toHaveLength(32);
    expect(spec.warnings.length).toBeGreaterThan(0);
  });

  it('reads a header-only Q4_K_M GGUF to the bytes the recipe predicts', async () => {
    const types = ggufTensorTypes(LLAMA, 'Q4_K_M');
    const path = await folder('gguf', { 'llama-q4_k_m.gguf': llamaGguf(LLAMA, types) });
    const spec = await loadModelSpec(join(path, 'llama-q4_k_m.gguf'));
    expect(spec.source).toBe('gguf');
    expect(spec.layers).toHaveLength(32);
    expect(spec.layers[0]?.mixer).toMatchObject({ kind: 'attention', kvHeads: 8, headDimK: 128 });
    const predicted = weightBytes(LLAMA, parseWeightScheme('Q4_K_M')).totalBytes;
    expect(weightBytes(spec, { kind: 'checkpoint' }).totalBytes).toBe(predicted); // 4,912,898,048
  });

  it('loads the GGUF of a folder that has nothing else', async () => {
    const types = ggufTensorTypes(LLAMA, 'Q8_0');
    const path = await folder('gguf-only', { 'model.gguf': llamaGguf(LLAMA, types) });
    expect((await loadModelSpec(path)).source).toBe('gguf');
  });

  it('names a missing file', async () => {
    await expectSourceError(loadModelSpec(join(root, 'absent', 'model.gguf')), 'not_found');
  });

  it('reports an empty folder', async () => {
    const path = await folder('empty', {});
    await expectSourceError(loadModelSpec(path), 'not_found');
  });

  it('rejects a safetensors header length beyond the file', async () => {
    const bytes = safetensorsBytes(TENSORS);
    const path = await folder('cut-st', { 'cut.safetensors': bytes.subarray(0, 4000) });
    const error = await loadModelSpec(join(path, 'cut.safetensors')).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(CapacityError);
    expect((error as CapacityError).field).toBe('header length');
  });

  it('rejects a GGUF that ends inside its tensor infos', async () => {
    const bytes = llamaGguf(LLAMA, ggufTensorTypes(LLAMA, 'Q8_0'));
    const path = await folder('cut-gguf', { 'cut.gguf': bytes.subarray(0, bytes.length - 500) });
    await expectSourceError(loadModelSpec(join(path, 'cut.gguf')), 'truncated');
  });

  it('rejects a file that is not GGUF', async () => {
    const path = await folder('not-gguf', { 'x.gguf': 'hello, not a gguf file' });
    const error = await loadModelSpec(join(path, 'x.gguf')).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(CapacityError);
    expect((error as CapacityError).code).toBe('invalid_file');
  });

  it('rejects an index without a weight_map', async () => {
    const path = await folder('bad-index', {
      'config.json': JSON.stringify(LLAMA_CONFIG),
      'model.safetensors.index.json': '{"metadata": {}}',
    });
    const error = await loadModelSpec(path).catch((caught: unknown) => caught);
    expect((error as CapacityError).field).toBe('weight_map');
  });
});
