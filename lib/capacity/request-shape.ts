// Checks the shape of a plan request from untyped callers (code cells, JSON) before planning.

import { CapacityError } from './errors.ts';

const REQUEST_EXAMPLE = "{ model: hw.catalogueSpec('llama-3.1-8b'), devices: ['rtx-4090'] }";

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return `the string ${JSON.stringify(value.slice(0, 60))}`;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return `a ${typeof value}`;
}

function invalid(field: string, value: unknown, expected: string): CapacityError {
  return new CapacityError(
    'invalid_field',
    `${field} must be ${expected}, got ${describe(value)}`,
    {
      field,
      expected,
    },
  );
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function checkModel(model: unknown): void {
  if (model === undefined) {
    throw new CapacityError(
      'missing_field',
      `the plan request has no model; for example ${REQUEST_EXAMPLE}`,
      {
        field: 'model',
        expected: 'a ModelSpec',
      },
    );
  }
  if (typeof model === 'string') {
    const expected = `a ModelSpec, such as hw.catalogueSpec(${JSON.stringify(model)})`;
    throw invalid('model', model, expected);
  }
  const spec = isRecord(model) ? model : null;
  if (!spec || !Array.isArray(spec.tensors) || !Array.isArray(spec.layers)) {
    const expected = 'a ModelSpec (from hw.catalogueSpec or hw.parseHfConfig)';
    throw invalid('model', model, expected);
  }
}

function checkOptional(request: Record<string, unknown>, field: string, kinds: string[]): void {
  const value = request[field];
  if (value === undefined) return;
  const kind = value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
  if (kinds.includes(kind)) return;
  const names: Record<string, string> = {
    string: 'a name',
    number: 'a number',
    object: 'settings',
  };
  throw invalid(field, value, kinds.map((k) => names[k] ?? k).join(' or '));
}

function checkDevices(devices: unknown): void {
  if (devices === undefined) return;
  if (!Array.isArray(devices)) {
    throw invalid('devices', devices, "an array of catalogue device ids, such as ['rtx-4090']");
  }
  devices.forEach((device: unknown, index) => {
    if (typeof device === 'string' || (isRecord(device) && typeof device.id === 'string')) return;
    throw invalid(`devices[${index}]`, device, 'a catalogue device id or a DeviceSpec');
  });
}

/**
 * Throws a `CapacityError` naming the field when `request` is not shaped like a plan request
 * (a number, a bare model id, devices that are not an array ...), so that a code cell's
 * mistake reads as its own and not as a TypeError from deep inside the planner.
 */
export function checkPlanRequestShape(request: unknown): void {
  if (!isRecord(request)) {
    throw invalid('request', request, `an object such as ${REQUEST_EXAMPLE}`);
  }
  checkModel(request.model);
  checkOptional(request, 'weights', ['string', 'object']);
  checkOptional(request, 'kv', ['string']);
  checkOptional(request, 'engine', ['string', 'object']);
  checkOptional(request, 'parallelism', ['string']);
  for (const field of ['contextTokens', 'batch', 'gpus', 'priceUsdPerGpuHour']) {
    checkOptional(request, field, ['number']);
  }
  checkDevices(request.devices);
}
