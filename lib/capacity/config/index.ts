// Entry point: a Hugging Face config.json (text or object) to a ModelSpec.

import { CapacityError } from '../errors.ts';
import type { CapacityWarning } from '../errors.ts';
import type { CheckpointDtype, CheckpointQuantization, ModelSpec } from '../spec.ts';
import type { FamilySpec } from './family.ts';
import { slidingWindowIgnored } from './family.ts';
import { parseLlamaLike } from './families/llama.ts';
import type { WindowPlan } from './families/llama.ts';
import { uniformOrTypedWindows } from './families/windows.ts';
import { readContextFacts } from './context-facts.ts';
import { parseConfigJson } from './json.ts';
import { parseQuantizationConfig } from './quantization.ts';
import { ConfigReader } from './reader.ts';
import { FAMILY_PARSERS, familyParser } from './registry.ts';

export { ConfigReader } from './reader.ts';
export { FAMILY_PARSERS } from './registry.ts';

/** Options of parseHfConfig. */
export interface ParseHfConfigOptions {
  /** Display name; defaults to `_name_or_path`, then the model type. */
  name?: string;
}

/** Fields a config of an unregistered `model_type` needs to be read as a Llama-like decoder. */
export const GENERIC_DECODER_FIELDS = [
  'hidden_size',
  'intermediate_size',
  'num_hidden_layers',
  'num_attention_heads',
  'num_key_value_heads',
  'vocab_size',
] as const;

const DTYPES: Readonly<Record<string, CheckpointDtype>> = {
  float32: 'f32',
  float: 'f32',
  fp32: 'f32',
  float16: 'f16',
  half: 'f16',
  fp16: 'f16',
  bfloat16: 'bf16',
  bf16: 'bf16',
  float8_e4m3fn: 'fp8',
  float8_e5m2: 'fp8',
  fp8: 'fp8',
};

function parseJsonObject(input: unknown): unknown {
  return typeof input === 'string' ? parseConfigJson(input) : input;
}

function requireObject(raw: unknown): ConfigReader {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new CapacityError('invalid_json', 'config must be a JSON object', {
      field: '(config)',
      expected: 'a JSON object',
    });
  }
  return new ConfigReader(raw);
}

function readDtype(config: ConfigReader): CheckpointDtype | null {
  const key = config.presentKey(['torch_dtype', 'dtype']);
  if (key === null) return null;
  const name = config.string(key);
  const dtype = DTYPES[name.toLowerCase()];
  if (dtype === undefined) {
    config.invalid(key, name, `one of ${Object.keys(DTYPES).join(', ')}`);
  }
  return dtype;
}

function readQuantization(config: ConfigReader): CheckpointQuantization | null {
  const quantization = config.child('quantization_config');
  return quantization === null ? null : parseQuantizationConfig(quantization);
}

/** Generic layout: windows only from `layer_types`; a bare `sliding_window` is not trusted. */
function genericWindows(config: ConfigReader, sizes: { layers: number }): WindowPlan {
  if (config.has('layer_types')) return uniformOrTypedWindows(config, sizes);
  const window = config.optInt('sliding_window');
  const warnings =
    window === null
      ? []
      : [slidingWindowIgnored(config, window, 'unregistered model_type without layer_types')];
  return { windows: new Array<number | null>(sizes.layers).fill(null), warnings };
}

/**
 * Keys that mark a layout a Llama-like reading would get wrong (experts, latent attention,
 * state-space or hybrid layers): an unregistered config with any of them is refused.
 */
export const NON_LLAMA_FIELDS = [
  'num_experts',
  'num_local_experts',
  'n_routed_experts',
  'moe_intermediate_size',
  'kv_lora_rank',
  'q_lora_rank',
  'state_size',
  'd_state',
  'ssm_cfg',
  'mamba_d_state',
  'attn_layer_period',
  'hybrid_override_pattern',
  'linear_attn_config',
  'linear_num_value_heads',
] as const;

const NO_MODEL_TYPE = 'config has no model_type';

/** Says why `label` (a model_type, or its absence) is not a family. */
function unknownFamily(label: string): string {
  return label === NO_MODEL_TYPE
    ? 'config.json has no model_type (expected a model family such as llama, qwen2, mixtral)'
    : `${label} is not a known family`;
}

function refuseNonLlama(config: ConfigReader, label: string): void {
  const found = NON_LLAMA_FIELDS.filter((key) => config.has(key));
  if (found.length === 0) return;
  throw new CapacityError(
    'unknown_model_type',
    `${unknownFamily(label)}, and it states ${found.join(', ')}: a layout that a ` +
      'generic Llama-like decoder would miscount',
    {
      field: config.field('model_type'),
      expected: `a model_type of ${Object.keys(FAMILY_PARSERS).join(', ')}`,
    },
  );
}

function parseGeneric(config: ConfigReader, modelType: string | null): FamilySpec {
  const absent = config.missing(GENERIC_DECODER_FIELDS);
  const label = modelType === null ? NO_MODEL_TYPE : `model_type "${modelType}"`;
  refuseNonLlama(config, label);
  if (absent.length > 0) {
    throw new CapacityError(
      'unknown_model_type',
      `${unknownFamily(label)}, and a generic decoder needs ${absent.join(', ')}`,
      {
        field: config.field('model_type'),
        expected: `a model_type of ${Object.keys(FAMILY_PARSERS).join(', ')}; or the fields ${absent.join(', ')}`,
      },
    );
  }

  const warning: CapacityWarning = {
    code: 'estimate',
    message: `${label} is not a known family: read as a Llama-like decoder`,
    data: { modelType: modelType ?? '' },
  };
  return parseLlamaLike(config, {
    modelType: modelType ?? 'unknown',
    windows: genericWindows,
    warnings: [warning],
  });
}

/** Adds a warning that the vision tower of `root` (if it has one) is not counted. */
function withUncountedVision(root: ConfigReader, family: FamilySpec): FamilySpec {
  if (!root.has('vision_config')) return family;
  const warning: CapacityWarning = {
    code: 'vision_tower_estimated',
    message: `${family.modelType}: vision tower not counted (no parser for its vision_config)`,
    data: { counted: false },
  };
  return { ...family, warnings: [...family.warnings, warning] };
}

/** A multimodal wrapper of an unregistered type: its `text_config` parsed as its own type. */
function parseTextOnly(text: ConfigReader, modelType: string): FamilySpec {
  const textType = text.optString('model_type');
  const parser = textType === null ? null : familyParser(textType);
  const family = parser === null ? parseGeneric(text, textType) : parser(text);
  return { ...family, modelType };
}

function parseFamily(root: ConfigReader): FamilySpec {
  const modelType = root.optString('model_type');
  const parser = modelType === null ? null : familyParser(modelType);
  if (parser !== null) return parser(root);

  const text = root.child('text_config');
  const family =
    text === null ? parseGeneric(root, modelType) : parseTextOnly(text, modelType ?? 'unknown');
  return withUncountedVision(root, family);
}

/**
 * Parses a Hugging Face `config.json` (JSON text or the parsed object) into a ModelSpec: the
 * family parser registered for `model_type` (or, for an unregistered type with all of
 * GENERIC_DECODER_FIELDS, a Llama-like decoder with an `estimate` warning), the checkpoint dtype
 * from `torch_dtype`/`dtype` and its `quantization_config`. Multimodal configs are read through
 * `text_config`. Throws CapacityError: `invalid_json`, `missing_field`, `invalid_field`,
 * `out_of_range`, `contradictory_fields`, `unknown_model_type` or `unknown_quantization`.
 */
export function parseHfConfig(input: unknown, options: ParseHfConfigOptions = {}): ModelSpec {
  const root = requireObject(parseJsonObject(input));
  const family = parseFamily(root);
  const text = root.child('text_config');

  const dtype = readDtype(root) ?? (text === null ? null : readDtype(text));
  const quantization = readQuantization(root) ?? (text === null ? null : readQuantization(text));
  const name = options.name ?? root.optString('_name_or_path') ?? family.modelType;

  return {
    name,
    source: 'hf-config',
    ...family,
    contextFacts: readContextFacts(text ?? root),
    checkpoint: { dtype, quantization },
  };
}
