// The agent's logger: levels, namespaces (`agent:probe`), and secrets masked before writing.

/** Log levels, most severe first; a logger at `info` writes error, warn and info. */
export const LOG_LEVELS = ['silent', 'error', 'warn', 'info', 'debug'] as const;

/** One log level name. */
export type LogLevel = (typeof LOG_LEVELS)[number];

/** A namespaced logger; `child` makes a sub-namespace sharing the level, sink and secrets. */
export interface Logger {
  error(message: string, data?: Record<string, unknown>): void;
  warn(message: string, data?: Record<string, unknown>): void;
  info(message: string, data?: Record<string, unknown>): void;
  debug(message: string, data?: Record<string, unknown>): void;
  child(namespace: string): Logger;
  /** Registers a secret: every later line has it replaced by `***` before it is written. */
  addSecret(secret: string): void;
}

/** Options of `createLogger`. */
export interface LoggerOptions {
  level: LogLevel;
  /** Where finished lines go (one line each, with a trailing newline); stderr by default. */
  write?: (line: string) => void;
  /** Lines as JSON objects instead of text. */
  json?: boolean;
  /** Clock for timestamps, milliseconds since the epoch. */
  now?: () => number;
}

/** Whether `text` names a log level. */
export function isLogLevel(text: string): text is LogLevel {
  return (LOG_LEVELS as readonly string[]).includes(text);
}

interface Shared {
  rank: number;
  write: (line: string) => void;
  json: boolean;
  now: () => number;
  secrets: Set<string>;
}

/**
 * A logger writing lines of `time level namespace message {data}` (or JSON objects), dropping
 * levels below `options.level` and masking every registered secret in the finished line.
 */
export function createLogger(namespace: string, options: LoggerOptions): Logger {
  const shared: Shared = {
    rank: LOG_LEVELS.indexOf(options.level),
    write: options.write ?? ((line) => process.stderr.write(line)),
    json: options.json ?? false,
    now: options.now ?? Date.now,
    secrets: new Set(),
  };
  return loggerFor(namespace, shared);
}

/** A logger that writes nothing, for callers that were given none. */
export function silentLogger(): Logger {
  return createLogger('silent', { level: 'silent', write: () => undefined });
}

function loggerFor(namespace: string, shared: Shared): Logger {
  const emit = (level: LogLevel, message: string, data?: Record<string, unknown>): void => {
    if (LOG_LEVELS.indexOf(level) > shared.rank) return;

    const time = new Date(shared.now()).toISOString();
    const line = shared.json
      ? JSON.stringify({ time, level, namespace, message, ...(data ? { data } : {}) })
      : `${time} ${level.padEnd(5)} ${namespace} ${message}` +
        (data ? ` ${JSON.stringify(data)}` : '');

    shared.write(`${mask(line, shared.secrets)}\n`);
  };

  return {
    error: (message, data) => emit('error', message, data),
    warn: (message, data) => emit('warn', message, data),
    info: (message, data) => emit('info', message, data),
    debug: (message, data) => emit('debug', message, data),
    child: (sub) => loggerFor(`${namespace}:${sub}`, shared),
    addSecret: (secret) => {
      if (secret.length > 0) shared.secrets.add(secret);
    },
  };
}

function mask(line: string, secrets: ReadonlySet<string>): string {
  let masked = line;
  for (const secret of secrets) masked = masked.split(secret).join('***');
  return masked;
}
