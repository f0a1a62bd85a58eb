// What a code cell shows for a thrown value that is not an Error.
import { describe, expect, it } from 'vitest';
import { thrownMessage } from '../../../workers/sandbox/thrown.ts';

describe('thrownMessage', () => {
  it('keeps an Error message as it is', () => {
    expect(thrownMessage(new RangeError('context too long'))).toBe('context too long');
  });

  it.each([
    [{ code: 1 }, 'the cell threw {"code":1}, which is not an Error'],
    ['no', 'the cell threw "no", which is not an Error'],
    [42, 'the cell threw 42, which is not an Error'],
    [null, 'the cell threw null, which is not an Error'],
    [undefined, 'the cell threw undefined, which is not an Error'],
  ])('shows %j as data', (thrown, message) => {
    expect(thrownMessage(thrown)).toBe(message);
  });

  it('says so when an object cannot be written as JSON, never "[object Object]"', () => {
    const loop: Record<string, unknown> = {};
    loop.self = loop;
    expect(thrownMessage(loop)).toBe(
      'the cell threw an object that JSON cannot show (it refers to itself, or holds a BigInt), ' +
        'which is not an Error',
    );
  });

  it('cuts a long value to 200 characters', () => {
    const message = thrownMessage('x'.repeat(1000));
    // 'the cell threw ' + 200 characters + '…' + ', which is not an Error'
    expect(message).toHaveLength(15 + 200 + 1 + 23);
  });
});
