// Reads a GGUF model split over shards (`-00001-of-00003.gguf`): every header, tensors merged.

import type { GgufTensorInfo } from '../capacity/formats/gguf.ts';
import type { ByteSource } from './byte-source.ts';
import { SourceError } from './errors.ts';
import type { GgufHeader } from './header-readers.ts';
import { readGgufHeader } from './header-readers.ts';

const SHARD_NAME = /-(\d{5})-of-(\d{5})\.gguf$/i;

/** A header and the file it came from. */
export interface GgufShard {
  ref: string;
  header: GgufHeader;
  bytesRead: number;
}

function metaInt(header: GgufHeader, key: string): number | null {
  const value = (header.metadata as Record<string, unknown>)[key];
  if (typeof value === 'bigint') return Number(value);
  return typeof value === 'number' ? value : null;
}

async function readShard(
  ref: string,
  open: (ref: string) => Promise<ByteSource>,
): Promise<GgufShard> {
  const source = await open(ref);
  try {
    return { ref, header: await readGgufHeader(source), bytesRead: source.bytesRead() };
  } finally {
    await source.close();
  }
}

/** The ref of shard `no` (1-based) of `count`, following llama.cpp's `-0000N-of-0000M` names. */
function shardRef(ref: string, no: number, count: number): string {
  const pad = (n: number): string => String(n).padStart(5, '0');
  return ref.replace(SHARD_NAME, `-${pad(no)}-of-${pad(count)}.gguf`);
}

/**
 * Reads the GGUF at `ref` and, when its `split.count` is above 1, the headers of all its shards
 * (named `-0000N-of-0000M.gguf` beside it, opened through `open`): the result has shard 1's
 * metadata and every shard's tensor infos, checked against `split.tensors.count`. A missing
 * shard throws SourceError `not_found` naming it; a name off the pattern or a tensor count that
 * disagrees throws `invalid_file`. `onShard` hears of each shard read.
 */
export async function readGgufModel(
  ref: string,
  open: (ref: string) => Promise<ByteSource>,
  onShard: (shard: GgufShard) => void = () => undefined,
): Promise<GgufHeader> {
  const given = await readShard(ref, open);
  onShard(given);
  const count = metaInt(given.header, 'split.count') ?? 1;
  if (count <= 1) return given.header;

  const match = SHARD_NAME.exec(ref);
  if (!match || Number(match[2]) !== count) {
    throw new SourceError(
      'invalid_file',
      `${ref} is shard of a ${String(count)}-file split GGUF, but its name does not end in ` +
        `-0000N-of-${String(count).padStart(5, '0')}.gguf, so the other shards cannot be found`,
      { ref },
    );
  }
  const givenNo = Number(match[1]);
  const shards: GgufShard[] = [];
  for (let no = 1; no <= count; no += 1) {
    if (no === givenNo) {
      shards.push(given);
      continue;
    }
    const other = shardRef(ref, no, count);
    const shard = await readShard(other, open).catch((error: unknown) => {
      if (!(error instanceof SourceError) || error.code !== 'not_found') throw error;
      throw new SourceError(
        'not_found',
        `split GGUF shard ${String(no)} of ${String(count)} is missing: ${other}`,
        { ref: other },
      );
    });
    onShard(shard);
    shards.push(shard);
  }

  const tensorInfos: GgufTensorInfo[] = shards.flatMap((shard) => shard.header.tensorInfos);
  const first = shards[0]?.header ?? given.header;
  const expected = metaInt(first, 'split.tensors.count');
  if (expected !== null && expected !== tensorInfos.length) {
    throw new SourceError(
      'invalid_file',
      `split GGUF ${ref}: its ${String(count)} shards hold ${String(tensorInfos.length)} ` +
        `tensors, split.tensors.count says ${String(expected)}`,
      { ref },
    );
  }
  return { metadata: first.metadata, tensorInfos, headerBytes: first.headerBytes };
}
