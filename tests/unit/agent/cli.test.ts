import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
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
      stdoutIsTerminal: false,
      monitor,
      waitForStop: () => Promise.resolve('test'),
    });

    expect(JSON.parse(output.stdout())).toEqual(FRAME);
  });

  it('prints the --once inventory in GiB as text', async () => {
    const output = capture();
    const host = { ...FRAME.inventory.host, memoryTotalBytes: 16 * 2 ** 30 };

    await runAgent(options({ once: true }), {
      output,
      stdoutIsTerminal: false,
      monitor: {
        sample: () => Promise.resolve({ ...FRAME, inventory: { ...FRAME.inventory, host } }),
      },
      waitForStop: () => Promise.resolve('test'),
    });

    expect(output.stdout()).toBe('node-1: cpu, 2 threads, 16.00 GiB RAM\n');
  });

  it('accepts pages from the --app-url origin, which its pairing link opens', async () => {
    const output = capture();
    let stop: (signal: string) => void = () => undefined;
    const stopped = new Promise<string>((resolveStop) => {
      stop = resolveStop;
    });
    const running = runAgent(options({ json: true, appUrl: 'http://127.0.0.1:4555/hw' }), {
      output,
      stdoutIsTerminal: false,
      monitor,
      token: TOKEN,
      waitForStop: () => stopped,
    });
    while (!output.stdout().includes('\n')) await new Promise((r) => setTimeout(r, 10));
    const started = JSON.parse(output.stdout()) as { url: string; pairingLink: string };

    const socket = new WebSocket(started.url, { origin: 'http://127.0.0.1:4555' });
    const first = await new Promise<AgentMessage>((resolveMessage) => {
      socket.on('open', () => socket.send(JSON.stringify({ type: 'auth', token: TOKEN })));
      socket.on('message', (data) => resolveMessage(JSON.parse(String(data)) as AgentMessage));
    });
    stop('SIGINT');
    await running;

    expect(first.type).toBe('hello');
    expect(started.pairingLink).toMatch(/^http:\/\/127\.0\.0\.1:4555\/hw\/fleet\/#agent=/);
  });

  it('accepts the app on any loopback port by default and links to port 3000', async () => {
    const output = capture();
    let stop: (signal: string) => void = () => undefined;
    const stopped = new Promise<string>((resolveStop) => {
      stop = resolveStop;
    });
    const running = runAgent(options({ json: true }), {
      output,
      stdoutIsTerminal: false,
      monitor,
      token: TOKEN,
      waitForStop: () => stopped,
    });
    while (!output.stdout().includes('\n')) await new Promise((r) => setTimeout(r, 10));
    const started = JSON.parse(output.stdout()) as { url: string; pairingLink: string };

    const firstType = (origin: string) =>
      new Promise<string>((resolveType) => {
        const socket = new WebSocket(started.url, { origin });
        socket.on('open', () => socket.send(JSON.stringify({ type: 'auth', token: TOKEN })));
        socket.on('message', (data) => {
          resolveType((JSON.parse(String(data)) as AgentMessage).type);
          socket.close();
        });
        socket.on('close', (code) => resolveType(`closed ${code}`));
      });
    const fromPort3411 = await firstType('http://127.0.0.1:3411');
    const fromLocalhost = await firstType('http://localhost:8080');
    const fromElsewhere = await firstType('https://evil.example');
    stop('SIGINT');
    await running;

    expect([fromPort3411, fromLocalhost, fromElsewhere]).toEqual(['hello', 'hello', 'closed 4403']);
    expect(started.pairingLink).toMatch(/^http:\/\/127\.0\.0\.1:3000\/fleet\/#agent=/);
  });

  it('serves until stopped, with the token on stdout and never in the log', async () => {
    const output = capture();
    let stop: (signal: string) => void = () => undefined;
    const stopped = new Promise<string>((resolveStop) => {
      stop = resolveStop;
    });

    const running = runAgent(options({ allowOrigin: ['http://127.0.0.1:3217'] }), {
      output,
      stdoutIsTerminal: false,
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

/** Runs a serving agent until its pairing text is printed, stops it, returns what it printed. */
async function servedOnce(
  overrides: Partial<AgentOptions>,
  stdoutIsTerminal: boolean,
): Promise<string> {
  const output = capture();
  let stop: (signal: string) => void = () => undefined;
  const stopped = new Promise<string>((resolveStop) => {
    stop = resolveStop;
  });
  const running = runAgent(options(overrides), {
    output,
    stdoutIsTerminal,
    monitor,
    token: TOKEN,
    waitForStop: () => stopped,
  });
  while (!output.stdout().includes('open: ') && !output.stdout().includes('"pairingLink"')) {
    await new Promise((r) => setTimeout(r, 10));
  }
  stop('SIGINT');
  await running;
  return output.stdout();
}

describe('the pairing text', () => {
  it('is three plain lines without ANSI escapes when stdout is not a terminal', async () => {
    const stdout = await servedOnce({ appUrl: 'http://127.0.0.1:3217' }, false);

    const lines = stdout.trimEnd().split('\n');
    expect(stdout).not.toContain('\u001b');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^hwLedger agent on ws:\/\/127\.0\.0\.1:\d+\/agent$/);
    expect(lines[1]).toBe(`pairing token: ${TOKEN}`);
    expect(lines[2]).toMatch(
      new RegExp(`^open: http://127\\.0\\.0\\.1:3217/fleet/#agent=ws%3A.+&token=${TOKEN}$`),
    );
  });

  it('adds the QR code (ANSI blocks) and how to stop when stdout is a terminal', async () => {
    const stdout = await servedOnce({}, true);

    expect(stdout).toContain(`pairing token: ${TOKEN}`);
    expect(stdout).toContain('\u001b[');
    expect(stdout).toContain('Ctrl+C stops the agent.');
  });

  it('is one JSON line with url, token and pairing link under --json, terminal or not', async () => {
    const stdout = await servedOnce({ json: true }, true);

    const lines = stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    const parsed = JSON.parse(lines[0] ?? '') as Record<string, string>;
    expect(Object.keys(parsed)).toEqual(['url', 'token', 'pairingLink']);
    expect(parsed.token).toBe(TOKEN);
    expect(parsed.pairingLink).toContain(`&token=${TOKEN}`);
    expect(stdout).not.toContain('\u001b');
  });
});

describe('hwledger agent options', () => {
  it.each([
    [['agent', '--port', 'abc'], /--port must be an integer from 0 to 65535, got "abc"/],
    [['agent', '--port', ''], /--port must be an integer from 0 to 65535, got ""/],
    [['agent', '--port', '0x10'], /--port must be an integer from 0 to 65535, got "0x10"/],
    [['agent', '--port', '1e3'], /--port must be an integer from 0 to 65535, got "1e3"/],
    [['agent', '--port', '70000'], /--port must be an integer from 0 to 65535, got "70000"/],
    [['agent', '--interval', '2.5'], /--interval must be an integer from 100 to 600000/],
    [['agent', '--host', ''], /--host must be an interface address/],
    [['agent', '--app-url', 'notaurl'], /--app-url must be the app's http\(s\) address/],
    [['agent', '--app-url', 'ftp://127.0.0.1/'], /--app-url must be the app's http\(s\) address/],
    [['agent', '--allow-origin', 'localhost:3000'], /--allow-origin must be an http\(s\) URL/],
    [['agent', '--engine', 'vllm=http://10.0.0.5:8000'], /--engine must be <kind>=<loopback URL>/],
    [['agent', '--engine', 'nginx=http://127.0.0.1:80'], /kind one of llama.cpp, ollama/],
    [['agent', '--allow-origin', 'not a url'], /--allow-origin must be an http\(s\) URL/],
    [['agent', '--allow-origin', 'ftp://10.0.0.2:*'], /or a pattern such as http:\/\/192/],
    [['agent', '--log-level', 'loud'], /--log-level must be one of/],
    [['agent', '--once', '--measure', 'x.gguf'], /'--once' cannot be used with option '--measure/],
  ])('rejects %j', async (args, message) => {
    const output = capture();

    const code = await main(args, output);

    expect(code).toBeGreaterThan(0);
    expect(output.stderr()).toMatch(message);
  });

  it('shows examples and how to stop the agent under --help', async () => {
    const output = capture();

    const code = await main(['agent', '--help'], output);

    expect(code).toBe(0);
    expect(output.stdout()).toContain('Usage: hwledger agent [options]');
    expect(output.stdout()).toContain('hwledger agent --port 0 --json');
    expect(output.stdout()).toContain('Ctrl+C stops the');
  });

  it('says which port is in use and what to do, in one line, when the port is taken', async () => {
    const holder = createServer();
    await new Promise<void>((r) => holder.listen(0, '127.0.0.1', r));
    const port = (holder.address() as AddressInfo).port;
    const output = capture();

    const code = await main(['agent', '--port', String(port), '--log-level', 'silent'], output);
    await new Promise<void>((r) => holder.close(() => r()));

    expect(code).toBe(1);
    expect(output.stderr()).toBe(
      `hwledger: port ${port} on 127.0.0.1 is already in use (another agent?): stop it, ` +
        'or choose another with --port (--port 0 picks a free one)\n',
    );
    expect(output.stdout()).toBe('');
  });

  it('names a --measure file that does not exist, and nothing else', async () => {
    const output = capture();

    const code = await main(['agent', '--measure', resolve(REPO, 'no-such.gguf')], output);

    expect(code).toBe(1);
    expect(output.stdout()).toBe('');
    expect(output.stderr()).toBe(
      `hwledger: --measure must name a GGUF file; there is no file at ` +
        `"${resolve(REPO, 'no-such.gguf')}"\n`,
    );
  });

  it('says which step failed for a file that is not a GGUF, not that the numbers disagree', async () => {
    const output = capture();

    const code = await main(['agent', '--measure', resolve(REPO, 'package.json')], output);

    expect(code).toBe(1);
    expect(output.stdout()).toBe('');
    expect(output.stderr()).toMatch(/^hwledger: --measure could not compare ".*package\.json"/);
    expect(output.stderr()).toContain('(read step): not a valid gguf file');
    expect(output.stderr()).not.toContain('does not match');
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

/** Starts `hwledger agent` with stdout piped (not a terminal), the way `| cat` runs it. */
function spawnAgent(args: string[]) {
  const child = spawn(process.execPath, [resolve(REPO, 'bin/hwledger.mjs'), 'agent', ...args], {
    cwd: REPO,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  return { child, exited, stdout: () => stdout };
}

describe('the agent process', () => {
  it('prints the pairing link as plain text, without the ANSI QR code, into a pipe', async () => {
    const agent = spawnAgent(['--port', '0', '--engine', 'llama.cpp=http://127.0.0.1:9']);
    while (!agent.stdout().includes('open: ')) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 200));

    agent.child.kill('SIGINT');

    expect(await agent.exited).toBe(0);
    expect(agent.stdout()).not.toContain('\u001b');
    expect(agent.stdout().trimEnd().split('\n')).toHaveLength(3);
    expect(agent.stdout()).toMatch(/^pairing token: [A-Za-z0-9_-]{43}$/m);
  });

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
