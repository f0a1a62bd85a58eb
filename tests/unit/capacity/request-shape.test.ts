// A plan request of the wrong shape is a CapacityError naming the field, never a TypeError.
import { describe, expect, it } from 'vitest';
import { catalogueSpec } from '../../../lib/capacity/catalogue/models.ts';
import { CapacityError } from '../../../lib/capacity/errors.ts';
import { plan, preparePlan, type PlanRequest } from '../../../lib/capacity/plan.ts';

/** Calls `run` and returns the CapacityError it throws (failing on anything else). */
function capacityError(run: () => unknown): CapacityError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(CapacityError);
    return error as CapacityError;
  }
  throw new Error('expected a CapacityError, nothing was thrown');
}

/** A request built from untyped input, as a code cell or JSON hands it over. */
function untyped(value: unknown): PlanRequest {
  return value as PlanRequest;
}

describe('plan request shape', () => {
  it('refuses a number in place of the request, naming it', () => {
    const error = capacityError(() => plan(untyped(42)));
    expect(error.field).toBe('request');
    expect(error.message).toBe(
      "request must be an object such as { model: hw.catalogueSpec('llama-3.1-8b'), " +
        "devices: ['rtx-4090'] }, got 42",
    );
  });

  it('refuses a missing model and a catalogue id given as the model', () => {
    expect(capacityError(() => plan(untyped({}))).field).toBe('model');
    const id = capacityError(() => plan(untyped({ model: 'llama-3.1-8b' })));
    expect(id.field).toBe('model');
    expect(id.message).toContain('hw.catalogueSpec("llama-3.1-8b")');
    expect(capacityError(() => preparePlan(untyped({ model: { name: 'x' } }))).field).toBe('model');
  });

  it('names devices that are not an array, and the bad entry of one', () => {
    const model = catalogueSpec('llama-3.1-8b');
    const text = capacityError(() => plan(untyped({ model, devices: 'rtx-4090' })));
    expect(text.field).toBe('devices');
    expect(text.message).toContain("an array of catalogue device ids, such as ['rtx-4090']");
    const entry = capacityError(() => plan(untyped({ model, devices: ['rtx-4090', 7] })));
    expect(entry.field).toBe('devices[1]');
  });

  it('names a number field given as a string', () => {
    const model = catalogueSpec('llama-3.1-8b');
    const error = capacityError(() => plan(untyped({ model, contextTokens: '4096' })));
    expect(error.field).toBe('contextTokens');
    expect(error.message).toBe('contextTokens must be a number, got the string "4096"');
  });

  it('still plans a well-formed request: 8.03B params at bf16 need over 16.06 GB', () => {
    const result = plan({ model: catalogueSpec('llama-3.1-8b'), devices: ['rtx-4090'] });
    expect(result.fit[0]?.device).toBe('rtx-4090');
    expect(result.fit[0]?.perDeviceBytes).toBeGreaterThan(8.03e9 * 2);
  });
});
