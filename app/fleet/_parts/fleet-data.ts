// Pure helpers of the fleet page: pairing fragments, refusal messages, chart series.

import { AGENT_PROTOCOL_VERSION, CLOSE_CODES } from '../../../agent/protocol.ts';
import type { TelemetryFrame } from '../../../agent/protocol.ts';

/** Frames kept for the live chart (2 s apart by default: four minutes). */
export const MAX_FRAMES = 120;

const GIB = 2 ** 30;

/** The agent URL and token of a pairing link's fragment (`#agent=...&token=...`), or null. */
export function parsePairingFragment(hash: string): { url: string; token: string } | null {
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  const url = params.get('agent');
  const token = params.get('token');
  return url && token ? { url, token } : null;
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

/** Whether an agent's hello speaks this page's protocol version. */
export function protocolMatches(protocol: number): boolean {
  return protocol === AGENT_PROTOCOL_VERSION;
}

/** Series for the live memory chart: seconds, measured GiB, predicted GiB (or null). */
export interface MemorySeries {
  label: string;
  seconds: number[];
  usedGiB: (number | null)[];
  predictedGiB: (number | null)[];
  hasPrediction: boolean;
}

/** Bytes in use on the machine's main memory at one frame: its first GPU, or the host's RAM. */
function usedBytes(frame: TelemetryFrame): number | null {
  const gpu = frame.inventory.devices.find((device) => device.memoryUsedBytes !== null);
  if (gpu) return gpu.memoryUsedBytes;
  const host = frame.inventory.host;
  if (host.memoryTotalBytes === null || host.memoryAvailableBytes === null) return null;
  return host.memoryTotalBytes - host.memoryAvailableBytes;
}

/**
 * The chart's series over `frames`: memory in use (the first GPU that reports it, else host
 * RAM in use = total - available) and the planner's prediction for the models the engines
 * hold (their sum), both in GiB (2^30 bytes), against seconds since the first frame.
 */
export function memorySeries(frames: readonly TelemetryFrame[]): MemorySeries {
  const first = frames[0];
  const gpu = first?.inventory.devices.find((device) => device.memoryUsedBytes !== null);
  const label = gpu ? `GPU ${gpu.index} memory in use (GiB)` : 'host RAM in use (GiB)';
  const start = first?.capturedAtMs ?? 0;

  const predictedGiB = frames.map((frame) =>
    frame.predictions.length === 0
      ? null
      : frame.predictions.reduce((sum, prediction) => sum + prediction.totalBytes, 0) / GIB,
  );
  return {
    label,
    seconds: frames.map((frame) => (frame.capturedAtMs - start) / 1000),
    usedGiB: frames.map((frame) => {
      const bytes = usedBytes(frame);
      return bytes === null ? null : bytes / GIB;
    }),
    predictedGiB,
    hasPrediction: predictedGiB.some((value) => value !== null),
  };
}
