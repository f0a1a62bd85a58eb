// The sandbox host: a sandbox that fails to start is tried afresh on the next run, not kept broken.
import { describe, expect, it } from 'vitest';
import { SandboxHost, SandboxStopped } from '../../../app/_lib/sandbox-host.ts';
import type { CellRunRequest } from '../../../workers/sandbox/protocol.ts';

const request: CellRunRequest = { cellId: 'c', source: '1', scope: {}, codeDeps: [] };

describe('SandboxHost', () => {
  it('tries to start the sandbox again after a start that failed', async () => {
    let starts = 0;
    const host = new SandboxHost(() => {
      starts += 1;
      return Promise.resolve('');
    });
    for (let attempt = 0; attempt < 2; attempt += 1) {
      const error: unknown = await host.run(request, 5000).then(
        () => null,
        (thrown: unknown) => thrown,
      );
      expect(error).toBeInstanceOf(SandboxStopped);
      expect((error as Error).message).toBe('The code-cell runtime is missing from this build.');
    }
    expect(starts).toBe(2);
  });
});
