// Values leaving the sandbox become plain, bounded data.
import { describe, expect, it } from 'vitest';
import { toPlainData } from '../../../workers/sandbox/clone.ts';

describe('toPlainData', () => {
  it.each([
    [42, 42],
    ['text', 'text'],
    [null, null],
    [10n, '10n'],
    [function named() {}, '[function named]'],
    [new Map([['a', 1]]), [['a', 1]]],
    [new Set([1, 2]), [1, 2]],
    [new Uint8Array(16), '[Uint8Array of 16 bytes]'],
    [new Error('bad'), { name: 'Error', message: 'bad' }],
  ])('turns %o into plain data', (value, expected) => {
    expect(toPlainData(value)).toEqual(expected);
  });

  it('marks cycles instead of recursing', () => {
    const node: Record<string, unknown> = { name: 'a' };
    node.self = node;
    expect(toPlainData(node)).toEqual({ name: 'a', self: '[circular]' });
  });

  it('cuts nesting deeper than 8 levels', () => {
    let deep: unknown = 'bottom';
    for (let i = 0; i < 12; i += 1) deep = { next: deep };
    expect(JSON.stringify(toPlainData(deep))).toContain('[nested too deep]');
  });

  it('keeps at most 2000 items of a list', () => {
    expect(toPlainData(Array.from({ length: 5000 }, (_, i) => i))).toHaveLength(2000);
  });

  it('survives structured cloning', () => {
    const value = toPlainData({ f: () => 1, n: [1, 2n], m: new Map() });
    expect(structuredClone(value)).toEqual({ f: '[function f]', n: [1, '2n'], m: [] });
  });
});
