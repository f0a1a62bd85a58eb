import { describe, expect, it } from 'vitest';

import { minMaxPartition } from '../../../lib/capacity/pipeline.ts';

describe('minMaxPartition', () => {
  it('finds the smallest largest run of a contiguous split', () => {
    expect(minMaxPartition([5, 1, 1, 1, 5], 2)[0]).toBe(7); // [5 1 1] [1 5]
    expect(minMaxPartition([5, 1, 1, 1, 5], 3)[0]).toBe(5); // [5] [1 1 1] [5]
    expect(minMaxPartition([4, 4, 4], 5)[0]).toBe(4); // more parts than items
  });

  it('returns the run that reaches the maximum', () => {
    expect(minMaxPartition([1, 2, 9, 1], 2)).toEqual([10, 2, 4]); // [1 2] [9 1]
  });

  it('ends on sums beyond 2^53, where doubles cannot step by one', () => {
    const huge = Array.from({ length: 61 }, () => 3.7e16);
    const [max] = minMaxPartition(huge, 3);
    expect(max).toBeGreaterThanOrEqual(21 * 3.7e16 * (1 - 1e-9));
    expect(max).toBeLessThanOrEqual(21 * 3.7e16 * (1 + 1e-9));
  });
});
