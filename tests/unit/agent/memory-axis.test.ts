import { describe, expect, it } from 'vitest';

import { formatAxisValue, memoryAxis } from '../../../app/fleet/_parts/memory-axis.ts';

const GIB = 2 ** 30;
const MIB = 2 ** 20;
const KIB = 2 ** 10;

describe('memoryAxis', () => {
  it('widens a flat line at 8 GiB to 0.1 GiB with distinct two-decimal labels', () => {
    const axis = memoryAxis([8 * GIB, 8 * GIB, 8 * GIB]);

    // 7.95-8.05 GiB; 0.1 GiB / 5 = 0.02 GiB, a step of 2 x 10^-2 (two decimals), so the
    // ends move out to the multiples 397 x 0.02 = 7.94 and 403 x 0.02 = 8.06
    expect(axis.unit).toBe('GiB');
    expect(axis.decimals).toBe(2);
    expect(axis.labels).toEqual([
      '7.94 GiB',
      '7.96 GiB',
      '7.98 GiB',
      '8.00 GiB',
      '8.02 GiB',
      '8.04 GiB',
      '8.06 GiB',
    ]);
    expect(axis.min).toBe(7.94);
    expect(axis.max).toBe(8.06);
  });

  it('never labels two ticks "1 GiB" when the memory barely moves around 1 GiB', () => {
    const axis = memoryAxis([GIB - 3 * KIB, GIB, GIB + 5 * KIB]);

    expect(new Set(axis.labels).size).toBe(axis.labels.length);
    expect(axis.labels.length).toBeGreaterThanOrEqual(3);
    expect(axis.labels.every((label) => label.endsWith(' GiB'))).toBe(true);
    expect(axis.min).toBeLessThanOrEqual((GIB - 3 * KIB) / GIB);
    expect(axis.max).toBeGreaterThanOrEqual((GIB + 5 * KIB) / GIB);
  });

  it('uses whole GiB on a 0 to 80 GiB range', () => {
    const axis = memoryAxis([0, 35 * GIB, 80 * GIB]);

    // 80 GiB / 5 = 16 GiB, rounded up to a step of 20 GiB
    expect(axis.labels).toEqual(['0 GiB', '20 GiB', '40 GiB', '60 GiB', '80 GiB']);
    expect(axis.bytesPerUnit).toBe(GIB);
  });

  it('switches to MiB below 1 GiB', () => {
    const axis = memoryAxis([300 * MIB, 600 * MIB]);

    // 300 MiB / 5 = 60 MiB, rounded up to 100 MiB
    expect(axis.unit).toBe('MiB');
    expect(axis.bytesPerUnit).toBe(MIB);
    expect(axis.labels).toEqual(['300 MiB', '400 MiB', '500 MiB', '600 MiB']);
  });

  it('keeps the axis at zero or above for values near zero', () => {
    const axis = memoryAxis([10 * KIB, 10 * KIB]);

    expect(axis.unit).toBe('KiB');
    // 9.95-10.05 KiB, step 0.02 KiB: 497 x 0.02 = 9.94
    expect(axis.min).toBe(9.94);
    expect(axis.labels[0]).toBe('9.94 KiB');
    expect(memoryAxis([0, 0]).min).toBe(0);
    expect(memoryAxis([0, 0]).labels[0]).toBe('0 B');
  });

  it('ignores nulls and non-finite values, and shows 0 to 1 GiB with no data', () => {
    const axis = memoryAxis([null, Number.NaN, Number.POSITIVE_INFINITY]);

    expect(axis.labels).toEqual(['0.0 GiB', '0.2 GiB', '0.4 GiB', '0.6 GiB', '0.8 GiB', '1.0 GiB']);
    expect(memoryAxis([null, 2 * GIB]).labels).toContain('2.00 GiB');
  });

  it.each([
    [7.5 * GIB, 7.5 * GIB + 1],
    [79 * GIB, 79 * GIB + 200 * MIB],
    [123 * MIB, 123 * MIB + 7],
    [1.5 * 2 ** 40, 1.5 * 2 ** 40 + 4 * KIB],
    [5, 7],
    [GIB - 1, GIB],
  ])('labels ticks distinctly and covers the data from %d to %d bytes', (low, high) => {
    const axis = memoryAxis([low, (low + high) / 2, high]);

    expect(new Set(axis.labels).size).toBe(axis.labels.length);
    expect(axis.labels.length).toBeGreaterThanOrEqual(3);
    expect(axis.min).toBeLessThanOrEqual(low / axis.bytesPerUnit + 1e-9);
    expect(axis.max).toBeGreaterThanOrEqual(high / axis.bytesPerUnit - 1e-9);
    expect(axis.labels.join(' ')).not.toMatch(/NaN|e[+-]/);
  });

  it('labels distinctly over a sweep of spans and levels (property)', () => {
    for (let level = 1; level < 2 ** 42; level *= 3.7) {
      for (const share of [0, 1e-9, 1e-6, 1e-3, 0.05, 0.5, 2]) {
        const axis = memoryAxis([level, level * (1 + share)]);

        expect(new Set(axis.labels).size, `${level} + ${share}`).toBe(axis.labels.length);
        expect(axis.ticks.length, `${level} + ${share}`).toBeLessThanOrEqual(7);
      }
    }
  });

  it('formats a value the way its ticks are labelled', () => {
    expect(formatAxisValue(7.96, { decimals: 2, unit: 'GiB' })).toBe('7.96 GiB');
    expect(formatAxisValue(400, { decimals: 0, unit: 'MiB' })).toBe('400 MiB');
  });
});
