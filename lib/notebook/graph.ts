// The dependency graph of a notebook: which names each cell defines and uses, and run order.

import type { Cell, Notebook } from './model.ts';
import { APP_NAMES, nameProblem } from './names.ts';

/** Names the app itself provides to code cells; never notebook dependencies. */
export const RESERVED_NAMES: ReadonlySet<string> = APP_NAMES;

/** A cell's place in the graph: what it defines, which cells it reads, and its static error. */
export interface GraphNode {
  id: string;
  defines: string[];
  /** Ids of the cells above whose names this cell uses, in notebook order. */
  dependsOn: string[];
  /** A problem found without running the cell (a name defined twice), or null. */
  error: string | null;
}

/** The dependency graph of a notebook, nodes in notebook order. */
export interface NotebookGraph {
  nodes: GraphNode[];
  byId: ReadonlyMap<string, GraphNode>;
}

/**
 * Code with comments and string contents blanked out (template `${...}` parts kept), so that
 * name scanning sees only code. Lengths are preserved.
 */
export function stripStringsAndComments(source: string): string {
  let out = '';
  let i = 0;
  const templateDepth: number[] = [];
  let braceDepth = 0;
  while (i < source.length) {
    const ch = source[i] ?? '';
    const next = source[i + 1] ?? '';
    if (ch === '/' && next === '/') {
      const end = source.indexOf('\n', i);
      const stop = end < 0 ? source.length : end;
      out += ' '.repeat(stop - i);
      i = stop;
    } else if (ch === '/' && next === '*') {
      const end = source.indexOf('*/', i + 2);
      const stop = end < 0 ? source.length : end + 2;
      out += source.slice(i, stop).replace(/[^\n]/g, ' ');
      i = stop;
    } else if (ch === '"' || ch === "'") {
      const stop = skipQuoted(source, i, ch);
      out += ' '.repeat(stop - i);
      i = stop;
    } else if (ch === '`' || (ch === '}' && templateDepth.at(-1) === braceDepth)) {
      if (ch === '}') templateDepth.pop();
      const { stop, opensExpr } = skipTemplateText(source, i + 1);
      out += ' '.repeat(stop - i);
      i = stop;
      if (opensExpr) templateDepth.push(braceDepth);
    } else {
      if (ch === '{') braceDepth += 1;
      if (ch === '}') braceDepth -= 1;
      out += ch;
      i += 1;
    }
  }
  return out;
}

function skipQuoted(source: string, start: number, quote: string): number {
  let i = start + 1;
  while (i < source.length && source[i] !== quote && source[i] !== '\n') {
    i += source[i] === '\\' ? 2 : 1;
  }
  return Math.min(i + 1, source.length);
}

function skipTemplateText(source: string, start: number): { stop: number; opensExpr: boolean } {
  let i = start;
  while (i < source.length) {
    if (source[i] === '\\') i += 2;
    else if (source[i] === '`') return { stop: i + 1, opensExpr: false };
    else if (source[i] === '$' && source[i + 1] === '{') return { stop: i + 2, opensExpr: true };
    else i += 1;
  }
  return { stop: source.length, opensExpr: false };
}

const EXPORT_DECL =
  /\bexport\s+(?:declare\s+)?(?:const|let|var|class|(?:async\s+)?function\s*\*?)\s+([A-Za-z_$][\w$]*)/g;
const EXPORT_LIST = /\bexport\s*\{([^}]*)\}/g;
const EXPORT_DESTRUCTURE = /\bexport\s+(?:const|let|var)\s+[{[]([^=]*)[}\]]\s*=/g;
const IDENTIFIER = /[A-Za-z_$][\w$]*/g;

/** Names a code cell exports (`export const x`, `export function f`, `export { a as b }`). */
export function exportedNames(source: string): string[] {
  const code = stripStringsAndComments(source);
  const names = new Set<string>();
  for (const match of code.matchAll(EXPORT_DECL)) if (match[1]) names.add(match[1]);
  for (const match of code.matchAll(EXPORT_LIST)) {
    for (const part of (match[1] ?? '').split(',')) {
      const alias = part.trim().split(/\s+as\s+/);
      const name = (alias[1] ?? alias[0] ?? '').trim();
      if (name && name !== 'default') names.add(name);
    }
  }
  for (const match of code.matchAll(EXPORT_DESTRUCTURE)) {
    for (const part of (match[1] ?? '').split(',')) {
      const name =
        part
          .split(':')
          .at(-1)
          ?.trim()
          .replace(/^\.\.\./, '') ?? '';
      if (/^[A-Za-z_$][\w$]*$/.test(name)) names.add(name);
    }
  }
  return [...names];
}

/** Identifiers a code cell mentions other than as a property name after a dot. */
export function mentionedNames(source: string): Set<string> {
  const code = stripStringsAndComments(source);
  const names = new Set<string>();
  for (const match of code.matchAll(IDENTIFIER)) {
    const before = code.slice(0, match.index).trimEnd();
    if (before.endsWith('.') && !before.endsWith('...')) continue;
    names.add(match[0]);
  }
  return names;
}

/** Names a cell binds for the cells below it. */
export function definedNames(cell: Cell): string[] {
  if (cell.kind === 'plan') return [cell.name];
  if (cell.kind === 'code') return exportedNames(cell.source);
  return [];
}

function usedNames(cell: Cell): Set<string> {
  return cell.kind === 'code' ? mentionedNames(cell.source) : new Set();
}

/**
 * Builds the graph: each cell depends on the nearest cell above that defines a name it uses.
 * A name defined by a cell above, or one no cell may bind (see nameProblem), is a static error
 * of the later cell.
 */
export function buildGraph(notebook: Pick<Notebook, 'cells'>): NotebookGraph {
  const definer = new Map<string, string>();
  const nodes: GraphNode[] = [];
  for (const cell of notebook.cells) {
    const defines = definedNames(cell);
    const used = usedNames(cell);
    const dependsOn = new Set<string>();
    for (const name of used) {
      const from = definer.get(name);
      if (from !== undefined && !defines.includes(name)) dependsOn.add(from);
    }
    const error = definitionError(defines, definer, notebook.cells);
    for (const name of defines) if (!definer.has(name)) definer.set(name, cell.id);
    nodes.push({ id: cell.id, defines, dependsOn: orderIds(notebook.cells, dependsOn), error });
  }
  return { nodes, byId: new Map(nodes.map((node) => [node.id, node])) };
}

/** Why a cell defining `defines` may not run: a refused name, or one a cell above defines. */
function definitionError(
  defines: readonly string[],
  definer: ReadonlyMap<string, string>,
  cells: readonly Cell[],
): string | null {
  for (const name of defines) {
    const problem = nameProblem(name);
    if (problem !== null) return `${problem}; choose another name`;
  }
  const clash = defines.find((name) => definer.has(name));
  if (clash === undefined) return null;
  const above = cells.findIndex((cell) => cell.id === definer.get(clash));
  return `"${clash}" is already defined by cell ${above + 1} above; choose another name`;
}

function orderIds(cells: readonly Cell[], ids: ReadonlySet<string>): string[] {
  return cells.filter((cell) => ids.has(cell.id)).map((cell) => cell.id);
}

/** Ids of the cells that read `id`'s names, directly or through others, in notebook order. */
export function dependantsOf(graph: NotebookGraph, id: string): string[] {
  const reached = new Set<string>([id]);
  const out: string[] = [];
  for (const node of graph.nodes) {
    if (node.id === id) continue;
    if (node.dependsOn.some((dep) => reached.has(dep))) {
      reached.add(node.id);
      out.push(node.id);
    }
  }
  return out;
}

/** Ids of the cells `id` reads, directly or through others, in notebook order. */
export function upstreamOf(graph: NotebookGraph, id: string): string[] {
  const needed = new Set<string>();
  const visit = (cellId: string): void => {
    for (const dep of graph.byId.get(cellId)?.dependsOn ?? []) {
      if (!needed.has(dep)) {
        needed.add(dep);
        visit(dep);
      }
    }
  };
  visit(id);
  return graph.nodes.filter((node) => needed.has(node.id)).map((node) => node.id);
}

/** The cells to run after `changed` cells were edited: them and their dependants, in order. */
export function runOrder(graph: NotebookGraph, changed: readonly string[]): string[] {
  const set = new Set<string>(changed);
  for (const id of changed) for (const dep of dependantsOf(graph, id)) set.add(dep);
  return graph.nodes.filter((node) => set.has(node.id)).map((node) => node.id);
}

/** A cell's label in messages: its first name, or its place (`cell 3`). */
function labelOf(graph: NotebookGraph, id: string): string {
  const index = graph.nodes.findIndex((node) => node.id === id);
  return graph.nodes[index]?.defines[0] ?? `cell ${index + 1}`;
}

/** The cells from `from` back to `to` along "uses a name of" links, or null when none lead. */
function pathBetween(graph: NotebookGraph, from: string, to: string): string[] | null {
  const cameFrom = new Map<string, string>([[from, from]]);
  const queue = [from];
  for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
    if (id === to) break;
    for (const dep of graph.byId.get(id)?.dependsOn ?? []) {
      if (cameFrom.has(dep)) continue;
      cameFrom.set(dep, id);
      queue.push(dep);
    }
  }
  if (!cameFrom.has(to)) return null;
  const path = [to];
  for (let id = to; id !== from;) {
    id = cameFrom.get(id) ?? from;
    path.unshift(id);
  }
  return path;
}

/**
 * Why `name` is not defined for cell `id` when it runs (its "is not defined" error), in the
 * notebook's terms: no cell above defines it; a cell below does (cells see only names from
 * above); or a cell below does and itself needs this cell, a cycle (`cycle: a -> b -> a`).
 * Null when a cell above defines `name`, so the error has another cause.
 */
export function explainMissingName(graph: NotebookGraph, id: string, name: string): string | null {
  const at = graph.nodes.findIndex((node) => node.id === id);
  const definerAt = graph.nodes.findIndex((node) => node.defines.includes(name));
  const definer = graph.nodes[definerAt];
  if (at < 0) return null;
  if (!definer) {
    const why = 'no cell above this one defines it (was it deleted or renamed?)';
    return `"${name}" is not defined: ${why}`;
  }
  if (definerAt < at) return null;
  const back = pathBetween(graph, definer.id, id);
  if (back) {
    const cycle = [name, ...back.slice(1).map((cellId) => labelOf(graph, cellId))];
    const names = [labelOf(graph, id), ...cycle].join(' -> ');
    return (
      `cycle: ${names}. This cell uses "${name}" from cell ${definerAt + 1} below it, which ` +
      'needs this cell; cells use only names from cells above them, so break the cycle'
    );
  }
  return (
    `"${name}" is defined by cell ${definerAt + 1}, below this one; cells use only names from ` +
    `cells above them, so move cell ${definerAt + 1} above cell ${at + 1}`
  );
}
