// Share links: round trip, version, truncation and tampering.
import { deflateSync, strToU8 } from 'fflate';
import { describe, expect, it } from 'vitest';
import { defaultPlanInputs, newNotebook, type Notebook } from '../../../lib/notebook/model.ts';
import {
  crc32,
  decodeShare,
  encodeShare,
  fromBase64Url,
  isShareFragment,
  MAX_SHARE_UNPACKED_BYTES,
  ShareError,
  toBase64Url,
} from '../../../lib/notebook/share.ts';

function sample(): Notebook {
  return newNotebook('Fit check ✓ — 70B', [
    { id: 'c1', kind: 'markdown', source: '# Will it fit?\nUnicode: μ, 日本, 🚀' },
    { id: 'c2', kind: 'plan', name: 'big', inputs: { ...defaultPlanInputs(), gpus: 2 } },
    { id: 'c3', kind: 'code', source: 'export const x = big.memory.totalBytes / 2 ** 30' },
  ]);
}

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    if (error instanceof ShareError) return error.code;
    throw error;
  }
  return 'no error';
}

describe('share links', () => {
  it('round-trips a notebook exactly (title and cells)', () => {
    const nb = sample();
    const back = decodeShare(`#${encodeShare(nb)}`, 'local', 5);
    expect(back).toEqual({ ...nb, id: 'local', updatedAtMs: 5 });
  });

  it('starts with the version and an 8-digit checksum', () => {
    expect(encodeShare(sample())).toMatch(/^nb1\.[0-9a-f]{8}\.[A-Za-z0-9_-]+$/);
    expect(isShareFragment(`#${encodeShare(sample())}`)).toBe(true);
    expect(isShareFragment('#hello')).toBe(false);
  });

  it.each([1, 5, 20, 60])('rejects a link cut short by %i characters', (cut) => {
    const text = encodeShare(sample());
    expect(codeOf(() => decodeShare(text.slice(0, text.length - cut), 'x'))).toBe('corrupt');
  });

  it('rejects a link with one payload character changed', () => {
    const text = encodeShare(sample());
    const at = text.length - 10;
    const flipped = text[at] === 'A' ? 'B' : 'A';
    const tampered = text.slice(0, at) + flipped + text.slice(at + 1);
    expect(codeOf(() => decodeShare(tampered, 'x'))).toBe('corrupt');
  });

  it('rejects a link whose checksum was changed', () => {
    const text = encodeShare(sample());
    const tampered = text.replace(/^nb1\.[0-9a-f]{8}/, 'nb1.00000000');
    expect(codeOf(() => decodeShare(tampered, 'x'))).toBe('corrupt');
  });

  it('rejects a newer format version', () => {
    expect(codeOf(() => decodeShare(encodeShare(sample()).replace(/^nb1/, 'nb9'), 'x'))).toBe(
      'unsupported_version',
    );
  });

  it('says a format-0 link is not one hwLedger writes, not that it is newer', () => {
    const zero = encodeShare(sample()).replace(/^nb1/, 'nb0');
    expect(codeOf(() => decodeShare(zero, 'x'))).toBe('unsupported_version');
    expect(() => decodeShare(zero, 'x')).toThrow(
      'The link uses share format 0, which no hwLedger writes; this one reads format 1.',
    );
    expect(() => decodeShare(encodeShare(sample()).replace(/^nb1/, 'nb9'), 'x')).toThrow(
      'The link was made by a newer hwLedger (format 9); this one reads format 1.',
    );
  });

  it('refuses a decompression bomb fast, before the checksum, with a clear message', () => {
    // 64 MiB of spaces (4x the cap) deflates to about 65 KB: a short link, a huge output.
    const spaces = new Uint8Array(64 * 2 ** 20).fill(32);
    const bomb = deflateSync(spaces, { level: 9 });
    const fragment = `nb1.00000000.${toBase64Url(bomb)}`;
    expect(bomb.length).toBeLessThan(100_000);

    const startedMs = performance.now();
    expect(codeOf(() => decodeShare(fragment, 'x'))).toBe('too_large');
    expect(() => decodeShare(fragment, 'x')).toThrow(
      'The link unpacks to more than 16 MiB, more than any notebook a link can carry; ' +
        'it was not opened.',
    );
    expect(performance.now() - startedMs).toBeLessThan(1000);
  });

  it('still opens a notebook that unpacks to just under the cap', () => {
    // 84 cells x 195,000 characters = 16,380,000 bytes, 397,216 under 16 MiB (16,777,216).
    const filler = 'x'.repeat(195_000);
    const cells = Array.from({ length: 84 }, (_, i) => ({
      id: `c${i}`,
      kind: 'markdown' as const,
      source: filler,
    }));
    const back = decodeShare(encodeShare(newNotebook('Big', cells)), 'local', 5);
    expect(back.cells).toHaveLength(84);
    expect(back.cells[83]).toEqual({ id: 'c83', kind: 'markdown', source: filler });
    expect(84 * 195_000).toBeLessThan(MAX_SHARE_UNPACKED_BYTES);
  });

  it('rejects a valid payload that is not a notebook and names the field', () => {
    const json = strToU8(JSON.stringify({ title: 't', cells: [{ id: 'a', kind: 'video' }] }));
    const crc = crc32(json).toString(16).padStart(8, '0');
    const fragment = `nb1.${crc}.${toBase64Url(deflateSync(json))}`;
    expect(() => decodeShare(fragment, 'x')).toThrow(/cells\[0\]\.kind/);
  });

  it('says a fragment without a share is not a share', () => {
    expect(codeOf(() => decodeShare('#section-2', 'x'))).toBe('not_a_share');
  });

  it.each([
    ['', ''],
    ['f', 'Zg'],
    ['fo', 'Zm8'],
    ['foo', 'Zm9v'],
    ['\u00ff\u00fe', 'w7_Dvg'],
  ])('encodes %j as base64url %j and back', (text, expected) => {
    const bytes = strToU8(text);
    expect(toBase64Url(bytes)).toBe(expected);
    expect(fromBase64Url(expected)).toEqual(bytes);
  });

  it('computes the standard CRC-32 check value', () => {
    expect(crc32(strToU8('123456789'))).toBe(0xcbf43926);
  });
});
