// Holds the code editor (Monaco, over a megabyte of script) back until a notebook's first plans
// are on screen, so that the plan worker is not starved of the CPU while the page starts.

import { useSyncExternalStore } from 'react';

let open = false;
const listeners = new Set<() => void>();

/** Lets code editors mount from now on (idempotent). */
export function openEditorGate(): void {
  if (open) return;
  open = true;
  for (const listener of listeners) listener();
}

/** Resolves once code editors may mount (at once if they already may). */
export function whenEditorGateOpens(): Promise<void> {
  if (open) return Promise.resolve();
  return new Promise((resolve) => {
    const listener = () => {
      listeners.delete(listener);
      resolve();
    };
    listeners.add(listener);
  });
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Whether code editors may mount yet. */
export function useEditorGate(): boolean {
  return useSyncExternalStore(
    subscribe,
    () => open,
    () => false,
  );
}
