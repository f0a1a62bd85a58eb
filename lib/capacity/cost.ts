// Money: what a deployment costs per hour and per million generated tokens, in US dollars.

import { CapacityError } from './errors.ts';

const SECONDS_PER_HOUR = 3600;
const TOKENS_PER_MILLION = 1e6;

function outOfRange(field: string, expected: string, value: number): never {
  throw new CapacityError('out_of_range', `${field} must be ${expected}, got ${String(value)}`, {
    field,
    expected,
  });
}

function checkNonNegative(value: number, field: string, expected: string): void {
  if (!(typeof value === 'number' && value >= 0 && value < Infinity)) {
    outOfRange(field, expected, value);
  }
}

/**
 * Cost of a deployment per hour, USD: `pricePerGpuHourUsd x gpus`. A price of 0 (hardware
 * already owned) is allowed; negative, NaN or infinite prices and non-integer GPU counts throw.
 */
export function hourlyCostUsd(pricePerGpuHourUsd: number, gpus: number): number {
  checkNonNegative(pricePerGpuHourUsd, 'pricePerGpuHourUsd', 'a finite price >= 0 in USD');
  if (!(Number.isInteger(gpus) && gpus > 0)) outOfRange('gpus', 'a positive integer', gpus);

  return pricePerGpuHourUsd * gpus;
}

/**
 * Cost per million generated tokens, USD: `hourlyUsd / (tokensPerSecond x 3600) x 10^6`, with
 * the decode rate of all sequences together. Prefill time is not counted: this is the cost of
 * output tokens with the devices busy decoding, a lower bound for prompt-heavy traffic.
 * Returns null when nothing is generated (0 tokens/s): the cost per token is undefined, not
 * infinite. Negative or non-finite inputs throw `out_of_range` naming the field.
 */
export function costPerMillionTokensUsd(hourlyUsd: number, tokensPerSecond: number): number | null {
  checkNonNegative(hourlyUsd, 'hourlyUsd', 'a finite cost >= 0 in USD per hour');
  checkNonNegative(tokensPerSecond, 'tokensPerSecond', 'a finite rate >= 0 in tokens/s');
  if (tokensPerSecond === 0) return null;

  const tokensPerHour = tokensPerSecond * SECONDS_PER_HOUR;
  const usd = (hourlyUsd / tokensPerHour) * TOKENS_PER_MILLION;
  if (!(usd < Infinity)) {
    outOfRange('tokensPerSecond', 'a rate large enough for a finite cost', tokensPerSecond);
  }
  return usd;
}

/** A priced deployment: GPUs at a price each, producing tokens at a total rate. */
export interface CostInput {
  pricePerGpuHourUsd: number;
  gpus: number;
  /** Generated tokens per second of the whole deployment (all sequences together). */
  tokensPerSecond: number;
}

/** Hourly cost and cost per million tokens (null when nothing is generated). */
export interface CostEstimate {
  hourlyUsd: number;
  usdPerMillionTokens: number | null;
}

/** Cost per hour and per million tokens of a deployment (see the two functions above). */
export function estimateCost(input: CostInput): CostEstimate {
  const hourlyUsd = hourlyCostUsd(input.pricePerGpuHourUsd, input.gpus);

  return {
    hourlyUsd,
    usdPerMillionTokens: costPerMillionTokensUsd(hourlyUsd, input.tokensPerSecond),
  };
}
