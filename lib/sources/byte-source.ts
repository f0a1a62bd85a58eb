// Random access to the bytes of an HTTP resource, reading only what is asked (browser-safe).

import { SourceError, reachableFetch } from './errors.ts';

/** Ranged reads from one file or URL (local files: file-source.ts, Node only). */
export interface ByteSource {
  /** The path or URL, for messages. */
  readonly ref: string;
  /** Total size in bytes, when known (after the first read for HTTP). */
  size(): Promise<number | null>;
  /** Bytes [start, end); fewer when the resource ends first. */
  read(start: number, end: number): Promise<Uint8Array>;
  /** Total bytes fetched so far (for progress). */
  bytesRead(): number;
  close(): Promise<void>;
}

/** Options of HTTP sources. */
export interface HttpOptions {
  fetch?: typeof fetch;
  /** Extra request headers (for example `Authorization` for gated hub models). */
  headers?: Record<string, string>;
  /**
   * Most bytes kept from a server that ignores Range requests (the body is read from the start
   * until the asked range is in hand, then abandoned). Default 256 MiB.
   */
  maxUnrangedBytes?: number;
  /** Most milliseconds one request may take, answer and body; default 30,000 (30 s). */
  timeoutMs?: number;
  /** Most bytes of a whole-file read (config.json, an index); default 16 MiB. */
  maxTextBytes?: number;
  /** Ends every request and body read at once when aborted; they reject with its reason. */
  signal?: AbortSignal;
}

/** Default request timeout: 30 s. */
export const DEFAULT_TIMEOUT_MS = 30_000;

/** Default cap of whole-file reads such as config.json: 16 MiB. */
export const DEFAULT_MAX_TEXT_BYTES = 16 * 2 ** 20;

/**
 * Runs one request under a timeout: `work` gets an abort signal, and when `timeoutMs` passes
 * first the request is aborted and SourceError `http_error` names the URL and the seconds. When
 * `cancel` aborts first, the request is aborted too and the call rejects with its reason.
 */
export async function withTimeout<T>(
  url: string,
  timeoutMs: number,
  work: (signal: AbortSignal) => Promise<T>,
  cancel?: AbortSignal,
): Promise<T> {
  cancel?.throwIfAborted();
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  const onCancel = (): void => controller.abort();
  cancel?.addEventListener('abort', onCancel, { once: true });
  try {
    return await work(controller.signal);
  } catch (error) {
    if (!controller.signal.aborted) throw error;
    cancel?.throwIfAborted();
    throw new SourceError(
      'http_error',
      `no answer from ${url} within ${String(timeoutMs / 1000)} s (timed out)`,
      { ref: url },
    );
  } finally {
    clearTimeout(timer);
    cancel?.removeEventListener('abort', onCancel);
  }
}

/**
 * One read of a body stream that also ends when `signal` aborts (the stream is then cancelled),
 * so a body that stops sending cannot hold a read open past a timeout.
 */
function readOrAbort(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  signal: AbortSignal | undefined,
): Promise<ReadableStreamReadResult<Uint8Array>> {
  if (!signal) return reader.read();
  if (signal.aborted) return Promise.reject(new Error('aborted'));
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      void reader.cancel().catch(() => undefined);
      reject(new Error('aborted'));
    };
    signal.addEventListener('abort', onAbort, { once: true });
    reader.read().then(
      (result) => {
        signal.removeEventListener('abort', onAbort);
        resolve(result);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}

/**
 * Reads at most `limit` bytes of a response body, then cancels it; `over` says whether the body
 * had more (a server that sends more than asked, or a file over a cap). An abort of `signal`
 * ends a read that waits on a stalled body.
 */
export async function readBody(
  response: Response,
  limit: number,
  signal?: AbortSignal,
): Promise<{ bytes: Uint8Array; over: boolean }> {
  if (!response.body) return { bytes: new Uint8Array(0), over: false };
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let length = 0;
  for (;;) {
    const { value, done } = await readOrAbort(reader, signal);
    if (done) return { bytes: concat(chunks, length), over: false };
    chunks.push(value);
    length += value.length;
    if (length > limit) {
      await reader.cancel();
      return { bytes: concat(chunks, length).subarray(0, limit), over: true };
    }
  }
}

/** Throws SourceError for a failed HTTP response, naming the URL and status. */
export function checkHttpStatus(response: Response, url: string): void {
  if (response.ok) return;
  if (response.status === 404) {
    throw new SourceError('not_found', `not found (HTTP 404): ${url}`, { ref: url, status: 404 });
  }
  const hint =
    response.status === 401 || response.status === 403
      ? ' (a gated or private model needs an access token)'
      : '';
  throw new SourceError('http_error', `HTTP ${String(response.status)}${hint}: ${url}`, {
    ref: url,
    status: response.status,
  });
}

/** A body read from the start, for servers that answer ranges with the whole file. */
class Prefix {
  private chunks: Uint8Array[] = [];
  private length = 0;
  private done = false;

  constructor(
    private readonly reader: ReadableStreamDefaultReader<Uint8Array>,
    private readonly limit: number,
    private readonly url: string,
  ) {}

  get ended(): boolean {
    return this.done;
  }

  get loaded(): number {
    return this.length;
  }

  /** Bytes [start, end) of the body, reading on as needed; `signal` ends a stalled read. */
  async slice(start: number, end: number, signal: AbortSignal): Promise<Uint8Array> {
    while (this.length < end && !this.done) {
      if (this.length >= this.limit) {
        await this.reader.cancel();
        throw new SourceError(
          'unsupported',
          `the server ignores Range requests and the wanted bytes lie past ` +
            `${String(this.limit)} bytes: ${this.url}`,
          { ref: this.url },
        );
      }
      const { value, done } = await readOrAbort(this.reader, signal);
      if (done) this.done = true;
      else {
        this.chunks.push(value);
        this.length += value.length;
      }
    }
    const joined = concat(this.chunks, this.length);
    this.chunks = [joined];
    return joined.slice(Math.min(start, this.length), Math.min(end, this.length));
  }

  async close(): Promise<void> {
    if (!this.done) await this.reader.cancel();
  }
}

function concat(chunks: Uint8Array[], length: number): Uint8Array {
  if (chunks.length === 1 && chunks[0]) return chunks[0];
  const joined = new Uint8Array(length);
  let offset = 0;
  for (const chunk of chunks) {
    joined.set(chunk, offset);
    offset += chunk.length;
  }
  return joined;
}

function totalFromContentRange(value: string | null): number | null {
  const match = value === null ? null : /\/\s*(\d+)\s*$/.exec(value);
  return match ? Number(match[1]) : null;
}

/**
 * A URL read with HTTP Range requests (`Range: bytes=a-b`, answered 206). A server that ignores
 * Range (answers 200 with the whole body) still works: the body is read from the start only as
 * far as needed, up to `maxUnrangedBytes`. 404 throws `not_found`; other failures `http_error`.
 */
export function openHttpSource(url: string, options: HttpOptions = {}): ByteSource {
  const doFetch = reachableFetch(options.fetch ?? fetch);
  const limit = options.maxUnrangedBytes ?? 256 * 2 ** 20;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  let knownSize: number | null = null;
  let prefix: Prefix | null = null;
  let total = 0;

  function ranged(start: number, end: number): Promise<Uint8Array> {
    return withTimeout(
      url,
      timeoutMs,
      (signal) => rangedWithin(start, end, signal),
      options.signal,
    );
  }

  async function rangedWithin(
    start: number,
    end: number,
    signal: AbortSignal,
  ): Promise<Uint8Array> {
    const response = await doFetch(url, {
      headers: { ...options.headers, Range: `bytes=${String(start)}-${String(end - 1)}` },
      signal,
    });
    if (response.status === 416) {
      knownSize = totalFromContentRange(response.headers.get('content-range')) ?? knownSize;
      await response.body?.cancel();
      return new Uint8Array(0);
    }
    checkHttpStatus(response, url);
    if (response.status === 206) {
      knownSize = totalFromContentRange(response.headers.get('content-range')) ?? knownSize;
      const { bytes } = await readBody(response, end - start, signal);
      total += bytes.length;
      return bytes;
    }
    const length = response.headers.get('content-length');
    if (length !== null) knownSize = Number(length);
    if (!response.body) return new Uint8Array(0);
    prefix = new Prefix(response.body.getReader(), limit, url);
    return fromPrefix(prefix, start, end, signal);
  }

  async function fromPrefix(
    body: Prefix,
    start: number,
    end: number,
    signal: AbortSignal,
  ): Promise<Uint8Array> {
    const before = body.loaded;
    const bytes = await body.slice(start, end, signal);
    total += body.loaded - before;
    if (body.ended) knownSize = body.loaded;
    return bytes;
  }

  /** A later read of a body already open: under its own timeout, as the first read was. */
  function laterRead(body: Prefix, start: number, end: number): Promise<Uint8Array> {
    return withTimeout(
      url,
      timeoutMs,
      (signal) => fromPrefix(body, start, end, signal),
      options.signal,
    );
  }

  return {
    ref: url,
    size: () => Promise.resolve(knownSize),
    read(start, end) {
      if (end <= start) return Promise.resolve(new Uint8Array(0));
      return prefix ? laterRead(prefix, start, end) : ranged(start, end);
    },
    bytesRead: () => total,
    close: () => (prefix ? prefix.close() : Promise.resolve()),
  };
}

/** Throws SourceError `unsupported` for a whole-file read over `cap` bytes, naming both. */
export function tooLarge(ref: string, cap: number): SourceError {
  return new SourceError(
    'unsupported',
    `${ref} is larger than ${String(cap)} bytes, the most read for a whole file`,
    { ref },
  );
}

/**
 * Fetches a small text file (config.json, an index) in full; 404 throws `not_found`, a body over
 * `maxTextBytes` (default 16 MiB) throws `unsupported`, no answer in `timeoutMs` `http_error`.
 */
export function fetchText(url: string, options: HttpOptions = {}): Promise<string> {
  const cap = options.maxTextBytes ?? DEFAULT_MAX_TEXT_BYTES;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  return withTimeout(
    url,
    timeoutMs,
    async (signal) => {
      const response = await reachableFetch(options.fetch ?? fetch)(url, {
        headers: { ...options.headers },
        signal,
      });
      checkHttpStatus(response, url);
      const { bytes, over } = await readBody(response, cap, signal);
      if (over) throw tooLarge(url, cap);
      return new TextDecoder().decode(bytes);
    },
    options.signal,
  );
}
