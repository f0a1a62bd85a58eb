// The route-level error view: a short message and a way back, never a blank page or a stack.
'use client';

/** Shown by Next.js when a page fails to render. */
export default function RouteError({ error, reset }: { error: Error; reset: () => void }) {
  return (
    <div className="error-box" role="alert">
      <p>This page could not be shown: {error.message || 'an unexpected error'}.</p>
      <p>
        <button type="button" onClick={reset}>
          Try again
        </button>{' '}
        <a href="/">Back to the notebooks</a>
      </p>
    </div>
  );
}
