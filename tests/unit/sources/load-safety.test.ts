// Tokens stay on the hub's origin, mistyped paths never reach the network, slow servers time out.
import type { IncomingMessage, ServerResponse } from 'node:http';

import { afterEach, describe, expect, it } from 'vitest';

import { SourceError } from '../../../lib/sources/errors.ts';
import { loadModelSpec } from '../../../lib/sources/load-model-spec.ts';
import { LLAMA_CONFIG } from '../../support/llama-shapes.ts';
import type { RecordingServer } from '../../support/recording-server.ts';
import { startRecordingServer } from '../../support/recording-server.ts';

const servers: RecordingServer[] = [];

async function serve(
  handler: (request: IncomingMessage, response: ServerResponse) => void,
): Promise<RecordingServer> {
  const server = await startRecordingServer(handler);
  servers.push(server);
  return server;
}

/** Answers config.json for any path ending in it, 404 otherwise. */
function configServer(): Promise<RecordingServer> {
  return serve((request, response) => {
    if (request.url?.endsWith('/config.json')) {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify(LLAMA_CONFIG));
      return;
    }
    response.writeHead(404).end();
  });
}

async function caught(promise: Promise<unknown>): Promise<SourceError> {
  const error = await promise.then(
    () => null,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(SourceError);
  return error as SourceError;
}

afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

describe('the hub token', () => {
  const headers = { authorization: 'Bearer hf_secret' };

  it('goes to the hub base for a hub id', async () => {
    const hub = await configServer();
    await loadModelSpec('org/model', { hubBase: hub.base, headers });
    expect(hub.seen.map((request) => request.authorization)).toContain('Bearer hf_secret');
  });

  it('goes to a URL under the hub base', async () => {
    const hub = await configServer();
    await loadModelSpec(`${hub.base}/org/model/resolve/main/config.json`, {
      hubBase: hub.base,
      headers,
    });
    expect(hub.seen[0]?.authorization).toBe('Bearer hf_secret');
  });

  it('never goes to a URL on another origin', async () => {
    const hub = await configServer();
    const other = await configServer();
    const spec = await loadModelSpec(`${other.base}/models/config.json`, {
      hubBase: hub.base,
      headers,
    });
    expect(spec.layers).toHaveLength(32);
    expect(other.seen.length).toBeGreaterThan(0);
    expect(other.seen.every((request) => request.authorization === null)).toBe(true);
    expect(hub.seen).toHaveLength(0);
  });

  it('never goes to another origin for a folder URL either', async () => {
    const hub = await configServer();
    const other = await configServer();
    await loadModelSpec(`${other.base}/models/`, { hubBase: hub.base, headers });
    expect(other.seen.every((request) => request.authorization === null)).toBe(true);
  });
});

describe('refs that look like local paths', () => {
  it.each([
    './config.jsn',
    '../nowhere/model',
    '/no/such/folder',
    '~/no-such-hwledger-model',
    'org/model.gguf',
    'model.safetensors',
    'config.json',
    'tests/no-such-model',
  ])('reports %s as a missing file without any request', async (ref) => {
    const hub = await configServer();
    const error = await caught(loadModelSpec(ref, { hubBase: hub.base }));
    expect(error.code).toBe('not_found');
    expect(error.message).toBe(`no such file or folder: ${ref}`);
    expect(hub.seen).toHaveLength(0);
  });

  it.each(['org/llama3', 'Qwen/Qwen2.5-7B'])('sends the bare id %s to the hub', async (id) => {
    const hub = await configServer();
    const spec = await loadModelSpec(id, { hubBase: hub.base });
    expect(spec.layers).toHaveLength(32);
    expect(hub.seen[0]?.path).toBe(`/${id}/resolve/main/config.json`);
  });
});

describe('slow and hostile servers', () => {
  it('times out a server that never answers, naming the URL', async () => {
    const silent = await serve(() => undefined);
    const url = `${silent.base}/m/config.json`;
    const started = Date.now();
    const error = await caught(loadModelSpec(url, { timeoutMs: 200 }));
    expect(error.code).toBe('http_error');
    expect(error.message).toContain(url);
    expect(error.message).toContain('timed out');
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('times out a folder read whose config.json never comes', async () => {
    const silent = await serve(() => undefined);
    const error = await caught(loadModelSpec(`${silent.base}/m/`, { timeoutMs: 200 }));
    expect(error.message).toContain(`${silent.base}/m/config.json`);
  });

  it('stops an endless config.json at the cap, naming the URL and the cap', async () => {
    const endless = await serve((_request, response) => {
      response.writeHead(200);
      const chunk = new Uint8Array(64 * 1024).fill(32);
      const more = (): void => {
        while (!response.destroyed && response.write(chunk));
        if (!response.destroyed) response.once('drain', more);
      };
      more();
    });
    const cap = 1024 * 1024; // 1 MiB
    const error = await caught(loadModelSpec(`${endless.base}/m/`, { maxTextBytes: cap }));
    expect(error.code).toBe('unsupported');
    expect(error.message).toContain(`${endless.base}/m/config.json`);
    expect(error.message).toContain(String(cap));
  });

  it('stops an endless config.json URL at the cap as well', async () => {
    const endless = await serve((_request, response) => {
      response.writeHead(200);
      const chunk = new Uint8Array(64 * 1024).fill(32);
      const more = (): void => {
        while (!response.destroyed && response.write(chunk));
        if (!response.destroyed) response.once('drain', more);
      };
      more();
    });
    const url = `${endless.base}/m/config.json`;
    const error = await caught(loadModelSpec(url, { maxTextBytes: 1024 * 1024 }));
    expect(error.code).toBe('unsupported');
    expect(error.message).toContain(url);
  });
});
