// Error messages name the file they come from: shards, config.json and GGUF files.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { parseHfConfig } from '../../../lib/capacity/config/index.ts';
import { CapacityError } from '../../../lib/capacity/errors.ts';
import { specFromGguf } from '../../../lib/capacity/formats/gguf.ts';
import { loadModelSpec } from '../../../lib/sources/load-model-spec.ts';
import { LLAMA_3_8B, LLAMA_CONFIG, llamaSpec } from '../../support/llama-shapes.ts';
import { ggufBytes, safetensorsBytes, tensorsOfSpec } from '../../support/model-files.ts';

let root = '';

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'hwledger-messages-'));
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

async function message(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => null,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(Error);
  return (error as Error).message;
}

describe('messages that name the file', () => {
  it('names the empty shard among several', async () => {
    const tensors = tensorsOfSpec(llamaSpec(LLAMA_3_8B));
    const weightMap = Object.fromEntries([
      ...tensors.slice(0, 10).map((t) => [t.name, 'model-00001-of-00002.safetensors']),
      ...tensors.slice(10).map((t) => [t.name, 'model-00002-of-00002.safetensors']),
    ]);
    const path = await folder('empty-shard', {
      'config.json': JSON.stringify(LLAMA_CONFIG),
      'model.safetensors.index.json': JSON.stringify({ weight_map: weightMap }),
      'model-00001-of-00002.safetensors': safetensorsBytes(tensors.slice(0, 10)),
      'model-00002-of-00002.safetensors': new Uint8Array(0),
    });
    const text = await message(loadModelSpec(path));
    expect(text).toContain(join(path, 'model-00002-of-00002.safetensors'));
  });

  it('names a config.json that is not JSON, in a folder and as a file', async () => {
    const path = await folder('bad-json', { 'config.json': '{"model_type": ' });
    expect(await message(loadModelSpec(path))).toContain(join(path, 'config.json'));
    const file = join(path, 'config.json');
    expect(await message(loadModelSpec(file))).toContain(file);
  });

  it('names a GGUF without general.architecture', async () => {
    const path = await folder('no-arch', { 'model.gguf': ggufBytes({}, []) });
    const text = await message(loadModelSpec(join(path, 'model.gguf')));
    expect(text).toBe(`${join(path, 'model.gguf')}: general.architecture is missing`);
  });
});

describe('messages for unknown families', () => {
  it('says a config has no model_type and which families there are', () => {
    const error = (() => {
      try {
        parseHfConfig({ hidden_size: 64 });
      } catch (thrown) {
        return thrown as CapacityError;
      }
      throw new Error('expected a CapacityError');
    })();
    expect(error.message).toMatch(
      /^config\.json has no model_type \(expected a model family such as llama, qwen2, mixtral\)/,
    );
  });

  it('says a GGUF architecture is unknown rather than a key is missing', () => {
    expect(() => specFromGguf({ 'general.architecture': 'unicornarch' }, [])).toThrowError(
      /^unknown GGUF architecture unicornarch; /,
    );
  });
});
