import { afterEach, describe, expect, it } from 'vitest';

import { discoverEngines, identifyEngine, readEngine } from '../../../agent/engines/discover.ts';
import { createEngineHttp, isLoopbackUrl } from '../../../agent/engines/http.ts';
import { metricSum, parsePrometheus } from '../../../agent/engines/prometheus.ts';
import { withRates } from '../../../agent/engines/rates.ts';
import { emptySnapshot } from '../../../agent/engines/types.ts';
import type { EngineKind } from '../../../agent/engines/types.ts';
import { startReplayServer } from '../../support/replay-server.ts';
import type { ReplayServer, Route } from '../../support/replay-server.ts';

const http = createEngineHttp({ timeoutMs: 1_000 });
const ALL: EngineKind[] = ['llama.cpp', 'ollama', 'vllm', 'tgi', 'mistral.rs', 'mlx-lm'];
const servers: ReplayServer[] = [];

afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function serve(routes: Record<string, Route>): Promise<ReplayServer> {
  const server = await startReplayServer(routes);
  servers.push(server);
  return server;
}

const ENGINES: [EngineKind, Record<string, Route>][] = [
  ['llama.cpp', { 'GET /props': { file: 'llamacpp-props.json' } }],
  ['ollama', { 'GET /api/version': { file: 'ollama-version.json' } }],
  ['vllm', { 'GET /v1/models': { file: 'vllm-models.json' } }],
  ['tgi', { 'GET /info': { file: 'tgi-info.json' } }],
  ['mistral.rs', { 'GET /v1/models': { file: 'mistralrs-models.json' } }],
  [
    'mlx-lm',
    {
      'GET /v1/models': { file: 'mlx-lm-models.json' },
      'GET /health': { file: 'mlx-lm-health.json' },
    },
  ],
];

describe('identifyEngine', () => {
  it.each(ENGINES)('recognises %s among all candidates', async (engine, routes) => {
    const server = await serve(routes);

    await expect(identifyEngine(http, server.baseUrl, ALL)).resolves.toBe(engine);
  });

  it('recognises nothing in a web page that happens to sit on 8080', async () => {
    const server = await serve({ 'GET /': { body: '<html></html>', contentType: 'text/html' } });

    await expect(identifyEngine(http, server.baseUrl, ALL)).resolves.toBeNull();
  });
});

describe('discoverEngines', () => {
  it('finds the engines on their ports and skips closed ones', async () => {
    const llama = await serve(ENGINES[0]?.[1] ?? {});
    const vllm = await serve({
      'GET /v1/models': { body: '{"data":[]}' },
      'GET /metrics': { file: 'vllm-metrics-current.txt', contentType: 'text/plain' },
    });
    const closed = await serve({});
    const closedPort = closed.port;
    await closed.close();

    const found = await discoverEngines(http, {
      ports: [
        { port: llama.port, engines: ['llama.cpp', 'tgi'] },
        { port: vllm.port, engines: ['vllm'] },
        { port: closedPort, engines: ['ollama'] },
      ],
    });

    expect(found).toEqual([
      { engine: 'llama.cpp', baseUrl: llama.baseUrl },
      { engine: 'vllm', baseUrl: vllm.baseUrl },
    ]);
  });

  it('reads each found engine with its own bridge', async () => {
    const tgi = await serve({ 'GET /info': { file: 'tgi-info.json' } });

    const snapshot = await readEngine(http, { engine: 'tgi', baseUrl: tgi.baseUrl }, () => 7);

    expect(snapshot).toMatchObject({ engine: 'tgi', capturedAtMs: 7, kvCapacityTokens: 47920 });
  });
});

describe('engine HTTP client', () => {
  it.each([
    ['http://127.0.0.1:8080/metrics', true],
    ['http://localhost:11434/api/ps', true],
    ['http://[::1]:8000/metrics', true],
    ['http://127.8.9.10:1/x', true],
    ['http://192.168.1.20:8080/metrics', false],
    ['http://example.com/metrics', false],
    ['file:///etc/passwd', false],
    ['not a url', false],
  ])('isLoopbackUrl(%s) is %s', (url, expected) => {
    expect(isLoopbackUrl(url)).toBe(expected);
  });

  it('refuses a non-loopback URL without sending anything', async () => {
    const result = await http.get('http://192.0.2.1:8080/metrics');

    expect(result).toEqual({ ok: false, status: null, reason: 'not a loopback URL' });
  });

  it('refuses a body over its size limit', async () => {
    const server = await serve({ 'GET /metrics': { body: 'x'.repeat(5000) } });
    const small = createEngineHttp({ maxBytes: 1000 });

    const result = await small.get(`${server.baseUrl}/metrics`);

    expect(result).toMatchObject({ ok: false, reason: 'body too large' });
  });

  it('gives up on an engine slower than its timeout', async () => {
    const server = await serve({ 'GET /props': { body: '{}', delayMs: 1_000 } });
    const impatient = createEngineHttp({ timeoutMs: 100 });

    const result = await impatient.get(`${server.baseUrl}/props`);

    expect(result.ok).toBe(false);
  });
});

describe('parsePrometheus', () => {
  it('reads labels with escaped quotes and skips comments, garbage and NaN', () => {
    const metrics = parsePrometheus(
      [
        '# HELP x y',
        'a{l="say \\"hi\\"",m="2"} 1.5 1700000000000',
        'garbage line',
        'a{l="other"} 2',
        'b NaN',
        'c +Inf',
      ].join('\n'),
    );

    expect(metrics.get('a')).toEqual([
      { labels: { l: 'say \\"hi\\"', m: '2' }, value: 1.5 },
      { labels: { l: 'other' }, value: 2 },
    ]);
    expect(metricSum(metrics, ['missing', 'a'])).toBe(3.5);
    expect(metrics.has('b')).toBe(false);
    expect(metrics.has('c')).toBe(false);
  });
});

describe('withRates', () => {
  function snapshot(atMs: number, generated: number | null) {
    return {
      ...emptySnapshot('vllm', 'http://127.0.0.1:8000', atMs),
      generatedTokensTotal: generated,
      generationTokensPerSecond: 9,
    };
  }

  it('divides counter growth by the time between reads', () => {
    const rated = withRates(snapshot(1_000, 100), snapshot(3_000, 180));

    expect(rated.generationTokensPerSecond).toBe((180 - 100) / 2); // 80 tokens in 2 s
  });

  it.each([
    ['a first read', null, snapshot(3_000, 180)],
    ['a counter that went back (restart)', snapshot(1_000, 500), snapshot(3_000, 20)],
    ['a missing counter', snapshot(1_000, null), snapshot(3_000, 20)],
  ])('keeps the engine gauge after %s', (_label, previous, next) => {
    expect(withRates(previous, next).generationTokensPerSecond).toBe(9);
  });
});
