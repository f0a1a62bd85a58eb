// Errors and warnings of the capacity library, carried as data so every shell can word them.

/** Machine-readable reason for a rejected input. */
export type CapacityErrorCode =
  | 'invalid_json'
  | 'missing_field'
  | 'invalid_field'
  | 'contradictory_fields'
  | 'unknown_model_type'
  | 'unknown_model'
  | 'unknown_quantization'
  | 'unknown_device'
  | 'unknown_engine'
  | 'invalid_file'
  | 'out_of_range';

/**
 * The one error the capacity library throws. `field` names the offending input (a config key
 * such as `num_key_value_heads`, or a plan option such as `contextTokens`) and `expected` says
 * what would have been accepted, so a UI or CLI can show a one-line message without a stack.
 */
export class CapacityError extends Error {
  readonly code: CapacityErrorCode;
  readonly field: string | null;
  readonly expected: string | null;

  constructor(
    code: CapacityErrorCode,
    message: string,
    details: { field?: string; expected?: string } = {},
  ) {
    super(message);
    this.name = 'CapacityError';
    this.code = code;
    this.field = details.field ?? null;
    this.expected = details.expected ?? null;
  }
}

/** Code of a non-fatal remark attached to a spec or a plan result. */
export type WarningCode =
  | 'sliding_window_ignored'
  | 'vision_tower_estimated'
  | 'mtp_layers_excluded'
  | 'estimate'
  | 'kv_dtype_unsupported'
  | 'context_above_model_limit'
  | 'engine_device_mismatch'
  | 'unknown_field_ignored'
  | 'incomplete_file';

/** A non-fatal remark: a code plus the numbers behind it; the UI owns the wording. */
export interface CapacityWarning {
  code: WarningCode;
  message: string;
  data?: Record<string, number | string | boolean>;
}

/** Throws a `missing_field` or `invalid_field` error unless `value` is a positive integer. */
export function requirePositiveInt(value: unknown, field: string): number {
  if (value === undefined || value === null) {
    throw new CapacityError('missing_field', `${field} is missing`, {
      field,
      expected: 'a positive integer',
    });
  }
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
    throw new CapacityError(
      'invalid_field',
      `${field} must be a positive integer, got ${String(value)}`,
      {
        field,
        expected: 'a positive integer',
      },
    );
  }
  return value;
}

/** Like `requirePositiveInt` but accepts zero (for counts such as shared experts). */
export function requireNonNegativeInt(value: unknown, field: string): number {
  if (value === 0) return 0;
  return requirePositiveInt(value, field);
}
