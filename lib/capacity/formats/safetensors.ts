// Builds a ModelSpec from safetensors headers: exact stored tensors, layers from config or shapes.

import type { CapacityWarning } from '../errors.ts';
import { CapacityError } from '../errors.ts';
import { maxOf } from '../extremes.ts';
import { MAX_LAYERS } from '../limits.ts';
import type {
  CheckpointDtype,
  CheckpointQuantization,
  ModelSpec,
  MoeSummary,
  TensorSpec,
} from '../spec.ts';
import type { FoldedTensor } from './safetensors-fold.ts';
import { foldSafetensors } from './safetensors-fold.ts';
import type { SafetensorsHeader } from './safetensors-header.ts';
import { inferLayers } from './safetensors-infer.ts';

export type {
  SafetensorsDtype,
  SafetensorsEntry,
  SafetensorsHeader,
} from './safetensors-header.ts';
export {
  parseSafetensorsHeader,
  readSafetensorsHeaderLength,
  safetensorsTensorBytes,
  SAFETENSORS_DTYPE_BITS,
  SAFETENSORS_MAX_HEADER_BYTES,
} from './safetensors-header.ts';
export { hfNameInfo } from './hf-names.ts';

/** Options of `specFromSafetensors`. */
export interface SafetensorsSpecOptions {
  /** Display name when there is no config spec. */
  name?: string;
}

/** Layers holding DeepSeek-style next-token-prediction modules (`eh_proj`, `enorm`). */
function mtpLayerIndices(tensors: readonly TensorSpec[]): Set<number> {
  const found = new Set<number>();
  for (const tensor of tensors) {
    if (tensor.layer !== null && /\.(eh_proj|enorm|hnorm)\./.test(tensor.name)) {
      found.add(tensor.layer);
    }
  }
  return found;
}

const DTYPES: Record<string, CheckpointDtype> = {
  bf16: 'bf16',
  f16: 'f16',
  f32: 'f32',
  fp8: 'fp8',
};

/** The checkpoint dtype: that of the token embedding, else the most common unquantised one. */
function storedDtype(folded: readonly FoldedTensor[]): CheckpointDtype | null {
  const embedding = folded.find((tensor) => tensor.spec.role === 'token_embd');
  const fromEmbedding = embedding ? DTYPES[embedding.format] : undefined;
  if (fromEmbedding) return fromEmbedding;
  const counts = new Map<CheckpointDtype, number>();
  for (const tensor of folded) {
    const dtype = DTYPES[tensor.format];
    if (dtype) counts.set(dtype, (counts.get(dtype) ?? 0) + 1);
  }
  return [...counts].sort((a, b) => b[1] - a[1])[0]?.[0] ?? null;
}

const METHODS: Record<string, CheckpointQuantization['method']> = {
  gptq: 'gptq',
  awq: 'awq',
  'bnb-4bit': 'bitsandbytes',
  int8: 'bitsandbytes',
  fp8: 'fp8',
  mxfp4: 'mxfp4',
  compressed: 'compressed-tensors',
};

/** The quantisation method visible in the stored parts, when any. */
function storedQuantization(folded: readonly FoldedTensor[]): CheckpointQuantization | null {
  const quantized = folded.find((tensor) => METHODS[tensor.format] !== undefined);
  if (!quantized) return null;
  return {
    method: METHODS[quantized.format] ?? 'other',
    bits: quantized.bits,
    groupSize: null,
    excludedModules: [],
  };
}

/** Applies model-level facts: MTP layers and active experts. */
function finishTensors(
  folded: readonly FoldedTensor[],
  context: { decoderLayers: number; expertsPerToken: number | null },
): TensorSpec[] {
  return folded.map(({ spec, isExpert }) => {
    const isMtp = spec.layer !== null && spec.layer >= context.decoderLayers;
    if (isMtp) return { ...spec, group: 'mtp', activeCopies: 0 };
    if (!isExpert || spec.group === 'shared_experts') return { ...spec, activeCopies: spec.copies };
    const active = Math.min(context.expertsPerToken ?? spec.copies, spec.copies);
    return { ...spec, activeCopies: active };
  });
}

function routedExperts(folded: readonly FoldedTensor[]): number {
  return folded.reduce(
    (most, tensor) =>
      tensor.isExpert && tensor.spec.group === 'experts'
        ? Math.max(most, tensor.spec.copies)
        : most,
    0,
  );
}

/** A spec from the headers alone: layers from shapes, with warnings for each assumption. */
function inferredSpec(folded: FoldedTensor[], name: string): ModelSpec {
  const raw = folded.map((tensor) => tensor.spec);
  const embedding = raw.find((tensor) => tensor.role === 'token_embd');
  if (!embedding || embedding.shape.length !== 2) {
    throw new CapacityError('missing_field', 'no token embedding among the tensors', {
      field: 'model.embed_tokens.weight',
      expected: 'a 2-D token embedding, or a config.json beside the weights',
    });
  }
  const mtp = mtpLayerIndices(raw);
  const layerIndices = raw.flatMap((tensor) =>
    tensor.layer === null || mtp.has(tensor.layer) ? [] : [tensor.layer],
  );
  const decoderLayers = layerIndices.length === 0 ? 0 : maxOf(layerIndices) + 1;
  if (decoderLayers > MAX_LAYERS) {
    throw new CapacityError(
      'out_of_range',
      `the tensors name layer ${String(decoderLayers - 1)}; a model has at most ` +
        `${String(MAX_LAYERS)} layers`,
      { field: 'tensor names', expected: `layer indices from 0 to ${String(MAX_LAYERS - 1)}` },
    );
  }
  const inferred = inferLayers(raw, decoderLayers);
  const warnings: CapacityWarning[] = [...inferred.warnings];

  const experts = routedExperts(folded);
  let moe: MoeSummary | null = null;
  if (experts > 0) {
    warnings.push({
      code: 'estimate',
      message: 'experts per token are not in the weights; all experts counted as active',
      data: { field: 'num_experts_per_tok', routedExperts: experts },
    });
    moe = {
      routedExperts: experts,
      expertsPerToken: experts,
      sharedExperts: raw.some((tensor) => tensor.group === 'shared_experts') ? 1 : 0,
      moeLayers: inferred.layers.filter((layer) => layer.ffn === 'moe').length,
    };
  }
  return {
    name,
    modelType: 'unknown',
    source: 'safetensors',
    hiddenSize: embedding.shape[1] ?? 0,
    vocabSize: embedding.shape[0] ?? 0,
    layers: inferred.layers,
    mtpLayers: mtp.size,
    tensors: finishTensors(folded, { decoderLayers, expertsPerToken: null }),
    tiedEmbeddings: !raw.some((tensor) => tensor.role === 'output'),
    maxPositionTokens: null,
    causal: true,
    moe,
    checkpoint: { dtype: storedDtype(folded), quantization: storedQuantization(folded) },
    warnings,
  };
}

/** An `incomplete_file` warning for each header whose file is shorter than its data offsets. */
function incompleteFiles(list: readonly SafetensorsHeader[]): CapacityWarning[] {
  return list.flatMap((header, index) => {
    const needed = 8 + header.headerBytes + header.dataBytes;
    if (header.fileBytes === undefined || header.fileBytes >= needed) return [];
    const file = header.ref ?? `safetensors file ${String(index + 1)}`;
    return [
      {
        code: 'incomplete_file' as const,
        message:
          `${file} is incomplete (truncated download?): ${String(header.fileBytes)} bytes, ` +
          `its header describes ${String(needed)}`,
        data: { file, fileBytes: header.fileBytes, neededBytes: needed },
      },
    ];
  });
}

/** Throws when the tensors hold fewer decoder layers than the config says. */
function checkLayersAgree(config: ModelSpec, folded: readonly FoldedTensor[]): void {
  const indices = folded.flatMap((tensor) =>
    tensor.spec.layer === null || tensor.spec.group === 'vision' ? [] : [tensor.spec.layer],
  );
  if (indices.length === 0) return;
  const tensorLayers = maxOf(indices) + 1;
  if (tensorLayers >= config.layers.length) return;
  throw new CapacityError(
    'contradictory_fields',
    `config.json says ${String(config.layers.length)} layers, the safetensors hold ` +
      `${String(tensorLayers)} (layers 0 to ${String(tensorLayers - 1)})`,
    {
      field: 'num_hidden_layers, safetensors tensors',
      expected: 'a config.json that belongs to these weights',
    },
  );
}

/**
 * A ModelSpec from one or more safetensors headers (the shards of one checkpoint). Tensors are
 * exact: stored dtype and bytes per logical weight, with quantisation parts, per-expert tensors
 * and stacked experts folded (see foldSafetensors). With `config` (the spec of the model's
 * config.json) the layers, sizes and MoE facts come from it; without one, layers are inferred
 * from shapes and each assumption is a warning. Tensors in layers past the decoder stack are
 * multi-token-prediction weights (group `mtp`, not read per token). Tensors holding fewer layers
 * than the config throw `contradictory_fields`; a file shorter than its header's data offsets
 * (known `fileBytes`) adds an `incomplete_file` warning naming it.
 */
export function specFromSafetensors(
  headers: SafetensorsHeader | readonly SafetensorsHeader[],
  config?: ModelSpec,
  options: SafetensorsSpecOptions = {},
): ModelSpec {
  const list: readonly SafetensorsHeader[] = Array.isArray(headers)
    ? headers
    : [headers as SafetensorsHeader];
  const entries = list.flatMap((header) => header.tensors);
  const configShapes = new Map(config?.tensors.map((tensor) => [tensor.name, tensor.shape]));
  const configBits = config?.checkpoint.quantization?.bits ?? null;
  const folded = foldSafetensors(entries, {
    shapeOf: (name) => configShapes.get(name),
    bits: configBits,
  });
  const incomplete = incompleteFiles(list);
  if (!config) {
    const inferred = inferredSpec(folded, options.name ?? 'safetensors model');
    return { ...inferred, warnings: [...inferred.warnings, ...incomplete] };
  }
  checkLayersAgree(config, folded);

  const tensors = finishTensors(folded, {
    decoderLayers: config.layers.length,
    expertsPerToken: config.moe?.expertsPerToken ?? null,
  });
  const quantization = config.checkpoint.quantization ?? storedQuantization(folded);
  return {
    ...config,
    source: 'safetensors',
    tensors,
    tiedEmbeddings: !tensors.some((tensor) => tensor.role === 'output'),
    checkpoint: { dtype: config.checkpoint.dtype ?? storedDtype(folded), quantization },
    warnings: [...config.warnings, ...incomplete],
  };
}
