import { afterEach, describe, expect, it } from 'vitest';

import { createEngineHttp } from '../../../agent/engines/http.ts';
import { readLlamaCpp } from '../../../agent/engines/llamacpp.ts';
import { startReplayServer } from '../../support/replay-server.ts';
import type { ReplayServer, Route } from '../../support/replay-server.ts';

const http = createEngineHttp({ timeoutMs: 2_000 });
const now = () => 1_000;
let server: ReplayServer | null = null;

afterEach(async () => {
  await server?.close();
  server = null;
});

async function read(routes: Record<string, Route>) {
  server = await startReplayServer(routes);
  return readLlamaCpp(http, server.baseUrl, now);
}

const PROPS = { file: 'llamacpp-props.json' };
const SLOTS = { file: 'llamacpp-slots.json' };

describe('readLlamaCpp', () => {
  it('reads the model, context per slot and build from /props', async () => {
    const snapshot = await read({ 'GET /props': PROPS });

    expect(snapshot).toMatchObject({
      engine: 'llama.cpp',
      reachable: true,
      version: 'b5500-a1b2c3d4',
      parallelSequences: 1,
      kvCapacityTokens: 1024, // n_ctx 1024 x 1 slot
    });
    expect(snapshot.models).toEqual([
      expect.objectContaining({
        name: 'Meta-Llama-3.1-8B-Instruct-Q4_K_M.gguf',
        contextTokens: 1024,
      }),
    ]);
  });

  it('reads the counters of a current build, which has no KV metrics', async () => {
    const snapshot = await read({
      'GET /props': PROPS,
      'GET /metrics': { file: 'llamacpp-metrics-current.txt', contentType: 'text/plain' },
    });

    expect(snapshot).toMatchObject({
      promptTokensTotal: 143,
      generatedTokensTotal: 673,
      kvUsageRatio: null,
      kvUsedTokens: null,
      generationTokensPerSecond: null,
    });
  });

  it('reads the KV gauges an older build still emits', async () => {
    const snapshot = await read({
      'GET /props': PROPS,
      'GET /metrics': { file: 'llamacpp-metrics-older.txt', contentType: 'text/plain' },
    });

    expect(snapshot).toMatchObject({
      kvUsageRatio: 0.25,
      kvUsedTokens: 256,
      requestsRunning: 1,
      requestsWaiting: 0,
      generationTokensPerSecond: 22.75,
      promptTokensPerSecond: 250.5,
    });
  });

  it('counts busy slots and total cells from /slots when /metrics is off', async () => {
    const snapshot = await read({
      'GET /props': PROPS,
      'GET /slots': SLOTS,
      'GET /metrics': { status: 501, body: '{"error":"metrics disabled"}' },
    });

    expect(snapshot).toMatchObject({
      requestsRunning: 1, // slot 1 is processing
      kvCapacityTokens: 2 * 65536, // two slots of 65536 cells
      kvUsageRatio: null, // these slots carry no n_prompt_tokens
    });
    expect(snapshot.warnings).toContainEqual(
      expect.objectContaining({ code: 'endpoint_unavailable', endpoint: '/metrics' }),
    );
  });

  it('estimates KV use from slot prompt and decoded tokens where slots give them', async () => {
    const slots = JSON.stringify([
      {
        id: 0,
        n_ctx: 4096,
        is_processing: true,
        n_prompt_tokens: 900,
        next_token: { n_decoded: 124 },
      },
      { id: 1, n_ctx: 4096, is_processing: false, n_prompt_tokens: 0 },
    ]);

    const snapshot = await read({ 'GET /slots': { body: slots } });

    expect(snapshot.kvUsedTokens).toBe(900 + 124);
    expect(snapshot.kvUsageRatio).toBe((900 + 124) / (2 * 4096));
  });

  it('survives garbage on every endpoint and says so', async () => {
    const snapshot = await read({
      'GET /props': { body: '<html>502 Bad Gateway</html>', contentType: 'text/html' },
      'GET /slots': { body: '{"n_ctx": "lots"}' },
      'GET /metrics': { body: '\u0000\u0001binary', contentType: 'text/plain' },
    });

    expect(snapshot.reachable).toBe(true);
    expect(snapshot.models).toEqual([]);
    expect(snapshot.kvCapacityTokens).toBeNull();
    expect(snapshot.warnings.map((warning) => [warning.code, warning.endpoint])).toEqual([
      ['unparsable_response', '/props'],
      ['unparsable_response', '/metrics'],
    ]);
  });

  it('rejects impossible values one by one, keeping the rest', async () => {
    const props = JSON.stringify({ default_generation_settings: { n_ctx: -5 }, total_slots: 2.5 });
    const metrics = 'llamacpp:kv_cache_usage_ratio 3.5\nllamacpp:tokens_predicted_total 10\n';

    const snapshot = await read({
      'GET /props': { body: props },
      'GET /metrics': { body: metrics, contentType: 'text/plain' },
    });

    expect(snapshot).toMatchObject({
      parallelSequences: null,
      kvUsageRatio: null,
      generatedTokensTotal: 10,
    });
    expect(snapshot.warnings.filter((w) => w.code === 'value_out_of_range')).toHaveLength(3);
  });

  it('reports an engine that does not answer as unreachable', async () => {
    server = await startReplayServer({});
    const port = server.port;
    await server.close();
    server = null;

    const snapshot = await readLlamaCpp(http, `http://127.0.0.1:${port}`, now);

    expect(snapshot.reachable).toBe(false);
    expect(snapshot.warnings.every((w) => w.code === 'endpoint_unavailable')).toBe(true);
  });
});
