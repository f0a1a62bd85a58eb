// Share links: a whole notebook in a URL fragment, deflated, base64url, versioned and checksummed.

import { deflateSync, Inflate, strFromU8, strToU8 } from 'fflate';
import type { Notebook } from './model.ts';
import { NotebookFormatError, parseNotebook } from './validate.ts';

/** Version of the share payload format; the fragment starts with `nb<version>.`. */
export const SHARE_VERSION = 1;

/** Why a share fragment could not be opened. */
export type ShareErrorCode =
  'not_a_share' | 'unsupported_version' | 'corrupt' | 'too_large' | 'invalid';

/** A share fragment that cannot be opened; `code` says why, the message says it for people. */
export class ShareError extends Error {
  readonly code: ShareErrorCode;

  constructor(code: ShareErrorCode, message: string) {
    super(message);
    this.name = 'ShareError';
    this.code = code;
  }
}

const CRC_TABLE: Uint32Array = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n += 1) {
    let c = n;
    for (let k = 0; k < 8; k += 1) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32 (IEEE 802.3, as zlib and PNG use) of `bytes`, as an unsigned 32-bit integer. */
export function crc32(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of bytes) crc = (CRC_TABLE[(crc ^ byte) & 0xff] ?? 0) ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** Bytes as unpadded base64url (RFC 4648 section 5). */
export function toBase64Url(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const a = bytes[i] ?? 0;
    const b = bytes[i + 1] ?? 0;
    const c = bytes[i + 2] ?? 0;
    const triple = (a << 16) | (b << 8) | c;
    const chars = i + 2 < bytes.length ? 4 : i + 1 < bytes.length ? 3 : 2;
    for (let k = 0; k < chars; k += 1) out += B64[(triple >> (18 - 6 * k)) & 63];
  }
  return out;
}

/** Unpadded base64url back to bytes; throws ShareError `corrupt` on any other character. */
export function fromBase64Url(text: string): Uint8Array {
  if (text.length % 4 === 1)
    throw new ShareError('corrupt', 'The link is damaged or cut short: its length is wrong.');
  const out = new Uint8Array(Math.floor((text.length * 3) / 4));
  let bits = 0;
  let value = 0;
  let o = 0;
  for (const ch of text) {
    const v = B64.indexOf(ch);
    if (v < 0)
      throw new ShareError(
        'corrupt',
        'The link is damaged or cut short: it has characters a share never has.',
      );
    value = ((value << 6) | v) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o] = (value >> bits) & 0xff;
      o += 1;
    }
  }
  return out.subarray(0, o);
}

/** The shared part of a notebook: everything but its local id and timestamp. */
function sharedContent(notebook: Notebook): { title: string; cells: Notebook['cells'] } {
  return { title: notebook.title, cells: notebook.cells };
}

/**
 * Encodes a notebook as a URL fragment (without `#`): `nb1.<crc32 hex>.<base64url(deflate)>`,
 * where the checksum is CRC-32 of the uncompressed JSON.
 */
export function encodeShare(notebook: Notebook): string {
  const json = strToU8(JSON.stringify(sharedContent(notebook)));
  const checksum = crc32(json).toString(16).padStart(8, '0');
  return `nb${SHARE_VERSION}.${checksum}.${toBase64Url(deflateSync(json, { level: 9 }))}`;
}

/**
 * Longest share link offered, in characters: Chromium refuses addresses over 2 MiB
 * (2,097,152 characters), so a longer link would open nowhere; such notebooks go as files.
 */
export const MAX_SHARE_LINK_CHARS = 2_000_000;

/** Whether a URL fragment (with or without `#`) looks like a share payload. */
export function isShareFragment(fragment: string): boolean {
  return /^#?nb\d+\./.test(fragment);
}

/**
 * Most bytes a share may unpack to: a link of MAX_SHARE_LINK_CHARS holds at most 1.5 MB of
 * deflated data, and notebook JSON deflates about tenfold, so 16 MiB leaves room for any real
 * notebook while a crafted link (deflate reaches about 1,000:1) cannot freeze the tab.
 */
export const MAX_SHARE_UNPACKED_BYTES = 16 * 2 ** 20;

/** Compressed bytes fed to the inflater per step; one step unpacks at most about 1 MiB. */
const INFLATE_STEP_BYTES = 1024;

class TooLargeSignal extends Error {}

/** Inflates `data`, stopping as soon as the output passes `maxBytes`. */
function inflateCapped(data: Uint8Array, maxBytes: number): Uint8Array {
  const chunks: Uint8Array[] = [];
  let unpackedBytes = 0;
  const inflater = new Inflate((chunk) => {
    unpackedBytes += chunk.length;
    if (unpackedBytes > maxBytes) throw new TooLargeSignal();
    chunks.push(chunk);
  });

  let at = 0;
  do {
    const end = Math.min(at + INFLATE_STEP_BYTES, data.length);
    inflater.push(data.subarray(at, end), end === data.length);
    at = end;
  } while (at < data.length);

  const out = new Uint8Array(unpackedBytes);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}

function inflateChecked(data: Uint8Array, checksum: string): string {
  let bytes: Uint8Array;
  try {
    bytes = inflateCapped(data, MAX_SHARE_UNPACKED_BYTES);
  } catch (error) {
    if (error instanceof TooLargeSignal) {
      const limitMiB = MAX_SHARE_UNPACKED_BYTES / 2 ** 20;
      throw new ShareError(
        'too_large',
        `The link unpacks to more than ${limitMiB} MiB, more than any notebook a link can ` +
          'carry; it was not opened.',
      );
    }
    throw new ShareError('corrupt', 'The link is damaged or cut short: it cannot be unpacked.');
  }
  if (crc32(bytes).toString(16).padStart(8, '0') !== checksum) {
    throw new ShareError('corrupt', 'The link is damaged or cut short: its checksum differs.');
  }
  return strFromU8(bytes);
}

/**
 * Decodes a share fragment into a notebook with the given local id; throws ShareError when the
 * fragment is not a share, has an unknown version, is truncated or tampered with, or does not
 * hold a valid notebook.
 */
export function decodeShare(fragment: string, id: string, nowMs: number = Date.now()): Notebook {
  const match = /^#?nb(\d+)\.([0-9a-f]{8})\.([A-Za-z0-9_-]*)$/.exec(fragment.trim());
  if (!match) {
    if (isShareFragment(fragment)) {
      throw new ShareError(
        'corrupt',
        'The link is damaged or cut short: its parts are not where expected.',
      );
    }
    throw new ShareError('not_a_share', 'The link holds no notebook.');
  }
  const [, version, checksum = '', body = ''] = match;
  if (Number(version) > SHARE_VERSION) {
    throw new ShareError(
      'unsupported_version',
      `The link was made by a newer hwLedger (format ${version}); this one reads format ${SHARE_VERSION}.`,
    );
  }
  if (Number(version) !== SHARE_VERSION) {
    throw new ShareError(
      'unsupported_version',
      `The link uses share format ${version}, which no hwLedger writes; this one reads ` +
        `format ${SHARE_VERSION}.`,
    );
  }
  const json = inflateChecked(fromBase64Url(body), checksum);
  let content: unknown;
  try {
    content = JSON.parse(json);
  } catch {
    throw new ShareError('corrupt', 'The link is damaged or cut short: it holds no JSON.');
  }
  try {
    const raw = typeof content === 'object' && content !== null ? content : {};
    return parseNotebook({ ...raw, format: 1, id, updatedAtMs: nowMs });
  } catch (error) {
    if (error instanceof NotebookFormatError) {
      throw new ShareError('invalid', `The link holds no valid notebook: ${error.message}.`);
    }
    throw error;
  }
}
