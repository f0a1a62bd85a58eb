// Random access to the bytes of a local file (Node only: it uses node:fs).

import { open } from 'node:fs/promises';

import type { ByteSource } from './byte-source.ts';
import { SourceError } from './errors.ts';

function isMissing(error: unknown): boolean {
  return (
    typeof error === 'object' &&
    error !== null &&
    'code' in error &&
    (error.code === 'ENOENT' || error.code === 'ENOTDIR')
  );
}

/** Opens a local file for ranged reads; throws SourceError `not_found` when it does not exist. */
export async function openFileSource(path: string): Promise<ByteSource> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    if (isMissing(error))
      throw new SourceError('not_found', `no such file: ${path}`, { ref: path });
    throw error;
  }
  const fileSize = (await handle.stat()).size;
  let total = 0;
  const file = handle;
  return {
    ref: path,
    size: () => Promise.resolve(fileSize),
    async read(start, end) {
      const length = Math.max(Math.min(end, fileSize) - start, 0);
      const buffer = new Uint8Array(length);
      let filled = 0;
      while (filled < length) {
        const { bytesRead } = await file.read(buffer, filled, length - filled, start + filled);
        if (bytesRead === 0) break;
        filled += bytesRead;
      }
      total += filled;
      return buffer.subarray(0, filled);
    },
    bytesRead: () => total,
    close: () => file.close(),
  };
}
