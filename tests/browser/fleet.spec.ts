// The fleet page against a real agent server on loopback: pairing, live telemetry, refusals.
import type { AddressInfo } from 'node:net';

import type { Page } from '@playwright/test';
import { WebSocketServer } from 'ws';

import { createLogger } from '../../agent/log.ts';
import { createMonitor } from '../../agent/monitor.ts';
import { createEngineHttp } from '../../agent/engines/http.ts';
import { readEngine } from '../../agent/engines/discover.ts';
import { predictEngineModels } from '../../agent/predict.ts';
import { probeInventory } from '../../agent/probes/inventory.ts';
import { NVIDIA_QUERY_ARGS } from '../../agent/probes/nvidia.ts';
import { createPairingToken, pairingLink } from '../../agent/pairing.ts';
import { startAgentServer } from '../../agent/server.ts';
import type { AgentServer } from '../../agent/server.ts';
import { installStandIns } from '../support/agent-stand-in.ts';
import type { StandIns } from '../support/agent-stand-in.ts';
import { startReplayServer } from '../support/replay-server.ts';
import type { ReplayServer } from '../support/replay-server.ts';
import { expect, screenshot, test } from './fixtures.ts';

const TOKEN = createPairingToken();

let standIns: StandIns;
let vllm: ReplayServer;
const agents: AgentServer[] = [];

async function startAgent(allowedOrigins: string[]): Promise<AgentServer> {
  const http = createEngineHttp();
  const monitor = createMonitor({
    probe: () =>
      probeInventory({
        run: standIns.run,
        host: {
          readMeminfo: () => Promise.resolve('MemTotal: 16777216 kB\nMemAvailable: 8388608 kB\n'),
          systemInfo: () => Promise.reject(new Error('not used here')),
          os: {
            hostname: 'test-node',
            platform: 'linux',
            arch: 'x64',
            cpuModel: 'cpu',
            threads: 2,
          },
        },
        now: Date.now,
      }),
    discover: () => Promise.resolve([{ engine: 'vllm', baseUrl: vllm.baseUrl }]),
    read: (target) => readEngine(http, target, Date.now),
    predict: predictEngineModels,
    now: Date.now,
    logger: createLogger('agent', { level: 'silent' }),
  });
  const agent = await startAgentServer({
    host: '127.0.0.1',
    port: 0,
    token: TOKEN,
    allowedOrigins,
    monitor,
    intervalMs: 300,
    agentVersion: '0.1.0',
    hostname: 'test-node',
    logger: createLogger('agent', { level: 'silent' }),
  });
  agents.push(agent);
  return agent;
}

test.beforeAll(async () => {
  standIns = installStandIns({
    'nvidia-smi': [
      { args: NVIDIA_QUERY_ARGS, stdoutFile: 'nvidia-smi-h100-mig.csv' },
      { args: ['-L'], stdoutFile: 'nvidia-smi-L-mig.txt' },
    ],
  });
  vllm = await startReplayServer({
    'GET /metrics': { file: 'vllm-metrics-current.txt', contentType: 'text/plain' },
    'GET /v1/models': { file: 'vllm-models.json' },
  });
});

test.afterAll(async () => {
  await Promise.all(agents.splice(0).map((agent) => agent.close()));
  await vllm.close();
  standIns.remove();
});

/** Opens a WebSocket server on loopback that is no agent: it runs `onMessage` on each text. */
async function startImpostor(onMessage: (send: (text: string) => void) => void) {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((r) => wss.once('listening', () => r()));
  wss.on('connection', (socket) => {
    socket.on('message', () => onMessage((text) => socket.send(text)));
  });
  const port = (wss.address() as AddressInfo).port;
  return {
    url: `ws://127.0.0.1:${port}/agent`,
    close: () =>
      new Promise<void>((r) => {
        for (const client of wss.clients) client.terminate();
        wss.close(() => r());
      }),
  };
}

/** Every WebSocket the page opens, by URL. */
function recordSockets(page: Page): string[] {
  const opened: string[] = [];
  page.on('websocket', (socket) => opened.push(socket.url()));
  return opened;
}

async function fillAndConnect(page: Page, url: string, token: string): Promise<void> {
  await page.getByTestId('agent-url').fill(url);
  await page.getByTestId('agent-token').fill(token);
  await page.getByTestId('agent-connect').click();
}

test('a pairing link fills in the form and connects only when the user confirms', async ({
  page,
  baseURL,
}) => {
  const agent = await startAgent([baseURL ?? '']);
  const sockets = recordSockets(page);
  const seen: string[] = [];
  page.on('console', (message) => seen.push(message.text()));
  page.on('request', (request) => seen.push(request.url()));
  const fragment = new URLSearchParams({ agent: agent.url, token: TOKEN }).toString();

  await page.goto(`/fleet/#${fragment}`);

  const confirm = page.getByTestId('pairing-confirm');
  await expect(confirm).toContainText(agent.url);
  expect(new URL(page.url()).hash).toBe('');
  await expect(page.getByTestId('agent-status')).toHaveAttribute('data-status', 'idle');
  await expect(page.getByTestId('agent-url')).toHaveValue(agent.url);
  await expect(page.getByTestId('remote-warning')).toHaveCount(0);
  expect(sockets).toEqual([]);

  await page.getByTestId('pairing-connect').click();

  await expect(page.getByTestId('agent-status')).toHaveAttribute('data-status', 'connected');
  await expect(confirm).toHaveCount(0);
  expect(sockets).toEqual([agent.url]);
  const devices = page.getByTestId('fleet-device');
  await expect(devices.filter({ hasText: 'NVIDIA H100 80GB HBM3' })).toHaveCount(2);
  await expect(devices.filter({ hasText: 'h100-sxm' }).first()).toBeVisible();
  await expect(page.getByTestId('fleet-engine')).toContainText('Qwen/Qwen2.5-7B-Instruct');
  const chart = page.getByTestId('fleet-chart');
  await expect(chart.locator('canvas')).toBeVisible();
  await expect
    .poll(async () => Number(await chart.getAttribute('data-points')))
    .toBeGreaterThanOrEqual(4);
  await expect(chart).toContainText('Dashed: what hwLedger predicts');
  // GPU 0 is a MIG parent reporting 0 B; GPU 1 holds 44.26 GiB, the busiest device
  await expect(chart.getByRole('img')).toHaveAttribute(
    'aria-label',
    /^GPU 1 memory in use over time, \d+ GiB to \d+ GiB$/,
  );
  const labels = ((await chart.getAttribute('data-y-labels')) ?? '').split(' | ');
  expect(labels.length).toBeGreaterThanOrEqual(3);
  expect(new Set(labels).size).toBe(labels.length);
  for (const label of labels) expect(label).toMatch(/^\d+(\.\d+)? (GiB|MiB)$/);
  expect(seen.filter((text) => text.includes(TOKEN))).toEqual([]);
  expect(page.url()).not.toContain(TOKEN);
  await expect(page.getByTestId('fleet-error')).toHaveCount(0);
  await screenshot(page, 'fleet');
});

test('a link to another machine warns and connects only after an explicit choice', async ({
  page,
}) => {
  const remoteUrl = 'ws://10.1.2.3:7420/agent';
  const attempts: string[] = [];
  await page.routeWebSocket(remoteUrl, (socket) => {
    attempts.push(socket.url());
    socket.onMessage(() => socket.close({ code: 4401, reason: 'wrong token' }));
  });
  await page.goto('/fleet/');
  await expect(page.getByTestId('agent-status')).toHaveAttribute('data-status', 'idle');

  await page.evaluate(
    (hash) => {
      window.location.hash = hash;
    },
    new URLSearchParams({ agent: remoteUrl, token: TOKEN }).toString(),
  );

  await expect(page.getByTestId('pairing-confirm')).toContainText(remoteUrl);
  await expect(page.getByTestId('remote-warning')).toContainText(
    '10.1.2.3:7420 is not this machine',
  );
  expect(new URL(page.url()).hash).toBe('');
  await page.getByTestId('pairing-connect').click();
  await expect(page.getByTestId('fleet-error')).toContainText(
    'names 10.1.2.3:7420, which is not this machine',
  );
  await expect(page.getByTestId('agent-status')).toHaveAttribute('data-status', 'idle');
  expect(attempts).toEqual([]);
  await screenshot(page, 'fleet-remote-link');

  await page.getByTestId('remote-confirm').check();
  await page.getByTestId('pairing-connect').click();

  await expect(page.getByTestId('fleet-error')).toContainText('refused the pairing token');
  expect(attempts).toEqual([remoteUrl]);
});

test('a damaged pairing link says what is missing and connects nowhere', async ({ page }) => {
  const sockets = recordSockets(page);

  await page.goto(`/fleet/#token=${TOKEN}`);

  await expect(page.getByTestId('fleet-error')).toContainText('This pairing link is incomplete');
  expect(new URL(page.url()).hash).toBe('');
  await expect(page.getByTestId('agent-token')).toHaveValue('');
  expect(sockets).toEqual([]);
});

test('one error box at a time: each failure replaces it, success clears it', async ({
  page,
  baseURL,
}) => {
  const agent = await startAgent([baseURL ?? '']);
  const closed = await startReplayServer({});
  const port = closed.port;
  await closed.close();
  await page.goto('/fleet/');
  const errors = page.locator('.error-box');

  await fillAndConnect(page, `ws://127.0.0.1:${port}/agent`, TOKEN);
  await expect(errors).toHaveCount(1);
  await expect(errors).toContainText('No agent answered');

  await fillAndConnect(page, agent.url, '');
  await expect(errors).toContainText('Paste the token');
  await expect(errors).toHaveCount(1);

  await fillAndConnect(page, agent.url, `${TOKEN}-wrong`);
  await expect(errors).toContainText('refused the pairing token');
  await expect(errors).toHaveCount(1);
  await expect(page.getByTestId('fleet-devices')).toHaveCount(0);

  await fillAndConnect(page, agent.url, TOKEN);
  await expect(page.getByTestId('agent-status')).toHaveAttribute('data-status', 'connected');
  await expect(errors).toHaveCount(0);
});

test('a whole pairing link pasted into the address field connects with its token', async ({
  page,
  baseURL,
}) => {
  const agent = await startAgent([baseURL ?? '']);
  const link = pairingLink(baseURL ?? '', agent.url, TOKEN);
  await page.goto('/fleet/');

  await fillAndConnect(page, link, '');

  await expect(page.getByTestId('agent-status')).toHaveAttribute('data-status', 'connected');
  await expect(page.getByTestId('agent-url')).toHaveValue(agent.url);
  await expect(page.getByTestId('fleet-error')).toHaveCount(0);
});

test('a page from an origin the agent does not allow is refused', async ({ page, baseURL }) => {
  const agent = await startAgent(['http://127.0.0.1:1']);
  await page.goto('/fleet/');

  await fillAndConnect(page, agent.url, TOKEN);

  await expect(page.getByTestId('fleet-error')).toContainText(
    `does not accept pages from ${baseURL ?? ''}`,
  );
  await expect(page.getByTestId('fleet-devices')).toHaveCount(0);
});

test('a server that is no agent is named as such instead of crashing the page', async ({
  page,
}) => {
  const chatty = await startImpostor((send) => send('hello from something else'));
  const silent = await startImpostor(() => undefined);
  await page.goto('/fleet/');

  await fillAndConnect(page, chatty.url, TOKEN);
  await expect(page.getByTestId('fleet-error')).toContainText('does not understand');

  await fillAndConnect(page, silent.url, TOKEN);
  await expect(page.getByTestId('agent-status')).toHaveAttribute('data-status', 'connecting');
  await expect(page.getByTestId('fleet-error')).toHaveCount(0);
  await expect(page.getByTestId('fleet-error')).toContainText('No agent answered', {
    timeout: 15_000,
  });
  await expect(page.getByTestId('agent-status')).toHaveAttribute('data-status', 'refused');

  await chatty.close();
  await silent.close();
});
