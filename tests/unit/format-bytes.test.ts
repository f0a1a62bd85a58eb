// Byte and count formatting: binary and decimal units apart, at most four significant digits.
import { describe, expect, it } from 'vitest';

import { formatBytes, formatCount, formatParams } from '../../lib/format/bytes.ts';

const KiB = 1024;
const MiB = 1024 ** 2;
const GiB = 1024 ** 3;
const TiB = 1024 ** 4;
const PiB = 1024 ** 5;
const EiB = 1024 ** 6;

describe('formatBytes', () => {
  it.each<[number, string]>([
    [0, '0 B'],
    [999, '999 B'],
    [1000, '0.98 KiB'], // 1000 / 1024
    [1536, '1.50 KiB'],
    [512 * MiB, '512.0 MiB'],
    [1002 * MiB, '0.98 GiB'], // 1002 / 1024
    [12.345 * GiB, '12.35 GiB'],
    [11.06 * TiB, '11.06 TiB'],
    [999.96 * MiB, '0.98 GiB'], // would round to 1000.0 MiB
    [51_826_581_324_953_600, '46.03 PiB'], // 51,826,581,324,953,600 / 2^50 = 46.03
    [3 * EiB, '3.00 EiB'],
    [2 ** 80, '1.05e+6 EiB'], // 2^80 / 2^60 = 1,048,576: past the last unit
  ])('writes %d bytes as %s', (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text);
  });

  it('keeps decimal units apart from binary ones', () => {
    expect(formatBytes(24e9, { decimal: true })).toBe('24.00 GB');
    expect(formatBytes(24e9)).toBe('22.35 GiB'); // 24e9 / 2^30
    expect(formatBytes(5.2e15, { decimal: true })).toBe('5.20 PB');
    expect(formatBytes(5.2e15)).toBe('4.62 PiB'); // 5.2e15 / 2^50
  });

  it('signs margins and fixes decimals on request', () => {
    expect(formatBytes(-12.57 * TiB)).toBe('-12.57 TiB');
    expect(formatBytes(1.5 * GiB, { digits: 0 })).toBe('2 GiB');
    expect(formatBytes(KiB * 100)).toBe('100.0 KiB');
  });

  it('never shows more than four significant digits before the unit', () => {
    for (let exponent = 3; exponent < 70; exponent += 0.37) {
      const text = formatBytes(2 ** exponent);
      const digits = (text.split(' ')[0] ?? '').replace(/e\+\d+$/, '').replace(/[.-]/g, '');
      expect(digits.replace(/^0+/, '').length, text).toBeLessThanOrEqual(4);
    }
  });

  it('writes n/a for what is not a number', () => {
    expect(formatBytes(Number.NaN)).toBe('n/a');
    expect(formatBytes(Number.POSITIVE_INFINITY)).toBe('n/a');
  });

  it('keeps 2^53 and beyond readable', () => {
    expect(formatBytes(2 ** 53)).toBe('8.00 PiB');
    expect(formatBytes(PiB * 999.99)).toBe('0.98 EiB'); // 999.99 / 1024
  });
});

describe('formatParams', () => {
  it.each<[number, string]>([
    [124_439, '124,439'],
    [12_345_678, '12.35M'],
    [512_000_000, '512.0M'],
    [999_999_999, '1.00B'], // would round to 1000.0M
    [8_030_261_248, '8.03B'],
    [6_082_410_000_000, '6.08T'],
    [2.5e18, '2.50e+6T'], // 2.5e18 / 1e12 = 2,500,000 trillion: past the last unit
  ])('writes %d parameters as %s', (count, text) => {
    expect(formatParams(count)).toBe(text);
  });

  it('writes n/a for what is not a number', () => {
    expect(formatParams(Number.NaN)).toBe('n/a');
  });
});

describe('formatCount', () => {
  it('separates thousands and refuses what is not a number', () => {
    expect(formatCount(8_030_261_248)).toBe('8,030,261,248');
    expect(formatCount(Number.NaN)).toBe('n/a');
  });
});
