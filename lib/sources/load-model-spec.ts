// Loads a ModelSpec from a config.json, a model folder, a GGUF or safetensors file, URL or hub id.

import { readdir, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

import { parseHfConfig } from '../capacity/config/index.ts';
import { CapacityError } from '../capacity/errors.ts';
import { specFromGguf } from '../capacity/formats/gguf.ts';
import type { SafetensorsHeader } from '../capacity/formats/safetensors.ts';
import { specFromSafetensors } from '../capacity/formats/safetensors.ts';
import type { ModelSpec } from '../capacity/spec.ts';
import type { ByteSource, HttpOptions } from './byte-source.ts';
import { openFileSource, openHttpSource } from './byte-source.ts';
import { SourceError } from './errors.ts';
import { fetchText, readGgufHeader, readSafetensorsHeader } from './header-readers.ts';

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

/** Options of `loadModelSpec`. */
export interface LoadModelOptions extends HttpOptions {
  /** Hub base URL for `org/name` ids; default `https://huggingface.co`. */
  hubBase?: string;
  /** Hub revision (branch, tag or commit); default `main`. */
  revision?: string;
  /** Display name of the spec; defaults to the hub id or the file or folder name. */
  name?: string;
  onProgress?: (event: LoadProgress) => void;
  /** Shard headers read at once; default 4. */
  parallelReads?: number;
}

/** A folder of model files, local or remote. */
interface FileStore {
  ref(file: string): string;
  open(file: string): Promise<ByteSource>;
  /** The file's text, or null when it does not exist. */
  text(file: string): Promise<string | null>;
  /** Files in the folder, when the store can list them. */
  list(): Promise<string[] | null>;
}

/** Counts reads and reports progress. */
class Tracker {
  private bytes = 0;
  private done = 0;
  total: number | null = null;

  get filesDone(): number {
    return this.done;
  }

  constructor(private readonly listener: ((event: LoadProgress) => void) | undefined) {}

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

function localStore(folder: string): FileStore {
  return {
    ref: (file) => join(folder, file),
    open: (file) => openFileSource(join(folder, file)),
    async text(file) {
      const source = await openFileSource(join(folder, file)).catch((error: unknown) => {
        if (error instanceof SourceError && error.code === 'not_found') return null;
        throw error;
      });
      if (!source) return null;
      try {
        const size = (await source.size()) ?? 0;
        return new TextDecoder().decode(await source.read(0, size));
      } finally {
        await source.close();
      }
    },
    list: () => readdir(folder),
  };
}

function remoteStore(base: string, options: HttpOptions): FileStore {
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

async function loadFolder(
  store: FileStore,
  name: string,
  options: LoadModelOptions,
): Promise<ModelSpec> {
  const tracker = new Tracker(options.onProgress);
  const configText = await store.text('config.json');
  const config = configText === null ? undefined : parseHfConfig(configText, { name });
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
  const ggufFile = (await store.list())?.find((file) => file.endsWith('.gguf'));
  if (ggufFile) return loadGguf(await store.open(ggufFile), name, tracker);
  throw new SourceError('not_found', `no config.json, safetensors or GGUF in ${store.ref('')}`, {
    ref: store.ref(''),
  });
}

async function loadGguf(source: ByteSource, name: string, tracker: Tracker): Promise<ModelSpec> {
  try {
    const header = await readGgufHeader(source);
    tracker.report(source.ref, 'gguf', source.bytesRead());
    return specFromGguf(header.metadata, header.tensorInfos, { name });
  } finally {
    await source.close();
  }
}

async function loadSafetensorsFile(
  source: ByteSource,
  name: string,
  tracker: Tracker,
): Promise<ModelSpec> {
  try {
    const header = await readSafetensorsHeader(source);
    tracker.report(source.ref, 'safetensors', source.bytesRead());
    return specFromSafetensors(header, undefined, { name });
  } finally {
    await source.close();
  }
}

/** Loads one file (or the folder an index belongs to) by its extension. */
async function loadFile(
  ref: string,
  open: (ref: string) => Promise<ByteSource>,
  folder: () => FileStore,
  options: LoadModelOptions,
): Promise<ModelSpec> {
  const tracker = new Tracker(options.onProgress);
  const file = basename(ref);
  const name = options.name ?? file;
  if (file.endsWith('.gguf')) return loadGguf(await open(ref), name, tracker);
  if (file.endsWith('.safetensors')) return loadSafetensorsFile(await open(ref), name, tracker);
  if (file.endsWith('.safetensors.index.json')) return loadFolder(folder(), name, options);
  if (file.endsWith('.json')) {
    const source = await open(ref);
    try {
      const bytes = await source.read(0, (await source.size()) ?? Number.MAX_SAFE_INTEGER);
      tracker.report(ref, 'config', bytes.length);
      const configName =
        file === 'config.json' ? basename(dirname(ref)) : file.replace(/\.json$/, '');
      return parseHfConfig(new TextDecoder().decode(bytes), { name: options.name ?? configName });
    } finally {
      await source.close();
    }
  }
  throw new SourceError('unsupported', `not a model file: ${ref}`, { ref });
}

/** Reads a whole small remote file through a byte source (config.json by URL). */
function urlOpener(options: HttpOptions): (ref: string) => Promise<ByteSource> {
  return (ref) => Promise.resolve(openHttpSource(ref, options));
}

const HUB_ID = /^[\w.-]+\/[\w.-]+$/;
const HUB_FILE = /^([\w.-]+\/[\w.-]+)\/(.+\.(?:gguf|safetensors|json))$/;

async function localKind(ref: string): Promise<'file' | 'folder' | null> {
  try {
    const info = await stat(ref);
    return info.isDirectory() ? 'folder' : 'file';
  } catch {
    return null;
  }
}

/**
 * Loads a ModelSpec from `ref`, reading only headers (never tensor data):
 * - a local `config.json` (the config alone), a `.gguf` or `.safetensors` file, or a
 *   `*.safetensors.index.json` (its folder);
 * - a local folder: config.json plus the safetensors headers of model.safetensors.index.json's
 *   shards, model.safetensors or every *.safetensors file (a lone .gguf when there is neither);
 * - an http(s) URL of any of those files, or of a folder; headers come by HTTP Range requests;
 * - a hub id `org/name` (or `org/name/file.gguf`), read from
 *   `{hubBase}/{id}/resolve/{revision}/...` (default base `https://huggingface.co`).
 * Progress goes to `onProgress` after each file. Missing files and HTTP 404 throw SourceError
 * `not_found`; truncated headers `truncated`; bad content CapacityError.
 */
export async function loadModelSpec(
  ref: string,
  options: LoadModelOptions = {},
): Promise<ModelSpec> {
  if (/^https?:\/\//.test(ref)) {
    const folderUrl = ref.endsWith('/') || !/\.[a-z]+$/i.test(basename(ref));
    const name = options.name ?? basename(ref.replace(/\/+$/, ''));
    if (folderUrl) return loadFolder(remoteStore(ref, options), name, options);
    return loadFile(ref, urlOpener(options), () => remoteStore(dirname(ref), options), options);
  }

  const kind = await localKind(ref);
  if (kind === 'folder') {
    return loadFolder(localStore(ref), options.name ?? basename(ref), options);
  }
  if (kind === 'file') {
    return loadFile(ref, openFileSource, () => localStore(dirname(ref)), options);
  }

  const base = (options.hubBase ?? 'https://huggingface.co').replace(/\/+$/, '');
  const revision = options.revision ?? 'main';
  const hubFile = HUB_FILE.exec(ref);
  if (hubFile) {
    const url = `${base}/${hubFile[1] ?? ''}/resolve/${revision}/${hubFile[2] ?? ''}`;
    const named = { ...options, name: options.name ?? ref };
    return loadFile(url, urlOpener(options), () => remoteStore(dirname(url), options), named);
  }
  if (HUB_ID.test(ref)) {
    const store = remoteStore(`${base}/${ref}/resolve/${revision}/`, options);
    return loadFolder(store, options.name ?? ref, options);
  }
  throw new SourceError('not_found', `no such file or folder, and not a hub id: ${ref}`, { ref });
}
