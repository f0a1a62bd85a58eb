// Loads the model and device catalogues from the plan worker once per page.
'use client';

import { useEffect, useState } from 'react';
import type { CatalogueData } from '../../workers/plan-types.ts';
import { loadCatalogue } from './plan-client.ts';

let pending: Promise<CatalogueData> | null = null;

/**
 * Starts the plan worker and asks for the catalogues at once. Called while a page hydrates, so
 * the worker's script and the capacity library load in parallel with the page's own scripts. A
 * failed request is not kept, so the next page that asks tries again.
 */
export function preloadCatalogue(): Promise<CatalogueData> {
  pending ??= loadCatalogue();
  pending.catch(() => {
    pending = null;
  });
  return pending;
}

/** Pauses before each new try at the catalogues after a failure, in milliseconds. */
const RETRY_DELAYS_MS = [1000, 2000, 4000];

/**
 * The catalogues, or null while they load. A failed load (the plan worker could not start) is
 * tried again a few times, each with a fresh worker, before the form opens with empty lists.
 */
export function useCatalogue(): CatalogueData | null {
  const [data, setData] = useState<CatalogueData | null>(null);
  useEffect(() => {
    let live = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const attempt = (tries: number) => {
      preloadCatalogue().then(
        (value) => live && setData(value),
        () => {
          if (!live) return;
          const delayMs = RETRY_DELAYS_MS[tries];
          if (delayMs === undefined) {
            setData({ models: [], devices: [], weightSchemes: [], kvDtypes: [] });
            return;
          }
          timer = setTimeout(() => attempt(tries + 1), delayMs);
        },
      );
    };
    attempt(0);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, []);
  return data;
}
