// llama.cpp's quantisation file types as per-tensor rules: which GGML type each tensor gets.
//
// A GGUF "Q4_K_M" file is a mix: llama.cpp's quantiser (src/llama-quant.cpp,
// llama_tensor_get_type) starts from the file type's base type and moves tensors up or down by
// role, layer position, grouped-query ratio and expert count, then falls back to a type whose
// block divides the row when the base one does not. This module restates those rules.

import { CapacityError } from '../errors.ts';
import type { ModelSpec, TensorSpec } from '../spec.ts';
import { checkpointStorage } from './checkpoint-scheme.ts';
import type { GgmlTypeName } from './ggml-types.ts';
import { GGML_TYPES } from './ggml-types.ts';
import { isLinearWeight } from './scheme-bytes.ts';

/** llama.cpp file types (`llama_ftype`) that quantise, by their `llama-quantize` names. */
export type GgufRecipeName =
  | 'Q4_0'
  | 'Q4_1'
  | 'Q5_0'
  | 'Q5_1'
  | 'Q8_0'
  | 'Q2_K'
  | 'Q2_K_S'
  | 'Q3_K_S'
  | 'Q3_K_M'
  | 'Q3_K_L'
  | 'Q4_K_S'
  | 'Q4_K_M'
  | 'Q5_K_S'
  | 'Q5_K_M'
  | 'Q6_K'
  | 'IQ1_S'
  | 'IQ1_M'
  | 'IQ2_XXS'
  | 'IQ2_XS'
  | 'IQ2_S'
  | 'IQ2_M'
  | 'IQ3_XXS'
  | 'IQ3_XS'
  | 'IQ3_S'
  | 'IQ3_M'
  | 'IQ4_NL'
  | 'IQ4_XS'
  | 'TQ1_0'
  | 'TQ2_0'
  | 'MXFP4_MOE';

/** A file type: its `llama_ftype` id, its base tensor type, and whether it needs an imatrix. */
export interface GgufRecipe {
  name: GgufRecipeName;
  fileType: number;
  base: GgmlTypeName;
  /** True when llama.cpp refuses to write the file without an importance matrix. */
  needsImatrix: boolean;
}

/** Ids from `enum llama_ftype` (llama.h), bases from llama_ftype_get_default_type. */
const RECIPE_TABLE: readonly [GgufRecipeName, number, GgmlTypeName, boolean][] = [
  ['Q4_0', 2, 'Q4_0', false],
  ['Q4_1', 3, 'Q4_1', false],
  ['Q8_0', 7, 'Q8_0', false],
  ['Q5_0', 8, 'Q5_0', false],
  ['Q5_1', 9, 'Q5_1', false],
  ['Q2_K', 10, 'Q2_K', false],
  ['Q3_K_S', 11, 'Q3_K', false],
  ['Q3_K_M', 12, 'Q3_K', false],
  ['Q3_K_L', 13, 'Q3_K', false],
  ['Q4_K_S', 14, 'Q4_K', false],
  ['Q4_K_M', 15, 'Q4_K', false],
  ['Q5_K_S', 16, 'Q5_K', false],
  ['Q5_K_M', 17, 'Q5_K', false],
  ['Q6_K', 18, 'Q6_K', false],
  ['IQ2_XXS', 19, 'IQ2_XXS', true],
  ['IQ2_XS', 20, 'IQ2_XS', true],
  ['Q2_K_S', 21, 'Q2_K', true],
  ['IQ3_XS', 22, 'IQ3_S', true],
  ['IQ3_XXS', 23, 'IQ3_XXS', true],
  ['IQ1_S', 24, 'IQ1_S', true],
  ['IQ4_NL', 25, 'IQ4_NL', false],
  ['IQ3_S', 26, 'IQ3_S', false],
  ['IQ3_M', 27, 'IQ3_S', false],
  ['IQ2_S', 28, 'IQ2_XS', true],
  ['IQ2_M', 29, 'IQ2_S', true],
  ['IQ4_XS', 30, 'IQ4_XS', false],
  ['IQ1_M', 31, 'IQ1_M', true],
  ['TQ1_0', 36, 'TQ1_0', false],
  ['TQ2_0', 37, 'TQ2_0', false],
  ['MXFP4_MOE', 38, 'MXFP4', false],
];

/** Every recipe by name. */
export const GGUF_RECIPES: Readonly<Record<GgufRecipeName, GgufRecipe>> = Object.fromEntries(
  RECIPE_TABLE.map(([name, fileType, base, needsImatrix]) => [
    name,
    { name, fileType, base, needsImatrix },
  ]),
) as Record<GgufRecipeName, GgufRecipe>;

/** Recipe names, from most to fewest bits roughly as llama-quantize lists them. */
export const GGUF_RECIPE_NAMES: readonly GgufRecipeName[] = [
  'Q8_0',
  'Q6_K',
  'Q5_K_M',
  'Q5_K_S',
  'Q5_1',
  'Q5_0',
  'Q4_K_M',
  'Q4_K_S',
  'Q4_1',
  'Q4_0',
  'IQ4_NL',
  'IQ4_XS',
  'MXFP4_MOE',
  'Q3_K_L',
  'Q3_K_M',
  'Q3_K_S',
  'IQ3_M',
  'IQ3_S',
  'IQ3_XS',
  'IQ3_XXS',
  'Q2_K',
  'Q2_K_S',
  'IQ2_M',
  'IQ2_S',
  'IQ2_XS',
  'IQ2_XXS',
  'IQ1_M',
  'IQ1_S',
  'TQ2_0',
  'TQ1_0',
];

/** Finds a recipe by name in any case (`q4_k_m`), or returns null. */
export function findGgufRecipe(name: string): GgufRecipeName | null {
  const key = name.trim().toUpperCase();
  return key in GGUF_RECIPES ? (key as GgufRecipeName) : null;
}

const FILE_TYPE_NAMES = new Map<number, string>([
  [0, 'F32'],
  [1, 'F16'],
  [32, 'BF16'],
  ...RECIPE_TABLE.map(([name, id]): [number, string] => [id, name]),
]);

/** The name of a GGUF `general.file_type` id (`15` is `Q4_K_M`), or null when unknown. */
export function ggufFileTypeName(fileType: number): string | null {
  return FILE_TYPE_NAMES.get(fileType) ?? null;
}

/** Options of the recipe rules. */
export interface GgufRecipeOptions {
  /** Quantised with an importance matrix; defaults to the recipe's `needsImatrix`. */
  imatrix?: boolean;
}

/** Broad tensor categories the rules key on (llama-quant.cpp tensor_category). */
type Category =
  | 'token_embd'
  | 'output'
  | 'attn_q'
  | 'attn_k'
  | 'attn_v'
  | 'attn_qkv'
  | 'attn_kv_b'
  | 'attn_output'
  | 'ffn_up'
  | 'ffn_gate'
  | 'ffn_down'
  | 'other';

function categoryOf(tensor: TensorSpec): Category {
  switch (tensor.role) {
    case 'token_embd':
    case 'output':
    case 'attn_q':
    case 'attn_k':
    case 'attn_v':
    case 'attn_qkv':
    case 'attn_kv_b':
    case 'attn_output':
    case 'ffn_up':
    case 'ffn_gate':
    case 'ffn_down':
      return tensor.role;
    case 'ffn_gate_up':
      return 'ffn_up';
    default:
      return 'other';
  }
}

/** Value tensors, which the rules treat as the most sensitive. */
function isAttnVLike(category: Category): boolean {
  return category === 'attn_v' || category === 'attn_qkv' || category === 'attn_kv_b';
}

/** Roles llama.cpp never quantises (norms, biases, routers, convolutions, SSM A and D, sinks). */
const KEPT_ROLES = new Set([
  'norm',
  'bias',
  'ffn_gate_inp',
  'pos_embd',
  'ssm_conv',
  'ssm_a',
  'ssm_d',
  'attn_sinks',
]);

/** What the rules need to know about the model as a whole. */
interface RecipeContext {
  recipe: GgufRecipeName;
  base: GgmlTypeName;
  imatrix: boolean;
  falcon: boolean;
  is70B: boolean;
  tied: boolean;
  experts: number;
  gqa: number;
  blocks: number;
  attnVCount: number;
}

/** Running counters the rules advance tensor by tensor, in llama.cpp's (layer) order. */
interface Counters {
  attnV: number;
  ffnDown: number;
  ffnGate: number;
  ffnUp: number;
}

/** llama.cpp's "use more bits" layers: the first and last eighth, and every third between. */
function useMoreBits(layer: number, layers: number): boolean {
  const eighth = Math.trunc(layers / 8);
  return layer < eighth || layer >= Math.trunc((7 * layers) / 8) || (layer - eighth) % 3 === 2;
}

const IQ_OUTPUT_Q5K = new Set<GgufRecipeName>([
  'IQ2_XXS',
  'IQ2_XS',
  'IQ3_XXS',
  'IQ1_S',
  'IQ2_S',
  'IQ2_M',
  'IQ1_M',
]);
const LOW_IQ = new Set<GgufRecipeName>(['IQ2_XXS', 'IQ2_XS', 'IQ1_S', 'IQ2_S', 'IQ2_M', 'IQ1_M']);
const EIGHT_EXPERT_ATTN_OUT_Q5K = new Set<GgufRecipeName>([
  'Q2_K',
  'IQ3_XS',
  'IQ3_XXS',
  'Q3_K_S',
  'Q3_K_M',
  'IQ4_NL',
  'Q4_K_S',
  'Q4_K_M',
  'IQ3_S',
  'IQ3_M',
  'IQ4_XS',
]);

/** Output head (and a tied token embedding): Q6_K unless the recipe or the shape says otherwise. */
function outputType(ctx: RecipeContext, rowElements: number): GgmlTypeName {
  if (ctx.recipe === 'MXFP4_MOE') return 'Q8_0';
  if (ctx.falcon || rowElements % GGML_TYPES[ctx.base].blockElements !== 0) return 'Q8_0';
  if (IQ_OUTPUT_Q5K.has(ctx.recipe)) return 'Q5_K';
  return ctx.base === 'Q8_0' ? 'Q8_0' : 'Q6_K';
}

function tokenEmbeddingType(ctx: RecipeContext): GgmlTypeName {
  const r = ctx.recipe;
  if (r === 'IQ2_XXS' || r === 'IQ2_XS' || r === 'IQ1_S' || r === 'IQ1_M') return 'Q2_K';
  if (r === 'IQ2_S' || r === 'IQ2_M' || r === 'IQ3_XXS') return 'IQ3_S';
  if (r === 'TQ1_0' || r === 'TQ2_0') return 'Q4_K';
  return ctx.base;
}

/** Rules of the 1- and 2-bit IQ recipes. */
function lowIqType(ctx: RecipeContext, category: Category, counters: Counters): GgmlTypeName {
  const wide = ctx.recipe === 'IQ2_S' || ctx.recipe === 'IQ2_M';
  if (isAttnVLike(category)) {
    counters.attnV += 1;
    if (ctx.gqa >= 4 || ctx.experts >= 4) return 'Q4_K';
    return wide ? 'IQ3_S' : 'Q2_K';
  }
  if (ctx.experts === 8 && category === 'attn_k') return 'Q4_K';
  if (category === 'ffn_down') {
    const index = counters.ffnDown;
    counters.ffnDown += 1;
    if (index < Math.trunc(ctx.blocks / 8)) return wide ? 'IQ3_S' : 'Q2_K';
    return ctx.base;
  }
  if (category === 'attn_output') {
    if (ctx.experts === 8) return 'Q5_K';
    if (ctx.recipe === 'IQ1_S' || ctx.recipe === 'IQ1_M') return 'IQ2_XXS';
    if (wide) return 'IQ3_S';
  }
  return ctx.base;
}

function attnVType(ctx: RecipeContext, counters: Counters): GgmlTypeName {
  const r = ctx.recipe;
  const index = counters.attnV;
  counters.attnV += 1;
  let type = ctx.base;
  if (r === 'Q2_K') type = ctx.gqa >= 4 ? 'Q4_K' : 'Q3_K';
  else if (r === 'Q2_K_S' && ctx.gqa >= 4) type = 'Q4_K';
  else if (r === 'IQ3_XXS') type = ctx.gqa >= 4 ? 'Q4_K' : ctx.imatrix ? 'IQ3_XXS' : 'IQ3_S';
  else if ((r === 'IQ3_XS' || r === 'IQ3_S') && ctx.gqa >= 4) type = 'Q4_K';
  else if (r === 'IQ3_M') type = 'Q4_K';
  else if (r === 'Q3_K_M') type = index < 2 ? 'Q5_K' : 'Q4_K';
  else if (r === 'Q3_K_L') type = 'Q5_K';
  else if ((r === 'IQ4_NL' || r === 'IQ4_XS') && ctx.gqa >= 4) type = 'Q5_K';
  else if ((r === 'Q4_K_M' || r === 'Q5_K_M') && useMoreBits(index, ctx.attnVCount)) type = 'Q6_K';
  else if (r === 'Q4_K_S' && index < 4) type = 'Q5_K';

  if (ctx.is70B && (type === 'Q3_K' || type === 'Q4_K')) type = 'Q5_K';
  if (ctx.experts === 8) type = 'Q8_0';
  return type;
}

function ffnDownType(ctx: RecipeContext, layer: number): GgmlTypeName {
  const r = ctx.recipe;
  const n = ctx.blocks;
  const eighth = Math.trunc(n / 8);
  const more = useMoreBits(layer, n);
  if (r === 'Q2_K') return 'Q3_K';
  if (r === 'Q2_K_S') return layer < eighth ? 'Q4_K' : ctx.base;
  if (r === 'IQ3_XXS' && !ctx.imatrix) return layer < eighth ? 'Q4_K' : 'Q3_K';
  if (r === 'Q3_K_M') {
    if (layer < Math.trunc(n / 16)) return 'Q5_K';
    return !ctx.falcon || more ? 'Q4_K' : 'Q3_K';
  }
  if (r === 'IQ3_M' && (layer < eighth || (ctx.experts === 8 && more))) return 'Q4_K';
  if (r === 'IQ3_M') return ctx.base;
  if (r === 'Q3_K_L') return ctx.falcon ? 'Q4_K' : 'Q5_K';
  if (r === 'Q4_K_M') {
    if (!ctx.falcon) return more ? 'Q6_K' : ctx.base;
    if (layer < Math.trunc(n / 16)) return 'Q6_K';
    return more ? 'Q5_K' : 'Q4_K';
  }
  if (layer < eighth && (r === 'IQ4_NL' || r === 'IQ4_XS') && !ctx.imatrix) return 'Q5_K';
  if (r === 'Q5_K_M' && more) return 'Q6_K';
  if (r === 'Q4_K_S' && !ctx.falcon && layer < eighth) return 'Q5_K';
  if ((r === 'Q4_0' || r === 'Q5_0') && ctx.imatrix && layer < eighth) {
    return r === 'Q4_0' ? 'Q4_1' : 'Q5_1';
  }
  return ctx.base;
}

function attnOutputType(ctx: RecipeContext): GgmlTypeName {
  const r = ctx.recipe;
  if (ctx.falcon) return r === 'Q3_K_L' ? 'Q4_K' : ctx.base;
  if (ctx.experts === 8) return EIGHT_EXPERT_ATTN_OUT_Q5K.has(r) ? 'Q5_K' : ctx.base;
  if (r === 'Q2_K') return 'Q3_K';
  if (r === 'IQ3_XXS') return 'IQ3_S';
  if (r === 'Q3_K_M' || r === 'IQ3_M') return 'Q4_K';
  if (r === 'Q3_K_L') return 'Q5_K';
  return ctx.base;
}

/** The layer the ffn rules key on: the tensor's own block for MoE models, else a running count. */
function ffnLayer(ctx: RecipeContext, tensor: TensorSpec, counter: number): number {
  return ctx.experts > 1 && tensor.layer !== null ? tensor.layer : counter;
}

/** The type the rules choose before the row-size fallback (llama_tensor_get_type_impl). */
function ruleType(
  ctx: RecipeContext,
  tensor: TensorSpec,
  category: Category,
  counters: Counters,
): GgmlTypeName {
  const rowElements = tensor.shape[tensor.shape.length - 1] ?? 1;
  if (category === 'output' || (ctx.tied && category === 'token_embd')) {
    return outputType(ctx, rowElements);
  }
  if (ctx.recipe === 'MXFP4_MOE') return tensor.copies > 1 ? 'MXFP4' : 'Q8_0';
  if (category === 'token_embd') return tokenEmbeddingType(ctx);
  if (LOW_IQ.has(ctx.recipe)) return lowIqType(ctx, category, counters);
  if (isAttnVLike(category)) return attnVType(ctx, counters);

  const r = ctx.recipe;
  switch (category) {
    case 'attn_k':
      if (ctx.experts === 8) return 'Q8_0';
      if (r === 'IQ3_XS') return 'IQ3_XXS';
      return r === 'IQ3_XXS' ? 'IQ2_S' : ctx.base;
    case 'attn_q':
      if (r === 'IQ3_XS') return 'IQ3_XXS';
      return r === 'IQ3_XXS' ? 'IQ2_S' : ctx.base;
    case 'ffn_down': {
      const layer = ffnLayer(ctx, tensor, counters.ffnDown);
      counters.ffnDown += 1;
      return ffnDownType(ctx, layer);
    }
    case 'attn_output':
      return attnOutputType(ctx);
    case 'ffn_gate':
    case 'ffn_up': {
      const key = category === 'ffn_gate' ? 'ffnGate' : 'ffnUp';
      const layer = ffnLayer(ctx, tensor, counters[key]);
      counters[key] += 1;
      const n = ctx.blocks;
      const middle = layer >= Math.trunc(n / 8) && layer < Math.trunc((7 * n) / 8);
      return r === 'IQ3_XS' && middle ? 'IQ3_XXS' : ctx.base;
    }
    default:
      return ctx.base;
  }
}

/** Row-size fallback (tensor_type_fallback): a type whose block divides the row, else F16. */
function fallbackType(type: GgmlTypeName, rowElements: number, name: string): GgmlTypeName {
  if (rowElements % GGML_TYPES[type].blockElements === 0) return type;
  let next: GgmlTypeName;
  switch (type) {
    case 'IQ1_S':
    case 'IQ1_M':
    case 'IQ2_XXS':
    case 'IQ2_XS':
    case 'IQ2_S':
    case 'IQ3_XXS':
    case 'IQ3_S':
    case 'IQ4_XS':
      next = 'IQ4_NL';
      break;
    case 'Q2_0':
    case 'Q2_K':
    case 'Q3_K':
    case 'TQ1_0':
    case 'TQ2_0':
      next = 'Q4_0';
      break;
    case 'Q4_K':
      next = 'Q5_0';
      break;
    case 'Q5_K':
      next = 'Q5_1';
      break;
    case 'Q6_K':
      next = 'Q8_0';
      break;
    default:
      throw new CapacityError(
        'invalid_field',
        `${name}: rows of ${String(rowElements)} values do not fit ${type} blocks`,
        {
          field: 'shape',
          expected: `rows that are a multiple of ${GGML_TYPES[type].blockElements}`,
        },
      );
  }
  return rowElements % GGML_TYPES[next].blockElements === 0 ? next : 'F16';
}

/** Heads per KV head of the first layer (llama.cpp's n_gqa(0); MLA converts as one KV head). */
function gqaRatio(spec: ModelSpec): number {
  const mixer = spec.layers[0]?.mixer;
  if (mixer?.kind === 'attention') {
    return mixer.kvHeads === 0 ? 0 : Math.trunc(mixer.heads / mixer.kvHeads);
  }
  return mixer?.kind === 'mla' ? mixer.heads : 0;
}

/**
 * llama.cpp gives the "70B" size class (which moves Q3_K/Q4_K value tensors to Q5_K) to 80-layer
 * llama models with grouped-query attention, and to 80-layer qwen2 and deci models.
 */
function is70BClass(spec: ModelSpec): boolean {
  if (spec.layers.length !== 80) return false;
  const type = spec.modelType.toLowerCase();
  if (type === 'qwen2' || type === 'deci' || type === 'nemotron-nas') return true;
  if (type !== 'llama' && type !== 'mistral') return false;
  const mixer = spec.layers[0]?.mixer;
  return mixer?.kind === 'attention' && mixer.heads !== mixer.kvHeads;
}

function isFalcon(spec: ModelSpec): boolean {
  const type = spec.modelType.toLowerCase();
  return type === 'falcon' || type === 'refinedweb' || type === 'refinedwebmodel';
}

/** Whether llama.cpp's quantiser may quantise this tensor at all (2-D or more, a weight). */
function isQuantizable(tensor: TensorSpec): boolean {
  const dims = tensor.shape.length + (tensor.copies > 1 ? 1 : 0);
  return dims >= 2 && !KEPT_ROLES.has(tensor.role) && tensor.group !== 'norm';
}

/**
 * Which tensors the source already stores as MXFP4: gpt-oss's routed experts (an `mxfp4`
 * quantization_config, its `modules_to_not_convert` left out) or a header that says MXFP4.
 * convert_hf_to_gguf.py writes them as MXFP4 whatever the output type, and llama-quantize will
 * not requantize a quantized tensor ("requantizing from type mxfp4 is disabled",
 * llama-quant.cpp) without --allow-requantize, so every published K-quant of gpt-oss keeps its
 * experts in MXFP4 (bartowski: "All quants keep the feed forward networks at mxfp4").
 */
function sourceMxfp4(spec: ModelSpec): (tensor: TensorSpec) => boolean {
  const stored = (tensor: TensorSpec) => tensor.storedType?.toUpperCase() === 'MXFP4';
  if (spec.checkpoint.quantization?.method !== 'mxfp4') return stored;
  const storage = checkpointStorage(spec);
  return (tensor) =>
    stored(tensor) ||
    (tensor.group === 'experts' && isLinearWeight(tensor) && !storage.isExcluded(tensor.name));
}

/** Tensors bucketed by layer (outside-layer tensors first), as llama.cpp orders its weights. */
function layerOrder(spec: ModelSpec, blocks: number): number[] {
  const buckets: number[][] = Array.from({ length: blocks + 1 }, () => []);
  spec.tensors.forEach((tensor, index) => {
    const slot = tensor.layer === null ? 0 : Math.min(tensor.layer + 1, blocks);
    buckets[slot]?.push(index);
  });
  return buckets.flat();
}

/**
 * The GGML type of every tensor of `spec` (same order as `spec.tensors`) in a llama.cpp file of
 * type `recipe`, following llama_tensor_get_type: tensors it never quantises stay F32 (1-D
 * tensors, norms, biases, routers, convolutions), vision tensors F16 (llama.cpp keeps them in a
 * separate F16 projector file), tensors the source already holds in MXFP4 stay MXFP4 (see
 * `sourceMxfp4`), and each other quantised tensor gets the role rule's type, then the row-size
 * fallback. O(tensors).
 */
export function ggufTensorTypes(
  spec: ModelSpec,
  recipe: GgufRecipeName,
  options: GgufRecipeOptions = {},
): GgmlTypeName[] {
  const definition = GGUF_RECIPES[recipe];
  const blocks = spec.layers.length + spec.mtpLayers;
  const categories = spec.tensors.map(categoryOf);
  const ctx: RecipeContext = {
    recipe,
    base: definition.base,
    imatrix: options.imatrix ?? definition.needsImatrix,
    falcon: isFalcon(spec),
    is70B: is70BClass(spec),
    tied: !spec.tensors.some((tensor) => tensor.role === 'output'),
    experts: spec.moe?.routedExperts ?? 0,
    gqa: gqaRatio(spec),
    blocks,
    attnVCount: categories.filter(isAttnVLike).length,
  };

  const counters: Counters = { attnV: 0, ffnDown: 0, ffnGate: 0, ffnUp: 0 };
  const keptMxfp4 = sourceMxfp4(spec);
  const types = new Array<GgmlTypeName>(spec.tensors.length);
  for (const index of layerOrder(spec, blocks)) {
    const tensor = spec.tensors[index];
    const category = categories[index];
    if (!tensor || !category) continue;
    if (tensor.group === 'vision') {
      types[index] = 'F16';
    } else if (!isQuantizable(tensor)) {
      types[index] = 'F32';
    } else if (keptMxfp4(tensor)) {
      types[index] = 'MXFP4';
    } else {
      const rowElements = tensor.shape[tensor.shape.length - 1] ?? 1;
      const chosen = ruleType(ctx, tensor, category, counters);
      types[index] = fallbackType(chosen, rowElements, tensor.name);
    }
  }
  return types;
}
