// The notebook model: cells, their inputs, and pure operations that return a new notebook.

/** Engines a plan cell can target; mirrors the capacity library's plan request. */
export const PLAN_ENGINES = ['llama.cpp', 'vllm', 'ollama', 'transformers.js'] as const;

/** One of the engines a plan cell can target. */
export type PlanEngine = (typeof PLAN_ENGINES)[number];

/**
 * Where a plan cell's model comes from: a catalogue id, a pasted Hugging Face config.json, or a
 * Hugging Face hub id (config.json and safetensors headers fetched from the hub base URL, an
 * app-wide setting; `revision` is a branch, tag or commit, `main` when absent).
 */
export type PlanModelSource =
  | { kind: 'catalogue'; id: string }
  | { kind: 'config'; text: string; fileName: string | null }
  | { kind: 'hub'; id: string; revision?: string };

/**
 * Everything a plan cell's form holds. Token counts are in tokens, prices in US dollars per GPU
 * hour; `compareDevices` lists extra catalogue device ids drawn on the charts for comparison.
 */
export interface PlanInputs {
  model: PlanModelSource;
  device: string;
  gpus: number;
  weights: string;
  kv: string;
  contextTokens: number;
  batch: number;
  engine: PlanEngine;
  parallelism: 'tensor' | 'pipeline';
  priceUsdPerGpuHour: number | null;
  compareDevices: string[];
}

/** Prose written in Markdown. */
export interface MarkdownCell {
  id: string;
  kind: 'markdown';
  source: string;
}

/** A form-driven capacity plan whose result is bound to `name` for the cells below it. */
export interface PlanCell {
  id: string;
  kind: 'plan';
  name: string;
  inputs: PlanInputs;
}

/** TypeScript whose `export`ed values are bound for the cells below it. */
export interface CodeCell {
  id: string;
  kind: 'code';
  source: string;
}

/** Any notebook cell. */
export type Cell = MarkdownCell | PlanCell | CodeCell;

/** The kinds of cell a notebook holds. */
export type CellKind = Cell['kind'];

/** Format version of a serialised notebook; bumped when the shape changes. */
export const NOTEBOOK_FORMAT_VERSION = 1;

/** An ordered list of cells with a title; `id` is local to one browser's storage. */
export interface Notebook {
  format: typeof NOTEBOOK_FORMAT_VERSION;
  id: string;
  title: string;
  cells: Cell[];
  /** Milliseconds since the Unix epoch of the last edit. */
  updatedAtMs: number;
}

/** Limits that keep a notebook (and so a share link) a sane size. */
export const NOTEBOOK_LIMITS = {
  maxCells: 500,
  maxTitleChars: 200,
  maxSourceChars: 200_000,
} as const;

/** A short random id (12 base-36 characters) for notebooks and cells. */
export function newId(random: () => number = Math.random): string {
  let id = '';
  for (let i = 0; i < 12; i += 1) id += Math.floor(random() * 36).toString(36);
  return id;
}

/** Plan inputs a new plan cell starts with: an 8B model on one 24 GB card at 8k context. */
export function defaultPlanInputs(): PlanInputs {
  return {
    model: { kind: 'catalogue', id: 'llama-3.1-8b' },
    device: 'rtx-4090',
    gpus: 1,
    weights: 'Q4_K_M',
    kv: 'f16',
    contextTokens: 8192,
    batch: 1,
    engine: 'llama.cpp',
    parallelism: 'tensor',
    priceUsdPerGpuHour: null,
    compareDevices: [],
  };
}

/** A new empty cell of `kind`; plan cells get a name not yet used in `taken`. */
export function newCell(kind: CellKind, taken: ReadonlySet<string> = new Set()): Cell {
  const id = newId();
  if (kind === 'markdown') return { id, kind, source: '' };
  if (kind === 'code') return { id, kind, source: '' };
  return { id, kind, name: freshName('plan', taken), inputs: defaultPlanInputs() };
}

/** `base1`, `base2`, ... : the first such name not in `taken`. */
export function freshName(base: string, taken: ReadonlySet<string>): string {
  for (let n = 1; ; n += 1) {
    const name = `${base}${n}`;
    if (!taken.has(name)) return name;
  }
}

/** A new notebook holding `cells` (one empty Markdown cell when none are given). */
export function newNotebook(title = 'Untitled notebook', cells?: Cell[]): Notebook {
  return {
    format: NOTEBOOK_FORMAT_VERSION,
    id: newId(),
    title,
    cells: cells ?? [{ id: newId(), kind: 'markdown', source: '' }],
    updatedAtMs: Date.now(),
  };
}

function touch(notebook: Notebook, cells: Cell[]): Notebook {
  return { ...notebook, cells, updatedAtMs: Date.now() };
}

/** Index of cell `id`, or -1. */
export function cellIndex(notebook: Notebook, id: string): number {
  return notebook.cells.findIndex((cell) => cell.id === id);
}

/** The notebook with `cell` inserted at `index` (clamped to the ends). */
export function insertCell(notebook: Notebook, cell: Cell, index: number): Notebook {
  const at = Math.max(0, Math.min(index, notebook.cells.length));
  const cells = [...notebook.cells.slice(0, at), cell, ...notebook.cells.slice(at)];
  return touch(notebook, cells);
}

/** The notebook without cell `id` (unchanged when there is no such cell). */
export function deleteCell(notebook: Notebook, id: string): Notebook {
  if (cellIndex(notebook, id) < 0) return notebook;
  return touch(
    notebook,
    notebook.cells.filter((cell) => cell.id !== id),
  );
}

/** The notebook with cell `id` moved by `offset` places (clamped; -1 is up one). */
export function moveCell(notebook: Notebook, id: string, offset: number): Notebook {
  const from = cellIndex(notebook, id);
  if (from < 0) return notebook;
  const to = Math.max(0, Math.min(from + offset, notebook.cells.length - 1));
  if (to === from) return notebook;
  const cells = [...notebook.cells];
  const [moved] = cells.splice(from, 1);
  if (moved) cells.splice(to, 0, moved);
  return touch(notebook, cells);
}

/** The notebook with cell `id` replaced by `cell` (same id required). */
export function replaceCell(notebook: Notebook, cell: Cell): Notebook {
  const index = cellIndex(notebook, cell.id);
  if (index < 0) return notebook;
  const cells = [...notebook.cells];
  cells[index] = cell;
  return touch(notebook, cells);
}

/** The notebook with a new title. */
export function renameNotebook(notebook: Notebook, title: string): Notebook {
  return { ...notebook, title, updatedAtMs: Date.now() };
}
