// The demo model on onnxruntime-node: exact token counts, stop between tokens, refused requests.

import { mkdtempSync, rmSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
  InferenceError,
  checkRequest,
  generateGreedy,
  loadModel,
  nodeBackend,
  sourceLabel,
} from '../../../lib/engines/transformers/index.ts';
import type { LoadedModel } from '../../../lib/engines/transformers/index.ts';
import { nodeReaders } from '../../../lib/engines/transformers/node.ts';
import { writeDemoModel } from '../../../scripts/make-demo-model.ts';

let dir = '';
let loaded: LoadedModel;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hwledger-run-'));
  writeDemoModel(join(dir, 'demo'));
  loaded = await loadModel(
    { kind: 'folder', path: join(dir, 'demo') },
    {
      backend: nodeBackend('fp32'),
      readers: nodeReaders,
      sessionOptions: { intraOpNumThreads: 1 },
    },
  );
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function refusal(attempt: () => unknown): Promise<InferenceError> {
  try {
    await attempt();
  } catch (error) {
    if (error instanceof InferenceError) return error;
    throw error;
  }
  throw new Error('the attempt was not refused');
}

describe('generateGreedy limits', () => {
  it('reads the context the demo config declares', () => {
    expect(loaded.context).toEqual({ tokens: 2048, key: 'max_position_embeddings' });
  });

  it.each([1, 7, 40])('stops at exactly %d new tokens', async (count) => {
    const report = await generateGreedy(loaded, 'Hello', { maxNewTokens: count });
    expect(report.tokenIds).toHaveLength(count);
    expect(report.stopped).toBe(false);
    expect(report.cacheTokens).toBe(6 + count - 1); // <s> + 5 bytes + new tokens but the last
  });

  it('ends a run between tokens when asked, keeping the tokens so far and the model', async () => {
    let polls = 0; // polled once after each new token
    const report = await generateGreedy(loaded, 'Hello', {
      maxNewTokens: 500,
      shouldStop: () => {
        polls += 1;
        return polls >= 3;
      },
    });
    expect(report.stopped).toBe(true);
    expect(report.tokenIds).toHaveLength(3);
    expect(report.cacheTokens).toBe(6 + 3 - 1);
    expect(report.notes[0]).toBe('Stopped on request after 3 of 500 new tokens.');

    const again = await generateGreedy(loaded, 'Hello', { maxNewTokens: 4 });
    expect(again.stopped).toBe(false);
    expect(again.tokenIds.slice(0, 3)).toEqual(report.tokenIds);
  });

  it('refuses a prompt longer than the context before running, naming the field', async () => {
    const prompt = 'a'.repeat(3000); // 3,001 tokens with <s>
    const error = await refusal(() => generateGreedy(loaded, prompt, { maxNewTokens: 1 }));
    expect(error.stage).toBe('input');
    expect(error.field).toBe('prompt');
    expect(error.message).toContain("3,001 tokens do not fit the model's context of 2,048");
  });

  it('refuses new tokens past the context: 2,001 + 48 > 2,048, but 47 fit', async () => {
    const prompt = 'a'.repeat(2000); // 2,001 tokens with <s>
    const error = await refusal(() => checkRequest(loaded, prompt, 48));
    expect(error.field).toBe('new tokens');
    expect(error.message).toContain('at most 47 new tokens fit after this prompt');
    expect(() => checkRequest(loaded, prompt, 47)).not.toThrow();
  });

  it.each([0, -1, 2.5, 10_000])('refuses %d new tokens', async (count) => {
    const error = await refusal(() => generateGreedy(loaded, 'Hello', { maxNewTokens: count }));
    expect(error.field).toBe('new tokens');
    expect(error.message).toMatch(/^new tokens: expected a whole number from 1 to 8,192/);
  });
});

describe('loadModel refusals', () => {
  it('says a folder has no fp16 weights instead of the engine error', async () => {
    const error = await refusal(() =>
      loadModel(
        { kind: 'folder', path: join(dir, 'demo') },
        { backend: nodeBackend('fp16'), readers: nodeReaders },
      ),
    );
    expect(error.stage).toBe('load');
    expect(error.message).toMatch(/has no fp16 weights \(onnx\/model_fp16\.onnx is missing\)/);
  });

  it('names the missing tokenizer_config.json instead of the engine TypeError', async () => {
    const folder = writeDemoModel(join(dir, 'no-tokenizer-config'));
    unlinkSync(join(folder, 'tokenizer_config.json'));

    const error = await refusal(() =>
      loadModel(
        { kind: 'folder', path: folder },
        { backend: nodeBackend('fp32'), readers: nodeReaders },
      ),
    );

    expect(error.stage).toBe('load');
    expect(error.message).toBe(
      `folder ${folder} has no tokenizer_config.json: transformers.js builds the tokenizer ` +
        'from tokenizer.json and tokenizer_config.json beside config.json; add both files',
    );
    expect(error.message).not.toMatch(/Cannot read properties/);
  });

  it.each([
    ['http://127.0.0.1:3500', 'good/tiny'],
    ['http://127.0.0.1:3500/', 'good/tiny'],
    ['http://127.0.0.1:3500//', '/good/tiny'],
  ])('labels hub %s + %s with exactly one slash between them', (baseUrl, modelId) => {
    expect(sourceLabel({ kind: 'hub', baseUrl, modelId })).toBe('http://127.0.0.1:3500/good/tiny');
  });

  it('refuses a hub base that is not an http(s) URL before fetching anything', async () => {
    const error = await refusal(() =>
      loadModel(
        { kind: 'hub', baseUrl: 'not a url', modelId: 'org/model' },
        { backend: nodeBackend('fp32') },
      ),
    );
    expect(error.stage).toBe('input');
    expect(error.field).toBe('hub base URL');
  });
});
