import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { CapacityError } from '../../../lib/capacity/errors.ts';
import { parseHfConfig } from '../../../lib/capacity/config/index.ts';
import {
  parseSafetensorsHeader,
  specFromSafetensors,
} from '../../../lib/capacity/formats/safetensors.ts';
import { countParams } from '../../../lib/capacity/params.ts';
import { weightBytes } from '../../../lib/capacity/weights.ts';
import { SourceError } from '../../../lib/sources/errors.ts';
import type { LoadProgress } from '../../../lib/sources/folder.ts';
import { hubFolderUrl, isHubId, loadHubSpec } from '../../../lib/sources/hub.ts';
import { loadModelSpec } from '../../../lib/sources/load-model-spec.ts';
import { startHubStandIn } from '../../support/hub-stand-in.ts';
import type { HubStandIn } from '../../support/hub-stand-in.ts';
import { LLAMA_3_8B, LLAMA_CONFIG, llamaSpec } from '../../support/llama-shapes.ts';
import type { LoopbackServer } from '../../support/loopback-server.ts';
import { startLoopbackServer } from '../../support/loopback-server.ts';
import { safetensorsBytes, tensorsOfSpec } from '../../support/model-files.ts';
import {
  TINY_LLAMA_CONFIG,
  TINY_LLAMA_FILLER_BYTES,
  TINY_LLAMA_PARAMS,
  tinyLlamaFiles,
  tinyLlamaSafetensors,
} from '../../support/tiny-llama.ts';

const TINY = 'hwledger/tiny-llama';
const TINY_REPO = `/${TINY}/resolve/main`;
const BIG = 'meta-llama/Llama-3.1-8B';
const BIG_REPO = `/${BIG}/resolve/main`;
const encode = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));
const SAFETENSORS = tinyLlamaSafetensors();

/** The spec lib/capacity computes from the same two files, read whole from memory. */
function expectedTinySpec() {
  const config = parseHfConfig(JSON.stringify(TINY_LLAMA_CONFIG), { name: TINY });
  return specFromSafetensors(parseSafetensorsHeader(SAFETENSORS), config, { name: TINY });
}

let server: LoopbackServer;

beforeAll(async () => {
  server = await startLoopbackServer();
  for (const [file, bytes] of tinyLlamaFiles()) server.files.set(`${TINY_REPO}/${file}`, bytes);
  server.files.set(`/${TINY}/resolve/v1.0/config.json`, encode(TINY_LLAMA_CONFIG));
  server.files.set(`/${TINY}/resolve/v1.0/model.safetensors`, SAFETENSORS);
  server.files.set('/cut/model/resolve/main/config.json', encode(TINY_LLAMA_CONFIG));
  server.files.set('/cut/model/resolve/main/model.safetensors', SAFETENSORS.subarray(0, 900));
  server.files.set('/bare/config/resolve/main/config.json', encode(TINY_LLAMA_CONFIG));

  const big = llamaSpec(LLAMA_3_8B);
  const tensors = tensorsOfSpec(big);
  const half = Math.floor(tensors.length / 2);
  const shardOf = (index: number) =>
    index < half ? 'model-00001-of-00002.safetensors' : 'model-00002-of-00002.safetensors';
  server.files.set(`${BIG_REPO}/config.json`, encode(LLAMA_CONFIG));
  server.files.set(
    `${BIG_REPO}/model.safetensors.index.json`,
    encode({ weight_map: Object.fromEntries(tensors.map((t, i) => [t.name, shardOf(i)])) }),
  );
  server.files.set(`${BIG_REPO}/${shardOf(0)}`, safetensorsBytes(tensors.slice(0, half)));
  server.files.set(`${BIG_REPO}/${shardOf(half)}`, safetensorsBytes(tensors.slice(half)));
});

afterAll(async () => {
  await server.close();
});

beforeEach(() => {
  server.requests.length = 0;
  server.honourRange = true;
  server.statusFor.clear();
});

const requestsOf = (suffix: string) => server.requests.filter((r) => r.path.endsWith(suffix));

describe('loadHubSpec', () => {
  it('reads config.json whole and the safetensors header by Range, giving the exact spec', async () => {
    const events: LoadProgress[] = [];
    const spec = await loadHubSpec(TINY, {
      hubBase: server.base,
      onProgress: (event) => events.push(event),
    });
    expect(spec).toEqual(expectedTinySpec());
    expect(spec.source).toBe('safetensors');
    expect(countParams(spec).total).toBe(TINY_LLAMA_PARAMS);

    expect(requestsOf('config.json')).toMatchObject([{ range: null, status: 200 }]);
    const header = requestsOf('model.safetensors');
    expect(header).toHaveLength(1);
    expect(header[0]).toMatchObject({ range: 'bytes=0-65535', status: 206 });
    expect(header[0]?.bytesSent).toBeLessThan(TINY_LLAMA_FILLER_BYTES);
  });

  it('reports progress after each file: files done of the total and bytes read', async () => {
    const events: LoadProgress[] = [];
    await loadHubSpec(TINY, { hubBase: server.base, onProgress: (event) => events.push(event) });
    const configBytes = JSON.stringify(TINY_LLAMA_CONFIG).length;
    expect(events.map(({ kind, filesDone, filesTotal }) => [kind, filesDone, filesTotal])).toEqual([
      ['config', 1, null],
      ['safetensors', 2, 2], // config.json + model.safetensors
    ]);
    expect(events[0]?.bytesRead).toBe(configBytes);
    expect(events[1]?.bytesRead).toBe(configBytes + 65_536); // config + first 64 KiB read
    expect(events[1]?.file).toBe(`${server.base}${TINY_REPO}/model.safetensors`);
  });

  it('reads every shard header named by model.safetensors.index.json', async () => {
    const events: LoadProgress[] = [];
    const spec = await loadHubSpec(BIG, {
      hubBase: `${server.base}/`,
      onProgress: (event) => events.push(event),
    });
    expect(weightBytes(spec, { kind: 'checkpoint' }).totalBytes).toBe(16_060_522_496);
    expect(events.map((event) => event.kind)).toEqual([
      'config',
      'index',
      'safetensors',
      'safetensors',
    ]);
    expect(events.at(-1)).toMatchObject({ filesDone: 4, filesTotal: 4 });
  });

  it('reads only a prefix from a server that ignores Range', async () => {
    server.honourRange = false;
    const events: LoadProgress[] = [];
    const spec = await loadHubSpec(TINY, {
      hubBase: server.base,
      onProgress: (event) => events.push(event),
    });
    expect(spec).toEqual(expectedTinySpec());
    expect(requestsOf('model.safetensors')).toMatchObject([{ status: 200 }]);
    const last = events.at(-1);
    expect(last?.kind).toBe('safetensors');
    expect(last?.bytesRead).toBeLessThan(SAFETENSORS.length);
  });

  it('reads the revision asked for', async () => {
    const spec = await loadHubSpec(TINY, { hubBase: server.base, revision: 'v1.0' });
    expect(countParams(spec).total).toBe(TINY_LLAMA_PARAMS);
    expect(server.requests.map((r) => r.path)).toEqual([
      `/${TINY}/resolve/v1.0/config.json`,
      `/${TINY}/resolve/v1.0/model.safetensors.index.json`,
      `/${TINY}/resolve/v1.0/model.safetensors`,
    ]);
  });

  it('falls back to the config alone when the repository has no safetensors', async () => {
    const spec = await loadHubSpec('bare/config', { hubBase: server.base });
    expect(spec.source).toBe('hf-config');
    expect(countParams(spec).total).toBe(TINY_LLAMA_PARAMS);
  });

  it('says there is no such model on the hub for a 404', async () => {
    const error = await loadHubSpec('nobody/nothing', { hubBase: server.base }).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(SourceError);
    expect(error).toMatchObject({ code: 'not_found', status: 404 });
    expect((error as Error).message).toBe(
      `no such model on ${server.base}: nobody/nothing (its config.json answered HTTP 404)`,
    );
  });

  it('names the file whose header runs past the end of what the server has', async () => {
    const error = await loadHubSpec('cut/model', { hubBase: server.base }).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(CapacityError);
    expect(error).toMatchObject({ code: 'invalid_file', field: 'header length' });
    expect((error as Error).message).toContain('/cut/model/resolve/main/model.safetensors');
    expect((error as Error).message).toContain('900-byte file');
  });

  it('says a header is truncated when the server gives no size and the file ends early', async () => {
    const sizeless: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      return new Response(response.body, { status: response.status });
    };
    const error = await loadHubSpec('cut/model', { hubBase: server.base, fetch: sizeless }).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(SourceError);
    expect(error).toMatchObject({ code: 'truncated' });
    const ref = `${server.base}/cut/model/resolve/main/model.safetensors`;
    expect((error as Error).message).toMatch(new RegExp(`truncated: 900 of \\d+ bytes in ${ref}$`));
  });

  it('says the hub cannot be reached when the connection is refused', async () => {
    const closed = await startLoopbackServer();
    await closed.close();
    const error = await loadHubSpec(TINY, { hubBase: closed.base }).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(SourceError);
    expect(error).toMatchObject({ code: 'http_error', status: null });
    expect((error as Error).message).toContain(`could not reach the hub at ${closed.base}`);
    // In Node (the CLI) no browser's cross-origin rules apply, so the hint leaves CORS out.
    expect((error as Error).message).toMatch(/; check the hub base URL and that the server is up$/);
  });

  it('says a gated model needs a token', async () => {
    server.statusFor.set(TINY_REPO, 401);
    const error = await loadHubSpec(TINY, { hubBase: server.base }).catch(
      (caught: unknown) => caught,
    );
    expect(error).toMatchObject({ code: 'http_error', status: 401 });
    expect((error as Error).message).toContain('token');
  });

  it.each([
    ['an empty id', ''],
    ['a path escape', '../etc'],
    ['a dot segment', 'org/..'],
    ['three parts', 'a/b/c'],
    ['a space', 'org/my model'],
  ])('rejects %s before any request', async (_label, id) => {
    const error = await loadHubSpec(id, { hubBase: server.base }).catch(
      (caught: unknown) => caught,
    );
    expect(error).toMatchObject({ code: 'unsupported' });
    expect(server.requests).toEqual([]);
  });

  it('rejects a hub base that is not an http(s) URL', async () => {
    const error = await loadHubSpec(TINY, { hubBase: 'file:///etc' }).catch(
      (caught: unknown) => caught,
    );
    expect(error).toMatchObject({ code: 'unsupported' });
  });
});

describe('hub ids and URLs', () => {
  it.each([
    ['meta-llama/Llama-3.1-8B', true],
    ['gpt2', true],
    ['Qwen/Qwen2.5-0.5B-Instruct', true],
    ['org/', false],
    ['/name', false],
    ['org/name/extra', false],
    ['org/..', false],
  ])('isHubId(%j) is %j', (id, expected) => {
    expect(isHubId(id)).toBe(expected);
  });

  it('builds the resolve folder URL with the revision escaped', () => {
    expect(hubFolderUrl('https://huggingface.co/', 'org/name', 'refs/pr/1')).toBe(
      'https://huggingface.co/org/name/resolve/refs%2Fpr%2F1/',
    );
  });
});

describe('loadHubSpec against the CORS hub stand-in', () => {
  let hub: HubStandIn;

  beforeAll(async () => {
    hub = await startHubStandIn();
    hub.models.set(TINY, tinyLlamaFiles());
  });

  afterAll(async () => {
    await hub.close();
  });

  it('gets 206 answers for the header when the stand-in honours Range', async () => {
    hub.honourRange = true;
    hub.served.length = 0;
    const spec = await loadHubSpec(TINY, { hubBase: hub.base });
    expect(countParams(spec).total).toBe(TINY_LLAMA_PARAMS);
    expect(hub.served.find((s) => s.path.endsWith('model.safetensors'))).toMatchObject({
      range: 'bytes=0-65535',
      status: 206,
    });
  });

  it('gets the whole file (200) when the stand-in ignores Range, and still loads', async () => {
    hub.honourRange = false;
    hub.served.length = 0;
    const spec = await loadHubSpec(TINY, { hubBase: hub.base });
    expect(spec).toEqual(expectedTinySpec());
    expect(hub.served.find((s) => s.path.endsWith('model.safetensors'))?.status).toBe(200);
  });
});

describe('loadModelSpec reuses loadHubSpec', () => {
  it('answers a missing hub id with the hub message', async () => {
    const error = await loadModelSpec('nobody/nothing', { hubBase: server.base }).catch(
      (caught: unknown) => caught,
    );
    expect((error as Error).message).toContain(`no such model on ${server.base}`);
  });
});

describe('browser safety', () => {
  /** Every module specifier `file` imports, followed through relative imports. */
  function importGraph(file: string, seen = new Map<string, string[]>()): Map<string, string[]> {
    if (seen.has(file)) return seen;
    const text = readFileSync(file, 'utf8');
    const specifiers = [...text.matchAll(/^(?:import|export)[^'"]*from '([^']+)'/gm)].map(
      (match) => match[1] ?? '',
    );
    seen.set(file, specifiers);
    for (const specifier of specifiers) {
      if (specifier.startsWith('.')) importGraph(join(dirname(file), specifier), seen);
    }
    return seen;
  }

  it('hub.ts reaches no node: module and not the GGUF reader', () => {
    const graph = importGraph(join(process.cwd(), 'lib', 'sources', 'hub.ts'));
    const external = [...graph.values()].flat().filter((s) => !s.startsWith('.'));
    expect(graph.size).toBeGreaterThan(5);
    expect(external.filter((s) => s.startsWith('node:') || s.includes('gguf'))).toEqual([]);
    expect([...graph.keys()].some((file) => file.endsWith('file-source.ts'))).toBe(false);
  });
});
