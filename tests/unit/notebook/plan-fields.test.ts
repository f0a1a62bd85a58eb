// The plan form's typed fields and dropped files: what reads, and what each problem says.
import { describe, expect, it } from 'vitest';
import { configFileProblemBeforeRead, configTextProblem } from '../../../app/_lib/config-file.ts';
import {
  COUNT_BOUNDS,
  readContextTokens,
  readCount,
  readDeviceCount,
  readPrice,
} from '../../../app/_lib/plan-fields.ts';

describe('readCount', () => {
  it.each(['abc', '-5', '0', '1e400', '1.5', '', '1048577'])('refuses %j as a batch', (text) => {
    expect(readCount(text, COUNT_BOUNDS.batch)).toEqual({
      ok: false,
      problem: 'a whole number from 1 to 1,048,576', // 2^20, the core's concurrency search limit
    });
  });

  it('reads a whole number within its bounds', () => {
    expect(readCount(' 8 ', COUNT_BOUNDS.batch)).toEqual({ ok: true, value: 8 });
  });
});

describe('readContextTokens', () => {
  it.each(['abc', '-5', '0', '1e400', '1.5', '', '16777217', '17m'])('refuses %j', (text) => {
    expect(readContextTokens(text)).toEqual({
      ok: false,
      problem: 'a token count from 1 to 16,777,216, such as 8192 or 32k', // 2^24 tokens
    });
  });

  it.each([
    ['8192', 8192],
    [' 32768 ', 32768],
    ['32k', 32 * 1024],
    ['128K', 128 * 1024],
    ['16m', 16 * 1024 ** 2],
  ])('reads %j as %d tokens, k and m as the CLI reads them', (text, value) => {
    expect(readContextTokens(text)).toEqual({ ok: true, value });
  });
});

describe('readDeviceCount', () => {
  it('allows several devices for llama.cpp', () => {
    expect(readDeviceCount('4', 'llama.cpp')).toEqual({ ok: true, value: 4 });
  });

  it('allows one device only for transformers.js, saying why', () => {
    expect(readDeviceCount('1', 'transformers.js')).toEqual({ ok: true, value: 1 });
    expect(readDeviceCount('2', 'transformers.js')).toEqual({
      ok: false,
      problem: '1 only: transformers.js runs a model on one device; pick another engine',
    });
  });
});

describe('readPrice', () => {
  it.each([
    ['', null],
    ['0', 0],
    ['2.50', 2.5],
    ['.75', 0.75],
    ['1000000', 1_000_000],
  ])('reads %j as %s US$ per device-hour', (text, value) => {
    expect(readPrice(text)).toEqual({ ok: true, value });
  });

  it.each([
    'abc',
    '-5',
    '1e400',
    '1e3',
    'Infinity',
    '2,50',
    '1000000.01',
    '200000000000000000000000000',
  ])('refuses %j', (text) => {
    expect(readPrice(text)).toEqual({
      ok: false,
      // the CLI's --price bound, 1,000,000 US$ per device-hour
      problem: 'US$ per device-hour: a number from 0 to 1,000,000 such as 2.50, or empty',
    });
  });
});

describe('config files', () => {
  it.each([
    ['empty.json', '', 'empty.json is empty: a config.json holds a JSON object.'],
    ['blank.json', ' \n', 'blank.json is empty: a config.json holds a JSON object.'],
    [
      'notes.txt',
      'model_type: llama',
      'notes.txt is not JSON: a config.json is one JSON object, starting with {.',
    ],
    ['zeros.json', '{\u0000}', 'zeros.json is not a text file: a config.json is JSON text.'],
    [
      'huge.json',
      `{"a": "${'x'.repeat(200_000)}"}`,
      'huge.json is too large for a config.json: a notebook keeps at most 200,000 characters.',
    ],
  ])('names %s and says what is wrong', (name, text, want) => {
    expect(configTextProblem(name, text)).toBe(want);
  });

  it('lets a JSON object through to the parser, Python NaN and all', () => {
    expect(configTextProblem('config.json', '{"model_type": "llama", "x": NaN}')).toBeNull();
  });

  it('refuses weights files and huge files before reading them', () => {
    expect(configFileProblemBeforeRead('model-Q4_K_M.gguf', 4e9)).toBe(
      "model-Q4_K_M.gguf is a weights file, not a config.json: drop the model's config.json " +
        'here (the hwledger CLI reads GGUF and safetensors headers).',
    );
    // 4 bytes per character at most x 200,000 characters = 800,000 bytes
    expect(configFileProblemBeforeRead('config.json', 800_001)).toContain('too large');
    expect(configFileProblemBeforeRead('config.json', 800_000)).toBeNull();
  });
});
