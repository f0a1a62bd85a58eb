import { spawn } from 'node:child_process';
import { resolve } from 'node:path';

import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';

import { runAgent } from '../../../agent/cli.ts';
import type { AgentOptions } from '../../../agent/cli.ts';
import type { Monitor } from '../../../agent/monitor.ts';
import type { AgentMessage, TelemetryFrame } from '../../../agent/protocol.ts';
import { main } from '../../../cli/main.ts';
import type { Output } from '../../../cli/output.ts';

const REPO = resolve(import.meta.dirname, '../../..');
const TOKEN = 'test-token-0123456789abcdefghijklmnopqrstu';

function capture(): Output & { stdout: () => string; stderr: () => string } {
  let out = '';
  let err = '';
  return {
    out: (text) => {
      out += text;
    },
    err: (text) => {
      err += text;
    },
    stdout: () => out,
    stderr: () => err,
  };
}

const FRAME: TelemetryFrame = {
  capturedAtMs: 42,
  inventory: {
    host: {
      hostname: 'node-1',
      platform: 'linux',
      arch: 'x64',
      cpuModel: 'cpu',
      cpuThreads: 2,
      cpuPhysicalCores: 2,
      memoryTotalBytes: 1024,
      memoryAvailableBytes: 512,
      source: 'proc-meminfo',
    },
    devices: [],
    warnings: [],
    capturedAtMs: 42,
  },
  engines: [],
  predictions: [],
};

const monitor: Monitor = { sample: () => Promise.resolve(FRAME) };

function options(overrides: Partial<AgentOptions> = {}): AgentOptions {
  return {
    port: 0,
    host: '127.0.0.1',
    logLevel: 'debug',
    interval: 100,
    context: 4096,
    sequences: 1,
    ...overrides,
  };
}

describe('runAgent', () => {
  it('prints one JSON inventory frame with --once --json', async () => {
    const output = capture();

    await runAgent(options({ once: true, json: true }), {
      output,
      monitor,
      waitForStop: () => Promise.resolve('test'),
    });

    expect(JSON.parse(output.stdout())).toEqual(FRAME);
  });

  it('serves until stopped, with the token on stdout and never in the log', async () => {
    const output = capture();
    let stop: (signal: string) => void = () => undefined;
    const stopped = new Promise<string>((resolveStop) => {
      stop = resolveStop;
    });

    const running = runAgent(options({ allowOrigin: ['http://127.0.0.1:3217'] }), {
      output,
      monitor,
      token: TOKEN,
      waitForStop: () => stopped,
    });
    while (!output.stdout().includes('pairing token')) await new Promise((r) => setTimeout(r, 10));
    const url = /on (ws:\/\/\S+)/.exec(output.stdout())?.[1] ?? '';

    const socket = new WebSocket(url, { origin: 'http://127.0.0.1:3217' });
    const first = await new Promise<AgentMessage>((resolveMessage) => {
      socket.on('open', () => socket.send(JSON.stringify({ type: 'auth', token: TOKEN })));
      socket.on('message', (data) => resolveMessage(JSON.parse(String(data)) as AgentMessage));
    });
    const closed = new Promise<number>((r) => socket.on('close', (code) => r(code)));
    stop('SIGINT');
    await running;

    expect(first.type).toBe('hello');
    expect(await closed).toBe(1006); // terminated by the shutdown
    expect(output.stdout()).toContain(`pairing token: ${TOKEN}`);
    expect(output.stdout()).toContain('/fleet/#agent=ws%3A%2F%2F127.0.0.1');
    expect(output.stderr()).toContain('stopping');
    expect(output.stderr()).not.toContain(TOKEN);
    await expect(fetch(url.replace('ws:', 'http:'))).rejects.toThrow();
  });
});

describe('hwledger agent options', () => {
  it.each([
    [['agent', '--port', 'abc'], /--port must be an integer/],
    [['agent', '--engine', 'vllm=http://10.0.0.5:8000'], /--engine must be <kind>=<loopback URL>/],
    [['agent', '--engine', 'nginx=http://127.0.0.1:80'], /kind one of llama.cpp, ollama/],
    [['agent', '--allow-origin', 'not a url'], /--allow-origin must be a URL/],
    [['agent', '--log-level', 'loud'], /--log-level must be one of/],
  ])('rejects %j', async (args, message) => {
    const output = capture();

    const code = await main(args, output);

    expect(code).toBeGreaterThan(0);
    expect(output.stderr()).toMatch(message);
  });

  it('exits 1 with a reason when --measure gets a file that is not a GGUF', async () => {
    const output = capture();

    const code = await main(
      ['agent', '--measure', resolve(REPO, 'package.json'), '--json'],
      output,
    );

    expect(code).toBe(1);
    expect(JSON.parse(output.stdout())).toMatchObject({ ok: false, stage: 'read' });
  });
});

describe('the agent process', () => {
  it('closes its server and exits 0 on SIGINT', async () => {
    const child = spawn(
      process.execPath,
      [
        resolve(REPO, 'bin/hwledger.mjs'),
        'agent',
        '--port',
        '0',
        '--json',
        '--engine',
        'llama.cpp=http://127.0.0.1:9',
      ],
      { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    while (!stdout.includes('\n')) await new Promise((r) => setTimeout(r, 20));
    const started = JSON.parse(stdout.split('\n')[0] ?? '{}') as { url: string; token: string };

    child.kill('SIGINT');

    expect(await exited).toBe(0);
    expect(started.url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/agent$/);
    expect(started.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    await expect(fetch(started.url.replace('ws:', 'http:'))).rejects.toThrow();
  });
});
