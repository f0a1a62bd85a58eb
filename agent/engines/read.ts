// Shared steps of every engine bridge: fetch JSON or metrics, check values, record warnings.

import type { EngineHttp } from './http.ts';
import { parsePrometheus } from './prometheus.ts';
import type { Metrics } from './prometheus.ts';
import type { EngineWarning } from './types.ts';

/** One read of one engine: where it is, how to reach it, and the warnings gathered so far. */
export interface BridgeContext {
  http: EngineHttp;
  /** Base URL without a trailing slash, e.g. `http://127.0.0.1:8080`. */
  baseUrl: string;
  warnings: EngineWarning[];
  /** Endpoints that answered; an engine with none is unreachable. */
  answered: Set<string>;
}

/** A fresh context for one read. */
export function bridgeContext(http: EngineHttp, baseUrl: string): BridgeContext {
  return { http, baseUrl: baseUrl.replace(/\/+$/, ''), warnings: [], answered: new Set() };
}

/** A JSON object as a record; anything else (arrays, scalars) is not one. */
export type JsonRecord = Record<string, unknown>;

/** Whether `value` is a plain JSON object. */
export function isRecord(value: unknown): value is JsonRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function warn(ctx: BridgeContext, warning: EngineWarning): void {
  ctx.warnings.push(warning);
}

async function fetchText(ctx: BridgeContext, path: string, body?: unknown): Promise<string | null> {
  const url = `${ctx.baseUrl}${path}`;
  const result = body === undefined ? await ctx.http.get(url) : await ctx.http.postJson(url, body);
  if (!result.ok) {
    warn(ctx, { code: 'endpoint_unavailable', endpoint: path, message: result.reason });
    return null;
  }
  ctx.answered.add(path);
  return result.text;
}

/**
 * The parsed JSON of `GET path` (or `POST path` with `body`), or null with a warning when the
 * endpoint fails or answers something that is not JSON.
 */
export async function getJson(ctx: BridgeContext, path: string, body?: unknown) {
  const text = await fetchText(ctx, path, body);
  if (text === null) return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    warn(ctx, { code: 'unparsable_response', endpoint: path, message: 'not JSON' });
    return null;
  }
}

/** Whether `GET path` answers with a 2xx status (a warning when it does not). */
export async function answers(ctx: BridgeContext, path: string): Promise<boolean> {
  return (await fetchText(ctx, path)) !== null;
}

/** The metrics of `GET path`, or null with a warning when it fails or holds no sample. */
export async function getMetrics(ctx: BridgeContext, path: string): Promise<Metrics | null> {
  const text = await fetchText(ctx, path);
  if (text === null) return null;
  const metrics = parsePrometheus(text);
  if (metrics.size === 0) {
    warn(ctx, { code: 'unparsable_response', endpoint: path, message: 'no Prometheus samples' });
    return null;
  }
  return metrics;
}

/**
 * `value` when it is a finite number from `min` up to `max` (integers only when `integer`),
 * null when absent; a present but impossible value is null with a `value_out_of_range` warning.
 */
export function checked(
  ctx: BridgeContext,
  value: unknown,
  where: { endpoint: string; field: string; min?: number; max?: number; integer?: boolean },
): number | null {
  if (value === undefined || value === null) return null;
  const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  const ok =
    typeof number === 'number' &&
    Number.isFinite(number) &&
    number >= (where.min ?? 0) &&
    number <= (where.max ?? Number.MAX_SAFE_INTEGER) &&
    (!where.integer || Number.isInteger(number));
  if (ok) return number;

  warn(ctx, {
    code: 'value_out_of_range',
    endpoint: where.endpoint,
    message: `${where.field} is not a usable number: ${JSON.stringify(value).slice(0, 60)}`,
  });
  return null;
}

/** A non-negative integer count (tokens, bytes, requests) or null; see `checked`. */
export function count(ctx: BridgeContext, value: unknown, endpoint: string, field: string) {
  return checked(ctx, value, { endpoint, field, integer: true });
}

/** A non-negative rate or total (may be fractional) or null; see `checked`. */
export function amount(ctx: BridgeContext, value: unknown, endpoint: string, field: string) {
  return checked(ctx, value, { endpoint, field });
}

/** A share from 0 to 1 or null; see `checked`. */
export function ratio(ctx: BridgeContext, value: unknown, endpoint: string, field: string) {
  return checked(ctx, value, { endpoint, field, max: 1 });
}

/** A non-empty string or null. */
export function text(value: unknown): string | null {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : null;
}
