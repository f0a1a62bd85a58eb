// The notice in a tab whose notebook was changed or deleted in another tab: nothing is lost.
'use client';

import type { StoredNotebook } from '../_lib/db.ts';

/**
 * Shown when this tab's edits could not be saved because another tab saved or deleted the
 * notebook meanwhile. This tab's version stays on screen until the user picks what to keep.
 */
export function ConflictBanner({
  theirs,
  onLoadTheirs,
  onKeepMine,
  onSaveAgain,
}: {
  /** The version now stored, or null when the notebook was deleted. */
  theirs: StoredNotebook | null;
  onLoadTheirs: () => void;
  onKeepMine: () => void;
  onSaveAgain: () => void;
}) {
  return (
    <div className="banner conflict" role="alert" data-testid="conflict-banner">
      {theirs
        ? 'This notebook was changed in another tab or window, so your edits here are not saved. '
        : 'This notebook was deleted in another tab or window; your edits here are not saved. '}
      {theirs ? (
        <button type="button" onClick={onLoadTheirs} data-testid="conflict-load-theirs">
          Load the other version (drops your edits here)
        </button>
      ) : (
        <button type="button" onClick={onSaveAgain} data-testid="conflict-save-again">
          Save it again
        </button>
      )}{' '}
      <button type="button" onClick={onKeepMine} data-testid="conflict-keep-mine">
        Keep mine as a new notebook
      </button>
    </div>
  );
}
