// Output text keeps what JSON loses: NaN, Infinity, -Infinity, -0 and undefined stay visible.
import { describe, expect, it } from 'vitest';
import { outputJson, scalarText } from '../../../app/_lib/output-text.ts';

describe('code output text', () => {
  it('writes special numbers and undefined inline as themselves', () => {
    expect(scalarText(NaN)).toBe('NaN');
    expect(scalarText(Infinity)).toBe('Infinity');
    expect(scalarText(-Infinity)).toBe('-Infinity');
    expect(scalarText(-0)).toBe('-0');
    expect(scalarText(undefined)).toBe('undefined');
    expect(scalarText(1234567)).toBe('1,234,567');
    expect(scalarText(1 / 3)).toBe('0.333333');
  });

  it('keeps NaN, undefined and -0 inside objects and arrays', () => {
    const value = { nan: NaN, u: undefined, z: -0, inf: [Infinity, -Infinity, undefined], n: 2 };
    expect(outputJson(value, 0)).toBe(
      '{"nan":NaN,"u":undefined,"z":-0,"inf":[Infinity,-Infinity,undefined],"n":2}',
    );
    expect(outputJson({ s: 'NaN' }, 0)).toBe('{"s":"NaN"}');
  });
});
