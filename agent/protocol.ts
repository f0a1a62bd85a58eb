// The agent's WebSocket protocol: messages both ways, shared (as types) with the fleet page.

import type { EngineSnapshot } from './engines/types.ts';
import type { DeviceInventory } from './probes/types.ts';

/** Version of the message set; a client refuses an agent speaking another. */
export const AGENT_PROTOCOL_VERSION = 1;

/** Path the agent's WebSocket listens on. */
export const AGENT_WS_PATH = '/agent';

/** Close codes the agent uses, in the 4000-4999 range left to applications. */
export const CLOSE_CODES = {
  /** No valid token in the first message, or none in time. */
  badToken: 4401,
  /** The page's origin is not on the allow-list. */
  badOrigin: 4403,
  /** The client sent something that is not a protocol message. */
  badMessage: 4400,
} as const;

/** What the memory planner predicts for one model an engine holds (lib/capacity). */
export interface ModelPrediction {
  engineBaseUrl: string;
  model: string;
  /** Catalogue model the name matched. */
  catalogueModel: string;
  contextTokens: number;
  /** Predicted bytes on the busiest device: weights, KV cache, buffers. */
  totalBytes: number;
  weightsBytes: number;
  kvBytes: number;
}

/** One sample of the machine: devices with their live figures, engines, predictions. */
export interface TelemetryFrame {
  capturedAtMs: number;
  inventory: DeviceInventory;
  engines: EngineSnapshot[];
  predictions: ModelPrediction[];
}

/** Messages from the agent. */
export type AgentMessage =
  | { type: 'hello'; protocol: number; agentVersion: string; hostname: string }
  | { type: 'telemetry'; frame: TelemetryFrame }
  | { type: 'error'; code: string; message: string };

/** Messages from a client: the token first, then optional refresh requests. */
export type ClientMessage = { type: 'auth'; token: string } | { type: 'refresh' };

/** The client message in `text`, or null when it is not one. */
export function parseClientMessage(text: string): ClientMessage | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const record = value as Record<string, unknown>;
  if (record.type === 'auth' && typeof record.token === 'string') {
    return { type: 'auth', token: record.token };
  }
  if (record.type === 'refresh') return { type: 'refresh' };
  return null;
}
