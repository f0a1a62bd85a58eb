import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { CapacityError } from '../../../lib/capacity/errors.ts';
import { ggufTensorTypes } from '../../../lib/capacity/quant/gguf-recipes.ts';
import { parseWeightScheme } from '../../../lib/capacity/quant/schemes.ts';
import { weightBytes } from '../../../lib/capacity/weights.ts';
import { SourceError } from '../../../lib/sources/errors.ts';
import type { LoadProgress } from '../../../lib/sources/load-model-spec.ts';
import { loadModelSpec } from '../../../lib/sources/load-model-spec.ts';
import { llamaGguf } from '../../support/llama-gguf.ts';
import { LLAMA_3_8B, LLAMA_CONFIG, llamaSpec } from '../../support/llama-shapes.ts';
import type { LoopbackServer } from '../../support/loopback-server.ts';
import { startLoopbackServer } from '../../support/loopback-server.ts';
import { safetensorsBytes, tensorsOfSpec } from '../../support/model-files.ts';

const LLAMA = llamaSpec(LLAMA_3_8B);
const TENSORS = tensorsOfSpec(LLAMA);
const REPO = '/meta-llama/Llama-3.1-8B/resolve/main';
/** Bytes after each header standing for tensor data, which a planner must never download. */
const FILLER = 4 * 2 ** 20;

/** A header-only safetensors file followed by FILLER bytes. */
function withFiller(header: Uint8Array): Uint8Array {
  const file = new Uint8Array(header.length + FILLER);
  file.set(header);
  return file;
}

const half = Math.floor(TENSORS.length / 2);
const SHARDS = {
  'model-00001-of-00002.safetensors': withFiller(safetensorsBytes(TENSORS.slice(0, half))),
  'model-00002-of-00002.safetensors': withFiller(safetensorsBytes(TENSORS.slice(half))),
};
const INDEX = {
  metadata: { total_size: 16_060_522_496 },
  weight_map: Object.fromEntries(
    TENSORS.map((tensor, index) => [
      tensor.name,
      index < half ? 'model-00001-of-00002.safetensors' : 'model-00002-of-00002.safetensors',
    ]),
  ),
};
const GGUF = withFiller(llamaGguf(LLAMA, ggufTensorTypes(LLAMA, 'Q4_K_M')));

let server: LoopbackServer;

beforeAll(async () => {
  server = await startLoopbackServer();
  const text = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));
  server.files.set(`${REPO}/config.json`, text(LLAMA_CONFIG));
  server.files.set(`${REPO}/model.safetensors.index.json`, text(INDEX));
  for (const [name, bytes] of Object.entries(SHARDS)) server.files.set(`${REPO}/${name}`, bytes);
  server.files.set('/files/llama-q4_k_m.gguf', GGUF);
  server.files.set('/files/cut.safetensors', safetensorsBytes(TENSORS).subarray(0, 9000));
});

afterAll(async () => {
  await server.close();
});

beforeEach(() => {
  server.requests.length = 0;
  server.honourRange = true;
  server.statusFor.clear();
});

const shardRequests = () =>
  server.requests.filter((request) => request.path.endsWith('.safetensors'));

describe('loadModelSpec over HTTP', () => {
  it('loads a hub id from the hub base with Range requests for the headers only', async () => {
    const events: LoadProgress[] = [];
    const spec = await loadModelSpec('meta-llama/Llama-3.1-8B', {
      hubBase: server.base,
      onProgress: (event) => events.push(event),
    });
    expect(spec.name).toBe('meta-llama/Llama-3.1-8B');
    expect(spec.layers).toHaveLength(32);
    expect(weightBytes(spec, { kind: 'checkpoint' }).totalBytes).toBe(16_060_522_496);

    const shards = shardRequests();
    expect(shards.length).toBeGreaterThanOrEqual(2);
    expect(shards.every((request) => request.status === 206 && request.range !== null)).toBe(true);
    const sent = shards.reduce((sum, request) => sum + request.bytesSent, 0);
    expect(sent).toBeLessThan(2 * FILLER); // headers (about 20 KB each), not the data
    expect(events.map((event) => event.kind)).toEqual([
      'config',
      'index',
      'safetensors',
      'safetensors',
    ]);
  });

  it('still loads from a server that ignores Range, reading only a prefix', async () => {
    server.honourRange = false;
    const events: LoadProgress[] = [];
    const spec = await loadModelSpec('meta-llama/Llama-3.1-8B', {
      hubBase: `${server.base}/`,
      onProgress: (event) => events.push(event),
    });
    expect(weightBytes(spec, { kind: 'checkpoint' }).totalBytes).toBe(16_060_522_496);
    expect(shardRequests().every((request) => request.status === 200)).toBe(true);
    const shardBytes = SHARDS['model-00001-of-00002.safetensors'].length;
    const shardEvent = events.find((event) => event.kind === 'safetensors');
    expect(shardEvent?.bytesRead).toBeLessThan(shardBytes);
  });

  it('fails clearly when an unranged header lies past the prefix limit', async () => {
    server.honourRange = false;
    const error = await loadModelSpec('meta-llama/Llama-3.1-8B', {
      hubBase: server.base,
      maxUnrangedBytes: 1024,
    }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(SourceError);
    expect((error as SourceError).code).toBe('unsupported');
  });

  it('reads a GGUF URL with ranged reads of its header', async () => {
    const spec = await loadModelSpec(`${server.base}/files/llama-q4_k_m.gguf`);
    expect(spec.source).toBe('gguf');
    const predicted = weightBytes(LLAMA, parseWeightScheme('Q4_K_M')).totalBytes;
    expect(weightBytes(spec, { kind: 'checkpoint' }).totalBytes).toBe(predicted);
    expect(server.requests.every((request) => request.range !== null)).toBe(true);
  });

  it('reads a GGUF from a server that ignores Range', async () => {
    server.honourRange = false;
    const spec = await loadModelSpec(`${server.base}/files/llama-q4_k_m.gguf`);
    expect(spec.layers).toHaveLength(32);
  });

  it('loads a hub file id through the resolve path', async () => {
    server.files.set('/org/model/resolve/main/model.gguf', GGUF);
    const spec = await loadModelSpec('org/model/model.gguf', { hubBase: server.base });
    expect(spec).toMatchObject({ name: 'org/model/model.gguf', source: 'gguf' });
  });

  it('answers a missing hub id with not_found', async () => {
    const error = await loadModelSpec('nobody/nothing', { hubBase: server.base }).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(SourceError);
    expect((error as SourceError).code).toBe('not_found');
  });

  it('answers a missing file URL with not_found and its status', async () => {
    const error = await loadModelSpec(`${server.base}/files/absent.gguf`).catch(
      (caught: unknown) => caught,
    );
    expect(error).toMatchObject({ code: 'not_found', status: 404 });
  });

  it('says a gated repo needs a token', async () => {
    server.statusFor.set(REPO, 401);
    const error = await loadModelSpec('meta-llama/Llama-3.1-8B', { hubBase: server.base }).catch(
      (caught: unknown) => caught,
    );
    expect(error).toMatchObject({ code: 'http_error', status: 401 });
    expect((error as Error).message).toContain('token');
  });

  it('passes extra headers, such as a token, with every request', async () => {
    const seen: string[] = [];
    const recordingFetch: typeof fetch = (input, init) => {
      seen.push(new Headers(init?.headers).get('authorization') ?? '');
      return fetch(input, init);
    };
    await loadModelSpec('meta-llama/Llama-3.1-8B', {
      hubBase: server.base,
      fetch: recordingFetch,
      headers: { Authorization: 'Bearer hf_test' },
    });
    expect(seen.length).toBeGreaterThan(2);
    expect(seen.every((value) => value === 'Bearer hf_test')).toBe(true);
  });

  it('rejects a safetensors header longer than the file it came in', async () => {
    const error = await loadModelSpec(`${server.base}/files/cut.safetensors`).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(CapacityError);
    expect((error as CapacityError).field).toBe('header length');
  });
});
