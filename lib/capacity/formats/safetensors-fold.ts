// Folds stored safetensors tensors into logical weights: quantisation parts, experts, stacks.

import { CapacityError } from '../errors.ts';
import type { TensorSpec } from '../spec.ts';
import type { HfNameInfo } from './hf-names.ts';
import { hfNameInfo } from './hf-names.ts';
import type { SafetensorsEntry } from './safetensors-header.ts';

/** A logical weight before the model-level facts (active experts, MTP layers) are applied. */
export interface FoldedTensor {
  spec: TensorSpec;
  /** Per-expert tensors folded together (`experts.N.` names) or a stacked expert tensor. */
  isExpert: boolean;
  /** Storage format found in the parts: `gptq`, `awq`, `fp8`, `bf16` ... */
  format: string;
  /** Bits per packed value, when the parts reveal it (GPTQ with g_idx, AWQ). */
  bits: number | null;
}

/** Facts a config can add: per-tensor shapes (bitsandbytes hides them) and packed bits. */
export interface FoldContext {
  shapeOf: (name: string) => readonly number[] | undefined;
  bits: number | null;
}

interface Part {
  entry: SafetensorsEntry;
  info: HfNameInfo;
}

function bytesOf(entry: SafetensorsEntry): number {
  return entry.dataOffsets[1] - entry.dataOffsets[0];
}

function dim(entry: SafetensorsEntry | undefined, index: number): number {
  return entry?.shape[index] ?? 0;
}

/** Logical [out, in] of a packed-int weight, its format and bits. */
function packedShape(
  parts: Part[],
  context: FoldContext,
): { shape: number[]; format: string; bits: number | null } {
  const find = (suffix: string): SafetensorsEntry | undefined =>
    parts.find((part) => part.entry.name.endsWith(suffix))?.entry;
  const qweight = find('.qweight');
  if (!qweight) {
    const packed = find('.weight_packed');
    const bits = context.bits ?? 4;
    return { shape: [dim(packed, 0), (dim(packed, 1) * 32) / bits], format: 'compressed', bits };
  }
  const scales = find('.scales');
  const gIdx = find('.g_idx');
  const out = dim(scales, 1);
  if (gIdx || dim(qweight, 1) === out) {
    const columns = gIdx ? dim(gIdx, 0) : (dim(qweight, 0) * 32) / (context.bits ?? 4);
    const bits = gIdx ? (dim(qweight, 0) * 32) / columns : context.bits;
    return { shape: [out, columns], format: 'gptq', bits };
  }
  return { shape: [out, dim(qweight, 0)], format: 'awq', bits: (dim(qweight, 1) * 32) / out };
}

/** Logical shape and storage format of one copy's parts. */
function describe(
  parts: Part[],
  logicalName: string,
  context: FoldContext,
): { shape: number[]; format: string; bits: number | null } {
  const byPart = new Map(parts.map((part) => [part.info.part, part.entry]));
  if (byPart.has('packed')) return packedShape(parts, context);

  const blocks = byPart.get('blocks');
  if (blocks) {
    const shape = blocks.shape.slice(0, -2);
    shape.push(dim(blocks, blocks.shape.length - 2) * dim(blocks, blocks.shape.length - 1) * 2);
    return { shape, format: 'mxfp4', bits: 4 };
  }
  const main = byPart.get('weight') ?? byPart.get('bias') ?? byPart.get('own') ?? parts[0]?.entry;
  if (!main) throw new Error('a folded tensor has no parts');
  if (byPart.has('absmax')) {
    const known = context.shapeOf(logicalName);
    const shape = known ? [...known] : [bytesOf(main) * 2];
    return { shape, format: 'bnb-4bit', bits: 4 };
  }
  if (main.dtype.startsWith('F8')) return { shape: main.shape, format: 'fp8', bits: 8 };
  if (main.dtype === 'I8' && byPart.has('scale')) {
    return { shape: main.shape, format: 'int8', bits: 8 };
  }
  return { shape: main.shape, format: main.dtype.toLowerCase(), bits: null };
}

function checkInteger(shape: number[], name: string): void {
  if (!shape.every((value) => Number.isSafeInteger(value) && value >= 0)) {
    throw new CapacityError('invalid_file', `cannot read the shape of ${name} from its parts`, {
      field: name,
      expected: 'packed parts whose sizes agree',
    });
  }
}

/** Turns one logical group of parts (all experts of one weight, or one weight) into a tensor. */
function foldGroup(logicalName: string, parts: Part[], context: FoldContext): FoldedTensor {
  const first = parts[0];
  if (!first) throw new Error('empty tensor group');
  const byExpert = new Map<number, Part[]>();
  for (const part of parts) {
    const key = part.info.expert ?? -1;
    const list = byExpert.get(key) ?? [];
    list.push(part);
    byExpert.set(key, list);
  }
  const copyParts = byExpert.values().next().value ?? parts;
  const described = describe(copyParts, logicalName, context);
  let shape = described.shape;
  let copies = first.info.expert === null ? 1 : byExpert.size;

  if (first.info.stackedExperts && shape.length >= 2) {
    copies = shape[0] ?? 1;
    shape = shape.slice(1);
  }
  checkInteger(shape, logicalName);
  const storedBytes = parts.reduce((sum, part) => sum + bytesOf(part.entry), 0);
  return {
    spec: {
      name: logicalName,
      shape,
      copies,
      activeCopies: copies,
      group: first.info.group,
      role: first.info.role,
      layer: first.info.layer,
      storedType: described.format,
      storedBytes,
    },
    isExpert: first.info.expert !== null || first.info.stackedExperts,
    format: described.format,
    bits: described.bits,
  };
}

/**
 * Folds every stored tensor (from one or more shards) into logical weights, in first-seen
 * order: quantisation side tensors join their weight, per-expert tensors become one entry with
 * `copies` = experts, stacked expert tensors (`experts.gate_up_proj`, gpt-oss MXFP4 blocks)
 * take their outermost dimension as `copies`. `storedBytes` is the exact sum of the parts.
 * Throws `invalid_file` for a name that appears in two shards.
 */
export function foldSafetensors(
  entries: readonly SafetensorsEntry[],
  context: FoldContext,
): FoldedTensor[] {
  const groups = new Map<string, Part[]>();
  const seen = new Set<string>();
  for (const entry of entries) {
    if (seen.has(entry.name)) {
      throw new CapacityError('invalid_file', `tensor ${entry.name} appears in two shards`, {
        field: entry.name,
        expected: 'each tensor in exactly one shard',
      });
    }
    seen.add(entry.name);
    const info = hfNameInfo(entry.name);
    const list = groups.get(info.logicalName) ?? [];
    list.push({ entry, info });
    groups.set(info.logicalName, list);
  }
  return [...groups].map(([name, parts]) => foldGroup(name, parts, context));
}
