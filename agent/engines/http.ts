// Small HTTP reads from local engines: loopback only, time- and size-limited, never throwing.

/** Outcome of one request: the body text, or why there is none. */
export type HttpResult =
  { ok: true; status: number; text: string } | { ok: false; status: number | null; reason: string };

/** How the bridges reach an engine; the real one uses fetch. */
export interface EngineHttp {
  get(url: string): Promise<HttpResult>;
  postJson(url: string, body: unknown): Promise<HttpResult>;
}

/** Host names that stay on this machine. */
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

/** Whether `url` is an http(s) URL whose host is a loopback address or name. */
export function isLoopbackUrl(url: string): boolean {
  try {
    const parsed = new URL(url);
    const protocolOk = parsed.protocol === 'http:' || parsed.protocol === 'https:';
    return protocolOk && (LOOPBACK_HOSTS.has(parsed.hostname) || /^127\./.test(parsed.hostname));
  } catch {
    return false;
  }
}

/** Options of `createEngineHttp`. */
export interface EngineHttpOptions {
  /** Milliseconds before a request is abandoned. */
  timeoutMs?: number;
  /** Most bytes read from one response; a longer body is refused. */
  maxBytes?: number;
  /** Allow hosts other than loopback (only when the user named them). */
  allowRemote?: boolean;
}

const DEFAULT_TIMEOUT_MS = 2_000;
const DEFAULT_MAX_BYTES = 4 * 2 ** 20;

async function readLimited(response: Response, maxBytes: number): Promise<string | null> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;

  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel();
      return null;
    }
    chunks.push(value);
  }

  return new TextDecoder().decode(Buffer.concat(chunks));
}

/**
 * The real client: fetch with a timeout, no redirects, a body-size limit, and a refusal of any
 * non-loopback URL unless `allowRemote`. Failures resolve to `{ ok: false, reason }`.
 */
export function createEngineHttp(options: EngineHttpOptions = {}): EngineHttp {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;

  const request = async (url: string, init: RequestInit): Promise<HttpResult> => {
    if (!options.allowRemote && !isLoopbackUrl(url)) {
      return { ok: false, status: null, reason: 'not a loopback URL' };
    }
    try {
      const response = await fetch(url, {
        ...init,
        redirect: 'error',
        signal: AbortSignal.timeout(timeoutMs),
      });
      const text = await readLimited(response, maxBytes);
      if (text === null) return { ok: false, status: response.status, reason: 'body too large' };
      if (!response.ok)
        return { ok: false, status: response.status, reason: `HTTP ${response.status}` };
      return { ok: true, status: response.status, text };
    } catch (error) {
      return { ok: false, status: null, reason: error instanceof Error ? error.message : 'failed' };
    }
  };

  return {
    get: (url) => request(url, { method: 'GET' }),
    postJson: (url, body) =>
      request(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      }),
  };
}
