// The fleet page against a real agent server on loopback: live devices and chart, refusals.
import { createLogger } from '../../agent/log.ts';
import { createMonitor } from '../../agent/monitor.ts';
import { createEngineHttp } from '../../agent/engines/http.ts';
import { readEngine } from '../../agent/engines/discover.ts';
import { predictEngineModels } from '../../agent/predict.ts';
import { probeInventory } from '../../agent/probes/inventory.ts';
import { NVIDIA_QUERY_ARGS } from '../../agent/probes/nvidia.ts';
import { createPairingToken } from '../../agent/pairing.ts';
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

test('a pairing link connects the fleet page and draws live telemetry', async ({
  page,
  baseURL,
}) => {
  const agent = await startAgent([baseURL ?? '']);
  const fragment = new URLSearchParams({ agent: agent.url, token: TOKEN }).toString();

  await page.goto(`/fleet/#${fragment}`);

  await expect(page.getByTestId('agent-status')).toHaveAttribute('data-status', 'connected');
  expect(new URL(page.url()).hash).toBe('');
  const devices = page.getByTestId('fleet-device');
  await expect(devices.filter({ hasText: 'NVIDIA H100 80GB HBM3' })).toHaveCount(2);
  await expect(devices.filter({ hasText: 'h100-sxm' }).first()).toBeVisible();
  await expect(page.getByTestId('fleet-engine')).toContainText('Qwen/Qwen2.5-7B-Instruct');
  await expect(page.getByTestId('fleet-chart').locator('canvas')).toBeVisible();
  await expect
    .poll(async () => Number(await page.getByTestId('fleet-chart').getAttribute('data-points')))
    .toBeGreaterThanOrEqual(4);
  await expect(page.getByTestId('fleet-chart')).toContainText('Dashed: what hwLedger predicts');
  await screenshot(page, 'fleet');
});

test('a wrong token is refused with a clear message', async ({ page, baseURL }) => {
  const agent = await startAgent([baseURL ?? '']);
  await page.goto('/fleet/');

  await page.getByTestId('agent-url').fill(agent.url);
  await page.getByTestId('agent-token').fill(`${TOKEN}-wrong`);
  await page.getByTestId('agent-connect').click();

  await expect(page.getByTestId('agent-refused')).toContainText('refused the pairing token');
  await expect(page.getByTestId('fleet-devices')).toHaveCount(0);
});

test('a page from an origin the agent does not allow is refused', async ({ page, baseURL }) => {
  const agent = await startAgent(['http://127.0.0.1:1']);
  await page.goto('/fleet/');

  await page.getByTestId('agent-url').fill(agent.url);
  await page.getByTestId('agent-token').fill(TOKEN);
  await page.getByTestId('agent-connect').click();

  await expect(page.getByTestId('agent-refused')).toContainText(
    `does not accept pages from ${baseURL ?? ''}`,
  );
  await expect(page.getByTestId('fleet-devices')).toHaveCount(0);
});

test('an address where no agent listens says so', async ({ page }) => {
  const closed = await startReplayServer({});
  const port = closed.port;
  await closed.close();
  await page.goto('/fleet/');

  await page.getByTestId('agent-url').fill(`ws://127.0.0.1:${port}/agent`);
  await page.getByTestId('agent-token').fill(TOKEN);
  await page.getByTestId('agent-connect').click();

  await expect(page.getByTestId('agent-refused')).toContainText('No agent answered');
});
