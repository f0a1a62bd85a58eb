// Typed, path-aware reads of a raw Hugging Face config object, failing with the field's name.

import { CapacityError } from '../errors.ts';
import {
  MAX_EXPERTS,
  MAX_FFN,
  MAX_HEAD_DIM,
  MAX_HEADS,
  MAX_HIDDEN,
  MAX_LAYERS,
  MAX_VOCAB,
} from '../limits.ts';

/** Largest size any count field may take (2^40 elements); anything above is a typo or garbage. */
export const MAX_CONFIG_INT = 2 ** 40;

/**
 * Per-field upper bounds (see limits.ts for the reasoning behind each): far above every
 * published model, low enough that a typo such as `"num_hidden_layers": 100000` fails at once
 * with the field and the allowed range instead of running for seconds and exhausting memory.
 */
export const FIELD_LIMITS: Readonly<Record<string, number>> = {
  num_hidden_layers: MAX_LAYERS,
  n_layer: MAX_LAYERS,
  n_layers: MAX_LAYERS,
  num_layers: MAX_LAYERS,
  depth: MAX_LAYERS,
  num_nextn_predict_layers: MAX_LAYERS,
  first_k_dense_replace: MAX_LAYERS,
  max_window_layers: MAX_LAYERS,
  num_experts: MAX_EXPERTS,
  num_local_experts: MAX_EXPERTS,
  n_routed_experts: MAX_EXPERTS,
  moe_num_experts: MAX_EXPERTS,
  num_shared_experts: MAX_EXPERTS,
  n_shared_experts: MAX_EXPERTS,
  num_experts_per_tok: MAX_EXPERTS,
  num_attention_heads: MAX_HEADS,
  num_key_value_heads: MAX_HEADS,
  num_heads: MAX_HEADS,
  n_head: MAX_HEADS,
  n_mamba_heads: MAX_HEADS,
  mamba_num_heads: MAX_HEADS,
  linear_num_key_heads: MAX_HEADS,
  linear_num_value_heads: MAX_HEADS,
  vocab_size: MAX_VOCAB,
  hidden_size: MAX_HIDDEN,
  d_model: MAX_HIDDEN,
  n_embd: MAX_HIDDEN,
  out_hidden_size: MAX_HIDDEN,
  q_lora_rank: MAX_HIDDEN,
  kv_lora_rank: MAX_HIDDEN,
  intermediate_size: MAX_FFN,
  moe_intermediate_size: MAX_FFN,
  shared_expert_intermediate_size: MAX_FFN,
  shared_intermediate_size: MAX_FFN,
  ffn_hidden_size: MAX_FFN,
  n_inner: MAX_FFN,
  head_dim: MAX_HEAD_DIM,
  attention_head_dim: MAX_HEAD_DIM,
  v_head_dim: MAX_HEAD_DIM,
  qk_nope_head_dim: MAX_HEAD_DIM,
  qk_rope_head_dim: MAX_HEAD_DIM,
  mamba_head_dim: MAX_HEAD_DIM,
  linear_key_head_dim: MAX_HEAD_DIM,
  linear_value_head_dim: MAX_HEAD_DIM,
};

/** The bounds of `key` (array entries `key[i]` take their array's): per-field max by default. */
function boundsOf(key: string, bounds: IntBounds): IntBounds {
  if (bounds.max !== undefined) return bounds;
  const limit = FIELD_LIMITS[key.replace(/\[\d+\]$/, '')];
  return limit === undefined ? bounds : { ...bounds, max: limit };
}

/** One key, or a list of aliases of which the first present one is read. */
export type ConfigKeys = string | readonly string[];

/** A key that was found: its own name (which alias) and its value. */
interface Found {
  key: string;
  value: unknown;
}

/** Bounds for an integer read: `min` defaults to 1 (a positive size). */
export interface IntBounds {
  min?: number;
  max?: number;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return 'an array';
  if (isPlainObject(value)) return 'an object';
  return String(value);
}

function keyList(keys: ConfigKeys): readonly string[] {
  return typeof keys === 'string' ? [keys] : keys;
}

/**
 * Reads fields of one config object (the root, or a nested one such as `text_config`). Absent
 * and `null` values count as missing; every error names the full dotted path of the field and
 * what would have been accepted. Integer sizes must be whole, finite and at most 2^40, or the
 * field's FIELD_LIMITS bound (layers, experts, heads, vocabulary, widths).
 */
export class ConfigReader {
  /** Dotted path of this object inside the root config ('' for the root). */
  readonly path: string;
  private readonly raw: Readonly<Record<string, unknown>>;

  constructor(raw: unknown, path = '') {
    if (!isPlainObject(raw)) {
      const field = path === '' ? '(config)' : path;
      throw new CapacityError('invalid_field', `${field} must be an object, got ${describe(raw)}`, {
        field,
        expected: 'a JSON object',
      });
    }
    this.raw = raw;
    this.path = path;
  }

  /** Full dotted path of `key` in the root config, e.g. `text_config.num_attention_heads`. */
  field(key: string): string {
    return this.path === '' ? key : `${this.path}.${key}`;
  }

  /** Whether any of the keys holds a non-null value. */
  has(keys: ConfigKeys): boolean {
    return this.find(keys) !== null;
  }

  /** The raw value of the first present key, or undefined. */
  value(keys: ConfigKeys): unknown {
    return this.find(keys)?.value;
  }

  /** Which alias is present, or null. */
  presentKey(keys: ConfigKeys): string | null {
    return this.find(keys)?.key ?? null;
  }

  /**
   * A reader of the same object with `defaults` filling the keys it lacks (an explicit null
   * stays null): how transformers' config classes complete a sparse config.json.
   */
  withDefaults(defaults: Readonly<Record<string, unknown>>): ConfigReader {
    return new ConfigReader({ ...defaults, ...this.raw }, this.path);
  }

  /** Keys of this object whose values are not null, in their stored order. */
  keys(): string[] {
    return Object.keys(this.raw).filter((key) => this.has(key));
  }

  /** The nested object at `key` as a reader, or null when absent. */
  child(key: string): ConfigReader | null {
    const value = this.raw[key];
    if (value === undefined || value === null) return null;
    return new ConfigReader(value, this.field(key));
  }

  /** A required positive integer (or within `bounds`), such as `num_hidden_layers`. */
  int(keys: ConfigKeys, bounds: IntBounds = {}): number {
    const expected = intExpected(boundsOf(keyList(keys)[0] ?? '', bounds));
    return this.checkInt(this.require(keys, expected), bounds);
  }

  /** An optional positive integer (or within `bounds`); null when absent. */
  optInt(keys: ConfigKeys, bounds: IntBounds = {}): number | null {
    const found = this.find(keys);
    return found === null ? null : this.checkInt(found, bounds);
  }

  /** An optional integer with a documented default for when it is absent. */
  intOr(keys: ConfigKeys, fallback: number, bounds: IntBounds = {}): number {
    return this.optInt(keys, bounds) ?? fallback;
  }

  /** A required finite number greater than zero. */
  number(keys: ConfigKeys): number {
    return this.checkNumber(this.require(keys, 'a finite number above 0'));
  }

  /** An optional finite number greater than zero; null when absent. */
  optNumber(keys: ConfigKeys): number | null {
    const found = this.find(keys);
    return found === null ? null : this.checkNumber(found);
  }

  /** A required boolean. */
  bool(keys: ConfigKeys): boolean {
    return this.checkBool(this.require(keys, 'true or false'));
  }

  /** An optional boolean with a default for when it is absent. */
  boolOr(keys: ConfigKeys, fallback: boolean): boolean {
    const found = this.find(keys);
    return found === null ? fallback : this.checkBool(found);
  }

  /** A required non-empty string. */
  string(keys: ConfigKeys): string {
    return this.checkString(this.require(keys, 'a non-empty string'));
  }

  /** An optional non-empty string; null when absent. */
  optString(keys: ConfigKeys): string | null {
    const found = this.find(keys);
    return found === null ? null : this.checkString(found);
  }

  /** A required array of integers, each within `bounds` (default: positive). */
  intArray(keys: ConfigKeys, bounds: IntBounds = {}): number[] {
    const found = this.require(keys, `an array of ${intExpected(bounds)}s`);
    return this.checkIntArray(found, bounds);
  }

  /** An optional array of integers, each within `bounds`; null when absent. */
  optIntArray(keys: ConfigKeys, bounds: IntBounds = {}): number[] | null {
    const found = this.find(keys);
    return found === null ? null : this.checkIntArray(found, bounds);
  }

  /** An optional array of strings (such as `layer_types`); null when absent. */
  optStringArray(keys: ConfigKeys): string[] | null {
    const found = this.find(keys);
    if (found === null) return null;
    const items = this.checkArray(found, 'an array of strings');
    return items.map((item, index) =>
      this.checkString({ key: `${found.key}[${index}]`, value: item }),
    );
  }

  /** An optional array of booleans (such as a per-layer pattern); null when absent. */
  optBoolArray(keys: ConfigKeys): boolean[] | null {
    const found = this.find(keys);
    if (found === null) return null;
    const items = this.checkArray(found, 'an array of booleans');
    return items.map((item, index) =>
      this.checkBool({ key: `${found.key}[${index}]`, value: item }),
    );
  }

  /** Full paths of the required fields that are absent (aliases shown as `a (or b)`). */
  missing(required: readonly ConfigKeys[]): string[] {
    return required.filter((keys) => !this.has(keys)).map((keys) => this.aliasName(keys));
  }

  /** Throws one `missing_field` error listing every absent field of `required`. */
  requireAll(required: readonly ConfigKeys[], context: string): void {
    const absent = this.missing(required);
    if (absent.length === 0) return;
    const first = keyList(required.find((keys) => !this.has(keys)) ?? '')[0] ?? '';
    throw new CapacityError('missing_field', `${context}: missing ${absent.join(', ')}`, {
      field: this.field(first),
      expected: `all of ${absent.join(', ')}`,
    });
  }

  /** Throws a `contradictory_fields` error naming the fields that disagree. */
  contradiction(keys: readonly string[], message: string, expected: string): never {
    const fields = keys.map((key) => this.field(key));
    throw new CapacityError('contradictory_fields', `${fields.join(' and ')}: ${message}`, {
      field: fields.join(', '),
      expected,
    });
  }

  /** Throws an `invalid_field` error for `key` with the value shown. */
  invalid(key: string, value: unknown, expected: string): never {
    const field = this.field(key);
    throw new CapacityError(
      'invalid_field',
      `${field} must be ${expected}, got ${describe(value)}`,
      {
        field,
        expected,
      },
    );
  }

  private aliasName(keys: ConfigKeys): string {
    const [first, ...rest] = keyList(keys).map((key) => this.field(key));
    return rest.length === 0 ? (first ?? '') : `${first ?? ''} (or ${rest.join(', ')})`;
  }

  private find(keys: ConfigKeys): Found | null {
    for (const key of keyList(keys)) {
      const value = this.raw[key];
      if (value !== undefined && value !== null) return { key, value };
    }
    return null;
  }

  private require(keys: ConfigKeys, expected: string): Found {
    const found = this.find(keys);
    if (found !== null) return found;
    const first = keyList(keys)[0] ?? '';
    throw new CapacityError('missing_field', `${this.aliasName(keys)} is missing`, {
      field: this.field(first),
      expected,
    });
  }

  private checkInt(found: Found, given: IntBounds): number {
    const { key, value } = found;
    const bounds = boundsOf(key, given);
    const min = bounds.min ?? 1;
    const max = bounds.max ?? MAX_CONFIG_INT;
    if (typeof value !== 'number' || !Number.isInteger(value)) {
      this.invalid(key, value, intExpected(bounds));
    }
    if (value < min || value > max) {
      const field = this.field(key);
      throw new CapacityError(
        'out_of_range',
        `${field} must be ${intExpected(bounds)}, got ${String(value)}`,
        { field, expected: intExpected(bounds) },
      );
    }
    return value;
  }

  private checkNumber(found: Found): number {
    const { key, value } = found;
    if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
      this.invalid(key, value, 'a finite number above 0');
    }
    return value;
  }

  private checkBool(found: Found): boolean {
    if (typeof found.value !== 'boolean') this.invalid(found.key, found.value, 'true or false');
    return found.value;
  }

  private checkString(found: Found): string {
    if (typeof found.value !== 'string' || found.value === '') {
      this.invalid(found.key, found.value, 'a non-empty string');
    }
    return found.value;
  }

  private checkArray(found: Found, expected: string): unknown[] {
    if (!Array.isArray(found.value)) this.invalid(found.key, found.value, expected);
    return found.value as unknown[];
  }

  private checkIntArray(found: Found, bounds: IntBounds): number[] {
    const items = this.checkArray(found, `an array of ${intExpected(bounds)}s`);
    return items.map((item, index) =>
      this.checkInt({ key: `${found.key}[${index}]`, value: item }, bounds),
    );
  }
}

function intExpected(bounds: IntBounds): string {
  const min = bounds.min ?? 1;
  const max = bounds.max ?? MAX_CONFIG_INT;
  const upper = max === MAX_CONFIG_INT ? '2^40' : String(max);
  if (min === 1) return `a positive integer up to ${upper}`;
  if (min === 0) return `a non-negative integer up to ${upper}`;
  return `an integer from ${min} to ${upper}`;
}
