// Reads only the header bytes of GGUF (and, re-exported, safetensors) files from a byte source.

import { gguf } from '@huggingface/gguf';

import { CapacityError } from '../capacity/errors.ts';
import type { GgufMetadata, GgufTensorInfo } from '../capacity/formats/gguf.ts';
import type { ByteSource } from './byte-source.ts';
import { SourceError } from './errors.ts';

export { fetchText } from './byte-source.ts';
export { readSafetensorsHeader } from './safetensors-reader.ts';

/** GGUF metadata and tensor infos, as specFromGguf takes them. */
export interface GgufHeader {
  metadata: GgufMetadata;
  tensorInfos: GgufTensorInfo[];
  /** Where the tensor infos end (before alignment padding). */
  headerBytes: number;
}

/**
 * Serves @huggingface/gguf's range requests from a byte source: its chunked reads become
 * `source.read` calls, so a server that ignores Range, or a local file, works the same way.
 */
function fetchFrom(source: ByteSource): typeof fetch {
  return async (_input, init) => {
    const headers = new Headers(init?.headers);
    const match = /bytes=(\d+)-(\d+)/.exec(headers.get('range') ?? '');
    const start = match ? Number(match[1]) : 0;
    const end = match ? Number(match[2]) + 1 : Number.MAX_SAFE_INTEGER;
    const bytes = await source.read(start, end);
    const size = await source.size();
    const last = start + bytes.length - 1;
    const range = `bytes ${String(start)}-${String(last)}/${size === null ? '*' : String(size)}`;
    return new Response(bytes.slice(), { status: 206, headers: { 'content-range': range } });
  };
}

/**
 * Reads a GGUF file's metadata and tensor infos with @huggingface/gguf, fetching bytes through
 * `source`. The tensor data is never read. A file that ends inside the header throws SourceError
 * `truncated`; a file that is not GGUF throws CapacityError `invalid_file`.
 */
export async function readGgufHeader(source: ByteSource): Promise<GgufHeader> {
  let parsed;
  try {
    // The URL only selects the library's ranged-read path; every request is answered by
    // fetchFrom from `source`, so nothing is sent to it (`.invalid` never resolves anyway).
    parsed = await gguf('http://gguf.source.invalid/model.gguf', { fetch: fetchFrom(source) });
  } catch (error) {
    if (error instanceof SourceError) throw error;
    throw new CapacityError(
      'invalid_file',
      `${source.ref} is not a readable GGUF: ${String(error)}`,
      {
        field: 'file',
        expected: 'a GGUF v2 or v3 file',
      },
    );
  }
  const size = await source.size();
  const headerBytes = parsed.tensorInfoByteRange[1];
  if (size !== null && headerBytes > size) {
    throw new SourceError(
      'truncated',
      `GGUF header is truncated: it needs ${String(headerBytes)} bytes, ${source.ref} has ` +
        String(size),
      { ref: source.ref },
    );
  }
  return { metadata: parsed.metadata, tensorInfos: parsed.tensorInfos, headerBytes };
}
