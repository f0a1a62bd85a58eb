// A loopback HTTP server that answers with a test's own handler and records what it saw.

import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as the server received it. */
export interface SeenRequest {
  path: string;
  authorization: string | null;
}

/** A running recording server on 127.0.0.1. */
export interface RecordingServer {
  base: string;
  /** Every request, in order of arrival. */
  seen: SeenRequest[];
  /** Paths of requests whose connection the client closed before the answer ended. */
  abandoned: string[];
  close(): Promise<void>;
}

/**
 * Starts a server on a free loopback port that records each request and each abandoned one,
 * then lets `handler` answer (or never answer, to stand in for a silent host).
 */
export async function startRecordingServer(
  handler: (request: IncomingMessage, response: ServerResponse) => void,
): Promise<RecordingServer> {
  const seen: SeenRequest[] = [];
  const abandoned: string[] = [];
  const http: Server = createServer((request, response) => {
    const path = request.url ?? '';
    seen.push({ path, authorization: request.headers.authorization ?? null });
    response.on('error', () => undefined);
    response.on('close', () => {
      if (!response.writableEnded) abandoned.push(path);
    });
    handler(request, response);
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const { port } = http.address() as AddressInfo;
  return {
    base: `http://127.0.0.1:${String(port)}`,
    seen,
    abandoned,
    close: () =>
      new Promise<void>((resolve) => {
        http.closeAllConnections();
        http.close(() => resolve());
      }),
  };
}
