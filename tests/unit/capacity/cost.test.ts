import { describe, expect, it } from 'vitest';

import {
  costPerMillionTokensUsd,
  estimateCost,
  hourlyCostUsd,
} from '../../../lib/capacity/cost.ts';
import { CapacityError } from '../../../lib/capacity/errors.ts';

function capacityError(run: () => unknown): CapacityError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(CapacityError);
    return error as CapacityError;
  }
  throw new Error('expected a CapacityError');
}

describe('hourly cost', () => {
  it.each([
    [2.49, 8, 2.49 * 8], // 8 GPUs at $2.49 each = $19.92/h
    [0.79, 1, 0.79], // one GPU
    [0, 4, 0], // owned hardware
  ])('charges $%s per GPU hour x %i GPUs', (price, gpus, hourly) => {
    expect(hourlyCostUsd(price, gpus)).toBeCloseTo(hourly, 12);
  });
});

describe('cost per million tokens', () => {
  it.each([
    [19.92, 2500, (19.92 / (2500 * 3600)) * 1e6], // $2.2133 per million
    [0.79, 130.58, (0.79 / (130.58 * 3600)) * 1e6], // $1.6805 per million
    [0, 100, 0], // owned hardware costs nothing per token
  ])('turns $%s/h at %s tokens/s into dollars per million', (hourly, rate, usd) => {
    expect(costPerMillionTokensUsd(hourly, rate)).toBeCloseTo(usd, 9);
  });

  it('gives $2.2133 per million for 8 GPUs at $2.49 making 2500 tokens/s', () => {
    expect(costPerMillionTokensUsd(19.92, 2500)).toBeCloseTo(2.21333, 5); // 19.92 / 9e6 x 1e6
  });

  it('returns null, not Infinity, when nothing is generated', () => {
    expect(costPerMillionTokensUsd(19.92, 0)).toBeNull();
  });

  it('refuses a rate so small the cost would overflow', () => {
    const error = capacityError(() => costPerMillionTokensUsd(1, 1e-320));
    expect(error.field).toBe('tokensPerSecond');
  });
});

describe('cost estimate', () => {
  it('combines the hourly cost and the cost per million tokens', () => {
    const result = estimateCost({ pricePerGpuHourUsd: 2.49, gpus: 8, tokensPerSecond: 2500 });
    expect(result.hourlyUsd).toBeCloseTo(19.92, 12); // 2.49 x 8
    expect(result.usdPerMillionTokens).toBeCloseTo((19.92 / 9e6) * 1e6, 12); // 2500 x 3600
  });

  it('keeps the hourly cost when throughput is zero', () => {
    const result = estimateCost({ pricePerGpuHourUsd: 1.5, gpus: 2, tokensPerSecond: 0 });
    expect(result).toEqual({ hourlyUsd: 3, usdPerMillionTokens: null });
  });

  it.each([
    [{ pricePerGpuHourUsd: -1 }, 'pricePerGpuHourUsd'],
    [{ pricePerGpuHourUsd: Number.NaN }, 'pricePerGpuHourUsd'],
    [{ pricePerGpuHourUsd: Infinity }, 'pricePerGpuHourUsd'],
    [{ gpus: 0 }, 'gpus'],
    [{ gpus: 1.5 }, 'gpus'],
    [{ tokensPerSecond: -5 }, 'tokensPerSecond'],
    [{ tokensPerSecond: Number.NaN }, 'tokensPerSecond'],
    [{ tokensPerSecond: Infinity }, 'tokensPerSecond'],
  ])('rejects %o naming %s', (overrides, field) => {
    const input = { pricePerGpuHourUsd: 2, gpus: 1, tokensPerSecond: 100, ...overrides };
    const error = capacityError(() => estimateCost(input));
    expect(error.code).toBe('out_of_range');
    expect(error.field).toBe(field);
  });

  it('rejects a negative hourly cost passed directly', () => {
    expect(capacityError(() => costPerMillionTokensUsd(-1, 100)).field).toBe('hourlyUsd');
  });
});
