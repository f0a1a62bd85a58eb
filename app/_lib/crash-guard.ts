// Remembers, in localStorage, that a saved notebook's code is running, so that a tab that died
// mid-run (out of memory, a hung renderer) does not run the same code again on the next open.
'use client';

/** The localStorage key prefix of the "code of notebook N is running" record. */
export const CODE_RUNNING_KEY_PREFIX = 'hwledger.codeRunning.';

function storage(): Storage | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage;
  } catch {
    return null;
  }
}

/** The localStorage key of notebook `notebookId`'s running-code record. */
export function codeRunningKey(notebookId: string): string {
  return CODE_RUNNING_KEY_PREFIX + notebookId;
}

/**
 * Records that a code cell of `notebookId` starts (`running` true) or that its run settled
 * (false). A full or blocked storage records nothing: the guard is a safety net, not a gate.
 */
export function recordCodeRunning(notebookId: string, running: boolean): void {
  const store = storage();
  try {
    if (running) store?.setItem(codeRunningKey(notebookId), String(Date.now()));
    else store?.removeItem(codeRunningKey(notebookId));
  } catch {
    return;
  }
}

/** Whether the last run of `notebookId`'s code began and never settled (the tab may have died). */
export function codeRunDidNotFinish(notebookId: string): boolean {
  return (storage()?.getItem(codeRunningKey(notebookId)) ?? null) !== null;
}
