// Plan cells naming a Hugging Face id: validation, files and links, and consent before fetching.
import { describe, expect, it } from 'vitest';
import { hubHeldMessage, NotebookRunner, type CellRun } from '../../../app/_lib/runner.ts';
import { notebookFromFileText, notebookToFileText } from '../../../lib/notebook/file.ts';
import {
  defaultPlanInputs,
  newNotebook,
  type Cell,
  type PlanModelSource,
} from '../../../lib/notebook/model.ts';
import { decodeShare, encodeShare } from '../../../lib/notebook/share.ts';
import { NotebookFormatError, parseNotebook } from '../../../lib/notebook/validate.ts';
import type { HubProgress, PlanCellData } from '../../../workers/plan-types.ts';

const hubPlan = (id: string, model: PlanModelSource): Cell => ({
  id,
  kind: 'plan',
  name: `plan_${id}`,
  inputs: { ...defaultPlanInputs(), model },
});

const notebook = newNotebook('Hub plans', [
  hubPlan('a', { kind: 'hub', id: 'meta-llama/Llama-3.1-8B' }),
  hubPlan('b', { kind: 'hub', id: 'org/model', revision: 'v1.0' }),
  hubPlan('c', { kind: 'hub', id: 'org/half-typed/' }),
  hubPlan('d', { kind: 'catalogue', id: 'llama-3.1-8b' }),
]);

function pathOf(value: unknown): string {
  try {
    parseNotebook(value);
  } catch (error) {
    if (error instanceof NotebookFormatError) return error.path;
    throw error;
  }
  return 'accepted';
}

const withModel = (model: unknown): unknown => ({
  ...notebook,
  cells: [{ ...notebook.cells[0], inputs: { ...defaultPlanInputs(), model } }],
});

describe('hub model sources in notebooks', () => {
  it('accepts hub models unchanged, with and without a revision, and half-typed ids', () => {
    expect(parseNotebook(JSON.parse(JSON.stringify(notebook)))).toEqual(notebook);
  });

  it('drops a null revision rather than keeping it', () => {
    const parsed = parseNotebook(withModel({ kind: 'hub', id: 'org/model', revision: null }));
    const cell = parsed.cells[0];
    expect(cell?.kind === 'plan' ? cell.inputs.model : null).toEqual({
      kind: 'hub',
      id: 'org/model',
    });
  });

  it.each([
    [{ kind: 'hub' }, 'cells[0].inputs.model.id'],
    [{ kind: 'hub', id: 7 }, 'cells[0].inputs.model.id'],
    [{ kind: 'hub', id: 'x'.repeat(201) }, 'cells[0].inputs.model.id'],
    [{ kind: 'hub', id: 'org/model', revision: 3 }, 'cells[0].inputs.model.revision'],
    [{ kind: 'huggingface', id: 'org/model' }, 'cells[0].inputs.model.kind'],
  ])('rejects %j at the field it names', (model, path) => {
    expect(pathOf(withModel(model))).toBe(path);
  });

  it('keeps reading notebooks saved before hub models existed', () => {
    const old = {
      format: 1,
      id: 'old',
      title: 'Old',
      updatedAtMs: 0,
      cells: [
        { id: 'x', kind: 'plan', name: 'p', inputs: defaultPlanInputs() },
        {
          id: 'y',
          kind: 'plan',
          name: 'q',
          inputs: { ...defaultPlanInputs(), model: { kind: 'config', text: '{}', fileName: null } },
        },
      ],
    };
    expect(parseNotebook(old).cells).toHaveLength(2);
  });

  it('round-trips through a share link and a notebook file', () => {
    const shared = decodeShare(encodeShare(notebook), notebook.id, notebook.updatedAtMs);
    expect(shared).toEqual(notebook);
    expect(notebookFromFileText(notebookToFileText(notebook), notebook.id)).toEqual(notebook);
  });
});

const done: PlanCellData = {
  ok: true,
  result: {} as never,
  sweep: { contextTokens: [], perDeviceBytes: [] },
  maxContext: { schemes: [], rows: [] },
};

const noSandbox = { generation: 0, run: () => Promise.reject(new Error('no code')), stop() {} };

async function idle(runner: NotebookRunner): Promise<ReadonlyMap<string, CellRun>> {
  for (let i = 0; i < 200; i += 1) {
    const states = [...runner.snapshot().values()];
    if (!states.some((s) => s.status === 'queued' || s.status === 'running')) break;
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  return runner.snapshot();
}

describe('hub plan cells in the runner', () => {
  const two = newNotebook('Two', [
    hubPlan('h', { kind: 'hub', id: 'org/model' }),
    hubPlan('k', { kind: 'catalogue', id: 'llama-3.1-8b' }),
  ]);

  it('holds hub cells of a notebook from a link, saying why, and evaluates nothing for them', async () => {
    const asked: string[] = [];
    const runner = new NotebookRunner(
      two,
      noSandbox,
      (inputs) => {
        asked.push(inputs.model.kind);
        return Promise.resolve(done);
      },
      { codeAllowed: false, hubBase: () => 'http://127.0.0.1:9/' },
    );
    runner.runAll();
    const states = await idle(runner);
    expect(asked).toEqual(['catalogue']);
    expect(states.get('k')?.status).toBe('done');
    expect(states.get('h')).toEqual({
      status: 'held',
      message: hubHeldMessage('org/model', 'http://127.0.0.1:9/'),
    });
    expect(hubHeldMessage('org/model', 'http://127.0.0.1:9/')).toContain(
      'would fetch org/model from http://127.0.0.1:9/',
    );
  });

  it('fetches once the user allows it, showing progress while it runs', async () => {
    const seen: CellRun[] = [];
    let finish: (data: PlanCellData) => void = () => undefined;
    const progress: HubProgress = {
      file: 'config.json',
      filesDone: 1,
      filesTotal: 2,
      bytesRead: 500,
    };
    const runner = new NotebookRunner(
      two,
      noSandbox,
      (inputs, onProgress) => {
        if (inputs.model.kind !== 'hub') return Promise.resolve(done);
        onProgress?.(progress);
        return new Promise((resolve) => {
          finish = resolve;
        });
      },
      { codeAllowed: false },
    );
    runner.subscribe(() => {
      const state = runner.snapshot().get('h');
      if (state) seen.push(state);
    });
    runner.codeAllowed = true;
    runner.run(['h']);
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(runner.snapshot().get('h')).toEqual({ status: 'running', progress });
    finish(done);
    await idle(runner);
    expect(seen.map((state) => state.status)).toEqual(['queued', 'running', 'running', 'done']);
  });
});
