// The plan worker's hub specs: one fetch per model shared by cells, aborted once none waits.
import { afterEach, describe, expect, it } from 'vitest';

import { HUB_ABANDON_GRACE_MS, HubSpecs } from '../../../workers/plan-hub.ts';
import { LLAMA_CONFIG } from '../../support/llama-shapes.ts';
import type { RecordingServer } from '../../support/recording-server.ts';
import { startRecordingServer } from '../../support/recording-server.ts';

const hubs: RecordingServer[] = [];

/** A hub that answers config.json when `answer` is true and otherwise never replies. */
async function startHub(answer: boolean): Promise<RecordingServer> {
  const hub = await startRecordingServer((request, response) => {
    if (!answer) return;
    if (request.url?.endsWith('/config.json')) response.end(JSON.stringify(LLAMA_CONFIG));
    else response.writeHead(404).end();
  });
  hubs.push(hub);
  return hub;
}

/** The paths the hub was asked for, in order. */
const requested = (hub: RecordingServer) => hub.seen.map((request) => request.path);

afterEach(async () => {
  await Promise.all(hubs.splice(0).map((hub) => hub.close()));
});

const CONFIG_PATH = '/org/model/resolve/main/config.json';

function outcome(promise: Promise<unknown>): Promise<string> {
  return promise.then(
    () => 'loaded',
    (error: unknown) => (error instanceof Error ? error.message : String(error)),
  );
}

describe('HubSpecs', () => {
  it('fetches a model once for every cell that asks for it', async () => {
    const hub = await startHub(true);
    const specs = new HubSpecs();
    const asked = { id: 'org/model', hubBase: hub.base };
    const [first, second] = await Promise.all([specs.get(asked), specs.get(asked)]);
    expect(first).toBe(second);
    expect(first.layers).toHaveLength(32);
    await specs.get(asked);
    expect(requested(hub).filter((path) => path === CONFIG_PATH)).toHaveLength(1);
  });

  it('ends a cancelled wait at once with its reason', async () => {
    const hub = await startHub(false);
    const specs = new HubSpecs();
    const stop = new AbortController();
    const waiting = outcome(specs.get({ id: 'org/model', hubBase: hub.base, signal: stop.signal }));
    await expect.poll(() => requested(hub)).toEqual([CONFIG_PATH]);
    stop.abort(new Error('Stopped by you.'));
    expect(await waiting).toBe('Stopped by you.');
  });

  it('aborts the fetch itself once no cell waits for it', async () => {
    const hub = await startHub(false);
    const specs = new HubSpecs();
    const stop = new AbortController();
    const waiting = outcome(specs.get({ id: 'org/model', hubBase: hub.base, signal: stop.signal }));
    await expect.poll(() => requested(hub)).toEqual([CONFIG_PATH]);
    stop.abort(new Error('Stopped by you.'));
    await waiting;
    await expect.poll(() => hub.abandoned).toEqual([CONFIG_PATH]);
    expect(specs.inFlight()).toBe(0);
  });

  it('keeps the fetch while another cell still waits for it', async () => {
    const hub = await startHub(false);
    const specs = new HubSpecs();
    const stopOne = new AbortController();
    const stopTwo = new AbortController();
    const one = outcome(specs.get({ id: 'org/model', hubBase: hub.base, signal: stopOne.signal }));
    const two = outcome(specs.get({ id: 'org/model', hubBase: hub.base, signal: stopTwo.signal }));
    await expect.poll(() => requested(hub)).toEqual([CONFIG_PATH]);
    stopOne.abort(new Error('one stopped'));
    expect(await one).toBe('one stopped');
    await new Promise((resolve) => setTimeout(resolve, HUB_ABANDON_GRACE_MS + 200));
    expect(hub.abandoned).toEqual([]);
    expect(specs.inFlight()).toBe(1);
    stopTwo.abort(new Error('two stopped'));
    expect(await two).toBe('two stopped');
    await expect.poll(() => hub.abandoned).toEqual([CONFIG_PATH]);
  });

  it('lets a cell re-run right after a stop join the same fetch', async () => {
    const hub = await startHub(false);
    const specs = new HubSpecs();
    const first = new AbortController();
    const waiting = outcome(
      specs.get({ id: 'org/model', hubBase: hub.base, signal: first.signal }),
    );
    await expect.poll(() => requested(hub)).toEqual([CONFIG_PATH]);
    first.abort(new Error('replaced'));
    await waiting;
    const second = new AbortController();
    const again = outcome(specs.get({ id: 'org/model', hubBase: hub.base, signal: second.signal }));
    await new Promise((resolve) => setTimeout(resolve, HUB_ABANDON_GRACE_MS + 200));
    expect(requested(hub)).toEqual([CONFIG_PATH]);
    expect(hub.abandoned).toEqual([]);
    second.abort(new Error('done'));
    expect(await again).toBe('done');
  });

  it('asks for an id before fetching anything', async () => {
    const specs = new HubSpecs();
    expect(await outcome(specs.get({ id: '  ', hubBase: 'http://127.0.0.1:9' }))).toContain(
      'Type a Hugging Face model id',
    );
  });
});
