// A loopback server that answers like the Hugging Face hub (`<id>/resolve/main/<file>`), with CORS.

import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A running stand-in: its base URL, the files it serves, what it was asked for. */
export interface HubStandIn {
  /** `http://127.0.0.1:<port>/`. */
  base: string;
  /** Model id -> relative path -> bytes. */
  models: Map<string, Map<string, Uint8Array | string>>;
  /** Paths requested, in order. */
  requests: string[];
  /** Milliseconds to pause halfway through each `.onnx` body (to watch progress). */
  onnxPauseMs: number;
  close(): Promise<void>;
}

const CORS = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Allow-Headers': '*',
  'Access-Control-Expose-Headers': 'Content-Length, Content-Range',
};

function answer(hub: HubStandIn, request: IncomingMessage, response: ServerResponse): void {
  const path = decodeURIComponent(new URL(request.url ?? '/', hub.base).pathname);
  hub.requests.push(path);
  if (request.method === 'OPTIONS') {
    response.writeHead(204, { ...CORS, 'Access-Control-Allow-Methods': 'GET, HEAD' }).end();
    return;
  }
  const match = /^\/(.+?)\/resolve\/main\/(.+)$/.exec(path);
  const content = match ? hub.models.get(match[1] ?? '')?.get(match[2] ?? '') : undefined;
  if (content === undefined) {
    response.writeHead(404, { ...CORS, 'Content-Type': 'text/plain' }).end('Entry not found');
    return;
  }
  const body = typeof content === 'string' ? Buffer.from(content) : Buffer.from(content);
  response.writeHead(200, {
    ...CORS,
    'Content-Type': path.endsWith('.json') ? 'application/json' : 'application/octet-stream',
    'Content-Length': String(body.length),
  });
  if (request.method === 'HEAD') {
    response.end();
    return;
  }
  if (!path.endsWith('.onnx') || hub.onnxPauseMs <= 0) {
    response.end(body);
    return;
  }
  const half = Math.floor(body.length / 2);
  response.write(body.subarray(0, half));
  setTimeout(() => {
    if (!response.destroyed) response.end(body.subarray(half));
  }, hub.onnxPauseMs);
}

/** Starts a stand-in on 127.0.0.1 at a free port. */
export async function startHubStandIn(): Promise<HubStandIn> {
  const hub: HubStandIn = {
    base: '',
    models: new Map(),
    requests: [],
    onnxPauseMs: 0,
    close: async () => undefined,
  };
  const server = createServer((request, response) => answer(hub, request, response));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  hub.base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  hub.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return hub;
}
