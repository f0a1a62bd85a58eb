// Reads only the header bytes of a safetensors file from a byte source (browser-safe).

import type { SafetensorsHeader } from '../capacity/formats/safetensors.ts';
import {
  parseSafetensorsHeader,
  readSafetensorsHeaderLength,
} from '../capacity/formats/safetensors.ts';
import type { ByteSource } from './byte-source.ts';
import { SourceError, namingFile } from './errors.ts';

/** Bytes asked for in the first read, so most headers arrive in one request. */
const FIRST_READ_BYTES = 64 * 1024;

/**
 * Reads a safetensors header: the first bytes (length and, usually, the whole JSON), then the
 * rest of the JSON if it is longer. The tensor data is never read. A file that ends inside the
 * header throws SourceError `truncated`; a bad header throws CapacityError `invalid_file`; both
 * messages name `source.ref`.
 */
export async function readSafetensorsHeader(source: ByteSource): Promise<SafetensorsHeader> {
  try {
    return await readHeader(source);
  } catch (error) {
    throw namingFile(error, source.ref);
  }
}

async function readHeader(source: ByteSource): Promise<SafetensorsHeader> {
  const first = await source.read(0, FIRST_READ_BYTES);
  const size = await source.size();
  const headerBytes = readSafetensorsHeaderLength(first, size ?? undefined);
  const needed = 8 + headerBytes;
  let bytes = first;
  if (first.length < needed) {
    const rest = await source.read(first.length, needed);
    bytes = new Uint8Array(first.length + rest.length);
    bytes.set(first);
    bytes.set(rest, first.length);
  }
  if (bytes.length < needed) {
    throw new SourceError(
      'truncated',
      `safetensors header is truncated: ${String(bytes.length)} of ${String(needed)} bytes in ` +
        source.ref,
      { ref: source.ref },
    );
  }
  const header = parseSafetensorsHeader(
    bytes.subarray(0, needed),
    size === null ? {} : { fileBytes: size },
  );
  return { ...header, ref: source.ref };
}
