// A static file server on 127.0.0.1 for source tests: Range on or off, every request recorded.

import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the server answered. */
export interface ServedRequest {
  path: string;
  range: string | null;
  status: number;
  /** Body bytes written before the response ended or the client went away. */
  bytesSent: number;
}

/** A running loopback server. */
export interface LoopbackServer {
  base: string;
  files: Map<string, Uint8Array>;
  requests: ServedRequest[];
  /** Whether `Range` requests get 206 partial answers (false: the whole file, 200). */
  honourRange: boolean;
  /** Status to answer for every path starting with a key (401 for a gated repo ...). */
  statusFor: Map<string, number>;
  close(): Promise<void>;
}

const CHUNK = 64 * 1024;

/** Writes `body` in chunks, stopping when the client goes away; returns bytes written. */
function stream(response: ServerResponse, body: Uint8Array, record: ServedRequest): void {
  let offset = 0;
  const writeMore = (): void => {
    while (offset < body.length && !response.destroyed) {
      const chunk = body.subarray(offset, offset + CHUNK);
      offset += chunk.length;
      record.bytesSent += chunk.length;
      if (!response.write(chunk)) {
        response.once('drain', writeMore);
        return;
      }
    }
    if (!response.destroyed) response.end();
  };
  writeMore();
}

function answer(server: LoopbackServer, request: IncomingMessage, response: ServerResponse): void {
  const path = decodeURIComponent(new URL(request.url ?? '/', server.base).pathname);
  const range = request.headers.range ?? null;
  const record: ServedRequest = { path, range, status: 200, bytesSent: 0 };
  server.requests.push(record);
  response.on('error', () => undefined);

  const forced = [...server.statusFor].find(([prefix]) => path.startsWith(prefix));
  const body = server.files.get(path);
  if (forced || !body) {
    record.status = forced?.[1] ?? 404;
    response.writeHead(record.status).end();
    return;
  }
  const match = range === null ? null : /^bytes=(\d+)-(\d+)?$/.exec(range);
  if (server.honourRange && match) {
    const start = Number(match[1]);
    const end = Math.min(
      match[2] === undefined ? body.length - 1 : Number(match[2]),
      body.length - 1,
    );
    if (start >= body.length) {
      record.status = 416;
      response.writeHead(416, { 'content-range': `bytes */${String(body.length)}` }).end();
      return;
    }
    record.status = 206;
    response.writeHead(206, {
      'content-range': `bytes ${String(start)}-${String(end)}/${String(body.length)}`,
      'content-length': String(end - start + 1),
    });
    stream(response, body.subarray(start, end + 1), record);
    return;
  }
  response.writeHead(200, { 'content-length': String(body.length) });
  stream(response, body, record);
}

/** Starts a server on 127.0.0.1 with an OS-chosen port. */
export async function startLoopbackServer(): Promise<LoopbackServer> {
  const server: LoopbackServer = {
    base: '',
    files: new Map(),
    requests: [],
    honourRange: true,
    statusFor: new Map(),
    close: () => Promise.resolve(),
  };
  const http: Server = createServer((request, response) => answer(server, request, response));
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const { port } = http.address() as AddressInfo;
  server.base = `http://127.0.0.1:${String(port)}`;
  server.close = () =>
    new Promise<void>((resolve) => {
      http.closeAllConnections();
      http.close(() => resolve());
    });
  return server;
}
