// A loopback HTTP server that replays recorded engine responses, for the agent's bridge tests.

import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

import { AGENT_FIXTURES } from './agent-stand-in.ts';

/** One recorded answer: a fixture file or a literal body, with a status (200 by default). */
export interface Route {
  file?: string;
  body?: string;
  status?: number;
  contentType?: string;
  /** Milliseconds to wait before answering. */
  delayMs?: number;
}

/** A running replay server. */
export interface ReplayServer {
  baseUrl: string;
  port: number;
  /** `METHOD path` of every request received, in order. */
  requests: string[];
  /** Body text of every POST received, in order. */
  bodies: string[];
  close(): Promise<void>;
}

/**
 * Starts a server on 127.0.0.1 (a free port, or `port`) answering `routes`, keyed
 * `GET /path` or `POST /path`; anything else is a 404.
 */
export async function startReplayServer(
  routes: Record<string, Route>,
  port = 0,
): Promise<ReplayServer> {
  const requests: string[] = [];
  const bodies: string[] = [];

  const server = createServer((request, response) => {
    const key = `${request.method ?? 'GET'} ${(request.url ?? '/').split('?')[0] ?? '/'}`;
    requests.push(key);
    let body = '';
    request.on('data', (chunk: Buffer) => {
      body += chunk.toString('utf8');
    });
    request.on('end', () => {
      if (request.method === 'POST') bodies.push(body);
      const route = routes[key];
      const answer = () => {
        if (!route) {
          response.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
          return;
        }
        const text = route.file
          ? readFileSync(join(AGENT_FIXTURES, route.file), 'utf8')
          : (route.body ?? '');
        response
          .writeHead(route.status ?? 200, {
            'content-type': route.contentType ?? 'application/json',
          })
          .end(text);
      };
      if (route?.delayMs) setTimeout(answer, route.delayMs);
      else answer();
    });
  });

  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const address = server.address() as AddressInfo;

  return {
    baseUrl: `http://127.0.0.1:${address.port}`,
    port: address.port,
    requests,
    bodies,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
