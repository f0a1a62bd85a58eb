// Loads a ModelSpec from a config.json, a model folder, a GGUF or safetensors file, URL or hub id.

import { readdir, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

import { parseHfConfig } from '../capacity/config/index.ts';
import { specFromGguf } from '../capacity/formats/gguf.ts';
import { specFromSafetensors } from '../capacity/formats/safetensors.ts';
import type { ModelSpec } from '../capacity/spec.ts';
import type { ByteSource, HttpOptions } from './byte-source.ts';
import { openHttpSource } from './byte-source.ts';
import { SourceError } from './errors.ts';
import { openFileSource } from './file-source.ts';
import type { FileStore, FolderFallback, FolderLoadOptions } from './folder.ts';
import { Tracker, loadFolder, remoteStore } from './folder.ts';
import { readGgufHeader } from './header-readers.ts';
import { DEFAULT_HUB_BASE, loadHubSpec } from './hub.ts';
import { readSafetensorsHeader } from './safetensors-reader.ts';

export type { LoadProgress } from './folder.ts';

/** Options of `loadModelSpec`. */
export interface LoadModelOptions extends HttpOptions, FolderLoadOptions {
  /** Hub base URL for `org/name` ids; default `https://huggingface.co`. */
  hubBase?: string;
  /** Hub revision (branch, tag or commit); default `main`. */
  revision?: string;
  /** Display name of the spec; defaults to the hub id or the file or folder name. */
  name?: string;
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

/** A folder's lone GGUF, for folders with neither config.json nor safetensors. */
const ggufFallback: FolderFallback = async (store, tracker, name) => {
  const ggufFile = (await store.list())?.find((file) => file.endsWith('.gguf'));
  return ggufFile ? loadGguf(await store.open(ggufFile), name, tracker) : null;
};

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
  if (file.endsWith('.safetensors.index.json'))
    return loadFolder(folder(), name, options, ggufFallback);
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
 * - a hub id `org/name` (through loadHubSpec) or `org/name/file.gguf`, read from
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
    if (folderUrl) return loadFolder(remoteStore(ref, options), name, options, ggufFallback);
    return loadFile(ref, urlOpener(options), () => remoteStore(dirname(ref), options), options);
  }

  const kind = await localKind(ref);
  if (kind === 'folder') {
    const name = options.name ?? basename(ref);
    return loadFolder(localStore(ref), name, options, ggufFallback);
  }
  if (kind === 'file') {
    return loadFile(ref, openFileSource, () => localStore(dirname(ref)), options);
  }

  const base = (options.hubBase ?? DEFAULT_HUB_BASE).replace(/\/+$/, '');
  const revision = options.revision ?? 'main';
  const hubFile = HUB_FILE.exec(ref);
  if (hubFile) {
    const url = `${base}/${hubFile[1] ?? ''}/resolve/${revision}/${hubFile[2] ?? ''}`;
    const named = { ...options, name: options.name ?? ref };
    return loadFile(url, urlOpener(options), () => remoteStore(dirname(url), options), named);
  }
  if (HUB_ID.test(ref)) return loadHubSpec(ref, { ...options, hubBase: base });
  throw new SourceError('not_found', `no such file or folder, and not a hub id: ${ref}`, { ref });
}
