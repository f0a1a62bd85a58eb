// Hub model specs for the plan worker: one fetch per model shared by cells, ended when unwanted.

import type { ModelSpec } from '../lib/capacity/index.ts';
import { DEFAULT_TIMEOUT_MS } from '../lib/sources/byte-source.ts';
import { SourceError } from '../lib/sources/errors.ts';
import { loadHubSpec, normalHubBase } from '../lib/sources/hub.ts';
import type { HubProgress } from './plan-types.ts';

/** Most milliseconds one hub request (answer and body) may take: the CLI's 30 s. */
export const HUB_TIMEOUT_MS = DEFAULT_TIMEOUT_MS;

/**
 * How long a fetch nobody waits for any more is kept before it is aborted, so that a cell
 * re-run while its model loads (an edited context, say) joins the fetch instead of restarting it.
 */
export const HUB_ABANDON_GRACE_MS = 300;

/** One model's fetch, shared by every cell that waits for it. */
interface HubLoad {
  spec: Promise<ModelSpec>;
  abort: AbortController;
  waiters: number;
  settled: boolean;
  listeners: Set<(progress: HubProgress) => void>;
  abandonTimer: ReturnType<typeof setTimeout> | undefined;
}

/** What a hub spec request names and how it may end early. */
export interface HubSpecRequest {
  id: string;
  revision?: string;
  hubBase: string;
  /** Told after each file; a Comlink proxy, so whatever it returns is ignored. */
  onProgress?: (progress: HubProgress) => void;
  /** Aborting it ends this wait at once; the fetch ends too when no other cell waits for it. */
  signal?: AbortSignal;
  /** The fetch function (a loopback fake in tests). */
  fetch?: typeof fetch;
}

/** Fetches of hub specs, in flight and done, by base, id and revision. */
export class HubSpecs {
  private readonly loads = new Map<string, HubLoad>();

  /** Fetches in flight (for tests and diagnostics). */
  inFlight(): number {
    return [...this.loads.values()].filter((load) => !load.settled).length;
  }

  /**
   * The spec of a hub model, fetched once per base, id and revision (failures are not kept).
   * Rejects with the signal's reason when `signal` aborts first.
   */
  get(request: HubSpecRequest): Promise<ModelSpec> {
    const id = request.id.trim();
    if (id === '') {
      const hint = 'Type a Hugging Face model id (org/name), such as meta-llama/Llama-3.1-8B.';
      return Promise.reject(new SourceError('unsupported', hint, { ref: '' }));
    }
    const base = normalHubBase(request.hubBase);
    const revision = request.revision?.trim() || 'main';
    const key = JSON.stringify([base, id, revision]);
    const load =
      this.loads.get(key) ?? this.start(key, { ...request, id, hubBase: base, revision });
    return this.wait(key, load, request);
  }

  private start(key: string, request: HubSpecRequest & { revision: string }): HubLoad {
    const abort = new AbortController();
    const listeners = new Set<(progress: HubProgress) => void>();
    const spec = loadHubSpec(request.id, {
      hubBase: request.hubBase,
      revision: request.revision,
      timeoutMs: HUB_TIMEOUT_MS,
      signal: abort.signal,
      ...(request.fetch ? { fetch: request.fetch } : {}),
      onProgress: ({ file, filesDone, filesTotal, bytesRead }) => {
        for (const listener of listeners)
          tell(listener, { file, filesDone, filesTotal, bytesRead });
      },
    });
    const load: HubLoad = {
      spec,
      abort,
      waiters: 0,
      settled: false,
      listeners,
      abandonTimer: undefined,
    };
    this.loads.set(key, load);
    spec.then(
      () => {
        load.settled = true;
      },
      () => {
        load.settled = true;
        if (this.loads.get(key) === load) this.loads.delete(key);
      },
    );
    return load;
  }

  private async wait(key: string, load: HubLoad, request: HubSpecRequest): Promise<ModelSpec> {
    load.waiters += 1;
    clearTimeout(load.abandonTimer);
    const listener = request.onProgress;
    if (listener) load.listeners.add(listener);
    try {
      return await untilAborted(load.spec, request.signal);
    } finally {
      load.waiters -= 1;
      if (listener) load.listeners.delete(listener);
      if (load.waiters === 0 && !load.settled) {
        load.abandonTimer = setTimeout(() => this.abandon(key, load), HUB_ABANDON_GRACE_MS);
      }
    }
  }

  private abandon(key: string, load: HubLoad): void {
    if (load.waiters > 0 || load.settled) return;
    if (this.loads.get(key) === load) this.loads.delete(key);
    load.abort.abort(new Error('No plan cell waits for this model any more.'));
  }
}

/** Tells a progress listener, ignoring whatever it returns or throws (a gone Comlink proxy). */
function tell(listener: (progress: HubProgress) => void, progress: HubProgress): void {
  try {
    const told: unknown = listener(progress);
    if (told instanceof Promise) told.catch(() => undefined);
  } catch {
    return;
  }
}

/** `promise`, or a rejection with `signal`'s reason as soon as it aborts. */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(abortReason(signal));
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(abortReason(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}

function abortReason(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  return reason instanceof Error ? reason : new Error('Stopped.');
}
