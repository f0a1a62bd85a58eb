// Checks untrusted data (a file, a share link, storage) and turns it into a Notebook or an error.

import {
  NOTEBOOK_FORMAT_VERSION,
  NOTEBOOK_LIMITS,
  PLAN_ENGINES,
  type Cell,
  type Notebook,
  type PlanEngine,
  type PlanInputs,
  type PlanModelSource,
} from './model.ts';
import { IDENTIFIER, NAME_RULE, nameProblem } from './names.ts';

/** Thrown when data is not a notebook; `path` names the offending field (`cells[2].name`). */
export class NotebookFormatError extends Error {
  readonly path: string;
  readonly expected: string;

  constructor(path: string, expected: string) {
    super(`${path || 'notebook'} must be ${expected}`);
    this.name = 'NotebookFormatError';
    this.path = path;
    this.expected = expected;
  }
}

type Obj = Record<string, unknown>;

function object(value: unknown, path: string): Obj {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new NotebookFormatError(path, 'an object');
  }
  return value as Obj;
}

function string(value: unknown, path: string, maxChars: number): string {
  if (typeof value !== 'string') throw new NotebookFormatError(path, 'a string');
  if (value.length > maxChars) {
    throw new NotebookFormatError(path, `at most ${maxChars} characters`);
  }
  return value;
}

function integer(value: unknown, path: string, min: number): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
    throw new NotebookFormatError(path, `an integer of at least ${min}`);
  }
  return value;
}

/**
 * A plan-cell name: an identifier, since cells below read it by name. A name that would replace
 * a built-in (nameProblem) still loads, so that no saved or shared notebook becomes unopenable;
 * the graph marks such a cell with an error and it never runs.
 */
function cellName(value: unknown, path: string): string {
  const name = string(value, path, 100);
  if (!IDENTIFIER.test(name)) {
    throw new NotebookFormatError(path, `${NAME_RULE}; ${nameProblem(name) ?? ''}`);
  }
  return name;
}

function modelSource(value: unknown, path: string): PlanModelSource {
  const raw = object(value, path);
  if (raw.kind === 'catalogue') {
    return { kind: 'catalogue', id: string(raw.id, `${path}.id`, 200) };
  }
  if (raw.kind === 'config') {
    const fileName =
      raw.fileName === null || raw.fileName === undefined
        ? null
        : string(raw.fileName, `${path}.fileName`, 500);
    const text = string(raw.text, `${path}.text`, NOTEBOOK_LIMITS.maxSourceChars);
    return { kind: 'config', text, fileName };
  }
  if (raw.kind === 'hub') {
    const id = string(raw.id, `${path}.id`, 200);
    if (raw.revision === undefined || raw.revision === null) return { kind: 'hub', id };
    return { kind: 'hub', id, revision: string(raw.revision, `${path}.revision`, 200) };
  }
  throw new NotebookFormatError(`${path}.kind`, '"catalogue", "config" or "hub"');
}

function engine(value: unknown, path: string): PlanEngine {
  const found = PLAN_ENGINES.find((name) => name === value);
  if (!found) throw new NotebookFormatError(path, `one of ${PLAN_ENGINES.join(', ')}`);
  return found;
}

function price(value: unknown, path: string): number | null {
  if (value === null || value === undefined) return null;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new NotebookFormatError(path, 'a non-negative number or null');
  }
  return value;
}

function planInputs(value: unknown, path: string): PlanInputs {
  const raw = object(value, path);
  const parallelism = raw.parallelism ?? 'tensor';
  if (parallelism !== 'tensor' && parallelism !== 'pipeline') {
    throw new NotebookFormatError(`${path}.parallelism`, '"tensor" or "pipeline"');
  }
  const compare = raw.compareDevices ?? [];
  if (!Array.isArray(compare) || compare.length > 16) {
    throw new NotebookFormatError(`${path}.compareDevices`, 'a list of at most 16 device ids');
  }
  return {
    model: modelSource(raw.model, `${path}.model`),
    device: string(raw.device, `${path}.device`, 200),
    gpus: integer(raw.gpus, `${path}.gpus`, 1),
    weights: string(raw.weights, `${path}.weights`, 100),
    kv: string(raw.kv, `${path}.kv`, 100),
    contextTokens: integer(raw.contextTokens, `${path}.contextTokens`, 1),
    batch: integer(raw.batch, `${path}.batch`, 1),
    engine: engine(raw.engine, `${path}.engine`),
    parallelism,
    priceUsdPerGpuHour: price(raw.priceUsdPerGpuHour, `${path}.priceUsdPerGpuHour`),
    compareDevices: compare.map((id, i) => string(id, `${path}.compareDevices[${i}]`, 200)),
  };
}

function cell(value: unknown, path: string): Cell {
  const raw = object(value, path);
  const id = string(raw.id, `${path}.id`, 64);
  if (id.length === 0) throw new NotebookFormatError(`${path}.id`, 'a non-empty string');
  const max = NOTEBOOK_LIMITS.maxSourceChars;
  if (raw.kind === 'markdown' || raw.kind === 'code') {
    return { id, kind: raw.kind, source: string(raw.source, `${path}.source`, max) };
  }
  if (raw.kind === 'plan') {
    return {
      id,
      kind: 'plan',
      name: cellName(raw.name, `${path}.name`),
      inputs: planInputs(raw.inputs, `${path}.inputs`),
    };
  }
  throw new NotebookFormatError(`${path}.kind`, '"markdown", "plan" or "code"');
}

/**
 * Checks `value` field by field and returns it as a Notebook; throws NotebookFormatError naming
 * the first offending field. Cell ids must be unique.
 */
export function parseNotebook(value: unknown): Notebook {
  const raw = object(value, '');
  if (raw.format !== NOTEBOOK_FORMAT_VERSION) {
    throw new NotebookFormatError('format', `${NOTEBOOK_FORMAT_VERSION}`);
  }
  if (!Array.isArray(raw.cells) || raw.cells.length > NOTEBOOK_LIMITS.maxCells) {
    throw new NotebookFormatError('cells', `a list of at most ${NOTEBOOK_LIMITS.maxCells} cells`);
  }
  const cells = raw.cells.map((item, i) => cell(item, `cells[${i}]`));
  const seen = new Set<string>();
  cells.forEach((c, i) => {
    if (seen.has(c.id)) throw new NotebookFormatError(`cells[${i}].id`, 'unique in the notebook');
    seen.add(c.id);
  });
  return {
    format: NOTEBOOK_FORMAT_VERSION,
    id: string(raw.id, 'id', 64),
    title: string(raw.title, 'title', NOTEBOOK_LIMITS.maxTitleChars),
    cells,
    updatedAtMs: integer(raw.updatedAtMs, 'updatedAtMs', 0),
  };
}
