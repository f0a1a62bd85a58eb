// CLI output for splits and size limits: engine names for splits, one-line refusals.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { findCatalogueModel } from '../../../lib/capacity/catalogue/models.ts';
import { runCli } from '../../support/cli-run.ts';

const folder = mkdtempSync(join(tmpdir(), 'hwledger-cli-split-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

/** Llama-3.2-1B's config with `layers` decoder layers, written to a file. */
function deepConfig(layers: number): string {
  const path = join(folder, `deep-${layers}.json`);
  const config = { ...findCatalogueModel('llama-3.2-1b').config, num_hidden_layers: layers };
  writeFileSync(path, JSON.stringify(config));
  return path;
}

describe('hwledger plan over several GPUs', () => {
  it('names llama.cpp splits as llama.cpp does', async () => {
    const base = ['plan', '-m', 'llama-3.1-8b', '-e', 'llama.cpp', '-w', 'Q4_K_M', '-g', '2'];
    const row = await runCli(base);
    expect(row.code).toBe(0);
    expect(row.stdout.split('\n')[0]).toContain('llama.cpp, 2 GPUs (row split, -sm row)');
    const layer = await runCli([...base, '--parallel', 'pipeline']);
    expect(layer.stdout.split('\n')[0]).toContain('2 GPUs (layer split, -sm layer)');
    const vllm = await runCli(['plan', '-m', 'llama-3.1-8b', '-e', 'vllm', '-g', '2']);
    expect(vllm.stdout.split('\n')[0]).toContain('vllm, 2 GPUs (tensor parallel)');
  });

  it.each([
    [['-e', 'transformers.js', '-g', '2'], 'transformers.js runs a model on one device'],
    [['-e', 'llama.cpp', '-w', 'Q4_K_M', '-g', '4096'], 'at most 16 devices; 4096 GPUs'],
  ])('refuses %j in one line', async (args, message) => {
    const { code, stdout, stderr } = await runCli(['plan', '-m', 'llama-3.1-8b', ...args]);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toContain(message);
    expect(stderr.trim().split('\n')).toHaveLength(1);
  });
});

describe('hwledger plan at the size limits', () => {
  it('refuses a 100,000-layer config at once, naming the field and range', async () => {
    const path = deepConfig(100_000);
    const started = Date.now();
    const { code, stderr } = await runCli(['plan', '-m', path]);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(code).toBe(1);
    expect(stderr).toBe(
      `hwledger: ${path}: num_hidden_layers must be a positive integer up to 1024, got 100000\n`,
    );
  });

  it('prints the largest allowed model with short units', async () => {
    const { code, stdout } = await runCli(['plan', '-m', deepConfig(1024), '-w', 'bf16']);
    expect(code).toBe(0);
    // 1,024 layers x 8 KV heads x 64 x (K + V) x 2 bytes
    expect(stdout).toContain(`${(1024 * 8 * 64 * 2 * 2).toLocaleString('en-US')} B per token`);
    // A layer: q and o 2 x 2,048 x 2,048, k and v 2 x 512 x 2,048, gate, up and down
    // 3 x 8,192 x 2,048, two norms 2 x 2,048 = 60,821,504 parameters. 1,024 of them plus the
    // tied 128,256 x 2,048 embedding and the final norm: 62,543,890,432 = 62.54B.
    expect(stdout).toMatch(/Parameters {2}62\.54B total/);
    expect(stdout).not.toMatch(/\d{5,}\.\d+ [KMGTPE]?i?B/);
  });
});
