// Points transformers.js at one model source (folder, app URL, hub server, picked files).

import { env } from '@huggingface/transformers';

import { normalBaseUrl } from './source-checks.ts';
import type { ModelSource } from './types.ts';

/** Reads raw files outside transformers.js; Node supplies the file system. */
export interface SourceReaders {
  readFile?: (path: string) => Promise<Uint8Array>;
}

/** URL prefix under which picked files are served to transformers.js (never fetched). */
const PICKED_PREFIX = '/__hwledger-picked-folder__/';

/** Model id transformers.js sees for picked files. */
const PICKED_MODEL_ID = 'picked-folder';

/** `parts` joined with exactly one slash between each (a base URL keeps its scheme's `//`). */
export function joinUrl(...parts: string[]): string {
  return parts
    .map((part, index) => (index === 0 ? part.replace(/\/+$/, '') : part.replace(/^\/+|\/+$/g, '')))
    .join('/');
}

/** The URL transformers.js caches a hub file under (`remoteHost` + template + file). */
export function hubFileUrl(baseUrl: string, modelId: string, file: string): string {
  return joinUrl(baseUrl, modelId, 'resolve', 'main', file);
}

/** transformers.js's `env.fetch` signature. */
type EnvFetch = typeof env.fetch;

function pickedFetch(files: ReadonlyMap<string, Blob>, fallback: EnvFetch): EnvFetch {
  return async (input, init) => {
    const url = typeof input === 'string' ? input : input.href;
    const at = url.indexOf(PICKED_PREFIX);
    if (at < 0) return fallback(input, init);
    const relative = url.slice(at + PICKED_PREFIX.length + PICKED_MODEL_ID.length + 1);
    const file = files.get(decodeURIComponent(relative));
    if (!file) return new Response('not found', { status: 404 });
    return new Response(file, {
      status: 200,
      headers: { 'content-length': String(file.size) },
    });
  };
}

/**
 * Sets transformers.js's global `env` for `source` and returns the model id to load plus a
 * function that puts the previous settings back. Remote loading is allowed only for `hub`.
 */
export function configureSource(source: ModelSource): { modelId: string; restore: () => void } {
  const saved = {
    allowLocalModels: env.allowLocalModels,
    allowRemoteModels: env.allowRemoteModels,
    localModelPath: env.localModelPath,
    remoteHost: env.remoteHost,
    remotePathTemplate: env.remotePathTemplate,
    useBrowserCache: env.useBrowserCache,
    useFS: env.useFS,
    fetch: env.fetch,
  };
  const restore = () => {
    Object.assign(env, saved);
  };

  switch (source.kind) {
    case 'folder':
      env.allowLocalModels = true;
      env.allowRemoteModels = false;
      return { modelId: source.path, restore };
    case 'app':
      env.allowLocalModels = true;
      env.allowRemoteModels = false;
      env.localModelPath = source.baseUrl;
      return { modelId: source.modelId, restore };
    case 'hub': {
      const base = normalBaseUrl(source.baseUrl);
      if (!base.ok) throw new Error(base.problem.message);
      env.allowLocalModels = false;
      env.allowRemoteModels = true;
      env.remoteHost = base.url;
      env.remotePathTemplate = '{model}/resolve/{revision}/';
      return { modelId: source.modelId.trim(), restore };
    }
    case 'files':
      env.allowLocalModels = true;
      env.allowRemoteModels = false;
      env.localModelPath = PICKED_PREFIX;
      env.useBrowserCache = false;
      env.useFS = false;
      env.fetch = pickedFetch(source.files, saved.fetch);
      return { modelId: PICKED_MODEL_ID, restore };
  }
}

async function cachedOrFetched(url: string): Promise<Uint8Array> {
  if (typeof caches !== 'undefined') {
    try {
      const cache = await caches.open(env.cacheKey);
      const hit = await cache.match(url);
      if (hit) return new Uint8Array(await hit.arrayBuffer());
    } catch {
      // No usable Cache API here (opaque origin); fall through to the network copy.
    }
  }
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url} answered ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}

/** Raw bytes of `file` (e.g. `onnx/model.onnx`) of a source, for the weights measurement. */
export async function readOnnxBytes(
  source: ModelSource,
  file: string,
  readers: SourceReaders = {},
): Promise<Uint8Array> {
  switch (source.kind) {
    case 'folder': {
      if (!readers.readFile) throw new Error('no file reader was given for a folder source');
      return readers.readFile(joinUrl(source.path, file));
    }
    case 'app':
      return cachedOrFetched(joinUrl(source.baseUrl, source.modelId, file));
    case 'hub':
      return cachedOrFetched(hubFileUrl(source.baseUrl, source.modelId, file));
    case 'files': {
      const blob = source.files.get(file);
      if (!blob) throw new Error(`${file} is missing in the picked folder`);
      return new Uint8Array(await blob.arrayBuffer());
    }
  }
}
