// Page formatting: one binary byte convention at every size, and plan errors as one sentence.
import { describe, expect, it } from 'vitest';
import { byteAxisUnit, formatBytes, formatUsd } from '../../../app/_lib/format.ts';
import { planErrorText, planPrompt } from '../../../app/_lib/plan-error-text.ts';
import type { PlanModelSource } from '../../../lib/notebook/model.ts';
import type { PlanErrorData } from '../../../workers/plan-types.ts';

const GiB = 2 ** 30;

describe('formatBytes', () => {
  it.each([
    [24_564 * 2 ** 20, '23.99 GiB'], // an RTX 4090: 24,564 MiB / 1,024
    [512 * 2 ** 20, '512.0 MiB'], // four significant digits at most
    [1.5 * 1024 * GiB, '1.50 TiB'],
    // 51,826,581,324,953,600 B / 2^50 = 46.03 PiB, not "48266765.12 GiB"
    [51_826_581_324_953_600, '46.03 PiB'],
    [Number.NaN, '—'],
    [null, '—'],
  ])('prints %s bytes as %s', (bytes, want) => {
    expect(formatBytes(bytes)).toBe(want);
  });

  it('takes a digit count for short labels', () => {
    expect(formatBytes(24_564 * 2 ** 20, { digits: 1 })).toBe('24.0 GiB');
  });
});

describe('byteAxisUnit', () => {
  it.each([
    [80 * GiB, 'GiB', GiB],
    [999 * GiB, 'GiB', GiB],
    [1000 * GiB, 'TiB', 1024 * GiB],
    [51_826_581_324_953_600, 'PiB', 1024 ** 5],
  ])('draws %s bytes in %s', (bytes, unit, perUnit) => {
    expect(byteAxisUnit(bytes)).toEqual({ unit, bytesPerUnit: perUnit });
  });
});

describe('formatUsd', () => {
  it('separates thousands and keeps cents', () => {
    expect(formatUsd(1_234_567.5)).toBe('$1,234,567.50');
    expect(formatUsd(0)).toBe('$0.00');
  });
});

describe('planErrorText', () => {
  const pasted: PlanModelSource = { kind: 'config', text: '{', fileName: null };
  const dropped: PlanModelSource = { kind: 'config', text: '{', fileName: 'broken.json' };
  const catalogue: PlanModelSource = { kind: 'catalogue', id: 'llama-3.1-8b' };
  const hub: PlanModelSource = { kind: 'hub', id: 'a/b' };
  const error = (patch: Partial<PlanErrorData>): PlanErrorData => ({
    code: 'invalid_field',
    field: null,
    expected: null,
    message: '',
    ...patch,
  });

  it.each([
    [
      'config JSON errors name the config once',
      error({
        code: 'invalid_json',
        field: '(config)',
        expected: 'a JSON object',
        message: 'config is not valid JSON: Unexpected end of JSON input',
      }),
      pasted,
      'the pasted config.json is not valid JSON: Unexpected end of JSON input ' +
        '(expected a JSON object).',
    ],
    [
      'a dropped file is named by its file name',
      error({
        field: '(config)',
        expected: 'a JSON object',
        message: 'config must be a JSON object',
      }),
      dropped,
      'broken.json must be a JSON object.',
    ],
    [
      'a config key leading the message is not repeated',
      error({
        field: 'num_attention_heads',
        expected: 'a positive integer up to 2^40',
        message: 'num_attention_heads must be a positive integer up to 2^40, got 0',
      }),
      pasted,
      'num_attention_heads must be a positive integer up to 2^40, got 0.',
    ],
    [
      'plan fields read as the form labels them',
      error({
        code: 'out_of_range',
        field: 'contextTokens',
        expected: 'an integer from 1 to 16777216',
        message: 'contextTokens must be an integer from 1 to 16777216, got 0',
      }),
      catalogue,
      'context (tokens) must be an integer from 1 to 16777216, got 0.',
    ],
    [
      'a message without its field gets the label first and the expectation after',
      error({
        field: 'gpus',
        expected: 'a GPU count that divides 32',
        message: 'tensor parallelism over 3 GPUs needs the 32 attention heads to divide evenly',
      }),
      catalogue,
      'count: tensor parallelism over 3 GPUs needs the 32 attention heads to divide evenly ' +
        '(expected a GPU count that divides 32).',
    ],
    [
      'a message naming the field in other words gets no prefix',
      error({
        field: 'weights',
        expected: 'bf16, fp8 or nf4 for vllm',
        message: 'vllm cannot load these weights',
      }),
      catalogue,
      'vllm cannot load these weights (expected bf16, fp8 or nf4 for vllm).',
    ],
    [
      "a hub model's bad config is named by its hub id, not as a pasted one",
      error({
        field: '(config)',
        expected: 'a JSON object',
        message: 'http://127.0.0.1:1/a/b/resolve/main/config.json must be a JSON object',
      }),
      hub,
      'the config.json of a/b: http://127.0.0.1:1/a/b/resolve/main/config.json must be a JSON ' +
        'object.',
    ],
    [
      'several fields named in other words in the message are not repeated',
      error({
        field: 'num_attention_heads, num_key_value_heads',
        message:
          'num_attention_heads and num_key_value_heads: 3 heads do not group into 2 KV heads',
      }),
      pasted,
      'num_attention_heads and num_key_value_heads: 3 heads do not group into 2 KV heads.',
    ],
    [
      'an error with no field passes as it is, with a full stop',
      error({ code: 'not_found', message: 'no such model on http://127.0.0.1:1: a/b' }),
      hub,
      'no such model on http://127.0.0.1:1: a/b.',
    ],
  ] as [string, PlanErrorData, PlanModelSource, string][])(
    '%s',
    (_name, planError, model, want) => {
      expect(planErrorText(planError, model)).toBe(want);
    },
  );

  it('asks for a config instead of quoting the JSON parser when the box is empty', () => {
    const parse = error({
      code: 'invalid_json',
      field: '(config)',
      expected: 'a JSON object',
      message: 'config is not valid JSON: Unexpected end of JSON input',
    });
    const empty: PlanModelSource = { kind: 'config', text: ' ', fileName: null };
    expect(planErrorText(parse, empty)).toBe(
      'Paste a Hugging Face config.json here, or drop the file on this box.',
    );
    const emptyFile: PlanModelSource = { kind: 'config', text: '', fileName: 'empty.json' };
    expect(planErrorText(parse, emptyFile)).toBe(
      'empty.json is empty: drop or paste a Hugging Face config.json (a JSON object).',
    );
    expect(planPrompt(empty)).toBe(
      'Paste a Hugging Face config.json here, or drop the file on this box.',
    );
    expect(planPrompt(emptyFile)).toBeNull();
  });

  it('asks for a hub id instead of an error while none is typed', () => {
    const badId = error({ code: 'unsupported', message: 'not a Hugging Face model id: ' });
    const emptyHub: PlanModelSource = { kind: 'hub', id: ' ' };
    const want = 'Type a Hugging Face model id (org/name), such as meta-llama/Llama-3.1-8B.';
    expect(planPrompt(emptyHub)).toBe(want);
    expect(planErrorText(badId, emptyHub)).toBe(want);
    expect(planPrompt(hub)).toBeNull();
  });
});
