// Example notebooks: valid, named without clashes, and fresh on each call.
import { describe, expect, it } from 'vitest';
import { EXAMPLE_LIST, exampleNotebook } from '../../../lib/notebook/examples.ts';
import { buildGraph } from '../../../lib/notebook/graph.ts';
import { parseNotebook } from '../../../lib/notebook/validate.ts';

describe('example notebooks', () => {
  it('lists four examples', () => {
    expect(EXAMPLE_LIST.map((e) => e.slug)).toEqual([
      'fit-70b',
      'moe-resident-active',
      'mla-vs-gqa',
      'flat-memory-curves',
    ]);
  });

  it.each(EXAMPLE_LIST.map((e) => [e.slug]))(
    '%s is a valid notebook without name clashes',
    (slug) => {
      const notebook = exampleNotebook(slug);
      expect(notebook).not.toBeNull();
      if (!notebook) return;
      expect(parseNotebook(JSON.parse(JSON.stringify(notebook)))).toEqual(notebook);
      expect(buildGraph(notebook).nodes.map((node) => node.error)).toEqual(
        notebook.cells.map(() => null),
      );
    },
  );

  it('makes every code cell of the 70B example depend on the plans above it', () => {
    const notebook = exampleNotebook('fit-70b');
    if (!notebook) throw new Error('missing example');
    const graph = buildGraph(notebook);
    const last = notebook.cells.at(-1);
    expect(graph.byId.get(last?.id ?? '')?.dependsOn).toEqual([
      notebook.cells[1]?.id,
      notebook.cells[3]?.id,
    ]);
  });

  it('gives new ids on each call and null for an unknown slug', () => {
    expect(exampleNotebook('fit-70b')?.id).not.toBe(exampleNotebook('fit-70b')?.id);
    expect(exampleNotebook('nope')).toBeNull();
  });
});
