// Example notebooks shipped with the app: real questions answered from the built-in catalogue.

import {
  defaultPlanInputs,
  newId,
  newNotebook,
  type Cell,
  type Notebook,
  type PlanInputs,
} from './model.ts';

/** An example's slug (used in its URL), title and one-line summary. */
export interface ExampleInfo {
  slug: string;
  title: string;
  summary: string;
}

const md = (source: string): Cell => ({ id: newId(), kind: 'markdown', source });
const code = (source: string): Cell => ({ id: newId(), kind: 'code', source });
const plan = (
  name: string,
  inputs: Partial<PlanInputs> & { model: PlanInputs['model'] },
): Cell => ({
  id: newId(),
  kind: 'plan',
  name,
  inputs: { ...defaultPlanInputs(), ...inputs },
});
const model = (id: string): PlanInputs['model'] => ({ kind: 'catalogue', id });

function fit70b(): Cell[] {
  return [
    md(
      '# Will Llama-3.1-70B fit on two 24 GB cards at 32k context?\n' +
        'Q4_K_M weights in llama.cpp, split across two RTX 3090s (24 GB each), with a 32,768-token ' +
        'context. The plan below answers; change any field and everything below it updates.',
    ),
    plan('llama70b', {
      model: model('llama-3.1-70b'),
      device: 'rtx-3090',
      gpus: 2,
      weights: 'Q4_K_M',
      kv: 'f16',
      contextTokens: 32768,
      compareDevices: ['rtx-4090', 'a100-80gb-sxm'],
    }),
    md('With a q8_0 KV cache the same context needs about half the cache memory:'),
    plan('llama70bKv8', {
      model: model('llama-3.1-70b'),
      device: 'rtx-3090',
      gpus: 2,
      weights: 'Q4_K_M',
      kv: 'q8_0',
      contextTokens: 32768,
    }),
    code(
      '// Values from the plans above, in GiB (2^30 bytes).\n' +
        'const GiB = 2 ** 30;\n' +
        '// fit[0] is the first device type of the plan (two RTX 3090s).\n' +
        'export const headroomGiB = llama70b.fit[0].marginBytes / GiB;\n' +
        'export const kvF16GiB = llama70b.memory.kvBytes / GiB;\n' +
        'export const kvQ8GiB = llama70bKv8.memory.kvBytes / GiB;\n' +
        'export const kvSavedGiB = kvF16GiB - kvQ8GiB;\n',
    ),
  ];
}

function moe(): Cell[] {
  return [
    md(
      '# Resident and active memory of a mixture of experts\n' +
        'Mixtral-8x7B keeps all eight experts in memory (resident) but reads only two per token ' +
        '(active). Memory follows the resident count; decode speed follows the active one.',
    ),
    plan('mixtral', {
      model: model('mixtral-8x7b'),
      device: 'a100-80gb-sxm',
      gpus: 1,
      weights: 'Q4_K_M',
      contextTokens: 32768,
      compareDevices: ['rtx-4090', 'h100-sxm'],
    }),
    code(
      'export const params = [\n' +
        "  { what: 'resident (all experts)', billions: mixtral.params.total / 1e9 },\n" +
        "  { what: 'active per token', billions: mixtral.params.active / 1e9 },\n" +
        '];\n' +
        'export const activeShare = mixtral.params.active / mixtral.params.total;\n',
    ),
  ];
}

function mla(): Cell[] {
  return [
    md(
      '# MLA against GQA: the KV cache at 128k tokens\n' +
        'DeepSeek-V3 caches one compressed latent per token and layer (multi-head latent ' +
        'attention): 61 layers x 576 values x 2 bytes = 70,272 bytes per token. Llama-3.1-70B ' +
        'caches K and V for 8 KV heads (grouped-query attention): 80 layers x 2 x 8 x 128 x 2 ' +
        'bytes = 327,680 bytes per token, 4.7 times as much. Both plans run vLLM on eight H200s ' +
        'with tensor parallelism.',
    ),
    plan('deepseek', {
      model: model('deepseek-v3'),
      device: 'h200',
      gpus: 8,
      weights: 'fp8',
      contextTokens: 131072,
      engine: 'vllm',
    }),
    plan('llama', {
      model: model('llama-3.1-70b'),
      device: 'h200',
      gpus: 8,
      weights: 'fp8',
      contextTokens: 131072,
      engine: 'vllm',
    }),
    code(
      '// One copy of the cache, before any split across GPUs: MLA is 4.7x smaller.\n' +
        'export const kvPerToken = [\n' +
        "  { model: 'DeepSeek-V3 (MLA)', bytesPerToken: deepseek.kv.bytesPerToken },\n" +
        "  { model: 'Llama-3.1-70B (GQA)', bytesPerToken: llama.kv.bytesPerToken },\n" +
        '];\n' +
        'const contextTokens = 131072;\n' +
        'export const kvOneCopyAt128kGiB = [deepseek, llama].map(\n' +
        '  (p) => (p.kv.bytesPerToken * contextTokens) / 2 ** 30,\n' +
        ');\n' +
        "// What each GPU holds under vLLM tensor parallelism (the plans' KV cache / GPUs).\n" +
        'export const kvPerGpuAt128kGiB = [deepseek, llama].map(\n' +
        '  (p) => p.memory.kvBytes / p.settings.gpus / 2 ** 30,\n' +
        ');\n',
    ),
    md(
      'Per token, and for one copy at 128k (8.58 GiB against 40 GiB), MLA wins by 4.7x. Per ' +
        "GPU it does not here: vLLM splits GQA by KV head, one of Llama's 8 heads per rank " +
        '(40 / 8 = 5 GiB each), but the latent has no heads to split, so every one of the 8 ' +
        'ranks keeps the whole latent (8.58 GiB each, 68.6 GiB across the node). On one device, ' +
        'or in llama.cpp, which keeps one latent copy, the full 4.7x saving applies; on a wide ' +
        'tensor-parallel node, data parallelism for attention is what recovers it.',
    ),
  ];
}

function flat(): Cell[] {
  return [
    md(
      '# How a sliding window or an SSM flattens the memory curve\n' +
        'Full attention grows the KV cache with every token. Gemma-3 keeps five sliding-window ' +
        'layers for each global one; gpt-oss alternates 128-token windows with full layers; ' +
        'Mamba keeps a fixed state per sequence whatever the context.',
    ),
    plan('gemma', { model: model('gemma-3-27b'), weights: 'Q4_K_M', contextTokens: 32768 }),
    plan('mamba', { model: model('mamba-2.8b'), weights: 'Q8_0', contextTokens: 131072 }),
    code(
      '// KV cache (or recurrent state) in GiB as context grows, from the capacity API.\n' +
        "const models = ['llama-3.1-8b', 'gemma-3-27b', 'gpt-oss-20b', 'mamba-2.8b'];\n" +
        'export const curve = [4096, 16384, 65536, 131072].map((contextTokens) => {\n' +
        '  const row: Record<string, number> = { contextTokens };\n' +
        '  for (const id of models) {\n' +
        '    const result = hw.plan({\n' +
        "      model: hw.catalogueSpec(id), weights: 'Q8_0', kv: 'f16', contextTokens,\n" +
        "      batch: 1, engine: 'llama.cpp', devices: ['rtx-4090'], gpus: 1,\n" +
        '    });\n' +
        '    row[id] = Math.round((result.memory.kvBytes / 2 ** 30) * 1000) / 1000;\n' +
        '  }\n' +
        '  return row;\n' +
        '});\n',
    ),
  ];
}

const EXAMPLES: Record<string, ExampleInfo & { cells: () => Cell[] }> = {
  'fit-70b': {
    slug: 'fit-70b',
    title: 'Llama-3.1-70B on two 24 GB cards at 32k',
    summary: 'Does it fit, with how much to spare, and what a q8_0 KV cache saves.',
    cells: fit70b,
  },
  'moe-resident-active': {
    slug: 'moe-resident-active',
    title: 'MoE: resident against active memory',
    summary: 'Mixtral-8x7B holds every expert but reads two per token.',
    cells: moe,
  },
  'mla-vs-gqa': {
    slug: 'mla-vs-gqa',
    title: 'MLA against GQA at 128k context',
    summary: 'DeepSeek-V3 against Llama-3.1-70B: KV bytes per token and at 128k.',
    cells: mla,
  },
  'flat-memory-curves': {
    slug: 'flat-memory-curves',
    title: 'Sliding windows and SSMs flatten the curve',
    summary: 'KV cache against context: full attention, Gemma-3, gpt-oss and Mamba.',
    cells: flat,
  },
};

/** The example notebooks, in the order the home page lists them. */
export const EXAMPLE_LIST: readonly ExampleInfo[] = Object.values(EXAMPLES).map(
  ({ slug, title, summary }) => ({ slug, title, summary }),
);

/** What to say when an address names an example that does not exist (the page lists the rest). */
export function unknownExampleMessage(slug: string): string {
  const shown = slug.length > 60 ? `${slug.slice(0, 60)}…` : slug;
  return `There is no example called “${shown}”. The examples are:`;
}

/** A fresh copy (new ids) of example `slug`, or null when there is no such example. */
export function exampleNotebook(slug: string): Notebook | null {
  const example = EXAMPLES[slug];
  return example ? newNotebook(example.title, example.cells()) : null;
}
