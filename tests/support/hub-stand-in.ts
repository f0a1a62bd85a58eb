// A loopback server that answers like the Hugging Face hub (`<id>/resolve/main/<file>`), with CORS
// and, when asked, HTTP Range.

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
  /** Whether `Range: bytes=a-b` gets a 206 partial answer (default false: the whole file). */
  honourRange: boolean;
  /** Milliseconds to wait before answering a `.safetensors` request (to watch progress). */
  safetensorsDelayMs: number;
  /** Each GET answered with a body: path, Range header sent, status. */
  served: { path: string; range: string | null; status: number }[];
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
  const range = request.headers.range ?? null;
  const wanted = hub.honourRange && range !== null ? /^bytes=(\d+)-(\d+)?$/.exec(range) : null;
  if (wanted && request.method === 'GET' && Number(wanted[1]) < body.length) {
    const start = Number(wanted[1]);
    const end = Math.min(
      wanted[2] === undefined ? body.length - 1 : Number(wanted[2]),
      body.length - 1,
    );
    hub.served.push({ path, range, status: 206 });
    const send = () =>
      response
        .writeHead(206, {
          ...CORS,
          'Content-Type': 'application/octet-stream',
          'Content-Length': String(end - start + 1),
          'Content-Range': `bytes ${String(start)}-${String(end)}/${String(body.length)}`,
        })
        .end(body.subarray(start, end + 1));
    if (path.endsWith('.safetensors') && hub.safetensorsDelayMs > 0) {
      setTimeout(() => {
        if (!response.destroyed) send();
      }, hub.safetensorsDelayMs);
    } else send();
    return;
  }
  if (request.method === 'GET') hub.served.push({ path, range, status: 200 });
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
    honourRange: false,
    safetensorsDelayMs: 0,
    served: [],
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
