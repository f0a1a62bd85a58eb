import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';

import { createLogger } from '../../../agent/log.ts';
import type { Monitor } from '../../../agent/monitor.ts';
import { createPairingToken, pairingLink, pairingQr, tokensMatch } from '../../../agent/pairing.ts';
import type { AgentMessage, TelemetryFrame } from '../../../agent/protocol.ts';
import { agentUrlFor, normaliseOrigin, startAgentServer } from '../../../agent/server.ts';
import type { AgentServer } from '../../../agent/server.ts';

const APP = 'http://127.0.0.1:3217';
const TOKEN = createPairingToken();

function frame(atMs: number): TelemetryFrame {
  return {
    capturedAtMs: atMs,
    inventory: {
      host: {
        hostname: 'node-1',
        platform: 'linux',
        arch: 'x64',
        cpuModel: 'cpu',
        cpuThreads: 2,
        cpuPhysicalCores: 2,
        memoryTotalBytes: 8 * 2 ** 30,
        memoryAvailableBytes: 4 * 2 ** 30,
        source: 'proc-meminfo',
      },
      devices: [],
      warnings: [],
      capturedAtMs: atMs,
    },
    engines: [],
    predictions: [],
  };
}

let server: AgentServer | null = null;
let logLines: string[] = [];

async function start(monitor?: Monitor, authTimeoutMs = 2_000): Promise<AgentServer> {
  let tick = 0;
  logLines = [];
  server = await startAgentServer({
    host: '127.0.0.1',
    port: 0,
    token: TOKEN,
    allowedOrigins: [APP],
    monitor: monitor ?? { sample: () => Promise.resolve(frame((tick += 1))) },
    intervalMs: 50,
    authTimeoutMs,
    agentVersion: '0.1.0',
    hostname: 'node-1',
    logger: createLogger('agent', { level: 'debug', write: (line) => logLines.push(line) }),
  });
  return server;
}

afterEach(async () => {
  await server?.close();
  server = null;
});

interface Session {
  messages: AgentMessage[];
  closed: Promise<{ code: number; reason: string }>;
  socket: WebSocket;
}

function connect(url: string, options: { origin?: string; host?: string } = {}): Session {
  const headers = options.host ? { host: options.host } : undefined;
  const socket = new WebSocket(url, {
    ...(options.origin ? { origin: options.origin } : {}),
    ...(headers ? { headers } : {}),
  });
  const messages: AgentMessage[] = [];
  socket.on('message', (data) => messages.push(JSON.parse(String(data)) as AgentMessage));
  const closed = new Promise<{ code: number; reason: string }>((resolve) => {
    socket.on('close', (code, reason) => resolve({ code, reason: reason.toString() }));
    socket.on('error', () => undefined);
  });
  return { messages, closed, socket };
}

function opened(session: Session): Promise<void> {
  return new Promise((resolve) => session.socket.once('open', () => resolve()));
}

async function until(check: () => boolean, timeoutMs = 3_000): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('agent server', () => {
  it('listens on loopback only', async () => {
    const { url } = await start();

    expect(url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/agent$/);
  });

  it('streams a hello and telemetry frames to a client with the token', async () => {
    const { url } = await start();
    const session = connect(url, { origin: APP });
    await opened(session);

    session.socket.send(JSON.stringify({ type: 'auth', token: TOKEN }));
    await until(() => session.messages.filter((m) => m.type === 'telemetry').length >= 3);

    expect(session.messages[0]).toEqual({
      type: 'hello',
      protocol: 1,
      agentVersion: '0.1.0',
      hostname: 'node-1',
    });
    const times = session.messages.flatMap((m) =>
      m.type === 'telemetry' ? [m.frame.capturedAtMs] : [],
    );
    expect(times.slice(0, 3)).toEqual([1, 2, 3]);
    session.socket.close();
  });

  it('closes within about a second even while a probe hangs', async () => {
    let sampled = false;
    const hung: Monitor = {
      sample: () => {
        sampled = true;
        return new Promise<TelemetryFrame>(() => undefined);
      },
    };
    const running = await start(hung);
    const session = connect(running.url, { origin: APP });
    await opened(session);
    session.socket.send(JSON.stringify({ type: 'auth', token: TOKEN }));
    await until(() => sampled);

    const startedMs = Date.now();
    await running.close();
    server = null;

    expect(Date.now() - startedMs).toBeLessThan(2_000); // the wait is capped at 1 000 ms
    await expect(session.closed).resolves.toMatchObject({ code: 1006 });
  });

  it('closes with 4401 on a wrong token and sends nothing', async () => {
    const { url } = await start();
    const session = connect(url, { origin: APP });
    await opened(session);

    session.socket.send(JSON.stringify({ type: 'auth', token: `${TOKEN}x` }));

    await expect(session.closed).resolves.toEqual({ code: 4401, reason: 'wrong token' });
    expect(session.messages).toEqual([]);
  });

  it('closes with 4401 when no token comes in time', async () => {
    const { url } = await start(undefined, 100);
    const session = connect(url, { origin: APP });

    await expect(session.closed).resolves.toEqual({ code: 4401, reason: 'no token' });
  });

  it.each([
    ['another site', 'https://evil.example'],
    ['the app on another port', 'http://127.0.0.1:9999'],
    ['the app under another host name', 'http://localhost:3217'],
    ['an opaque origin', 'null'],
  ])('closes with 4403 for a page from %s, even with the right token', async (_label, origin) => {
    const { url } = await start();
    const session = connect(url, { origin });
    session.socket.on('open', () =>
      session.socket.send(JSON.stringify({ type: 'auth', token: TOKEN })),
    );

    await expect(session.closed).resolves.toEqual({ code: 4403, reason: 'origin not allowed' });
    expect(session.messages).toEqual([]);
  });

  it('refuses a handshake whose Host header is not loopback (DNS rebinding)', async () => {
    const { url } = await start();
    const socket = new WebSocket(url, { origin: APP, headers: { host: 'rebind.example:80' } });

    const status = await new Promise<number>((resolve) => {
      socket.on('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0));
      socket.on('error', () => resolve(-1));
    });

    expect(status).toBe(403);
  });

  it('answers plain HTTP with 426 and no details', async () => {
    const { port } = await start();

    const response = await fetch(`http://127.0.0.1:${port}/`);

    expect(response.status).toBe(426);
    expect(await response.text()).toBe('WebSocket only\n');
  });

  it('closes a client that sends garbage and keeps serving the others', async () => {
    const { url } = await start();
    const rude = connect(url, { origin: APP });
    const polite = connect(url, { origin: APP });
    await Promise.all([opened(rude), opened(polite)]);
    rude.socket.send(JSON.stringify({ type: 'auth', token: TOKEN }));
    polite.socket.send(JSON.stringify({ type: 'auth', token: TOKEN }));
    await until(() => rude.messages.length > 0);

    rude.socket.send('{"type": "rm -rf"}');
    const closed = await rude.closed;
    const seen = polite.messages.length;
    await until(() => polite.messages.length > seen + 1);

    expect(closed.code).toBe(4400);
    polite.socket.close();
  });

  it('keeps running when sampling fails', async () => {
    let calls = 0;
    const flaky: Monitor = {
      sample: () => {
        calls += 1;
        return calls % 2 === 1
          ? Promise.reject(new Error('probe exploded'))
          : Promise.resolve(frame(calls));
      },
    };
    const { url } = await start(flaky);
    const session = connect(url, { origin: APP });
    await opened(session);
    session.socket.send(JSON.stringify({ type: 'auth', token: TOKEN }));

    await until(() => session.messages.some((m) => m.type === 'telemetry'));

    expect(logLines.some((line) => line.includes('probe exploded'))).toBe(true);
    session.socket.close();
  });

  it('never writes the token to its log', async () => {
    const { url } = await start();
    const session = connect(url, { origin: APP });
    await opened(session);
    session.socket.send(JSON.stringify({ type: 'auth', token: TOKEN }));
    await until(() => session.messages.length > 0);
    session.socket.close();
    await session.closed;

    const bad = connect(url, { origin: 'https://evil.example' });
    await bad.closed;

    expect(logLines.length).toBeGreaterThan(2);
    expect(logLines.join('\n')).not.toContain(TOKEN);
  });
});

describe('pairing', () => {
  it('makes 43-character base64url tokens that differ each time', () => {
    const tokens = new Set(Array.from({ length: 20 }, createPairingToken));

    expect(tokens.size).toBe(20);
    for (const token of tokens) expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/); // 32 bytes
  });

  it.each([
    [TOKEN, TOKEN, true],
    [`${TOKEN}a`, TOKEN, false],
    [TOKEN.slice(1), TOKEN, false],
    ['', TOKEN, false],
    ['', '', false],
  ])('tokensMatch(%j, %j) is %s', (given, expected, result) => {
    expect(tokensMatch(given, expected)).toBe(result);
  });

  it('puts the agent URL and token in the link fragment only', () => {
    const link = pairingLink('http://127.0.0.1:3217/', 'ws://127.0.0.1:7420/agent', 'abc-_1');
    const url = new URL(link);

    expect(url.pathname).toBe('/fleet/');
    expect(url.search).toBe('');
    expect(new URLSearchParams(url.hash.slice(1)).get('token')).toBe('abc-_1');
    expect(new URLSearchParams(url.hash.slice(1)).get('agent')).toBe('ws://127.0.0.1:7420/agent');
  });

  it('draws the link as a terminal QR code', async () => {
    const qr = await pairingQr('http://127.0.0.1:3217/fleet/#token=x');

    expect(qr.split('\n').length).toBeGreaterThan(10);
    expect(qr).toMatch(/[▀▄█]/);
  });

  it.each([
    ['HTTP://127.0.0.1:3217/', 'http://127.0.0.1:3217'],
    ['https://app.example:443', 'https://app.example'],
    ['null', null],
    ['file:///x', null],
  ])('normaliseOrigin(%s) is %s', (origin, expected) => {
    expect(normaliseOrigin(origin)).toBe(expected);
  });

  it.each([
    ['127.0.0.1', 'IPv4', 'ws://127.0.0.1:7420/agent'],
    ['::1', 'IPv6', 'ws://[::1]:7420/agent'],
    ['0.0.0.0', 'IPv4', 'ws://127.0.0.1:7420/agent'],
    ['::', 'IPv6', 'ws://[::1]:7420/agent'],
    ['192.168.1.20', 'IPv4', 'ws://192.168.1.20:7420/agent'],
  ])('a server listening on %s (%s) is reached at %s', (address, family, expected) => {
    expect(agentUrlFor({ address, family, port: 7420 })).toBe(expected);
  });
});
