// Reads the plan form's typed numbers: whole counts within the planner's bounds, and prices.

import { MAX_PRICE_USD_PER_DEVICE_HOUR, PLAN_REQUEST_LIMITS } from '../../lib/capacity/limits.ts';
import type { PlanEngine } from '../../lib/notebook/model.ts';

/** A typed field read: its value, or what is wrong with the text in words for the field. */
export type FieldRead<T> = { ok: true; value: T } | { ok: false; problem: string };

/** Smallest and largest whole number a count field takes. */
export interface CountBounds {
  min: number;
  max: number;
}

/**
 * Bounds of the form's counts: those the capacity core checks (PLAN_REQUEST_LIMITS). Refusing
 * more here keeps the field's message beside the field rather than in the cell's error.
 */
export const COUNT_BOUNDS = {
  gpus: { min: 1, max: PLAN_REQUEST_LIMITS.gpus },
  contextTokens: { min: 1, max: PLAN_REQUEST_LIMITS.contextTokens },
  batch: { min: 1, max: PLAN_REQUEST_LIMITS.batch },
} as const satisfies Record<string, CountBounds>;

/** Engines that run a model on one device only (no tensor or pipeline split). */
export const SINGLE_DEVICE_ENGINES: readonly PlanEngine[] = ['transformers.js'];

const WHOLE = /^\d+$/;
const DECIMAL = /^(\d+\.?\d*|\.\d+)$/;

/** `text` as a whole number within `bounds`; anything else (`abc`, `-5`, `1e400`) is a problem. */
export function readCount(text: string, bounds: CountBounds): FieldRead<number> {
  const trimmed = text.trim();
  const value = Number(trimmed);
  if (WHOLE.test(trimmed) && value >= bounds.min && value <= bounds.max) return { ok: true, value };
  const max = bounds.max.toLocaleString('en-US');
  return { ok: false, problem: `a whole number from ${String(bounds.min)} to ${max}` };
}

const TOKENS = /^(\d{1,9})\s*([km]?)$/i;

/**
 * A context length as the CLI reads it: `8192`, `32k` or `1m` (k = 1024, m = 1024^2, as
 * engines count), from 1 to the planner's 2^24 tokens.
 */
export function readContextTokens(text: string): FieldRead<number> {
  const match = TOKENS.exec(text.trim());
  const unit = match?.[2]?.toLowerCase() ?? '';
  const scale = unit === 'k' ? 1024 : unit === 'm' ? 1024 ** 2 : 1;
  const value = match ? Number(match[1]) * scale : NaN;
  const { min, max } = COUNT_BOUNDS.contextTokens;
  if (value >= min && value <= max) return { ok: true, value };
  const most = max.toLocaleString('en-US');
  return { ok: false, problem: `a token count from 1 to ${most}, such as 8192 or 32k` };
}

/** The device count, which an engine that runs on one device only limits to 1. */
export function readDeviceCount(text: string, engine: PlanEngine): FieldRead<number> {
  const read = readCount(text, COUNT_BOUNDS.gpus);
  if (!read.ok || read.value === 1 || !SINGLE_DEVICE_ENGINES.includes(engine)) return read;
  return {
    ok: false,
    problem: `1 only: ${engine} runs a model on one device; pick another engine`,
  };
}

/**
 * A price in US dollars per device-hour (what cost.ts multiplies by the device count): empty
 * means none, 0 is allowed (hardware already owned), up to 1,000,000, as plain decimals.
 */
export function readPrice(text: string): FieldRead<number | null> {
  const trimmed = text.trim();
  if (trimmed === '') return { ok: true, value: null };
  const value = Number(trimmed);
  if (DECIMAL.test(trimmed) && value <= MAX_PRICE_USD_PER_DEVICE_HOUR) return { ok: true, value };
  const most = MAX_PRICE_USD_PER_DEVICE_HOUR.toLocaleString('en-US');
  return {
    ok: false,
    problem: `US$ per device-hour: a number from 0 to ${most} such as 2.50, or empty`,
  };
}
