// Registers the service worker that keeps the app usable offline after the first visit.
'use client';

import { useEffect } from 'react';

/** Registers /sw.js once the page has loaded; renders nothing. */
export function ServiceWorker() {
  useEffect(() => {
    if (!('serviceWorker' in navigator) || !window.isSecureContext) return;
    navigator.serviceWorker.register('/sw.js', { scope: '/' }).catch(() => undefined);
  }, []);
  return null;
}
