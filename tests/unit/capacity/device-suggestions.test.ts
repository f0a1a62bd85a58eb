import { describe, expect, it } from 'vitest';

import { findDevice } from '../../../lib/capacity/devices/catalogue.ts';
import { CapacityError } from '../../../lib/capacity/errors.ts';

function suggestions(name: string): string | null {
  try {
    findDevice(name);
  } catch (error) {
    expect(error).toBeInstanceOf(CapacityError);
    expect((error as CapacityError).code).toBe('unknown_device');
    return (error as CapacityError).expected;
  }
  throw new Error(`${name} was found`);
}

describe('unknown device suggestions', () => {
  it('suggests nothing for a name within no third of its length of any key ("nope")', () => {
    // "nope" is 4 characters: a key must be within max(1, floor(4 / 3)) = 1 edit; a10 is 4 away.
    expect(suggestions('nope')).toBe('a device id from the catalogue; none is close to "nope"');
  });

  it('suggests the key one substitution away first ("rtx3090tx" -> rtx-3090-ti)', () => {
    expect(suggestions('rtx3090tx')?.split(', ')[0]).toBe('rtx-3090-ti');
  });

  it('lists only the ids whose keys contain a partial name ("mi300" -> mi300x)', () => {
    expect(suggestions('mi300')).toBe('mi300x');
  });

  it('does not match one- and two-letter names by containment', () => {
    expect(suggestions('xq')).toBe('a device id from the catalogue; none is close to "xq"');
  });
});
