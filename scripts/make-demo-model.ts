// Writes the tiny random-weight Llama demo model (ONNX, tokenizer, configs) that the app and
// tests run with transformers.js. Usage: `npx tsx scripts/make-demo-model.ts [folder]`.

import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import {
  BYTE_OFFSET,
  SPECIAL_IDS,
  tokenizerConfigJson,
  tokenizerJson,
} from './demo-model/byte-tokenizer.ts';
import { buildLlamaGraph } from './demo-model/llama-graph.ts';
import type { DemoModelShape } from './demo-model/llama-graph.ts';

/** The model id the app and tests use, and its folder under `public/generated/models`. */
export const DEMO_MODEL_ID = 'hwledger-demo-tiny';

/** Default output folder, relative to the repository root. */
export const DEMO_MODEL_DIR = join('public', 'generated', 'models', DEMO_MODEL_ID);

/** Longest context the demo model declares, tokens. */
export const DEMO_MAX_POSITION_TOKENS = 2048;

/** The demo model's shape: 4 layers, 4 query heads over 2 KV heads (GQA), head dim 16. */
export const DEMO_MODEL_SHAPE: DemoModelShape = {
  vocabSize: BYTE_OFFSET + 256,
  hiddenSize: 64,
  layers: 4,
  heads: 4,
  kvHeads: 2,
  headDim: 16,
  intermediateSize: 128,
  ropeTheta: 10000,
  rmsNormEps: 1e-5,
  silencedTokenIds: [SPECIAL_IDS.unk, SPECIAL_IDS.bos, SPECIAL_IDS.eos],
  seed: 20240601,
};

/** Hugging Face `config.json` of the demo model (Llama), fp32 for transformers.js. */
export function demoConfigJson(shape: DemoModelShape = DEMO_MODEL_SHAPE): Record<string, unknown> {
  return {
    _name_or_path: DEMO_MODEL_ID,
    architectures: ['LlamaForCausalLM'],
    model_type: 'llama',
    vocab_size: shape.vocabSize,
    hidden_size: shape.hiddenSize,
    intermediate_size: shape.intermediateSize,
    num_hidden_layers: shape.layers,
    num_attention_heads: shape.heads,
    num_key_value_heads: shape.kvHeads,
    head_dim: shape.headDim,
    hidden_act: 'silu',
    max_position_embeddings: DEMO_MAX_POSITION_TOKENS,
    rms_norm_eps: shape.rmsNormEps,
    rope_theta: shape.ropeTheta,
    tie_word_embeddings: false,
    attention_bias: false,
    mlp_bias: false,
    bos_token_id: SPECIAL_IDS.bos,
    eos_token_id: SPECIAL_IDS.eos,
    torch_dtype: 'float32',
    'transformers.js_config': { dtype: 'fp32' },
  };
}

/** Every file of the model folder, by relative path, as bytes or JSON text. */
export function demoModelFiles(
  shape: DemoModelShape = DEMO_MODEL_SHAPE,
): Map<string, Uint8Array | string> {
  const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;
  return new Map<string, Uint8Array | string>([
    ['config.json', json(demoConfigJson(shape))],
    [
      'generation_config.json',
      json({
        bos_token_id: SPECIAL_IDS.bos,
        eos_token_id: SPECIAL_IDS.eos,
        pad_token_id: SPECIAL_IDS.unk,
        do_sample: false,
      }),
    ],
    ['tokenizer.json', json(tokenizerJson())],
    ['tokenizer_config.json', json(tokenizerConfigJson(DEMO_MAX_POSITION_TOKENS))],
    [join('onnx', 'model.onnx'), buildLlamaGraph(shape)],
  ]);
}

/** Writes the demo model into `folder` (created if needed); returns the absolute folder. */
export function writeDemoModel(folder: string, shape: DemoModelShape = DEMO_MODEL_SHAPE): string {
  const root = resolve(folder);
  for (const [path, content] of demoModelFiles(shape)) {
    const target = join(root, path);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, content);
  }
  return root;
}

const invokedPath = process.argv[1] ? resolve(process.argv[1]) : '';
if (invokedPath === fileURLToPath(import.meta.url)) {
  const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
  const started = performance.now();
  const folder = writeDemoModel(process.argv[2] ?? join(repoRoot, DEMO_MODEL_DIR));
  const elapsedMs = Math.round(performance.now() - started);
  process.stdout.write(`demo model written to ${folder} in ${elapsedMs} ms\n`);
}
