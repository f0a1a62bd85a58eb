// App-wide settings kept in this browser's localStorage: the Hugging Face hub base URL.
//
// localStorage, not the notebook: the hub a plan cell fetches from is the user's choice for
// this browser, so a notebook opened from someone's link can name a model but never the host
// it is fetched from; and it is one small string read synchronously when a plan runs.
'use client';

import { useSyncExternalStore } from 'react';
import { DEFAULT_HUB_BASE } from '../../lib/sources/hub-base.ts';

/** The localStorage key of the hub base URL. */
export const HUB_BASE_KEY = 'hwledger.hubBase';

const listeners = new Set<() => void>();

function storage(): Storage | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage;
  } catch {
    return null;
  }
}

/** The hub base URL plan cells fetch from: the stored setting, or `https://huggingface.co`. */
export function hubBaseSetting(): string {
  const stored = storage()?.getItem(HUB_BASE_KEY) ?? null;
  return stored === null || stored.trim() === '' ? DEFAULT_HUB_BASE : stored;
}

/** Stores the hub base URL (empty restores the default) and tells every subscriber. */
export function setHubBaseSetting(value: string): void {
  const store = storage();
  try {
    if (value.trim() === '' || value.trim() === DEFAULT_HUB_BASE) {
      store?.removeItem(HUB_BASE_KEY);
    } else store?.setItem(HUB_BASE_KEY, value.trim());
  } catch {
    // A full or blocked storage keeps the previous value; the field shows what was read back.
  }
  for (const listener of listeners) listener();
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  const onStorage = (event: StorageEvent) => {
    if (event.key === HUB_BASE_KEY || event.key === null) listener();
  };
  window.addEventListener('storage', onStorage);
  return () => {
    listeners.delete(listener);
    window.removeEventListener('storage', onStorage);
  };
}

/** The hub base URL, re-rendering when it changes here or in another tab. */
export function useHubBase(): string {
  return useSyncExternalStore(subscribe, hubBaseSetting, () => DEFAULT_HUB_BASE);
}
