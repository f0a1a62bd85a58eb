// Parameter counts of a model spec: total, resident, active per token, and by group.

import type { ModelSpec, ParamGroup, TensorSpec } from './spec.ts';
import { tensorElements } from './tensors.ts';

/** Parameter counts (elements, not bytes) of one model. */
export interface ParamCounts {
  /** Every weight except multi-token-prediction layers; vision tower included. */
  total: number;
  /** Weights that must be in memory to serve text generation (today equal to `total`). */
  resident: number;
  /** Weights read per generated token: dense tensors fully, experts `activeCopies` times. */
  active: number;
  /** `active` without the input-embedding lookup tables (see `countParams`). */
  activeExcludingEmbeddings: number;
  /** Multi-token-prediction (next-n) layers, outside `total`. */
  mtp: number;
  /** All tensors (MTP and vision included) per group. */
  byGroup: Record<ParamGroup, number>;
}

const GROUPS: readonly ParamGroup[] = [
  'embedding',
  'attention',
  'mlp',
  'experts',
  'shared_experts',
  'router',
  'ssm',
  'norm',
  'head',
  'vision',
  'mtp',
  'other',
];

function emptyGroups(): Record<ParamGroup, number> {
  const groups = {} as Record<ParamGroup, number>;
  for (const group of GROUPS) groups[group] = 0;
  return groups;
}

function isLookupTable(spec: TensorSpec, tied: boolean): boolean {
  if (spec.role === 'pos_embd') return true;
  return spec.role === 'token_embd' && !tied;
}

/**
 * Counts a spec's parameters tensor by tensor (elements of one copy x copies).
 *
 * - Tied embeddings: a tied LM head is the token embedding itself, so parsers emit no `output`
 *   tensor and the matrix is counted once (Falcon-7B: 6,921,720,704, not 7,217,189,760).
 * - `active` counts each tensor `activeCopies` times (1 for dense tensors, top-k for experts,
 *   0 for MTP), the input embedding included (as Mixtral's published 12.9B does) and the vision
 *   tower excluded (it runs on images, not per generated token).
 * - `activeExcludingEmbeddings` drops the lookup tables: the token embedding (when untied) and
 *   learned position embeddings. A tied matrix stays, because it is also the output projection,
 *   read in full for every token. gpt-oss-20b: 4,187,440,704 - 579,133,440 = 3.61B, its card's.
 */
export function countParams(spec: ModelSpec): ParamCounts {
  const byGroup = emptyGroups();
  let total = 0;
  let active = 0;
  let lookup = 0;
  let mtp = 0;

  for (const tensorSpec of spec.tensors) {
    const elements = tensorElements(tensorSpec);
    byGroup[tensorSpec.group] += elements * tensorSpec.copies;

    if (tensorSpec.group === 'mtp') {
      mtp += elements * tensorSpec.copies;
      continue;
    }

    total += elements * tensorSpec.copies;
    if (tensorSpec.group === 'vision') continue;

    active += elements * tensorSpec.activeCopies;
    if (isLookupTable(tensorSpec, spec.tiedEmbeddings)) {
      lookup += elements * tensorSpec.activeCopies;
    }
  }

  return {
    total,
    resident: total,
    active,
    activeExcludingEmbeddings: active - lookup,
    mtp,
    byGroup,
  };
}
