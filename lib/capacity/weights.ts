// Exact weight bytes of a model under a quantisation scheme: total, resident, read per token.

import type { CapacityWarning } from './errors.ts';
import { CapacityError } from './errors.ts';
import { checkpointStorage } from './quant/checkpoint-scheme.ts';
import { ggmlTensorBytes } from './quant/ggml-types.ts';
import { ggufTensorTypes } from './quant/gguf-recipes.ts';
import { copyBytes } from './quant/scheme-bytes.ts';
import type { WeightScheme } from './quant/schemes.ts';
import { weightSchemeName } from './quant/schemes.ts';
import type { ModelSpec, ParamGroup, TensorSpec } from './spec.ts';

/** One tensor's storage type and bytes (all copies). */
export interface TensorWeight {
  name: string;
  /** GGML type name, dense dtype, or the quantised format (`gptq-int4`, `fp8`, `mxfp4` ...). */
  type: string;
  bytes: number;
}

/** Weight bytes of a model under one scheme, all exact integers of bytes. */
export interface WeightBytes {
  /** Canonical name of the scheme. */
  scheme: string;
  /**
   * Every tensor except multi-token-prediction layers (as countParams' `total`): all experts,
   * the vision tower included (but not for GGUF file types, which keep it in an mmproj file).
   */
  totalBytes: number;
  /** What must be in memory to generate text; equal to `totalBytes` (every expert is resident). */
  residentBytes: number;
  /**
   * Bytes read per generated token, for bandwidth-bound speed: active experts only; MTP layers
   * and the vision tower excluded; the input embedding left out (a lookup reads one row) unless
   * it doubles as the output head (tied embeddings).
   */
  activeBytesPerToken: number;
  /** The input token embedding, which llama.cpp keeps in host memory. */
  embeddingBytes: number;
  /** The output head (`lm_head` / `output`); 0 when tied to the embedding. */
  headBytes: number;
  /** Multi-token-prediction layers (loaded only for speculative decoding), outside the total. */
  mtpBytes: number;
  /** Every tensor (MTP and vision included) by group. */
  byGroup: Record<ParamGroup, number>;
  /** Bytes of each decoder layer's own tensors, index = layer; for pipeline splits. */
  perLayerBytes: number[];
  /** Every tensor, in spec order. */
  tensors: TensorWeight[];
  warnings: CapacityWarning[];
}

function emptyGroups(): Record<ParamGroup, number> {
  return {
    embedding: 0,
    attention: 0,
    mlp: 0,
    experts: 0,
    shared_experts: 0,
    router: 0,
    ssm: 0,
    norm: 0,
    head: 0,
    vision: 0,
    mtp: 0,
    other: 0,
  };
}

function badTensor(tensor: TensorSpec, what: string, expected: string): CapacityError {
  return new CapacityError('invalid_field', `tensor ${tensor.name}: ${what}`, {
    field: `tensors.${tensor.name}`,
    expected,
  });
}

function checkTensor(tensor: TensorSpec): void {
  for (const dim of tensor.shape) {
    if (!Number.isSafeInteger(dim) || dim < 0) {
      throw badTensor(tensor, `bad dimension ${String(dim)}`, 'non-negative integer dimensions');
    }
  }
  if (!Number.isSafeInteger(tensor.copies) || tensor.copies < 1) {
    throw badTensor(tensor, `bad copies ${String(tensor.copies)}`, 'a positive integer');
  }
  const active = tensor.activeCopies;
  if (!Number.isSafeInteger(active) || active < 0 || active > tensor.copies) {
    throw badTensor(tensor, `bad activeCopies ${String(active)}`, `0 to ${String(tensor.copies)}`);
  }
  const stored = tensor.storedBytes;
  if (stored !== undefined && (!Number.isSafeInteger(stored) || stored < 0)) {
    throw badTensor(tensor, `bad storedBytes ${String(stored)}`, 'a non-negative integer');
  }
}

/** Per-tensor pricing: the type label and bytes of one copy. */
type Pricer = (tensor: TensorSpec, index: number) => { type: string; bytesPerCopy: number };

function pricerFor(spec: ModelSpec, scheme: WeightScheme, warnings: CapacityWarning[]): Pricer {
  switch (scheme.kind) {
    case 'gguf': {
      const options = scheme.imatrix === null ? {} : { imatrix: scheme.imatrix };
      const types = ggufTensorTypes(spec, scheme.recipe, options);
      return (tensor, index) => {
        const type = types[index] ?? 'F32';
        return { type, bytesPerCopy: ggmlTensorBytes(type, tensor.shape) };
      };
    }
    case 'checkpoint': {
      const storage = checkpointStorage(spec);
      const needsStorage = spec.tensors.some((tensor) => tensor.storedBytes === undefined);
      if (needsStorage) for (const warning of storage.warnings) warnings.push(warning);
      return (tensor) => {
        if (tensor.storedBytes !== undefined) {
          return {
            type: tensor.storedType ?? 'stored',
            bytesPerCopy: tensor.storedBytes / tensor.copies,
          };
        }
        const excluded = storage.isExcluded(tensor.name);
        const own = excluded
          ? { kind: 'dense' as const, dtype: storage.keepDtype }
          : storage.scheme;
        const priced = copyBytes(tensor, own, storage.keepDtype);
        return { type: priced.type, bytesPerCopy: priced.bytes };
      };
    }
    default: {
      const keepDtype = scheme.kind === 'fp8' || scheme.kind === 'mxfp4' ? 'bf16' : 'f16';
      return (tensor) => {
        const priced = copyBytes(tensor, scheme, keepDtype);
        return { type: priced.type, bytesPerCopy: priced.bytes };
      };
    }
  }
}

/** The vision tower of a GGUF plan lives in its own mmproj file, loaded only with --mmproj. */
function mmprojWarning(result: WeightBytes): CapacityWarning {
  const mib = (result.byGroup.vision / 2 ** 20).toFixed(1);
  return {
    code: 'vision_tower_estimated',
    message:
      `vision tower (${mib} MiB in F16) left out: llama.cpp loads it from a separate mmproj ` +
      'file, only with --mmproj',
    data: { counted: false, visionBytes: result.byGroup.vision },
  };
}

/**
 * Weight bytes of `spec` stored as `scheme`, tensor by tensor (capacity.md section 3.3): dense
 * types at their element size; GPTQ/AWQ/bitsandbytes/FP8/MXFP4 with their scales and zeros;
 * GGUF file types with llama.cpp's per-tensor type rules and exact block bytes; `checkpoint`
 * with each tensor's stored bytes from real headers, else the config's quantization_config and
 * torch_dtype. Every expert copy counts as resident; only `activeCopies` count per token.
 * Totals follow countParams: MTP layers apart, vision in the total but not per token, except
 * under a GGUF file type, whose vision tower is a separate mmproj file: then it is left out of
 * the totals (kept in `byGroup.vision`) with a warning.
 * O(tensors). Throws CapacityError for malformed tensors or an unsupported checkpoint method.
 */
export function weightBytes(spec: ModelSpec, scheme: WeightScheme): WeightBytes {
  const warnings: CapacityWarning[] = [];
  spec.tensors.forEach(checkTensor);
  const price = pricerFor(spec, scheme, warnings);
  const headless = !spec.tensors.some((tensor) => tensor.role === 'output');
  const layerCount = spec.layers.length;
  const separateVision = scheme.kind === 'gguf';

  const result: WeightBytes = {
    scheme: weightSchemeName(scheme),
    totalBytes: 0,
    residentBytes: 0,
    activeBytesPerToken: 0,
    embeddingBytes: 0,
    headBytes: 0,
    mtpBytes: 0,
    byGroup: emptyGroups(),
    perLayerBytes: new Array<number>(layerCount).fill(0),
    tensors: [],
    warnings,
  };

  spec.tensors.forEach((tensor, index) => {
    const { type, bytesPerCopy } = price(tensor, index);
    const bytes = Math.round(bytesPerCopy * tensor.copies);
    const isMtp = tensor.group === 'mtp' || (tensor.layer !== null && tensor.layer >= layerCount);
    result.tensors.push({ name: tensor.name, type, bytes });
    result.byGroup[tensor.group] += bytes;

    if (isMtp) {
      result.mtpBytes += bytes;
      return;
    }
    if (separateVision && tensor.group === 'vision') return;
    result.totalBytes += bytes;
    if (tensor.layer !== null) {
      result.perLayerBytes[tensor.layer] = (result.perLayerBytes[tensor.layer] ?? 0) + bytes;
    }
    if (tensor.role === 'token_embd') result.embeddingBytes += bytes;
    if (tensor.role === 'output') result.headBytes += bytes;

    const lookupOnly = tensor.role === 'pos_embd' || (tensor.role === 'token_embd' && !headless);
    if (!lookupOnly) {
      result.activeBytesPerToken += Math.round(bytesPerCopy * tensor.activeCopies);
    }
  });

  result.residentBytes = result.totalBytes;
  if (separateVision && result.byGroup.vision > 0) warnings.push(mmprojWarning(result));
  return result;
}
