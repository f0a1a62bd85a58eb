// Ctrl+Z / Cmd+Z outside text fields, as a React hook, for pages whose deletions can be undone.
import { useEffect, useRef } from 'react';

/** Whether a key event's target edits text, where Ctrl+Z belongs to the field itself. */
export function inEditableField(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return (
    target.isContentEditable || target.closest('input, textarea, select, .monaco-editor') !== null
  );
}

/**
 * Calls `undo` on Ctrl+Z / Cmd+Z pressed outside any text field, so the keyboard undoes what the
 * toast's Undo button would; the latest `undo` is always called, not the one of the first render.
 */
export function useUndoKey(undo: () => void, enabled: boolean): void {
  const latestUndo = useRef(undo);

  useEffect(() => {
    latestUndo.current = undo;
  }, [undo]);

  useEffect(() => {
    if (!enabled) return undefined;
    const onKey = (event: KeyboardEvent) => {
      const isUndo = (event.ctrlKey || event.metaKey) && !event.shiftKey && event.code === 'KeyZ';
      if (!isUndo || inEditableField(event.target)) return;
      event.preventDefault();
      latestUndo.current();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [enabled]);
}
