// Tokens per second between two reads of one engine, from its token counters.

import type { EngineSnapshot } from './types.ts';

function perSecond(before: number | null, after: number | null, seconds: number): number | null {
  if (before === null || after === null || seconds <= 0 || after < before) return null;
  return (after - before) / seconds;
}

/**
 * `next` with generation and prompt tokens per second taken from the growth of its counters
 * since `previous` (same engine and URL), which is what the engine did lately; where a counter
 * is missing or went back (a restart), the engine's own gauge (if any) is kept.
 */
export function withRates(previous: EngineSnapshot | null, next: EngineSnapshot): EngineSnapshot {
  if (!previous || previous.baseUrl !== next.baseUrl || previous.engine !== next.engine) {
    return next;
  }

  const seconds = (next.capturedAtMs - previous.capturedAtMs) / 1000;
  const generation = perSecond(previous.generatedTokensTotal, next.generatedTokensTotal, seconds);
  const prompt = perSecond(previous.promptTokensTotal, next.promptTokensTotal, seconds);

  return {
    ...next,
    generationTokensPerSecond: generation ?? next.generationTokensPerSecond,
    promptTokensPerSecond: prompt ?? next.promptTokensPerSecond,
  };
}
