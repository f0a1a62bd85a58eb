// The agent's origin allow-list: exact origins and any-port patterns for the local app.
import { describe, expect, it } from 'vitest';

import { allowedOrigins } from '../../../agent/cli.ts';
import { isOriginRule, LOOPBACK_APP_ORIGINS, originMatcher } from '../../../agent/origins.ts';

describe('originMatcher', () => {
  const loopback = originMatcher(LOOPBACK_APP_ORIGINS);

  it.each([
    'http://127.0.0.1:3000',
    'http://127.0.0.1:3411',
    'http://localhost:8080',
    'http://127.0.0.1',
    'http://[::1]:4000',
    'HTTP://LOCALHOST:3411/',
  ])('accepts the app on this machine at %s by default', (origin) => {
    expect(loopback(origin)).toBe(true);
  });

  it.each([
    'https://evil.example',
    'http://127.0.0.1.evil.example:3000',
    'http://localhost.evil.example',
    'https://127.0.0.1:3000',
    'http://192.168.1.5:3000',
    'null',
    'file:///x',
  ])('refuses %s by default', (origin) => {
    expect(loopback(origin)).toBe(false);
  });

  it('keeps exact origins exact and lets a pattern open every port of one host', () => {
    const allowed = originMatcher(['https://app.example', 'http://192.168.1.5:*']);

    expect(allowed('https://app.example')).toBe(true);
    expect(allowed('https://app.example:8443')).toBe(false);
    expect(allowed('http://192.168.1.5:3411')).toBe(true);
    expect(allowed('http://192.168.1.6:3411')).toBe(false);
  });

  it.each([
    ['http://127.0.0.1:*', true],
    ['https://app.example', true],
    ['ftp://127.0.0.1:*', false],
    ['http://:*', false],
    ['127.0.0.1:*', false],
  ])('isOriginRule(%s) is %s', (entry, expected) => {
    expect(isOriginRule(entry)).toBe(expected);
  });
});

describe('allowedOrigins', () => {
  it('is the local app at any port when no option is given', () => {
    expect(allowedOrigins({})).toEqual([
      'http://127.0.0.1:*',
      'http://localhost:*',
      'http://[::1]:*',
    ]);
  });

  it('adds --allow-origin and the --app-url origin to the local app, once each', () => {
    expect(
      allowedOrigins({
        allowOrigin: ['https://app.example', 'https://app.example'],
        appUrl: 'https://hw.example/ledger',
      }),
    ).toEqual([...LOOPBACK_APP_ORIGINS, 'https://app.example', 'https://hw.example']);
  });
});
