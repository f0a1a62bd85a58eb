// The agent's predicted-versus-actual report on real llama.cpp (node-llama-cpp, CPU).

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { compareWithLlamaCpp, LLAMA_RUN_TOLERANCE } from '../../agent/llama-run.ts';
import type { LlamaRunReport } from '../../agent/llama-run.ts';
import { buildLlama, writeGgufFile } from '../support/gguf-writer.ts';

const model = buildLlama({
  name: 'agent-tiny-gqa',
  layers: 4,
  embedding: 128,
  heads: 4,
  kvHeads: 2,
  feedForward: 512,
  vocab: 8192,
  weights: 'Q8_0',
});

let directory = '';
let modelPath = '';

beforeAll(() => {
  directory = mkdtempSync(join(tmpdir(), 'hwledger-agent-llama-'));
  modelPath = join(directory, 'agent-tiny-gqa.gguf');
  writeGgufFile(modelPath, model, { data: 'random', seed: 11 });
});

afterAll(() => {
  if (directory !== '') rmSync(directory, { recursive: true, force: true });
});

function part(report: LlamaRunReport, name: string) {
  if (!report.ok) throw new Error(`${report.stage}: ${report.error}`);
  const found = report.parts.find((entry) => entry.name === name);
  if (!found) throw new Error(`no part ${name}`);
  return found;
}

describe('compareWithLlamaCpp on a generated Q8_0 llama', () => {
  let report: LlamaRunReport;

  beforeAll(async () => {
    report = await compareWithLlamaCpp({ modelPath, contextTokens: 1000, sequences: 2 });
  });

  it('agrees with what llama.cpp allocated', () => {
    expect(report).toMatchObject({ ok: true, agrees: true });
  });

  it('predicts the weights and the KV cache to the byte', () => {
    // layers x pad256(1000) cells x KV heads x dim x K+V x f16 bytes x sequences
    const kv = 4 * 1024 * 2 * 32 * 2 * 2 * 2;

    expect(part(report, 'weights').differenceBytes).toBe(0);
    expect(part(report, 'kv_and_recurrent')).toMatchObject({ actualBytes: kv, differenceBytes: 0 });
  });

  it('lands within the capacity core tolerance of the total', () => {
    const total = part(report, 'total');

    expect(Math.abs(total.relativeDifference)).toBeLessThan(LLAMA_RUN_TOLERANCE.totalShare);
    expect(total.actualBytes).toBeGreaterThan(part(report, 'weights').actualBytes);
  });

  it('reports the settings llama.cpp resolved', () => {
    expect(report).toMatchObject({
      settings: { contextTokens: 1000, sequences: 2, kvType: 'f16' },
      model: { name: 'agent-tiny-gqa', architecture: 'llama' },
    });
  });
});

describe('compareWithLlamaCpp on bad files', () => {
  it('reports a truncated GGUF without taking the agent down', async () => {
    const path = join(directory, 'truncated.gguf');
    writeFileSync(path, new Uint8Array([0x47, 0x47, 0x55, 0x46, 3, 0, 0, 0, 0xff, 0xff]));

    const report = await compareWithLlamaCpp({ modelPath: path, contextTokens: 256 });

    expect(report).toMatchObject({ ok: false, stage: 'read' });
  });

  it('reports a GGUF whose header reads but whose data llama.cpp rejects', async () => {
    const path = join(directory, 'header-only.gguf');
    writeGgufFile(path, model, { data: 'none' });

    const report = await compareWithLlamaCpp({ modelPath: path, contextTokens: 256 });

    expect(report).toMatchObject({ ok: false, stage: 'measure' });
    expect(process.exitCode ?? 0).toBe(0);
  });

  it('reports a file that does not exist', async () => {
    const report = await compareWithLlamaCpp({
      modelPath: join(directory, 'missing.gguf'),
      contextTokens: 256,
    });

    expect(report).toMatchObject({ ok: false, stage: 'read' });
  });
});
