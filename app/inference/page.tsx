// The local-inference page: one inference cell, on its own.
'use client';

import { ErrorBoundary } from '../_components/ErrorBoundary.tsx';
import { InferenceCell } from '../_components/InferenceCell.tsx';

/** Shows the inference cell. */
export default function InferencePage() {
  return (
    <ErrorBoundary what="the inference cell">
      <InferenceCell />
    </ErrorBoundary>
  );
}
