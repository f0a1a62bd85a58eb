// Errors of the model sources: missing files, HTTP failures, truncated or unreadable files.

import { CapacityError } from '../capacity/errors.ts';

/** Why a source could not be read. */
export type SourceErrorCode =
  'not_found' | 'http_error' | 'truncated' | 'invalid_file' | 'unsupported';

/**
 * The error lib/sources throws for I/O problems (parse problems stay CapacityError). `ref` names
 * the file or URL; `status` is the HTTP status when there was one.
 */
export class SourceError extends Error {
  readonly code: SourceErrorCode;
  readonly ref: string;
  readonly status: number | null;

  constructor(code: SourceErrorCode, message: string, details: { ref: string; status?: number }) {
    super(message);
    this.name = 'SourceError';
    this.code = code;
    this.ref = details.ref;
    this.status = details.status ?? null;
  }
}

/**
 * Wraps a fetch so that a network failure (refused connection, unknown host, reset) becomes a
 * SourceError naming the URL and the cause, instead of a bare "fetch failed".
 */
export function reachableFetch(doFetch: typeof fetch): typeof fetch {
  return async (input, init) => {
    try {
      return await doFetch(input, init);
    } catch (error) {
      const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
      const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
      const detail = cause instanceof Error ? cause.message : String(cause);
      throw new SourceError('http_error', `could not reach ${url}: ${detail}`, { ref: url });
    }
  };
}

/**
 * `error` with its message led by the file or URL it came from (`<ref>: <message>`), for
 * CapacityErrors raised while parsing one file; other errors, and messages that already name
 * `ref`, pass unchanged.
 */
export function namingFile(error: unknown, ref: string): unknown {
  if (!(error instanceof CapacityError) || error.message.includes(ref)) return error;
  const details = {
    ...(error.field === null ? {} : { field: error.field }),
    ...(error.expected === null ? {} : { expected: error.expected }),
  };
  return new CapacityError(error.code, `${ref}: ${error.message}`, details);
}
