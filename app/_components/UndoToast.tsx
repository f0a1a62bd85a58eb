// A short-lived notice of a deletion with an Undo button (the deleted thing is kept meanwhile).
'use client';

import { useEffect, useRef } from 'react';

/** How long the Undo offer stays on screen, in milliseconds. */
export const UNDO_TOAST_MS = 15_000;

/**
 * Says what was deleted and offers Undo until `UNDO_TOAST_MS` pass or it is dismissed; a new
 * `offerKey` (another deletion) starts the wait again.
 */
export function UndoToast({
  message,
  offerKey,
  onUndo,
  onDismiss,
}: {
  message: string;
  offerKey: string | number;
  onUndo: () => void;
  onDismiss: () => void;
}) {
  const dismiss = useRef(onDismiss);
  dismiss.current = onDismiss;

  useEffect(() => {
    const timer = setTimeout(() => dismiss.current(), UNDO_TOAST_MS);
    return () => clearTimeout(timer);
  }, [offerKey]);

  return (
    <div className="banner toast" role="status" aria-live="polite" data-testid="undo-toast">
      <span data-testid="undo-message">{message}</span>{' '}
      <button type="button" onClick={onUndo} data-testid="undo">
        Undo
      </button>{' '}
      <button type="button" className="link" aria-label="dismiss" onClick={onDismiss}>
        ×
      </button>
    </div>
  );
}
