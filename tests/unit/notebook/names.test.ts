// Notebook names: plan names and code exports may not replace what JavaScript or the app uses.
import { describe, expect, it } from 'vitest';
import { buildGraph } from '../../../lib/notebook/graph.ts';
import { defaultPlanInputs, newNotebook, type Cell } from '../../../lib/notebook/model.ts';
import { nameProblem } from '../../../lib/notebook/names.ts';
import { NotebookFormatError, parseNotebook } from '../../../lib/notebook/validate.ts';

const planNamed = (name: string): Cell => ({
  id: 'p',
  kind: 'plan',
  name,
  inputs: defaultPlanInputs(),
});

/** A saved or shared notebook whose only plan cell is called `name`, as plain data. */
function notebookData(name: string): unknown {
  const data: unknown = JSON.parse(JSON.stringify(newNotebook('t', [planNamed('ok')])));
  (data as { cells: { name: string }[] }).cells[0]!.name = name;
  return data;
}

function refusal(name: string): NotebookFormatError {
  try {
    parseNotebook(notebookData(name));
  } catch (error) {
    if (error instanceof NotebookFormatError) return error;
    throw error;
  }
  throw new Error(`${name} was accepted`);
}

describe('nameProblem', () => {
  it.each([
    ['Object', '"Object" is a JavaScript built-in'],
    ['Math', '"Math" is a JavaScript built-in'],
    ['undefined', '"undefined" is a JavaScript built-in'],
    ['globalThis', '"globalThis" is a JavaScript built-in'],
    ['__proto__', '"__proto__" is a property every JavaScript object has'],
    ['constructor', '"constructor" is a property every JavaScript object has'],
    ['toString', '"toString" is a property every JavaScript object has'],
    ['class', '"class" is a JavaScript reserved word'],
    ['let', '"let" is a JavaScript reserved word'],
    ['await', '"await" is a JavaScript reserved word'],
    ['hw', '"hw" is reserved by hwLedger'],
    ['display', '"display" is reserved by hwLedger'],
    ['1x', '"1x" is not a JavaScript identifier'],
    ['a-b', '"a-b" is not a JavaScript identifier'],
  ])('refuses %j: %s', (name, problem) => {
    expect(nameProblem(name)).toBe(problem);
  });

  it.each(['llama70b', 'plan1', '_draft', '$cost', 'objectStore', 'mathPlan'])(
    'accepts %j',
    (name) => {
      expect(nameProblem(name)).toBeNull();
    },
  );
});

describe('plan names in saved or shared notebooks', () => {
  it.each(['1st', 'a-b', 'two words', ''])('refuses %j, no identifier, at its field', (name) => {
    const error = refusal(name);
    expect(error.path).toBe('cells[0].name');
    expect(error.message).toContain('cells[0].name must be a JavaScript identifier');
  });

  it.each(['Object', '__proto__', 'constructor', 'class', 'undefined', 'Math'])(
    'loads a plan named %j so nothing saved is lost, and the graph holds it back',
    (name) => {
      const notebook = parseNotebook(notebookData(name));
      const node = buildGraph(notebook).nodes[0];
      expect(notebook.cells[0]).toMatchObject({ kind: 'plan', name });
      expect(node?.error).toBe(`${nameProblem(name)}; choose another name`);
    },
  );
});

describe('names in the graph', () => {
  it.each([
    [planNamed('Object'), '"Object" is a JavaScript built-in; choose another name'],
    [
      { id: 'c', kind: 'code', source: 'export const constructor = 1' } as Cell,
      '"constructor" is a property every JavaScript object has; choose another name',
    ],
  ])('flags a cell binding a refused name without running it (%#)', (cell, message) => {
    expect(buildGraph({ cells: [cell] }).nodes[0]?.error).toBe(message);
  });

  it('names the cell above that already defines a name', () => {
    const graph = buildGraph({
      cells: [
        { id: 'm', kind: 'markdown', source: '' },
        planNamed('big'),
        { id: 'c', kind: 'code', source: 'export const big = 2' },
      ],
    });
    expect(graph.byId.get('c')?.error).toBe(
      '"big" is already defined by cell 2 above; choose another name',
    );
  });
});
