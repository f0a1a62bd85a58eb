// The generated demo model on transformers.js + onnxruntime-node: greedy decoding and KV bytes.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { kvBytesAt, kvProfile, layerCaches, parseHfConfig } from '../../lib/capacity/index.ts';
import {
  InferenceError,
  OnnxFormatError,
  generateGreedy,
  lastLogits,
  loadModel,
  nodeBackend,
  onnxWeights,
} from '../../lib/engines/transformers/index.ts';
import type { LoadedModel, RunReport } from '../../lib/engines/transformers/index.ts';
import { nodeMemoryProbe, nodeReaders } from '../../lib/engines/transformers/node.ts';
import { demoConfigJson, demoModelFiles, writeDemoModel } from '../../scripts/make-demo-model.ts';

const PROMPT = 'Hello, hwLedger'; // 15 bytes, plus <s>: 16 prompt tokens
const NEW_TOKENS = 12;
/** Bytes of one cached token: 4 layers x K+V x 2 kv heads x 16 head dim x 4 bytes (f32). */
const KV_ROW_BYTES = 4 * 2 * 2 * 16 * 4;

let dir = '';
let loaded: LoadedModel;
let report: RunReport;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hwledger-demo-'));
  writeDemoModel(join(dir, 'demo'));
  loaded = await loadModel(
    { kind: 'folder', path: join(dir, 'demo') },
    { backend: nodeBackend('fp32'), readers: nodeReaders, memoryProbe: nodeMemoryProbe },
  );
  report = await generateGreedy(loaded, PROMPT, {
    maxNewTokens: NEW_TOKENS,
    memoryProbe: nodeMemoryProbe,
  });
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function argmax(values: Float32Array): number {
  let best = 0;
  for (let index = 1; index < values.length; index += 1) {
    if ((values[index] as number) > (values[best] as number)) best = index;
  }
  return best;
}

function figureNamed(name: string) {
  const found = report.memory.find((entry) => entry.name === name);
  if (!found) throw new Error(`no figure ${name}`);
  return found;
}

describe('demo model generator', () => {
  it('writes the same bytes on every run, in well under a second', () => {
    const started = performance.now();
    const first = demoModelFiles();
    const elapsedMs = performance.now() - started;
    const second = demoModelFiles();

    expect(elapsedMs).toBeLessThan(1000);
    expect([...first.keys()].sort()).toEqual([
      'config.json',
      'generation_config.json',
      'onnx/model.onnx',
      'tokenizer.json',
      'tokenizer_config.json',
    ]);
    for (const [path, content] of first) {
      expect(Buffer.from(second.get(path) ?? '').equals(Buffer.from(content))).toBe(true);
    }
  });

  it('stores exactly the weights lib/capacity counts for its config', () => {
    const bytes = new Uint8Array(readFileSync(join(dir, 'demo', 'onnx', 'model.onnx')));
    const params =
      259 * 64 + // embedding: vocab (3 special + 256 bytes) x hidden
      // 4 layers: q, k and v, o, gate/up/down, two norms
      4 * (64 * 64 + 2 * 64 * 32 + 64 * 64 + 3 * 64 * 128 + 2 * 64) +
      64 + // final norm
      64 * 259; // output head

    expect(onnxWeights(bytes).weightsBytes).toBe(params * 4); // f32
    expect(params * 4).toBe(724_736);
    expect(loaded.prediction?.weightsBytes).toBe(724_736);
  });
});

describe('transformers.js on onnxruntime-node', () => {
  it('encodes the prompt byte by byte after <s>', () => {
    expect(report.promptTokenIds).toEqual([1, ...[...Buffer.from(PROMPT)].map((byte) => byte + 3)]);
  });

  it('generates the requested number of tokens greedily', () => {
    expect(report.tokenIds).toHaveLength(NEW_TOKENS);
    expect(report.timings.generatedTokens).toBe(NEW_TOKENS);
    expect(report.backend.backend).toBe('cpu');
  });

  it('matches the argmax of an uncached forward pass at every step', async () => {
    const context = [...report.promptTokenIds];
    for (const token of report.tokenIds) {
      const logits = await lastLogits(loaded, context);
      expect(logits).toHaveLength(259);
      expect(argmax(logits)).toBe(token);
      context.push(token);
    }
  });

  it('holds a KV cache of exactly the bytes lib/capacity predicts for its shapes', () => {
    const tokens = 16 + NEW_TOKENS - 1; // the last new token is never fed back
    const spec = parseHfConfig(demoConfigJson());
    const predicted = kvBytesAt(
      kvProfile(layerCaches(spec), { k: 'f32', v: 'f32', recurrent: 'f32' }),
      tokens,
      1,
    );
    const held = figureNamed('kv cache held');

    expect(report.cacheTokens).toBe(tokens);
    expect(held.measured).toBe(tokens * KV_ROW_BYTES); // 27 x 1024
    expect(predicted).toBe(tokens * KV_ROW_BYTES);
    expect(held.predicted).toBe(predicted);
    expect(held.differenceBytes).toBe(0);
  });

  it('reports the weights figure with no difference from the plan', () => {
    const weights = figureNamed('weights');
    expect(weights.measured).toBe(724_736);
    expect(weights.differenceBytes).toBe(0);
  });

  it('finds the profile one token row above past plus present at the last step', () => {
    const tokens = 27;
    const peak = figureNamed('kv cache during the last step');
    expect(peak.measured).toBe((2 * tokens - 1) * KV_ROW_BYTES); // past 26 + present 27 rows
    expect(peak.predicted).toBe(2 * tokens * KV_ROW_BYTES); // profile: 2 x context rows
    expect(peak.differenceBytes).toBe(-KV_ROW_BYTES);
  });

  it('times load, prefill and decode', () => {
    expect(report.timings.loadMs).toBeGreaterThan(0);
    expect(report.timings.prefillTokensPerSecond).toBeGreaterThan(0);
    expect(report.timings.decodeTokensPerSecond).toBeGreaterThan(0);
    expect(report.timings.promptTokens).toBe(16);
  });
});

describe('picked files', () => {
  it('loads from a map of files and generates the same tokens as from the folder', async () => {
    const files = new Map<string, Blob>();
    for (const [path, content] of demoModelFiles()) {
      files.set(path, new Blob([typeof content === 'string' ? content : Buffer.from(content)]));
    }
    const picked = await loadModel(
      { kind: 'files', label: 'demo', files },
      { backend: nodeBackend('fp32') },
    );
    const again = await generateGreedy(picked, PROMPT, { maxNewTokens: NEW_TOKENS });

    expect(picked.weights.weightsBytes).toBe(724_736);
    expect(again.tokenIds).toEqual(report.tokenIds);
  });
});

describe('broken model folders', () => {
  function brokenCopy(name: string, edit: (folder: string) => void): string {
    const folder = writeDemoModel(join(dir, name));
    edit(folder);
    return folder;
  }

  it.each([
    [
      'missing ONNX file',
      'no-onnx',
      (folder: string) => rmSync(join(folder, 'onnx', 'model.onnx')),
      /missing|not found/i,
    ],
    [
      'corrupt ONNX file',
      'corrupt',
      (folder: string) => writeFileSync(join(folder, 'onnx', 'model.onnx'), 'not a model'),
      /ONNX model .* could not be read|protobuf|load/i,
    ],
    [
      'missing tokenizer',
      'no-tokenizer',
      (folder: string) => rmSync(join(folder, 'tokenizer.json')),
      /missing|not found/i,
    ],
  ])('rejects a %s with a readable load error', async (_label, name, edit, message) => {
    const folder = brokenCopy(name, edit);
    const attempt = loadModel(
      { kind: 'folder', path: folder },
      { backend: nodeBackend('fp32'), readers: nodeReaders },
    );
    await expect(attempt).rejects.toBeInstanceOf(InferenceError);
    await expect(attempt).rejects.toThrow(message);
  });

  it('refuses bytes that are not an ONNX model when sizing weights', () => {
    expect(() => onnxWeights(new Uint8Array([0x3a, 0x05, 0x01]))).toThrow(OnnxFormatError);
  });
});
