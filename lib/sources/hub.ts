// Loads a ModelSpec by Hugging Face hub id over HTTP: config.json and safetensors headers only.
// Browser- and worker-safe: no node: imports anywhere below this module.

import type { ModelSpec } from '../capacity/spec.ts';
import type { HttpOptions } from './byte-source.ts';
import { SourceError } from './errors.ts';
import type { FileStore, FolderLoadOptions } from './folder.ts';
import { loadFolder, remoteStore } from './folder.ts';

export { DEFAULT_HUB_BASE } from './hub-base.ts';

/** Options of `loadHubSpec`. */
export interface HubLoadOptions extends HttpOptions, FolderLoadOptions {
  /** Hub base URL, such as `https://huggingface.co` (a trailing slash is allowed). */
  hubBase: string;
  /** Branch, tag or commit; default `main`. */
  revision?: string;
  /** Display name of the spec; default the id. */
  name?: string;
}

const HUB_ID = /^[\w.-]+(\/[\w.-]+)?$/;

/**
 * Whether `id` has the shape of a hub model id: `org/name` (or a bare legacy `name`) of
 * letters, digits, `_`, `-` and `.`, with no `.` or `..` segment.
 */
export function isHubId(id: string): boolean {
  return HUB_ID.test(id) && id.split('/').every((part) => part !== '.' && part !== '..');
}

/** `base` without trailing slashes, checked to be an http(s) URL. */
export function normalHubBase(base: string): string {
  const trimmed = base.trim().replace(/\/+$/, '');
  let url: URL | null;
  try {
    url = new URL(trimmed);
  } catch {
    url = null;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new SourceError('unsupported', `the hub base URL is not an http(s) URL: ${base}`, {
      ref: base,
    });
  }
  return trimmed;
}

/** The folder URL a hub id's files are read from: `{base}/{id}/resolve/{revision}/`. */
export function hubFolderUrl(base: string, id: string, revision = 'main'): string {
  return `${normalHubBase(base)}/${id}/resolve/${encodeURIComponent(revision)}/`;
}

/** A remote store whose missing config.json means there is no such model. */
function hubStore(base: string, id: string, revision: string, options: HttpOptions): FileStore {
  const remote = remoteStore(hubFolderUrl(base, id, revision), options);
  return {
    ...remote,
    async text(file) {
      const text = await remote.text(file);
      if (text === null && file === 'config.json') {
        const at = revision === 'main' ? '' : ` at revision ${revision}`;
        throw new SourceError(
          'not_found',
          `no such model on ${base}: ${id}${at} (its config.json answered HTTP 404)`,
          { ref: remote.ref(file), status: 404 },
        );
      }
      return text;
    },
  };
}

/** Whether this code runs in Node (the CLI), where no browser's cross-origin rules apply. */
function runsInNode(): boolean {
  const process = (globalThis as { process?: { versions?: { node?: unknown } } }).process;
  return typeof process?.versions?.node === 'string';
}

/**
 * Rewords a failure to connect so it names the hub and what to check; cross-origin permission
 * (CORS) is named only in a browser, where it can be the cause.
 */
function reworded(error: unknown, base: string): unknown {
  if (!(error instanceof SourceError) || error.code !== 'http_error' || error.status !== null) {
    return error;
  }
  const checks = runsInNode()
    ? 'check the hub base URL and that the server is up'
    : 'check the hub base URL, that the server is up, and that it allows requests from this ' +
      'page (CORS)';
  return new SourceError(
    'http_error',
    `could not reach the hub at ${base} (${error.message}); ${checks}`,
    {
      ref: error.ref,
    },
  );
}

/**
 * Loads the exact ModelSpec of hub model `id` from `{hubBase}/{id}/resolve/{revision}/`:
 * config.json (required), then model.safetensors.index.json's shard headers or
 * model.safetensors's header, each read with HTTP Range requests (a server that ignores Range is
 * read from the start only as far as the header); the spec is specFromSafetensors(headers,
 * config), or the config alone when the repository has no safetensors. Tensor data is never
 * read. Progress goes to `onProgress` after each file (files done, bytes read). Throws
 * SourceError `not_found` ("no such model on <base>") when config.json is missing, `http_error`
 * when the hub cannot be reached or refuses, `unsupported` for a bad id or base URL; a header
 * cut short throws SourceError `truncated` or CapacityError `invalid_file` naming the file.
 */
export async function loadHubSpec(id: string, options: HubLoadOptions): Promise<ModelSpec> {
  if (!isHubId(id)) {
    throw new SourceError('unsupported', `not a Hugging Face model id (org/name): ${id}`, {
      ref: id,
    });
  }
  const base = normalHubBase(options.hubBase);
  const revision = options.revision ?? 'main';
  const store = hubStore(base, id, revision, options);
  try {
    return await loadFolder(store, options.name ?? id, options);
  } catch (error) {
    throw reworded(error, base);
  }
}
