// `hwledger agent`: probe once, measure a GGUF, or serve telemetry to the fleet page.

import { stat } from 'node:fs/promises';

import type { Command } from 'commander';
import { Option } from 'commander';

import { CliError } from '../cli/output.ts';
import type { Output } from '../cli/output.ts';
import { discoverEngines, readEngine } from './engines/discover.ts';
import type { EngineTarget } from './engines/discover.ts';
import { createEngineHttp, isLoopbackUrl } from './engines/http.ts';
import { ENGINE_KINDS } from './engines/types.ts';
import type { EngineKind } from './engines/types.ts';
import { compareWithLlamaCpp } from './llama-run.ts';
import type { LlamaRunReport } from './llama-run.ts';
import { createLogger, isLogLevel, LOG_LEVELS } from './log.ts';
import type { Logger, LogLevel } from './log.ts';
import { createMonitor } from './monitor.ts';
import type { Monitor } from './monitor.ts';
import { createPairingToken, pairingLink, pairingQr } from './pairing.ts';
import { predictEngineModels } from './predict.ts';
import { defaultHostSources } from './probes/host.ts';
import { probeInventory } from './probes/inventory.ts';
import { isOriginRule, LOOPBACK_APP_ORIGINS } from './origins.ts';
import { createProcessRunner } from './process.ts';
import { isLoopbackHost, startAgentServer } from './server.ts';

const AGENT_VERSION = '0.1.0';

/** Options of `hwledger agent` as commander parses them. */
export interface AgentOptions {
  port: number;
  host: string;
  allowOrigin?: string[];
  appUrl?: string;
  json?: boolean;
  once?: boolean;
  logLevel: LogLevel;
  interval: number;
  engine?: EngineTarget[];
  measure?: string;
  context: number;
  sequences: number;
}

/** What the agent touches besides its options; tests replace the parts they need. */
export interface AgentEnvironment {
  output: Output;
  /**
   * Whether stdout is a terminal: only then is the pairing QR code drawn, since its ANSI
   * escapes are noise in a file or a pipe.
   */
  stdoutIsTerminal: boolean;
  /** Resolves with the signal name when the user asks the agent to stop. */
  waitForStop: () => Promise<string>;
  /** A monitor to serve; the real one probes this machine. */
  monitor?: Monitor;
  /** Pairing token; a fresh random one by default. */
  token?: string;
}

/** Where the pairing link points unless `--app-url` says otherwise (`npm start`'s port). */
const DEFAULT_APP_URL = 'http://127.0.0.1:3000';

function waitForSignal(): Promise<string> {
  return new Promise((resolve) => {
    const stop = (signal: string) => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve(signal);
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}

function integerIn(field: string, min: number, max: number) {
  return (text: string): number => {
    const value = /^\d+$/.test(text.trim()) ? Number(text) : Number.NaN;
    if (!Number.isSafeInteger(value) || value < min || value > max) {
      throw new CliError(`--${field} must be an integer from ${min} to ${max}, got "${text}"`);
    }
    return value;
  };
}

/** `text` as an http(s) URL, or null (`localhost:3000` parses, as scheme `localhost:`). */
function httpUrl(text: string): URL | null {
  const url = URL.canParse(text) ? new URL(text) : null;
  return url && (url.protocol === 'http:' || url.protocol === 'https:') ? url : null;
}

function collectOrigin(text: string, previous: string[] | undefined): string[] {
  const url = httpUrl(text);
  if (url === null && !(/:\*$/.test(text.trim()) && isOriginRule(text))) {
    throw new CliError(
      '--allow-origin must be an http(s) URL such as https://app.example or a pattern such as ' +
        `http://192.168.1.5:*, got "${text}"`,
    );
  }
  return [...(previous ?? []), url === null ? text.trim() : url.origin];
}

function appUrl(text: string): string {
  const url = httpUrl(text);
  if (url === null || url.hash) {
    throw new CliError(
      `--app-url must be the app's http(s) address such as http://127.0.0.1:3000, got "${text}"`,
    );
  }
  return `${url.origin}${url.pathname}`.replace(/\/+$/, '');
}

function listenHost(text: string): string {
  const host = text.trim();
  if (host === '' || /[\s/]/.test(host)) {
    throw new CliError(`--host must be an interface address such as 127.0.0.1, got "${text}"`);
  }
  return host;
}

function collectEngine(text: string, previous: EngineTarget[] | undefined): EngineTarget[] {
  const [kind, ...rest] = text.split('=');
  const baseUrl = rest.join('=').replace(/\/+$/, '');
  if (!ENGINE_KINDS.includes(kind as EngineKind) || !isLoopbackUrl(baseUrl)) {
    throw new CliError(
      `--engine must be <kind>=<loopback URL> with kind one of ${ENGINE_KINDS.join(', ')}, ` +
        `got "${text}"`,
    );
  }
  return [...(previous ?? []), { engine: kind as EngineKind, baseUrl }];
}

function logLevel(text: string): LogLevel {
  if (!isLogLevel(text)) {
    throw new CliError(`--log-level must be one of ${LOG_LEVELS.join(', ')}, got "${text}"`);
  }
  return text;
}

/** Examples under `hwledger agent --help`: the usual ways to run it, and how it stops. */
const AGENT_HELP_EXAMPLES = `
Examples:
  hwledger agent                     serve ws://127.0.0.1:7420/agent; open the link it prints
  hwledger agent --port 0 --json     any free port; one JSON line: url, token, pairingLink
  hwledger agent --once              print this machine's devices and engines, then exit
  hwledger agent --measure m.gguf    compare what llama.cpp allocates with the prediction

The QR code of the pairing link is drawn only when stdout is a terminal. Ctrl+C stops the
agent.
`;

/**
 * Adds the agent's options and action to `command` (the CLI's `agent` subcommand), so that
 * cli/main.ts needs one line for it. `stdoutIsTerminal` defaults to what the process's stdout is.
 */
export function configureAgentCommand(
  command: Command,
  output: Output,
  stdoutIsTerminal: () => boolean = () => process.stdout.isTTY === true,
): Command {
  return command
    .description('probe this machine and its engines; serve telemetry to the fleet page')
    .option('--port <n>', 'port of the WebSocket API', integerIn('port', 0, 65535), 7420)
    .option(
      '--host <address>',
      'interface to listen on (loopback unless you say so)',
      listenHost,
      '127.0.0.1',
    )
    .option(
      '--allow-origin <url>',
      'another origin allowed to connect, e.g. https://app.example (repeatable; the app on\n' +
        'this machine, http://127.0.0.1:* and http://localhost:*, is always allowed)',
      collectOrigin,
    )
    .option(
      '--app-url <url>',
      `app URL the pairing link opens (default: ${DEFAULT_APP_URL})`,
      appUrl,
    )
    .option(
      '--engine <kind=url>',
      'read this engine instead of searching ports (repeatable)',
      collectEngine,
    )
    .option(
      '--interval <ms>',
      'milliseconds between telemetry samples',
      integerIn('interval', 100, 600_000),
      2000,
    )
    .option('--json', 'print JSON (serving: one line with url, token and pairingLink)')
    .addOption(
      new Option('--once', 'probe once, print the inventory and engines, exit').conflicts(
        'measure',
      ),
    )
    .option('--measure <gguf>', 'load a GGUF in llama.cpp (CPU) and compare with the prediction')
    .option(
      '--context <tokens>',
      'context per sequence for --measure',
      integerIn('context', 1, 1 << 24),
      4096,
    )
    .option('--sequences <n>', 'sequences for --measure', integerIn('sequences', 1, 256), 1)
    .addOption(
      new Option('--log-level <level>', 'silent, error, warn, info or debug')
        .default('info')
        .argParser(logLevel),
    )
    .addHelpText('after', AGENT_HELP_EXAMPLES)
    .action(async (options: AgentOptions) => {
      await runAgent(options, {
        output,
        stdoutIsTerminal: stdoutIsTerminal(),
        waitForStop: waitForSignal,
      });
    });
}

function realMonitor(options: AgentOptions, logger: Logger): Monitor {
  const http = createEngineHttp();
  const run = createProcessRunner();
  const host = defaultHostSources();
  return createMonitor({
    probe: () => probeInventory({ run, host, now: Date.now }),
    discover: () => (options.engine ? Promise.resolve(options.engine) : discoverEngines(http)),
    read: (target) => readEngine(http, target, Date.now),
    predict: predictEngineModels,
    now: Date.now,
    logger: logger.child('monitor'),
  });
}

function describeMeasure(report: LlamaRunReport & { ok: true }): string {
  const rows = report.parts.map((part) => {
    const share = (part.relativeDifference * 100).toFixed(2);
    return (
      `  ${part.name.padEnd(17)} predicted ${String(part.predictedBytes).padStart(12)}  ` +
      `actual ${String(part.actualBytes).padStart(12)}  diff ${share.padStart(7)} %  ` +
      `${part.provenance}${part.agrees ? '' : '  DISAGREES'}`
    );
  });
  return [
    `${report.model.name} (${report.model.architecture}) at ${report.settings.contextTokens} ` +
      `tokens x ${report.settings.sequences}, KV ${report.settings.kvType}, ` +
      `flash attention ${report.settings.flashAttention ? 'on' : 'off'}`,
    ...rows,
    report.agrees ? 'prediction agrees with llama.cpp' : 'prediction disagrees with llama.cpp',
    '',
  ].join('\n');
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

/**
 * `--measure`: the comparison on stdout (JSON with `--json`, whatever the outcome); a failed
 * step is one line on stderr naming the file and the step, not a claim of disagreement.
 */
async function measure(options: AgentOptions, output: Output): Promise<void> {
  const modelPath = options.measure ?? '';
  if (!(await isFile(modelPath))) {
    throw new CliError(`--measure must name a GGUF file; there is no file at "${modelPath}"`);
  }

  const report = await compareWithLlamaCpp({
    modelPath,
    contextTokens: options.context,
    sequences: options.sequences,
  });
  if (options.json) output.out(`${JSON.stringify(report, null, 2)}\n`);
  else if (report.ok) output.out(describeMeasure(report));

  if (!report.ok) {
    throw new CliError(
      `--measure could not compare "${modelPath}" with llama.cpp (${report.stage} step): ` +
        report.error,
    );
  }
  if (!report.agrees) throw new CliError('the prediction does not match llama.cpp');
}

async function once(monitor: Monitor, options: AgentOptions, output: Output): Promise<void> {
  const frame = await monitor.sample();
  if (options.json) {
    output.out(`${JSON.stringify(frame, null, 2)}\n`);
    return;
  }
  const host = frame.inventory.host;
  const lines = [
    `${host.hostname}: ${host.cpuModel ?? 'unknown CPU'}, ${host.cpuThreads ?? '?'} threads, ` +
      `${gib(host.memoryTotalBytes)} RAM`,
    ...frame.inventory.devices.map(
      (device) =>
        `  GPU ${device.index} ${device.name} [${device.catalogueId ?? 'not in catalogue'}] ` +
        gib(device.memoryTotalBytes),
    ),
    ...frame.engines.map(
      (engine) =>
        `  ${engine.engine} at ${engine.baseUrl}: ` +
        `${engine.models.map((model) => model.name).join(', ') || 'no model loaded'}`,
    ),
    '',
  ];
  output.out(lines.join('\n'));
}

/**
 * Origins whose pages may connect: the app on this machine at any port (the pairing token is
 * what authenticates, and `npm start` may pick any port), each `--allow-origin`, and the origin
 * of `--app-url`, since the pairing link opens that page and it must not then be refused.
 */
export function allowedOrigins(options: Pick<AgentOptions, 'allowOrigin' | 'appUrl'>): string[] {
  const appOrigin = options.appUrl === undefined ? [] : [new URL(options.appUrl).origin];
  const origins = [...LOOPBACK_APP_ORIGINS, ...(options.allowOrigin ?? []), ...appOrigin];
  return [...new Set(origins)];
}

const GIB = 2 ** 30;

/** Bytes as GiB (2^30) with two decimals, or `?` when the probe could not read them. */
function gib(bytes: number | null): string {
  return bytes === null ? '?' : `${(bytes / GIB).toFixed(2)} GiB`;
}

/** Error codes of `listen` the user can act on, with what to do about each. */
function listenProblem(error: unknown, options: AgentOptions): string {
  const code = (error as { code?: unknown } | null)?.code;
  const where = `${options.host}:${options.port}`;
  switch (code) {
    case 'EADDRINUSE':
      return (
        `port ${options.port} on ${options.host} is already in use (another agent?): stop it, ` +
        `or choose another with --port (--port 0 picks a free one)`
      );
    case 'EACCES':
      return `not allowed to listen on ${where}: choose a --port above 1023`;
    case 'EADDRNOTAVAIL':
      return `--host ${options.host} is not an address of this machine`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `--host ${options.host} is not a known host name or address`;
    default:
      return `could not listen on ${where}: ${error instanceof Error ? error.message : String(error)}`;
  }
}

/**
 * What the serving agent prints once: one JSON line with `--json` (for scripts); otherwise the
 * address, token and link as plain text, and the QR code only when stdout is a terminal.
 */
async function pairingText(
  pairing: { url: string; token: string; link: string },
  options: AgentOptions,
  env: AgentEnvironment,
): Promise<string> {
  if (options.json) {
    const line = { url: pairing.url, token: pairing.token, pairingLink: pairing.link };
    return `${JSON.stringify(line)}\n`;
  }
  const text =
    `hwLedger agent on ${pairing.url}\npairing token: ${pairing.token}\n` +
    `open: ${pairing.link}\n`;
  if (!env.stdoutIsTerminal) return text;
  return `${text}\n${await pairingQr(pairing.link)}\nCtrl+C stops the agent.\n`;
}

/**
 * Runs `hwledger agent`: `--measure` compares one GGUF with llama.cpp; `--once` probes and
 * prints; otherwise it serves the WebSocket API until SIGINT or SIGTERM, printing the pairing
 * token and link on stdout (never in the log; the QR code too when stdout is a terminal), and
 * closes everything on the way out.
 */
export async function runAgent(options: AgentOptions, env: AgentEnvironment): Promise<void> {
  const logger = createLogger('agent', {
    level: options.logLevel,
    json: options.json ?? false,
    write: (line) => env.output.err(line),
  });

  if (options.measure !== undefined) return measure(options, env.output);
  const monitor = env.monitor ?? realMonitor(options, logger);
  if (options.once) return once(monitor, options, env.output);

  if (!isLoopbackHost(options.host)) {
    logger.warn('listening beyond loopback because --host says so', { host: options.host });
  }
  const origins = allowedOrigins(options);
  const token = env.token ?? createPairingToken();
  const server = await startAgentServer({
    host: options.host,
    port: options.port,
    token,
    allowedOrigins: origins,
    monitor,
    intervalMs: options.interval,
    agentVersion: AGENT_VERSION,
    hostname: defaultHostSources().os.hostname,
    logger: logger.child('server'),
  }).catch((error: unknown) => {
    throw new CliError(listenProblem(error, options));
  });

  const link = pairingLink(options.appUrl ?? DEFAULT_APP_URL, server.url, token);
  env.output.out(await pairingText({ url: server.url, token, link }, options, env));

  const signal = await env.waitForStop();
  logger.info('stopping', { signal });
  await server.close();
}
