// Catches render errors in a part of the page and shows a short message instead of a blank page.
'use client';

import { Component, type ReactNode } from 'react';

/** Shows `fallback` text (and a retry button) when a child throws while rendering. */
export class ErrorBoundary extends Component<
  { children: ReactNode; what: string },
  { failed: boolean; message: string }
> {
  override state = { failed: false, message: '' };

  static getDerivedStateFromError(error: unknown) {
    return { failed: true, message: error instanceof Error ? error.message : 'unknown error' };
  }

  override render() {
    if (!this.state.failed) return this.props.children;
    return (
      <div className="error-box" role="alert">
        <p>
          Something went wrong while showing {this.props.what}: {this.state.message}
        </p>
        <button type="button" onClick={() => this.setState({ failed: false, message: '' })}>
          Try again
        </button>
      </div>
    );
  }
}
