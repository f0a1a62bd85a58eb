// Node-only helpers for the transformers.js runner: file reads and a process memory probe.

import { readFile } from 'node:fs/promises';

import type { MemoryReading } from './measure.ts';
import type { SourceReaders } from './sources.ts';

/** Reads files from disk for folder sources. */
export const nodeReaders: SourceReaders = {
  readFile: async (path) => new Uint8Array(await readFile(path)),
};

/** Node's memory: JS heap used, external plus ArrayBuffer bytes, and resident set (bytes). */
export async function nodeMemoryProbe(): Promise<MemoryReading> {
  const usage = process.memoryUsage();
  return {
    jsHeapBytes: usage.heapUsed,
    externalBytes: usage.external + usage.arrayBuffers,
    residentBytes: usage.rss,
  };
}
