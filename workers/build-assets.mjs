// Build-time assets for code cells: the sandbox runtime as one script, and the API's .d.ts files.
//
// next.config.mjs calls sandboxAssets() and hands both to the app as build-time constants, so the
// static export needs no generated files in the tree. Results are cached in .next/cache under a
// key made of the inputs' paths, sizes and modification times.

import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const capacityDir = join(root, 'lib', 'capacity');
const capacityIndex = join(capacityDir, 'index.ts');
const runtimeEntry = join(root, 'workers', 'sandbox', 'runtime.ts');
const cacheFile = join(root, '.next', 'cache', 'hwledger-sandbox-assets.json');

function tsFiles(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return tsFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

function inputsKey() {
  const files = [
    ...tsFiles(capacityDir),
    ...tsFiles(join(root, 'workers', 'sandbox')),
    join(root, 'lib', 'notebook', 'names.ts'),
    join(root, 'package-lock.json'),
  ]
    .filter((file) => existsSync(file))
    .sort();
  const hash = createHash('sha256');
  for (const file of files) {
    const stat = statSync(file);
    hash.update(`${file}:${stat.size}:${stat.mtimeMs}\n`);
  }
  return hash.digest('hex');
}

async function bundleRuntime() {
  const esbuild = await import('esbuild');
  const result = await esbuild.build({
    entryPoints: [runtimeEntry],
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    write: false,
    legalComments: 'none',
    logLevel: 'silent',
  });
  return result.outputFiles[0]?.text ?? '';
}

async function declarations() {
  const ts = (await import('typescript')).default;
  const files = {};
  const program = ts.createProgram([capacityIndex], {
    declaration: true,
    emitDeclarationOnly: true,
    allowImportingTsExtensions: true,
    rewriteRelativeImportExtensions: false,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    strict: true,
    skipLibCheck: true,
    types: [],
  });
  program.emit(undefined, (fileName, text) => {
    const rel = relative(capacityDir, fileName).split(sep).join('/');
    if (!rel.startsWith('..')) files[rel] = text;
  });
  files['index.d.ts'] = `${files['index.d.ts'] ?? 'export {};\n'}export as namespace hw;\n`;
  return files;
}

/**
 * The sandbox runtime script (comlink, sucrase and the capacity library in one classic script)
 * and the capacity API's declaration files keyed by path relative to lib/capacity.
 */
export async function sandboxAssets() {
  const key = inputsKey();
  if (existsSync(cacheFile)) {
    const cached = JSON.parse(readFileSync(cacheFile, 'utf8'));
    if (cached.key === key) return cached.assets;
  }
  const assets = { runtime: await bundleRuntime(), dts: await declarations() };
  mkdirSync(join(root, '.next', 'cache'), { recursive: true });
  writeFileSync(cacheFile, JSON.stringify({ key, assets }));
  return assets;
}
