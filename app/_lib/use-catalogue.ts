// Loads the model and device catalogues from the plan worker once per page.
'use client';

import { useEffect, useState } from 'react';
import type { CatalogueData } from '../../workers/plan-types.ts';
import { planWorker } from './plan-client.ts';

let pending: Promise<CatalogueData> | null = null;

/**
 * Starts the plan worker and asks for the catalogues at once. Called while a page hydrates, so
 * the worker's script and the capacity library load in parallel with the page's own scripts. A
 * failed request is not kept, so the next page that asks tries again.
 */
export function preloadCatalogue(): Promise<CatalogueData> {
  pending ??= planWorker().catalogue();
  pending.catch(() => {
    pending = null;
  });
  return pending;
}

/** The catalogues, or null while they load. */
export function useCatalogue(): CatalogueData | null {
  const [data, setData] = useState<CatalogueData | null>(null);
  useEffect(() => {
    let live = true;
    preloadCatalogue().then(
      (value) => live && setData(value),
      () => live && setData({ models: [], devices: [], weightSchemes: [], kvDtypes: [] }),
    );
    return () => {
      live = false;
    };
  }, []);
  return data;
}
