// Pure helpers of the fleet page: pairing fragments, refusal messages, chart series.

import { AGENT_PROTOCOL_VERSION, CLOSE_CODES } from '../../../agent/protocol.ts';
import type { AgentMessage, TelemetryFrame } from '../../../agent/protocol.ts';

/** Frames kept for the live chart (2 s apart by default: four minutes). */
export const MAX_FRAMES = 120;

/** What a pairing link's fragment holds; either part may be missing from a damaged link. */
export interface PairingFragment {
  url: string | null;
  token: string | null;
}

/**
 * The agent URL and token of a pairing link's fragment (`#agent=...&token=...`), or null when
 * the fragment is no pairing fragment at all (it names neither).
 */
export function parsePairingFragment(hash: string): PairingFragment | null {
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  const url = params.get('agent') || null;
  const token = params.get('token') || null;
  return url === null && token === null ? null : { url, token };
}

/**
 * The agent URL and token of a whole pairing link pasted where the agent address goes (the
 * line the agent prints after `open:`), or null when `text` is no such link.
 */
export function pairingFromLink(text: string): { url: string; token: string } | null {
  if (!URL.canParse(text)) return null;
  const paired = parsePairingFragment(new URL(text).hash);
  return paired?.url && paired.token ? { url: paired.url, token: paired.token } : null;
}

/**
 * Whether an agent URL names this machine: `localhost`, 127.0.0.0/8 or `[::1]`, as the URL
 * parser normalises them (`ws://127.1` is 127.0.0.1). Anything else may be another machine.
 */
export function isLoopbackAgentUrl(url: string): boolean {
  if (!URL.canParse(url)) return false;
  const host = new URL(url).hostname;
  return host === 'localhost' || host === '[::1]' || /^127(\.\d{1,3}){3}$/.test(host);
}

/** The host (and port) an agent URL names, for warnings; the text itself when unparseable. */
export function agentHost(url: string): string {
  return URL.canParse(url) ? new URL(url).host : url;
}

/** Why an agent URL cannot be used, or null when it is a ws:// or wss:// URL. */
export function agentUrlProblem(url: string): string | null {
  try {
    const parsed = new URL(url);
    if (parsed.protocol === 'ws:' || parsed.protocol === 'wss:') return null;
    return 'The agent address starts with ws:// (for example ws://127.0.0.1:7420/agent).';
  } catch {
    return 'The agent address is not a URL (for example ws://127.0.0.1:7420/agent).';
  }
}

/**
 * The sentence shown when a connection ends: the agent's close codes (wrong token, origin not
 * allowed, bad message), an agent that never answered, or a dropped link.
 */
export function closeMessage(
  close: { code: number; reason: string; opened: boolean },
  pageOrigin: string,
): string {
  switch (close.code) {
    case CLOSE_CODES.badToken:
      return 'The agent refused the pairing token. Copy the token the agent printed, or open its pairing link again.';
    case CLOSE_CODES.badOrigin:
      return `The agent does not accept pages from ${pageOrigin}. Start it with --allow-origin ${pageOrigin}.`;
    case CLOSE_CODES.badMessage:
      return 'The agent closed the connection: it did not understand this page (update one of them).';
    default:
      return close.opened
        ? 'The connection to the agent was lost. Is `hwledger agent` still running?'
        : 'No agent answered at this address. Is `hwledger agent` running on this machine, and is the address right?';
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isFrame(value: unknown): value is TelemetryFrame {
  if (!isRecord(value) || typeof value.capturedAtMs !== 'number') return false;
  const inventory = value.inventory;
  return (
    isRecord(inventory) &&
    isRecord(inventory.host) &&
    Array.isArray(inventory.devices) &&
    Array.isArray(inventory.warnings) &&
    Array.isArray(value.engines) &&
    Array.isArray(value.predictions)
  );
}

/**
 * The agent message in `text`, or null when it is not JSON or lacks the fields the page
 * reads (an agent of another version, or no agent at all), so the page says so instead of
 * crashing on a missing field.
 */
export function parseAgentMessage(text: string): AgentMessage | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (!isRecord(value)) return null;
  switch (value.type) {
    case 'hello':
      return typeof value.protocol === 'number' &&
        typeof value.agentVersion === 'string' &&
        typeof value.hostname === 'string'
        ? {
            type: 'hello',
            protocol: value.protocol,
            agentVersion: value.agentVersion,
            hostname: value.hostname,
          }
        : null;
    case 'telemetry':
      return isFrame(value.frame) ? { type: 'telemetry', frame: value.frame } : null;
    case 'error':
      return typeof value.code === 'string' && typeof value.message === 'string'
        ? { type: 'error', code: value.code, message: value.message }
        : null;
    default:
      return null;
  }
}

/** Whether an agent's hello speaks this page's protocol version. */
export function protocolMatches(protocol: number): boolean {
  return protocol === AGENT_PROTOCOL_VERSION;
}

/** Series for the live memory chart: seconds, measured bytes, predicted bytes (or null). */
export interface MemorySeries {
  label: string;
  seconds: number[];
  usedBytes: (number | null)[];
  predictedBytes: (number | null)[];
  hasPrediction: boolean;
}

type Device = TelemetryFrame['inventory']['devices'][number];

function deviceKey(device: Device): string {
  return `${device.vendor}:${device.index}`;
}

/**
 * The GPU the chart follows: the one using the most memory in the latest frame, as the
 * planner's prediction is for the busiest device (a MIG parent reports 0 B of its own).
 */
function busiestGpu(frames: readonly TelemetryFrame[]): Device | null {
  const devices = frames[frames.length - 1]?.inventory.devices ?? [];
  let busiest: Device | null = null;
  for (const device of devices) {
    if (device.memoryUsedBytes === null) continue;
    if (busiest === null || device.memoryUsedBytes > (busiest.memoryUsedBytes ?? 0)) {
      busiest = device;
    }
  }
  return busiest;
}

/** Bytes in use at one frame: on the followed GPU, or the host's RAM when there is none. */
function usedBytes(frame: TelemetryFrame, gpu: Device | null): number | null {
  if (gpu !== null) {
    const same = frame.inventory.devices.find((d) => deviceKey(d) === deviceKey(gpu));
    return same?.memoryUsedBytes ?? null;
  }
  const host = frame.inventory.host;
  if (host.memoryTotalBytes === null || host.memoryAvailableBytes === null) return null;
  return host.memoryTotalBytes - host.memoryAvailableBytes;
}

/**
 * The chart's series over `frames`: memory in use (on the GPU using the most in the latest
 * frame, else host RAM in use = total - available) and the planner's prediction for the models
 * the engines hold (their sum), both in bytes (the axis picks the unit), against seconds since
 * the first frame.
 */
export function memorySeries(frames: readonly TelemetryFrame[]): MemorySeries {
  const first = frames[0];
  const gpu = busiestGpu(frames);
  const label = gpu ? `GPU ${gpu.index} memory in use` : 'host RAM in use';
  const start = first?.capturedAtMs ?? 0;

  const predictedBytes = frames.map((frame) =>
    frame.predictions.length === 0
      ? null
      : frame.predictions.reduce((sum, prediction) => sum + prediction.totalBytes, 0),
  );
  return {
    label,
    seconds: frames.map((frame) => (frame.capturedAtMs - start) / 1000),
    usedBytes: frames.map((frame) => usedBytes(frame, gpu)),
    predictedBytes,
    hasPrediction: predictedBytes.some((value) => value !== null),
  };
}
