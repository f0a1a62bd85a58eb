// Reads a checkpoint's `quantization_config` into the method, bits, group size and exclusions.

import { CapacityError } from '../errors.ts';
import type { CheckpointQuantization } from '../spec.ts';
import type { ConfigReader } from './reader.ts';

type Method = CheckpointQuantization['method'];

/** Methods hwLedger recognises without a dedicated weight-size model (counted as `other`). */
const OTHER_METHODS = new Set([
  'hqq',
  'eetq',
  'quanto',
  'aqlm',
  'exl2',
  'torchao',
  'bitnet',
  'higgs',
  'vptq',
  'spqr',
  'quark',
  'auto-round',
]);

/** Every `quant_method` accepted, for the error message. */
const KNOWN_METHODS = [
  'gptq',
  'awq',
  'bitsandbytes',
  'fp8',
  'fbgemm_fp8',
  'mxfp4',
  'compressed-tensors',
  ...OTHER_METHODS,
];

function excluded(config: ConfigReader, keys: readonly string[]): string[] {
  return keys.flatMap((key) => config.optStringArray(key) ?? []);
}

/** A group size where -1 (one group per full input row) reads as null. */
function groupSize(config: ConfigReader, keys: readonly string[]): number | null {
  const key = config.presentKey(keys);
  if (key === null || config.value(key) === -1) return null;
  return config.int(key);
}

function gptqOrAwq(config: ConfigReader, method: 'gptq' | 'awq'): CheckpointQuantization {
  return {
    method,
    bits: config.int(['bits', 'w_bit'], { max: 16 }),
    groupSize: groupSize(config, ['group_size', 'q_group_size']),
    excludedModules: excluded(config, ['modules_to_not_convert']),
  };
}

function bitsAndBytes(config: ConfigReader): CheckpointQuantization {
  const four = config.boolOr(['load_in_4bit', '_load_in_4bit'], false);
  const eight = config.boolOr(['load_in_8bit', '_load_in_8bit'], false);
  if (four === eight) {
    config.contradiction(
      ['load_in_4bit', 'load_in_8bit'],
      four ? 'both 4-bit and 8-bit loading are set' : 'neither 4-bit nor 8-bit loading is set',
      'exactly one of load_in_4bit and load_in_8bit true',
    );
  }

  const quantType = config.optString('bnb_4bit_quant_type');
  if (four && quantType !== null && quantType !== 'nf4' && quantType !== 'fp4') {
    config.invalid('bnb_4bit_quant_type', quantType, 'nf4 or fp4');
  }

  return {
    method: 'bitsandbytes',
    bits: four ? 4 : 8,
    groupSize: null,
    excludedModules: excluded(config, ['llm_int8_skip_modules']),
  };
}

/**
 * FP8 weights (DeepSeek-V3 style): one scale per `weight_block_size` block when stated, so
 * `groupSize` is the elements per scale (128 x 128 = 16384); null for per-tensor scales.
 */
function fp8(config: ConfigReader): CheckpointQuantization {
  const block = config.optIntArray('weight_block_size');
  if (block !== null && block.length !== 2) {
    config.invalid('weight_block_size', block, 'two block sizes [rows, columns]');
  }
  return {
    method: 'fp8',
    bits: null,
    groupSize: block === null ? null : block.reduce((product, size) => product * size, 1),
    excludedModules: excluded(config, ['modules_to_not_convert', 'ignored_layers']),
  };
}

/** compressed-tensors: bits and group size of the first config group's weights (best effort). */
function compressedTensors(config: ConfigReader): CheckpointQuantization {
  const groups = config.child('config_groups');
  const firstKey = groups === null ? undefined : groups.keys()[0];
  const weights = firstKey === undefined ? null : groups?.child(firstKey)?.child('weights');
  return {
    method: 'compressed-tensors',
    bits: weights?.optInt('num_bits', { max: 16 }) ?? null,
    groupSize: weights?.optInt('group_size') ?? null,
    excludedModules: excluded(config, ['ignore']),
  };
}

function other(config: ConfigReader): CheckpointQuantization {
  return {
    method: 'other' satisfies Method,
    bits: config.optInt(['bits', 'nbits', 'weight_bits'], { max: 16 }),
    groupSize: config.optInt(['group_size']),
    excludedModules: excluded(config, ['modules_to_not_convert']),
  };
}

/**
 * Parses `quantization_config` (the reader of that object). Bits and group size are null when
 * the method fixes them (MXFP4: 4-bit E2M1 in blocks of 32; bitsandbytes: its own block sizes).
 * An unrecognised `quant_method` is an `unknown_quantization` error, never a silent 16 bits.
 */
export function parseQuantizationConfig(config: ConfigReader): CheckpointQuantization {
  const method = config.string('quant_method').toLowerCase();
  switch (method) {
    case 'gptq':
    case 'awq':
      return gptqOrAwq(config, method);
    case 'bitsandbytes':
      return bitsAndBytes(config);
    case 'fp8':
    case 'fbgemm_fp8':
      return fp8(config);
    case 'mxfp4':
      return {
        method: 'mxfp4',
        bits: null,
        groupSize: null,
        excludedModules: excluded(config, ['modules_to_not_convert']),
      };
    case 'compressed-tensors':
      return compressedTensors(config);
    default:
      if (OTHER_METHODS.has(method)) return other(config);
      throw new CapacityError('unknown_quantization', `unknown quant_method "${method}"`, {
        field: config.field('quant_method'),
        expected: `one of ${KNOWN_METHODS.join(', ')}`,
      });
  }
}
