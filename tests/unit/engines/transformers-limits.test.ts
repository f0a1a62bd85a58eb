// Request checks of the transformers.js runner: new tokens, prompt against context, sources.

import { describe, expect, it } from 'vitest';

import {
  MAX_NEW_TOKENS_LIMIT,
  chooseBrowserBackend,
  modelContextTokens,
  normalBaseUrl,
  parseNewTokens,
  requestProblem,
  sourceProblem,
} from '../../../lib/engines/transformers/index.ts';
import { demoConfigJson } from '../../../scripts/make-demo-model.ts';

const DEMO_CONTEXT = { tokens: 2048, key: 'max_position_embeddings' };

describe('parseNewTokens', () => {
  it.each([
    ['5', 5],
    [' 32 ', 32],
    ['+7', 7],
    [String(MAX_NEW_TOKENS_LIMIT), 8192],
  ])('reads %j as %d', (text, tokens) => {
    expect(parseNewTokens(text)).toEqual({ ok: true, tokens });
  });

  it.each([
    ['', 'an empty field'],
    ['0', 'got 0'],
    ['-3', 'got -3'],
    ['2.5', 'got "2.5"'],
    ['1e3', 'got "1e3"'],
    ['ten', 'got "ten"'],
    ['8193', 'got 8,193'],
    ['99999999999999999999', 'got 100,000,000,000,000,000,000'],
  ])('refuses %j, naming the field and the range', (text, got) => {
    const parsed = parseNewTokens(text);
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.problem.field).toBe('new tokens');
    expect(parsed.problem.message).toBe(
      `new tokens: expected a whole number from 1 to 8,192, ${got.startsWith('got') ? got : `got ${got}`}`,
    );
  });
});

describe('modelContextTokens', () => {
  it('reads the demo config (max_position_embeddings 2048)', () => {
    expect(modelContextTokens(demoConfigJson())).toEqual(DEMO_CONTEXT);
  });

  it.each([
    [{ n_positions: 1024 }, { tokens: 1024, key: 'n_positions' }],
    [
      { max_position_embeddings: 0, n_ctx: 512 },
      { tokens: 512, key: 'n_ctx' },
    ],
    [{ max_position_embeddings: '4096' }, null],
    [{}, null],
    [null, null],
  ])('reads %j', (config, expected) => {
    expect(modelContextTokens(config)).toEqual(expected);
  });
});

describe('requestProblem', () => {
  it('lets a request through that fits exactly: 2,000 + 48 = 2,048', () => {
    expect(
      requestProblem({ promptTokens: 2000, maxNewTokens: 48, context: DEMO_CONTEXT }),
    ).toBeNull();
  });

  it('says how many new tokens fit after a long prompt: 2,048 - 2,000 = 48', () => {
    const problem = requestProblem({ promptTokens: 2000, maxNewTokens: 49, context: DEMO_CONTEXT });
    expect(problem?.field).toBe('new tokens');
    expect(problem?.message).toBe(
      "new tokens: 2,000 prompt tokens + 49 new tokens = 2,049, more than the model's context " +
        'of 2,048 tokens (max_position_embeddings); at most 48 new tokens fit after this prompt',
    );
  });

  it('refuses a prompt that fills the context, naming the prompt', () => {
    const problem = requestProblem({ promptTokens: 3001, maxNewTokens: 1, context: DEMO_CONTEXT });
    expect(problem?.field).toBe('prompt');
    expect(problem?.message).toMatch(/^prompt: 3,001 tokens do not fit .* at most 2,047 tokens$/);
  });

  it('refuses a prompt with no tokens and a bad count, and skips the context when unknown', () => {
    expect(requestProblem({ promptTokens: 0, maxNewTokens: 5, context: null })?.field).toBe(
      'prompt',
    );
    expect(requestProblem({ promptTokens: 5, maxNewTokens: 0, context: null })?.field).toBe(
      'new tokens',
    );
    expect(requestProblem({ promptTokens: 100_000, maxNewTokens: 5, context: null })).toBeNull();
  });
});

describe('source checks', () => {
  it.each([
    ['http://127.0.0.1:8080', 'http://127.0.0.1:8080/'],
    [' https://huggingface.co/// ', 'https://huggingface.co/'],
    ['https://mirror.example/hf/', 'https://mirror.example/hf/'],
  ])('accepts the hub base %j as %j', (text, url) => {
    expect(normalBaseUrl(text)).toEqual({ ok: true, url });
  });

  it.each([
    ['not a url', '"not a url"'],
    ['', 'an empty field'],
    ['ftp://host/', '"ftp://host/"'],
    ['huggingface.co', '"huggingface.co"'],
    ['https://host/?q=1', '"https://host/?q=1"'],
  ])('refuses the hub base %j', (text, got) => {
    const checked = normalBaseUrl(text);
    expect(checked.ok).toBe(false);
    if (checked.ok) return;
    expect(checked.problem.field).toBe('hub base URL');
    expect(checked.problem.message).toBe(
      `hub base URL: expected an http:// or https:// address such as https://huggingface.co, got ${got}`,
    );
  });

  it('names the model id when it is not owner/name', () => {
    for (const modelId of ['', 'a/b/c', '../etc', 'has space/x']) {
      const problem = sourceProblem({ kind: 'hub', baseUrl: 'http://127.0.0.1/', modelId }, 'fp32');
      expect(problem?.field).toBe('model id');
    }
    expect(
      sourceProblem({ kind: 'hub', baseUrl: 'http://127.0.0.1/', modelId: 'org/m-1.5B' }, 'fp32'),
    ).toBeNull();
  });

  it('checks a picked folder for the ONNX file of the chosen weights', () => {
    const files = new Map([['onnx/model.onnx', new Blob(['x'])]]);
    const source = { kind: 'files' as const, label: 'tiny', files };
    expect(sourceProblem(source, 'fp32')).toBeNull();
    expect(sourceProblem(source, 'fp16')).toEqual({
      field: 'weights',
      message: 'weights: "tiny" has no onnx/model_fp16.onnx (its ONNX files: onnx/model.onnx)',
    });
  });
});

describe('fp16 on WASM', () => {
  it('is never run: the choice falls back to fp32 and says why', async () => {
    for (const [gpu, force] of [
      [undefined, false],
      [{ requestAdapter: async () => null }, false],
      [{ requestAdapter: async () => ({ features: new Set(['shader-f16']) }) }, true],
    ] as const) {
      const choice = await chooseBrowserBackend(gpu, 'fp16', force);
      expect(choice.backend).toBe('wasm');
      expect(choice.dtype).toBe('fp32');
      expect(choice.reason).toMatch(/fp16 weights need WebGPU with shader-f16/);
    }
  });
});
