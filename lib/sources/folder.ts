// Loads a model folder (config.json plus safetensors headers) from any file store (browser-safe).

import { parseHfConfig } from '../capacity/config/index.ts';
import { CapacityError } from '../capacity/errors.ts';
import type { SafetensorsHeader } from '../capacity/formats/safetensors.ts';
import { specFromSafetensors } from '../capacity/formats/safetensors.ts';
import type { ModelSpec } from '../capacity/spec.ts';
import type { ByteSource, HttpOptions } from './byte-source.ts';
import { fetchText, openHttpSource } from './byte-source.ts';
import { SourceError, namingFile } from './errors.ts';
import { readSafetensorsHeader } from './safetensors-reader.ts';

/** One file finished reading. */
export interface LoadProgress {
  file: string;
  kind: 'config' | 'index' | 'safetensors' | 'gguf';
  /** Bytes read so far over all files (headers only, never tensor data). */
  bytesRead: number;
  filesDone: number;
  /** Files this load will read, once known. */
  filesTotal: number | null;
}

/** Options of a folder load. */
export interface FolderLoadOptions {
  onProgress?: (event: LoadProgress) => void;
  /** Shard headers read at once; default 4. */
  parallelReads?: number;
}

/** A folder of model files, local or remote. */
export interface FileStore {
  ref(file: string): string;
  open(file: string): Promise<ByteSource>;
  /** The file's text, or null when it does not exist. */
  text(file: string): Promise<string | null>;
  /** Files in the folder, when the store can list them. */
  list(): Promise<string[] | null>;
}

/** Counts reads and reports progress. */
export class Tracker {
  private bytes = 0;
  private done = 0;
  /** Files this load will read, once known. */
  total: number | null = null;

  /** Files finished so far. */
  get filesDone(): number {
    return this.done;
  }

  constructor(private readonly listener: ((event: LoadProgress) => void) | undefined) {}

  /** Records one finished file of `bytes` bytes and tells the listener. */
  report(file: string, kind: LoadProgress['kind'], bytes: number): void {
    this.bytes += bytes;
    this.done += 1;
    this.listener?.({
      file,
      kind,
      bytesRead: this.bytes,
      filesDone: this.done,
      filesTotal: this.total,
    });
  }
}

/**
 * A folder at an http(s) URL: whole small files by GET, binary files by Range requests. It
 * cannot be listed; `text` answers null for a 404.
 */
export function remoteStore(base: string, options: HttpOptions): FileStore {
  const folder = base.endsWith('/') ? base : `${base}/`;
  return {
    ref: (file) => `${folder}${file}`,
    open: (file) => Promise.resolve(openHttpSource(`${folder}${file}`, options)),
    async text(file) {
      try {
        return await fetchText(`${folder}${file}`, options);
      } catch (error) {
        if (error instanceof SourceError && error.code === 'not_found') return null;
        throw error;
      }
    },
    list: () => Promise.resolve(null),
  };
}

/** Shard file names of a `model.safetensors.index.json`. */
function shardsOfIndex(text: string, ref: string): string[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new CapacityError('invalid_json', `${ref} is not JSON`, {
      field: 'model.safetensors.index.json',
      expected: 'a JSON object with a weight_map',
    });
  }
  const map = (parsed as { weight_map?: unknown } | null)?.weight_map;
  if (typeof map !== 'object' || map === null || Array.isArray(map)) {
    throw new CapacityError('missing_field', `${ref} has no weight_map`, {
      field: 'weight_map',
      expected: 'an object of tensor name to shard file',
    });
  }
  const files = Object.values(map as Record<string, unknown>);
  if (!files.every((file): file is string => typeof file === 'string' && !file.includes('..'))) {
    throw new CapacityError('invalid_field', `${ref} names a shard that is not a plain file`, {
      field: 'weight_map',
      expected: 'shard file names in the same folder',
    });
  }
  return [...new Set(files)];
}

/** Runs `task` over `items`, at most `limit` at a time, keeping the order of results. */
async function inPool<T, R>(
  items: T[],
  limit: number,
  task: (item: T) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  async function worker(): Promise<void> {
    while (next < items.length) {
      const index = next;
      next += 1;
      results[index] = await task(items[index] as T);
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** A safetensors header; a header the file cannot hold names the file in its message. */
async function readHeaderOf(
  store: FileStore,
  file: string,
  tracker: Tracker,
): Promise<SafetensorsHeader> {
  const source = await store.open(file);
  try {
    const header = await readSafetensorsHeader(source);
    tracker.report(store.ref(file), 'safetensors', source.bytesRead());
    return header;
  } catch (error) {
    throw namingFile(error, store.ref(file));
  } finally {
    await source.close();
  }
}

/** The safetensors files of a folder: its index's shards, `model.safetensors`, or a listing. */
async function weightFiles(store: FileStore, tracker: Tracker): Promise<string[]> {
  const index = await store.text('model.safetensors.index.json');
  if (index !== null) {
    tracker.report(store.ref('model.safetensors.index.json'), 'index', index.length);
    return shardsOfIndex(index, store.ref('model.safetensors.index.json'));
  }
  const listed = await store.list();
  if (listed) return listed.filter((file) => file.endsWith('.safetensors')).sort();
  return ['model.safetensors'];
}

/** Loads a spec some other way when a folder has neither safetensors nor config (GGUF). */
export type FolderFallback = (
  store: FileStore,
  tracker: Tracker,
  name: string,
) => Promise<ModelSpec | null>;

/** The folder's config.json as a spec; parse errors name the file. */
function parseConfigOf(store: FileStore, text: string, name: string): ModelSpec {
  try {
    return parseHfConfig(text, { name });
  } catch (error) {
    throw namingFile(error, store.ref('config.json'));
  }
}

/**
 * Loads the ModelSpec of a model folder: config.json (parsed with parseHfConfig), then the
 * headers of the shards named by model.safetensors.index.json, of model.safetensors, or of every
 * listed *.safetensors file; the exact spec comes from specFromSafetensors(headers, config).
 * Without safetensors the config alone is the spec; without either, `fallback` is tried, then
 * SourceError `not_found`. Progress goes to `options.onProgress` after each file.
 */
export async function loadFolder(
  store: FileStore,
  name: string,
  options: FolderLoadOptions,
  fallback?: FolderFallback,
): Promise<ModelSpec> {
  const tracker = new Tracker(options.onProgress);
  const configText = await store.text('config.json');
  const config = configText === null ? undefined : parseConfigOf(store, configText, name);
  if (configText !== null) tracker.report(store.ref('config.json'), 'config', configText.length);

  const files = await weightFiles(store, tracker);
  tracker.total = tracker.filesDone + files.length;
  const headers = await inPool(files, options.parallelReads ?? 4, async (file) => {
    try {
      return await readHeaderOf(store, file, tracker);
    } catch (error) {
      const guessed = file === 'model.safetensors';
      if (guessed && error instanceof SourceError && error.code === 'not_found') return null;
      throw error;
    }
  });
  const found = headers.filter((header): header is SafetensorsHeader => header !== null);

  if (found.length > 0) return specFromSafetensors(found, config, { name });
  if (config) return config;
  const other = fallback ? await fallback(store, tracker, name) : null;
  if (other) return other;
  throw new SourceError('not_found', `no config.json, safetensors or GGUF in ${store.ref('')}`, {
    ref: store.ref(''),
  });
}
