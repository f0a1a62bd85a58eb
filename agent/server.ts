// The agent's WebSocket API: loopback by default, origin allow-list, token first, then telemetry.

import { createServer } from 'node:http';
import type { IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';

import { WebSocketServer } from 'ws';
import type { WebSocket } from 'ws';

import type { Logger } from './log.ts';
import type { Monitor } from './monitor.ts';
import { originMatcher } from './origins.ts';
import { tokensMatch } from './pairing.ts';
import {
  AGENT_PROTOCOL_VERSION,
  AGENT_WS_PATH,
  CLOSE_CODES,
  parseClientMessage,
} from './protocol.ts';
import type { AgentMessage, TelemetryFrame } from './protocol.ts';

export { normaliseOrigin } from './origins.ts';

/** Options of `startAgentServer`. */
export interface AgentServerOptions {
  /** Interface to listen on; loopback unless the user asked otherwise. */
  host: string;
  /** Port, or 0 for any free one. */
  port: number;
  token: string;
  /** Origins (`http://127.0.0.1:3000`) or any-port patterns (`http://127.0.0.1:*`) allowed. */
  allowedOrigins: readonly string[];
  monitor: Monitor;
  /** Milliseconds between telemetry frames. */
  intervalMs: number;
  /** Milliseconds a client has to send its token. */
  authTimeoutMs?: number;
  agentVersion: string;
  hostname: string;
  logger: Logger;
}

/** A running agent server. */
export interface AgentServer {
  /** WebSocket URL clients connect to, e.g. `ws://127.0.0.1:7420/agent`. */
  url: string;
  port: number;
  /** The latest frame sent (null before the first sample). */
  latest(): TelemetryFrame | null;
  close(): Promise<void>;
}

/**
 * Milliseconds `close` waits for a sample in flight: a probe stuck until its own timeout
 * (10 s for a command) must not hold up Ctrl+C; its late result goes nowhere.
 */
const CLOSE_WAIT_MS = 1_000;

/** Resolves when `promise` settles or after `ms`, whichever comes first. */
async function settledWithin(promise: Promise<void> | null, ms: number): Promise<void> {
  if (promise === null) return;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const elapsed = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
  });
  await Promise.race([promise, elapsed]);
  clearTimeout(timer);
}

/** Most bytes one client message may have; the protocol's messages are tiny. */
const MAX_CLIENT_MESSAGE_BYTES = 4096;
const DEFAULT_AUTH_TIMEOUT_MS = 5_000;

/** Host names that mean this machine, for the Host-header check against DNS rebinding. */
const LOOPBACK_NAMES = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

/** Whether `host` is a loopback interface the agent may bind without `--host`. */
export function isLoopbackHost(host: string): boolean {
  return LOOPBACK_NAMES.has(host) || /^127\./.test(host);
}

/**
 * The WebSocket URL clients use for a server listening on `address`. A wildcard bind (0.0.0.0,
 * ::) is no address a browser may dial, so the URL names this machine's loopback instead.
 */
export function agentUrlFor(address: Pick<AddressInfo, 'address' | 'family' | 'port'>): string {
  const host =
    address.address === '0.0.0.0'
      ? '127.0.0.1'
      : address.address === '::'
        ? '[::1]'
        : address.family === 'IPv6'
          ? `[${address.address}]`
          : address.address;
  return `ws://${host}:${address.port}${AGENT_WS_PATH}`;
}

function hostHeaderAllowed(request: IncomingMessage, boundHost: string): boolean {
  if (!isLoopbackHost(boundHost)) return true;
  const header = request.headers.host ?? '';
  const name = header.replace(/:\d+$/, '');
  return isLoopbackHost(name);
}

function refuseUpgrade(socket: Duplex, status: number, reason: string): void {
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

function send(socket: WebSocket, message: AgentMessage): void {
  if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(message));
}

/**
 * Starts the agent's server. A client connects to `AGENT_WS_PATH`; a Host header that is not a
 * loopback name (when bound to loopback) or another path is refused at the handshake; a page
 * whose Origin is not allowed is closed at once with `badOrigin` (so the page can say why);
 * the first message must carry the pairing token (compared in constant time) within the auth
 * timeout, or the socket is closed with `badToken`. Authenticated clients get a hello and a
 * telemetry frame every `intervalMs`; `{type: 'refresh'}` asks for one at once.
 */
export async function startAgentServer(options: AgentServerOptions): Promise<AgentServer> {
  const log = options.logger;
  log.addSecret(options.token);
  const allowed = originMatcher(options.allowedOrigins);
  const clients = new Set<WebSocket>();
  let latest: TelemetryFrame | null = null;
  let sampling: Promise<void> | null = null;

  const broadcast = (frame: TelemetryFrame) => {
    for (const client of clients) send(client, { type: 'telemetry', frame });
  };

  const sampleNow = (): Promise<void> => {
    sampling ??= options.monitor
      .sample()
      .then((frame) => {
        latest = frame;
        broadcast(frame);
      })
      .catch((error: unknown) => log.warn('sample failed', { error: String(error) }))
      .finally(() => {
        sampling = null;
      });
    return sampling;
  };

  const http: Server = createServer((_request, response) => {
    response.writeHead(426, { 'content-type': 'text/plain' }).end('WebSocket only\n');
  });
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_CLIENT_MESSAGE_BYTES });

  http.on('upgrade', (request, socket, head) => {
    const path = (request.url ?? '').split('?')[0];
    if (path !== AGENT_WS_PATH) return refuseUpgrade(socket, 404, 'Not Found');
    if (!hostHeaderAllowed(request, options.host)) {
      log.warn('refused a connection with a foreign Host header');
      return refuseUpgrade(socket, 403, 'Forbidden');
    }
    wss.handleUpgrade(request, socket, head, (ws) => admit(ws, request));
  });

  const admit = (ws: WebSocket, request: IncomingMessage) => {
    const origin = request.headers.origin;
    if (origin !== undefined && !allowed(origin)) {
      log.warn('refused a page from an origin not on the allow-list', { origin });
      ws.close(CLOSE_CODES.badOrigin, 'origin not allowed');
      return;
    }

    const timer = setTimeout(() => {
      log.warn('closed a client that sent no token in time');
      ws.close(CLOSE_CODES.badToken, 'no token');
    }, options.authTimeoutMs ?? DEFAULT_AUTH_TIMEOUT_MS);
    let authed = false;

    ws.on('message', (data, isBinary) => {
      const message = isBinary ? null : parseClientMessage(data.toString());
      if (!authed) {
        clearTimeout(timer);
        if (message?.type !== 'auth' || !tokensMatch(message.token, options.token)) {
          log.warn('refused a client with a wrong token');
          ws.close(CLOSE_CODES.badToken, 'wrong token');
          return;
        }
        authed = true;
        clients.add(ws);
        log.info('client connected', { origin: origin ?? 'none', clients: clients.size });
        send(ws, {
          type: 'hello',
          protocol: AGENT_PROTOCOL_VERSION,
          agentVersion: options.agentVersion,
          hostname: options.hostname,
        });
        if (latest) send(ws, { type: 'telemetry', frame: latest });
        else void sampleNow();
        return;
      }
      if (message?.type === 'refresh') void sampleNow();
      else if (message === null) ws.close(CLOSE_CODES.badMessage, 'not a protocol message');
    });

    ws.on('error', (error) => log.debug('client socket error', { error: error.message }));
    ws.on('close', () => {
      clearTimeout(timer);
      if (clients.delete(ws)) log.info('client left', { clients: clients.size });
    });
  };

  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(options.port, options.host, () => {
      http.off('error', reject);
      resolve();
    });
  });

  const ticker = setInterval(() => {
    if (clients.size > 0) void sampleNow();
  }, options.intervalMs);

  const address = http.address() as AddressInfo;

  log.info('listening', { host: options.host, port: address.port });

  return {
    url: agentUrlFor(address),
    port: address.port,
    latest: () => latest,
    close: async () => {
      clearInterval(ticker);
      for (const client of wss.clients) client.terminate();
      wss.close();
      await settledWithin(sampling, CLOSE_WAIT_MS);
      await new Promise<void>((resolve) => {
        http.closeAllConnections();
        http.close(() => resolve());
      });
    },
  };
}
