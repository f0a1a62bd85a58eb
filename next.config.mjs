// Next.js settings: a static export (plain files in out/), no server, no image optimiser.
//
// The sandbox runtime script and the capacity API's declarations are built here and passed to
// the app as build-time constants (see workers/build-assets.mjs).
import { fileURLToPath } from 'node:url';
import { sandboxAssets } from './workers/build-assets.mjs';

const root = fileURLToPath(new URL('.', import.meta.url));

/** The Next.js configuration, built once per process. */
export default async function config() {
  const assets = await sandboxAssets();
  return {
    output: 'export',
    trailingSlash: true,
    images: { unoptimized: true },
    reactStrictMode: true,
    poweredByHeader: false,
    productionBrowserSourceMaps: false,
    typescript: { ignoreBuildErrors: true, tsconfigPath: 'app/tsconfig.json' },
    turbopack: { root },
    env: {
      HW_SANDBOX_RUNTIME: assets.runtime,
      HW_CAPACITY_DTS: JSON.stringify(assets.dts),
    },
  };
}
