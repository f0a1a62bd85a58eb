// Which page origins may talk to the agent: exact origins, or "any port" patterns (`host:*`).

/** Origins of the app on this machine, any port: the token, not the port, authenticates. */
export const LOOPBACK_APP_ORIGINS = [
  'http://127.0.0.1:*',
  'http://localhost:*',
  'http://[::1]:*',
] as const;

const ANY_PORT = /^(https?):\/\/([^/:[\]]+|\[[0-9a-f:.]+\]):\*$/i;

/** Normalises an origin (`HTTP://Host:80/` -> `http://host`) so allow-list checks are exact. */
export function normaliseOrigin(origin: string): string | null {
  try {
    const url = new URL(origin);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
    return url.origin;
  } catch {
    return null;
  }
}

/** An allow-list entry: an exact origin, or `scheme://host` for a `scheme://host:*` pattern. */
type OriginRule = { kind: 'exact'; origin: string } | { kind: 'anyPort'; schemeHost: string };

function ruleFor(entry: string): OriginRule | null {
  const pattern = ANY_PORT.exec(entry.trim());
  if (pattern) {
    const origin = normaliseOrigin(`${pattern[1] ?? ''}://${pattern[2] ?? ''}`);
    return origin === null ? null : { kind: 'anyPort', schemeHost: origin };
  }
  const origin = normaliseOrigin(entry);
  return origin === null ? null : { kind: 'exact', origin };
}

/** Whether `entry` is an origin or an any-port pattern the allow-list understands. */
export function isOriginRule(entry: string): boolean {
  return ruleFor(entry) !== null;
}

/**
 * A predicate for an allow-list of origins (`http://127.0.0.1:3000`) and any-port patterns
 * (`http://127.0.0.1:*`), so the app served on whatever port `npm start` chose is accepted.
 */
export function originMatcher(allowList: readonly string[]): (origin: string) => boolean {
  const rules = allowList.map(ruleFor).filter((rule): rule is OriginRule => rule !== null);

  return (origin) => {
    const normalised = normaliseOrigin(origin);
    if (normalised === null) return false;
    const url = new URL(normalised);
    const schemeHost = `${url.protocol}//${url.hostname}`;
    return rules.some((rule) =>
      rule.kind === 'exact' ? rule.origin === normalised : rule.schemeHost === schemeHost,
    );
  };
}
