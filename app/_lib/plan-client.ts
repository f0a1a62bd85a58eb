// The page's handle on the plan worker (a module worker wrapped with comlink).

import * as Comlink from 'comlink';
import type { CatalogueData, HubProgress } from '../../workers/plan-types.ts';
import type { PlanWorkerApi } from '../../workers/plan.worker.ts';
import { hubBaseSetting } from './settings.ts';

/** The running plan worker: its comlink handle, and what its pending calls get if it dies. */
interface PlanWorkerHandle {
  remote: Comlink.Remote<PlanWorkerApi>;
  failed: Promise<PlanCellData>;
}

let running: PlanWorkerHandle | null = null;

/** Name of the user-timing measure each plan evaluation records (DevTools, `npm run bench`). */
export const PLAN_EVALUATE_MEASURE = 'hwledger:plan-evaluate';

/** What a plan cell shows when the worker itself failed (a load error or a crash). */
function workerFailed(reason: string): PlanCellData {
  const detail = reason.trim() === '' ? '' : ` (${reason.trim()})`;
  return {
    ok: false,
    error: {
      code: 'worker_failed',
      field: null,
      expected: null,
      message:
        `The plan worker stopped${detail}. Run the cell again to start a fresh one; if it ` +
        'keeps failing, reload the page.',
    },
  };
}

function startPlanWorker(): PlanWorkerHandle {
  const worker = new Worker(new URL('../../workers/plan.worker.ts', import.meta.url), {
    type: 'module',
    name: 'hwledger-plan',
  });
  const handle: PlanWorkerHandle = {
    remote: Comlink.wrap<PlanWorkerApi>(worker),
    failed: new Promise((resolve) => {
      worker.addEventListener(
        'error',
        (event) => {
          event.preventDefault();
          if (running === handle) running = null;
          worker.terminate();
          resolve(workerFailed(event.message ?? ''));
        },
        { once: true },
      );
    }),
  };
  return handle;
}

/** The shared plan worker, started on first use and again after it failed. */
function planWorkerHandle(): PlanWorkerHandle {
  running ??= startPlanWorker();
  return running;
}

/**
 * The model and device catalogues from the plan worker; rejects, instead of waiting for ever,
 * when the worker fails (the next call starts a fresh one).
 */
export async function loadCatalogue(): Promise<CatalogueData> {
  const handle = planWorkerHandle();
  const failed = handle.failed.then((data) => {
    throw new Error(data.ok ? 'The plan worker stopped.' : data.error.message);
  });
  return Promise.race([handle.remote.catalogue(), failed]);
}

/** Numbers evaluations so that `cancel` in the worker can name one. */
let lastRunId = 0;

type PlanCellData = Awaited<ReturnType<PlanWorkerApi['evaluate']>>;

/** What a cancelled evaluation answers at once; the runner drops it. */
const CANCELLED: PlanCellData = {
  ok: false,
  error: { code: 'cancelled', field: null, expected: null, message: 'Stopped.' },
};

/** Resolves with CANCELLED when `signal` aborts (never, without one). */
function whenAborted(signal: AbortSignal | undefined): Promise<PlanCellData> {
  return new Promise((resolve) => {
    signal?.addEventListener('abort', () => resolve(CANCELLED), { once: true });
  });
}

/**
 * Evaluates a plan cell in the worker and records the round trip as a user-timing measure, so
 * the time from an edit to its numbers can be read in DevTools or by the benchmark. A hub model
 * is fetched from the hub base URL setting, with `onProgress` told after each file. Aborting
 * `signal` answers at once and asks the worker to cancel, which aborts the hub fetch itself.
 */
export async function evaluatePlan(
  inputs: Parameters<PlanWorkerApi['evaluate']>[0],
  onProgress?: (progress: HubProgress) => void,
  signal?: AbortSignal,
): Promise<PlanCellData> {
  if (signal?.aborted) return CANCELLED;
  const start = performance.now();
  const runId = (lastRunId += 1);
  const handle = planWorkerHandle();
  const worker = handle.remote;
  const cancel = () => void worker.cancel(runId).catch(() => undefined);
  signal?.addEventListener('abort', cancel, { once: true });
  try {
    const hubBase = hubBaseSetting();
    const progress =
      inputs.model.kind === 'hub' && onProgress ? Comlink.proxy(onProgress) : undefined;
    const evaluated = worker.evaluate(inputs, hubBase, progress, runId);
    return await Promise.race([evaluated, whenAborted(signal), handle.failed]);
  } finally {
    signal?.removeEventListener('abort', cancel);
    performance.measure(PLAN_EVALUATE_MEASURE, { start, end: performance.now() });
  }
}
