// Dependency graph: names defined and used by cells, dependants and run order.
import { describe, expect, it } from 'vitest';
import {
  buildGraph,
  dependantsOf,
  explainMissingName,
  exportedNames,
  mentionedNames,
  runOrder,
  stripStringsAndComments,
  upstreamOf,
} from '../../../lib/notebook/graph.ts';
import { defaultPlanInputs, type Cell } from '../../../lib/notebook/model.ts';

const code = (id: string, source: string): Cell => ({ id, kind: 'code', source });
const plan = (id: string, name: string): Cell => ({
  id,
  kind: 'plan',
  name,
  inputs: defaultPlanInputs(),
});

describe('exportedNames', () => {
  it.each([
    ['export const a = 1', ['a']],
    ['export let b = 1; export var c = 2', ['b', 'c']],
    ['export function f() {}\nexport async function g() {}', ['f', 'g']],
    ['export class K {}', ['K']],
    ['const x = 1, y = 2; export { x, y as z }', ['x', 'z']],
    ['export const { p, q: r } = obj', ['p', 'r']],
    ['// export const hidden = 1\nconst s = "export const t = 1"', []],
    ['export default 42', []],
  ])('finds the exports of %j', (source, expected) => {
    expect(exportedNames(source)).toEqual(expected);
  });
});

describe('mentionedNames', () => {
  it('ignores property names, strings and comments but keeps template expressions', () => {
    const names = mentionedNames('a.b + c /* d */ + "e" + `f ${g + `${h}`} i` // j');
    expect([...names].sort()).toEqual(['a', 'c', 'g', 'h']);
  });

  it('keeps names after a spread', () => {
    expect([...mentionedNames('[...xs]')]).toEqual(['xs']);
  });

  it('keeps the length of the source when blanking', () => {
    const source = 'x = "abc" // tail\n/* c */ y';
    expect(stripStringsAndComments(source)).toHaveLength(source.length);
  });
});

describe('buildGraph', () => {
  const cells: Cell[] = [
    plan('p', 'llama'),
    code('a', 'export const kv = llama.kv.bytesPerToken'),
    code('b', 'export const perK = kv * 1024'),
    code('c', 'export const other = 1'),
    code('d', 'export const both = perK + llama.memory.totalBytes + other'),
    { id: 'm', kind: 'markdown', source: 'llama' },
  ];
  const graph = buildGraph({ cells });

  it('links each cell to the cells above whose names it uses', () => {
    expect(graph.byId.get('a')?.dependsOn).toEqual(['p']);
    expect(graph.byId.get('b')?.dependsOn).toEqual(['a']);
    expect(graph.byId.get('d')?.dependsOn).toEqual(['p', 'b', 'c']);
    expect(graph.byId.get('m')?.dependsOn).toEqual([]);
  });

  it('lists the transitive dependants of a plan cell in order', () => {
    expect(dependantsOf(graph, 'p')).toEqual(['a', 'b', 'd']);
    expect(dependantsOf(graph, 'c')).toEqual(['d']);
  });

  it('lists the transitive upstream cells in order', () => {
    expect(upstreamOf(graph, 'd')).toEqual(['p', 'a', 'b', 'c']);
  });

  it('runs the changed cells and their dependants once each, in notebook order', () => {
    expect(runOrder(graph, ['b', 'a'])).toEqual(['a', 'b', 'd']);
  });

  it('does not link to names defined only below', () => {
    const g = buildGraph({
      cells: [code('x', 'export const u = later'), code('y', 'export const later = 1')],
    });
    expect(g.byId.get('x')?.dependsOn).toEqual([]);
  });

  it('flags a name defined twice on the later cell only', () => {
    const g = buildGraph({ cells: [code('x', 'export const u = 1'), plan('y', 'u')] });
    expect(g.byId.get('x')?.error).toBeNull();
    expect(g.byId.get('y')?.error).toContain('"u" is already defined');
  });

  it('flags reserved names', () => {
    const g = buildGraph({ cells: [code('x', 'export const hw = 1')] });
    expect(g.byId.get('x')?.error).toContain('reserved');
  });

  it('does not make a cell depend on itself when it reuses its own export name', () => {
    const g = buildGraph({ cells: [code('x', 'export const n = 1; export const m = n + 1')] });
    expect(g.byId.get('x')?.dependsOn).toEqual([]);
  });
});

describe('explainMissingName', () => {
  it('names a two-cell cycle from the cell that failed', () => {
    const g = buildGraph({
      cells: [code('x', 'export const a = b + 1'), code('y', 'export const b = a + 1')],
    });
    expect(explainMissingName(g, 'x', 'b')).toBe(
      'cycle: a -> b -> a. This cell uses "b" from cell 2 below it, which needs this cell; ' +
        'cells use only names from cells above them, so break the cycle',
    );
  });

  it('names every cell of a longer cycle in order', () => {
    const g = buildGraph({
      cells: [
        code('x', 'export const a = c * 2'),
        code('y', 'export const b = a + 1'),
        code('z', 'export const c = b + 1'),
      ],
    });
    expect(explainMissingName(g, 'x', 'c')).toMatch(/^cycle: a -> c -> b -> a\. /);
  });

  it('says a name defined only below must move up when there is no cycle', () => {
    const g = buildGraph({ cells: [code('x', 'export const u = later'), plan('y', 'later')] });
    expect(explainMissingName(g, 'x', 'later')).toBe(
      '"later" is defined by cell 2, below this one; cells use only names from cells above ' +
        'them, so move cell 2 above cell 1',
    );
  });

  it('says no cell defines a name that is gone', () => {
    const g = buildGraph({ cells: [code('x', 'export const u = gone.kv')] });
    expect(explainMissingName(g, 'x', 'gone')).toBe(
      '"gone" is not defined: no cell above this one defines it (was it deleted or renamed?)',
    );
  });

  it('leaves a name defined above to the original error', () => {
    const g = buildGraph({ cells: [plan('p', 'big'), code('x', 'export const u = big')] });
    expect(explainMissingName(g, 'x', 'big')).toBeNull();
  });
});
