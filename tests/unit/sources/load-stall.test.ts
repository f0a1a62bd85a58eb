// Hub reads end: a body that stops mid-header times out, and an abort ends a read at once.
import type { IncomingMessage, ServerResponse } from 'node:http';

import { afterEach, describe, expect, it } from 'vitest';

import { SourceError } from '../../../lib/sources/errors.ts';
import { loadHubSpec } from '../../../lib/sources/hub.ts';
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

afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

/** Header bytes the stalled safetensors file claims: more than the 64 KiB first read. */
const HEADER_BYTES = 200_000;
const FIRST_READ_BYTES = 64 * 1024;

/**
 * A hub that answers config.json, 404s the index, and answers model.safetensors (ignoring
 * Range, 200) with its first 64 KiB, then sends nothing more.
 */
function stallingHub(): Promise<RecordingServer> {
  return serve((request, response) => {
    const url = request.url ?? '';
    if (url.endsWith('/config.json')) {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify(LLAMA_CONFIG));
    } else if (url.endsWith('/model.safetensors')) {
      const fileBytes = 8 + HEADER_BYTES + 1024;
      response.writeHead(200, { 'content-length': String(fileBytes) });
      const first = new Uint8Array(FIRST_READ_BYTES).fill(32);
      new DataView(first.buffer).setBigUint64(0, BigInt(HEADER_BYTES), true);
      response.write(first);
    } else response.writeHead(404).end();
  });
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => null,
    (thrown: unknown) => thrown,
  );
}

describe('stalled hub bodies', () => {
  it('times out a safetensors body that stops after the first read, naming the file', async () => {
    const hub = await stallingHub();
    const started = Date.now();
    const error = await rejection(loadHubSpec('org/stall', { hubBase: hub.base, timeoutMs: 300 }));
    expect(error).toBeInstanceOf(SourceError);
    const message = (error as SourceError).message;
    expect(message).toContain(`${hub.base}/org/stall/resolve/main/model.safetensors`);
    expect(message).toContain('timed out');
    expect(Date.now() - started).toBeLessThan(3000);
    await expect.poll(() => hub.abandoned).toContain('/org/stall/resolve/main/model.safetensors');
  });

  it('times out a config.json whose body stops halfway', async () => {
    const hub = await serve((_request, response) => {
      response.writeHead(200, { 'content-length': '1000' });
      response.write('{"architectures": [');
    });
    const error = await rejection(loadHubSpec('org/half', { hubBase: hub.base, timeoutMs: 300 }));
    expect((error as SourceError).message).toContain(
      `${hub.base}/org/half/resolve/main/config.json`,
    );
    expect((error as SourceError).message).toContain('timed out');
  });
});

describe('aborting a hub read', () => {
  it('ends a request the hub never answers at once, with the abort reason', async () => {
    const hub = await serve(() => undefined);
    const controller = new AbortController();
    const loading = rejection(
      loadHubSpec('org/silent', { hubBase: hub.base, signal: controller.signal }),
    );
    await expect.poll(() => servers.length).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const started = Date.now();
    controller.abort(new Error('stopped by the test'));
    const error = await loading;
    expect((error as Error).message).toBe('stopped by the test');
    expect(Date.now() - started).toBeLessThan(1000);
    await expect.poll(() => hub.abandoned).toEqual(['/org/silent/resolve/main/config.json']);
  });

  it('ends a stalled body read at once when aborted mid-header', async () => {
    const hub = await stallingHub();
    const controller = new AbortController();
    const loading = rejection(
      loadHubSpec('org/stall', { hubBase: hub.base, signal: controller.signal }),
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    controller.abort(new Error('stopped mid-header'));
    const error = await loading;
    expect((error as Error).message).toBe('stopped mid-header');
  });

  it('refuses to start when the signal is already aborted, sending nothing', async () => {
    const hub = await serve((_request, response) => response.writeHead(404).end());
    const controller = new AbortController();
    controller.abort(new Error('already stopped'));
    const error = await rejection(
      loadHubSpec('org/none', { hubBase: hub.base, signal: controller.signal }),
    );
    expect((error as Error).message).toBe('already stopped');
    expect(hub.abandoned).toEqual([]);
  });
});
