// The share link of a notebook: says whether it was copied, and when edits have made it stale.
'use client';

import { MAX_SHARE_LINK_CHARS } from '../../lib/notebook/share.ts';

/** A share link made for one version of the notebook, and whether the clipboard took it. */
export interface SharedLink {
  link: string;
  copied: boolean | null;
  /** The notebook version the link holds (compared with the one on screen). */
  version: unknown;
}

/**
 * Shows the link (or why there is none: too long for any browser), says whether it was
 * copied, and warns when the notebook has changed since, so an old link is not sent by mistake.
 */
export function ShareBox({ shared, current }: { shared: SharedLink; current: unknown }) {
  if (shared.link.length > MAX_SHARE_LINK_CHARS) {
    return (
      <p className="cell-error" role="alert" data-testid="share-too-long">
        This notebook is too large for a link ({shared.link.length.toLocaleString('en-US')}{' '}
        characters; browsers open at most about {MAX_SHARE_LINK_CHARS.toLocaleString('en-US')}). Use
        Export file and send the file instead.
      </p>
    );
  }
  const copied =
    shared.copied === null
      ? 'copying…'
      : shared.copied
        ? 'copied'
        : 'not copied: select it and copy it';
  return (
    <div className="share-box">
      <label>
        Link to this notebook ({copied}; the whole notebook is in the link, nothing is uploaded):
        <input
          readOnly
          value={shared.link}
          data-testid="share-link"
          onFocus={(event) => event.target.select()}
        />
      </label>
      {shared.version !== current ? (
        <p className="muted" data-testid="share-stale">
          The notebook has changed since this link was made; press Share link again to include the
          changes.
        </p>
      ) : null}
    </div>
  );
}
