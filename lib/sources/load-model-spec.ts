// Loads a ModelSpec from a config.json, a model folder, a GGUF or safetensors file, URL or hub id.

import { readdir, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, dirname, join } from 'node:path';

import { parseHfConfig } from '../capacity/config/index.ts';
import { specFromGguf } from '../capacity/formats/gguf.ts';
import { specFromSafetensors } from '../capacity/formats/safetensors.ts';
import type { ModelSpec } from '../capacity/spec.ts';
import type { ByteSource, HttpOptions } from './byte-source.ts';
import { DEFAULT_MAX_TEXT_BYTES, openHttpSource, tooLarge } from './byte-source.ts';
import { SourceError, namingFile } from './errors.ts';
import { openFileSource } from './file-source.ts';
import type { FileStore, FolderFallback, FolderLoadOptions } from './folder.ts';
import { Tracker, loadFolder, remoteStore } from './folder.ts';
import { readGgufModel } from './gguf-split.ts';
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
        return new TextDecoder().decode(await readWhole(source, DEFAULT_MAX_TEXT_BYTES));
      } finally {
        await source.close();
      }
    },
    list: () => readdir(folder),
  };
}

/** A whole small file (config.json) from `source`; over `cap` bytes throws `unsupported`. */
async function readWhole(source: ByteSource, cap: number): Promise<Uint8Array> {
  const size = await source.size();
  if (size !== null && size > cap) throw tooLarge(source.ref, cap);
  const bytes = await source.read(0, cap + 1);
  if (bytes.length > cap) throw tooLarge(source.ref, cap);
  return bytes;
}

/** A folder's GGUF (its first shard when split), for folders without config.json or weights. */
const ggufFallback: FolderFallback = async (store, tracker, name) => {
  const ggufFile = (await store.list())?.sort().find((file) => file.endsWith('.gguf'));
  return ggufFile ? loadGguf(ggufFile, (file) => store.open(file), name, tracker) : null;
};

/** Loads a GGUF model, every shard of a split one, through `open`. */
async function loadGguf(
  ref: string,
  open: (ref: string) => Promise<ByteSource>,
  name: string,
  tracker: Tracker,
): Promise<ModelSpec> {
  const header = await readGgufModel(ref, open, (shard) => {
    tracker.report(shard.ref, 'gguf', shard.bytesRead);
  });
  try {
    return specFromGguf(header.metadata, header.tensorInfos, { name });
  } catch (error) {
    throw namingFile(error, ref);
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
  } catch (error) {
    throw namingFile(error, source.ref);
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
  if (file.endsWith('.gguf')) return loadGguf(ref, open, name, tracker);
  if (file.endsWith('.safetensors')) return loadSafetensorsFile(await open(ref), name, tracker);
  if (file.endsWith('.safetensors.index.json'))
    return loadFolder(folder(), name, options, ggufFallback);
  if (file.endsWith('.json')) {
    const source = await open(ref);
    try {
      const bytes = await readWhole(source, options.maxTextBytes ?? DEFAULT_MAX_TEXT_BYTES);
      tracker.report(ref, 'config', bytes.length);
      const configName =
        file === 'config.json' ? basename(dirname(ref)) : file.replace(/\.json$/, '');
      return parseHfConfig(new TextDecoder().decode(bytes), { name: options.name ?? configName });
    } catch (error) {
      throw namingFile(error, ref);
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
const LOCAL_START = /^(?:\.{1,2}[/\\]|[/\\~]|[A-Za-z]:[/\\])/;
const MODEL_FILE = /\.(?:json|gguf|safetensors)$/i;

async function localKind(ref: string): Promise<'file' | 'folder' | null> {
  try {
    const info = await stat(ref);
    return info.isDirectory() ? 'folder' : 'file';
  } catch {
    return null;
  }
}

/** `~/x` as a path under the home folder; other refs unchanged. */
function expandHome(ref: string): string {
  return ref === '~' || ref.startsWith('~/') ? join(homedir(), ref.slice(1)) : ref;
}

/**
 * Whether a ref that does not exist was meant as a local path: it starts with `./`, `../`, `/`
 * or `~`, its first folder exists on disk, or it is `org/name.json`-like (a file extension where
 * a hub id has a model name). Only bare `org/name` and `org/name/file.ext` go to the hub.
 */
async function meantLocal(ref: string): Promise<boolean> {
  if (LOCAL_START.test(ref)) return true;
  const parts = ref.split(/[/\\]/);
  if (parts.length > 1 && (await localKind(parts[0] ?? '')) === 'folder') return true;
  if (ref.includes('\\')) return true;
  return MODEL_FILE.test(ref) && !HUB_FILE.test(ref);
}

function originOf(url: string): string | null {
  try {
    return new URL(url).origin;
  } catch {
    return null;
  }
}

/**
 * `options` for a request to `url`: an `authorization` header (the hub token) is kept only when
 * `url` has the hub base's origin, so a token is never sent to any other host.
 */
function scopedOptions(url: string, hubBase: string, options: LoadModelOptions): LoadModelOptions {
  const headers = options.headers;
  if (!headers) return options;
  const hubOrigin = originOf(hubBase);
  if (hubOrigin !== null && originOf(url) === hubOrigin) return options;
  const kept = Object.entries(headers).filter(([key]) => key.toLowerCase() !== 'authorization');
  return { ...options, headers: Object.fromEntries(kept) };
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
 * A ref that looks like a local path (`./`, `../`, `/`, `~`, an existing first folder, or
 * `name.json`-like) and does not exist throws `not_found` without any request. An
 * `authorization` header goes only to the hub base's origin, never to other URLs.
 * Progress goes to `onProgress` after each file. Missing files and HTTP 404 throw SourceError
 * `not_found`; truncated headers `truncated`; bad content CapacityError.
 */
export async function loadModelSpec(
  ref: string,
  options: LoadModelOptions = {},
): Promise<ModelSpec> {
  const base = (options.hubBase ?? DEFAULT_HUB_BASE).replace(/\/+$/, '');
  if (/^https?:\/\//.test(ref)) {
    const scoped = scopedOptions(ref, base, options);
    const folderUrl = ref.endsWith('/') || !/\.[a-z]+$/i.test(basename(ref));
    const name = options.name ?? basename(ref.replace(/\/+$/, ''));
    if (folderUrl) return loadFolder(remoteStore(ref, scoped), name, scoped, ggufFallback);
    return loadFile(ref, urlOpener(scoped), () => remoteStore(dirname(ref), scoped), scoped);
  }

  const path = expandHome(ref);
  const kind = await localKind(path);
  if (kind === 'folder') {
    const name = options.name ?? basename(path);
    return loadFolder(localStore(path), name, options, ggufFallback);
  }
  if (kind === 'file') {
    return loadFile(path, openFileSource, () => localStore(dirname(path)), options);
  }
  if (await meantLocal(ref)) {
    throw new SourceError('not_found', `no such file or folder: ${ref}`, { ref });
  }

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
